"""What an index lists, read through pypi-simple: HTML and JSON pages, hashes, yanked files.

The pages come from a loopback responder (``tests/index_responder.py``), so
each shape a real index answers, or misanswers, is served for real.
"""

from __future__ import annotations

import pytest

from releasekit._exceptions import PublishError
from releasekit.index import Listed, Target, index_for
from releasekit.index._http import MAX_REDIRECTS
from tests import index_responder

PAGE = (
    '<a href="/packages/demo_lib-0.2.0.tar.gz#sha256=abc">demo_lib-0.2.0.tar.gz</a><br>'
    '<a href="../../files/demo_lib-0.2.0-py3-none-any.whl">demo_lib-0.2.0-py3-none-any.whl</a>'
    '<a href="/packages/demo_lib-0.1.0.tar.gz" data-yanked="broken">demo_lib-0.1.0.tar.gz</a>'
)


def _target(url: str) -> Target:
    return Target(f"{url}/", f"{url}/simple/", timeout=10)


def test_an_html_page_gives_names_absolute_urls_hashes_and_yanked_files() -> None:
    with index_responder.serve(index_responder.Behaviour("page", body=PAGE)) as server:
        listed = index_for(_target(server.url)).listing("Demo.Lib")
        assert [s.path for s in server.seen] == ["/simple/demo-lib/"]  # the normalized name
    assert listed == {
        "demo_lib-0.2.0.tar.gz": Listed("abc", f"{server.url}/packages/demo_lib-0.2.0.tar.gz"),
        "demo_lib-0.2.0-py3-none-any.whl": Listed(
            "", f"{server.url}/files/demo_lib-0.2.0-py3-none-any.whl"
        ),
        "demo_lib-0.1.0.tar.gz": Listed(
            "", f"{server.url}/packages/demo_lib-0.1.0.tar.gz", yanked=True
        ),
    }


def test_a_json_page_gives_upload_times_and_yanked_files() -> None:
    files = {"demo_lib-0.2.0.tar.gz": "2026-01-02T03:04:05.000006Z", "demo_lib-0.1.0.tar.gz": ""}
    behaviour = index_responder.Behaviour("listing", files=files, yanked={"demo_lib-0.1.0.tar.gz"})
    behaviour.files["demo_lib-0.1.0.tar.gz"] = "2025-12-01T00:00:00Z"
    with index_responder.serve(behaviour) as server:
        listed = index_for(_target(server.url)).listing("demo-lib")
    new, old = listed["demo_lib-0.2.0.tar.gz"], listed["demo_lib-0.1.0.tar.gz"]
    assert new == Listed(
        "", f"{server.url}/files/demo_lib-0.2.0.tar.gz", "2026-01-02T03:04:05.000006+00:00"
    )
    assert (old.yanked, old.upload_time) == (True, "2025-12-01T00:00:00+00:00")


def test_an_unknown_project_is_an_empty_listing() -> None:
    with index_responder.serve(index_responder.Behaviour("not-found")) as server:
        assert index_for(_target(server.url)).listing("demo-lib") == {}


def test_a_page_that_is_no_simple_index_is_one_line() -> None:
    odd = index_responder.Behaviour("page", body="{}", content_type="text/plain")
    with index_responder.serve(odd) as server, pytest.raises(PublishError) as info:
        index_for(_target(server.url)).listing("demo-lib")
    assert str(info.value) == (
        f"the index {server.url}/simple/ answered 'text/plain' for demo-lib: "
        "is it a simple index (PEP 503 or PEP 691)?"
    )


def test_endless_redirects_stop_at_the_limit() -> None:
    loop = index_responder.Behaviour("redirect")
    with index_responder.serve(loop) as server:
        loop.location = server.url  # every path redirects to itself
        with pytest.raises(PublishError) as info:
            index_for(_target(server.url)).listing("demo-lib")
        assert len(server.seen) == MAX_REDIRECTS + 1
    assert str(info.value) == (
        f"the index {server.url}/simple/ redirects more than {MAX_REDIRECTS} times: check the URL"
    )


def test_the_login_goes_only_when_asked_and_the_download_is_hashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWINE_USERNAME", "bot")
    monkeypatch.setenv("TWINE_PASSWORD", "Asked-For-7")
    with index_responder.serve(index_responder.Behaviour("login")) as server:
        index = index_for(_target(server.url))
        assert index.listing("demo-lib") == {}  # 401, then 404 with the login
        assert server.authorizations()[0] is None
        assert server.authorizations()[1] is not None
        with pytest.raises(PublishError, match="without a hash and its download answered 404"):
            index.sha256("x.whl", Listed("", f"{server.url}/files/x.whl"))
        assert index.sha256("x.whl", Listed("f" * 64, "")) == "f" * 64  # given: not downloaded


@pytest.mark.parametrize(("version", "read"), [("1.99", True), ("2.0", False)])
def test_a_newer_api_version_is_read_quietly_a_new_major_one_refused(
    version: str, read: bool
) -> None:
    files = {"demo_lib-0.2.0.tar.gz": "2026-01-02T03:04:05Z"}
    behaviour = index_responder.Behaviour("listing", files=files, api_version=version)
    with index_responder.serve(behaviour) as server:
        index = index_for(_target(server.url))
        if read:  # pytest turns any warning into an error: none is raised
            assert list(index.listing("demo-lib")) == list(files)
            return
        with pytest.raises(PublishError) as info:
            index.listing("demo-lib")
    assert str(info.value) == (
        f"the index {server.url}/simple/ speaks simple API 2.0, which releasekit cannot read "
        "(up to 1.4)"
    )
