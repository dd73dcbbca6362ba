"""twine's failures in one line: its own ERROR line, else the last line of its traceback."""

from __future__ import annotations

from releasekit.index.upload import twine_failure

TRACEBACK = """Uploading distributions to http://127.0.0.1:9/
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/urllib3/connection.py", line 198, in _new_conn
    sock = connection.create_connection(
ConnectionRefusedError: [Errno 111] Connection refused

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/requests/adapters.py", line 667, in send
    resp = conn.urlopen(
requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries \
exceeded with url: / (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at \
0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))
"""


def test_twines_own_error_line_is_the_reason() -> None:
    output = "Uploading demo_lib-0.2.0.tar.gz\nERROR    HTTPError: 403 Forbidden from http://x/\n"
    reason, details = twine_failure(output)
    assert reason == "HTTPError: 403 Forbidden from http://x/"
    assert details == output.rstrip("\n")


def test_a_traceback_becomes_the_errors_name_and_errno() -> None:
    reason, details = twine_failure(TRACEBACK)
    assert reason == "ConnectionError ([Errno 111] Connection refused)"
    assert "Traceback" not in details
    assert 'File "' not in details
    assert "During handling" not in details
    assert details.splitlines()[0] == "Uploading distributions to http://127.0.0.1:9/"
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in details


def test_a_long_reason_without_errno_is_the_errors_name_and_a_cut_tail_no_traceback() -> None:
    cut = "    sock.connect(sa)\nsome.module.VeryLongError: " + "x" * 300
    assert twine_failure(cut)[0] == "VeryLongError"
    assert twine_failure("")[0] == ""
