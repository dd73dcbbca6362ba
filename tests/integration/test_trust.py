"""What a release may be trusted with: the right bytes, and no secret let out.

Each test reproduces one way a release could publish what the maintainer did
not mean, or leak a credential, with real parts: git, a bare remote, a real
pypiserver, twine, towncrier.
"""

from __future__ import annotations

import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from releasekit import _console, _hashing, _runner, _secrets, changelog, commands, dists
from releasekit._exceptions import ReleaseKitError
from releasekit.commands import ReleaseOptions
from releasekit.index import Target, confirm_listed, index_for, resolve_target, simple_url_for
from tests import index_responder
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, free_port, invoke


def _release(repo: Path, index: Index, monkeypatch: pytest.MonkeyPatch, **options: object) -> None:
    for key, value in index.twine_env().items():
        monkeypatch.setenv(key, value)
    opts = ReleaseOptions(yes=True, repository=index.url, no_checks=True, no_push=True, **options)  # type: ignore[arg-type]
    commands.run("release", repo, opts)


def test_untracked_files_never_reach_the_dists_and_the_tag_rebuilds_bit_for_bit(
    stamped: Path, index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A file git ignores only through .git/info/exclude, inside the package:
    # hatchling reads .gitignore, not this, so a build of the work tree ships it.
    secret = stamped / "src" / "demo_lib" / "local_notes.txt"
    secret.write_text("not for publishing\n")
    with (stamped / ".git" / "info" / "exclude").open("a") as f:
        f.write("src/demo_lib/local_notes.txt\n.env\n")
    (stamped / ".env").write_text("TOKEN=do-not-ship\n")
    add_fragment(stamped, "feature")
    assert git(stamped, "status", "--porcelain") == ""

    _release(stamped, index, monkeypatch)

    sdist = index.packages / "demo_lib-0.2.0.tar.gz"
    wheel = index.packages / "demo_lib-0.2.0-py3-none-any.whl"
    assert index.files() == sorted([sdist.name, wheel.name])
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
    assert "demo_lib-0.2.0/src/demo_lib/__init__.py" in names
    assert not [n for n in names if n.endswith(("local_notes.txt", ".env"))], names
    assert secret.exists()  # the work tree is left alone

    # A stranger clones the repository and rebuilds the tag: the same bytes.
    clone = tmp_path / "stranger"
    git(tmp_path, "clone", "-q", str(stamped), str(clone))
    rebuilt = dists.build_commit(clone, "v0.2.0", tmp_path / "rebuilt")
    assert rebuilt.sdist.read_bytes() == sdist.read_bytes()
    assert rebuilt.wheel.read_bytes() == wheel.read_bytes()


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "ERROR" in line or "error:" in line]


def test_an_index_without_hashes_is_asked_for_the_bytes(
    stamped: Path, index_without_hashes: Index
) -> None:
    index = index_without_hashes
    add_fragment(stamped)
    wrong = {"TWINE_USERNAME": index.USER, "TWINE_PASSWORD": "nope-nope-nope"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False, env=wrong)  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    state = json.loads((stamped / ".releasekit/state.json").read_text())
    sdist = stamped / "dist/demo_lib-0.2.0.tar.gz"
    wheel = stamped / "dist/demo_lib-0.2.0-py3-none-any.whl"
    # The sdist made it; someone else's wheel sits under the release's wheel name.
    (index.packages / sdist.name).write_bytes(sdist.read_bytes())
    (index.packages / wheel.name).write_bytes(b"PK a foreign wheel under the same name")
    target = Target(index.url, index.simple)
    listed = index_for(target).listing("demo-lib")
    assert {name: f.sha256 for name, f in listed.items()} == {sdist.name: "", wheel.name: ""}

    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = error_lines(proc.stderr)
    assert f"{wheel.name} is already on {index.url} with a different sha256" in line
    assert sdist.name not in line
    # Same in the confirmation after an upload.
    with pytest.raises(ReleaseKitError, match=f"^{wheel.name} on .* does not have the local"):
        confirm_listed(index_for(target), "demo-lib", [sdist, wheel])

    (index.packages / wheel.name).unlink()
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    assert f"{sdist.name} is already on the index with the same sha256: skipped" in proc.stderr
    assert index.files() == sorted([sdist.name, wheel.name])
    assert (index.packages / wheel.name).read_bytes() == wheel.read_bytes()
    files = state["packages"][0]["files"]
    assert {p.name: _hashing.sha256(p) for p in index.packages.iterdir()} == files


def test_a_password_in_a_url_is_never_shown_even_without_a_port(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    secret = "Pw-in-the-URL-4711"
    # No port after the host: a URL parser that takes "pw@host" for a port
    # would fail with the password in its message.
    proc = invoke("release", "--dry-run", "--repository", f"http://uploader:{secret}@127.0.0.1/",
                  cwd=stamped, check=False)  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert secret not in output
    assert "Traceback" not in output
    (line,) = error_lines(proc.stderr)
    expected = "the index http://127.0.0.1/simple/demo-lib/ is unreachable (ConnectionError)"
    assert line.endswith(expected)
    # With the index there, the plan shows the target without its userinfo.
    url = index.url.replace("http://", f"http://{index.USER}:{index.PASSWORD}@")
    proc = invoke("release", "--dry-run", "--repository", url, cwd=stamped)
    assert index.PASSWORD not in proc.stdout + proc.stderr
    assert f"publish:   {index.url}" in proc.stdout


def test_url_userinfo_serves_as_credentials_and_is_never_stored(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    hook = stamped / "../../remote.git/hooks/pre-receive"  # keep the journal: push fails
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    url = index.url.replace("http://", f"http://{index.USER}:{index.PASSWORD}@")
    proc = invoke("release", "--yes", "--no-checks", "--repository", url, cwd=stamped,
                  check=False)  # fmt: skip  # no TWINE_* at all: the URL is the login
    output = proc.stdout + proc.stderr
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"], output
    assert "push failed" in proc.stderr
    state_text = (stamped / ".releasekit/state.json").read_text()
    assert json.loads(state_text)["target"]["upload_url"] == index.url
    for text in (output, state_text):
        assert index.PASSWORD not in text
        assert f"{index.USER}@" not in text and f"{index.USER}:" not in text


def test_pypirc_passwords_are_masked_in_whatever_a_tool_prints(
    index: Index, capsys: pytest.CaptureFixture[str]
) -> None:
    pypirc = Path.home() / ".pypirc"  # the only file twine reads
    pypirc.write_text(
        f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {index.url}\n"
        f"username = {index.USER}\npassword = {index.PASSWORD}\n"
    )
    target = resolve_target("local")
    assert target.shown == f"local ({index.url})"
    # A tool that echoes its configuration (twine does, in some errors): the
    # data stays exact, what is shown is masked.
    echo = [sys.executable, "-c", "import sys; print(open(sys.argv[1]).read())", str(pypirc)]
    _console.set_verbose(True)
    try:
        data = _runner.run(echo, mutates=False).stdout
    finally:
        _console.set_verbose(False)
    assert f"password = {index.PASSWORD}" in data
    shown = capsys.readouterr().err
    assert f"username = {index.USER}" in shown
    assert index.PASSWORD not in shown
    assert f"password = {_secrets.MASK}" in shown


def test_credentials_never_cross_to_another_host(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Upload-Only-Secret-42"
    other = index_responder.Behaviour("login")
    with index_responder.serve(other, host="127.0.0.2") as elsewhere:
        upload = index_responder.Behaviour("login-then-redirect", location=elsewhere.url)
        with index_responder.serve(upload) as upload_host:
            # (1) A redirect from the upload host to another host: the login that
            # the upload host asked for does not follow the redirect.
            target = resolve_target(f"http://bot:{secret}@{upload_host.url[7:]}/")
            assert target.upload_url == f"{upload_host.url}/"
            with pytest.raises(ReleaseKitError, match="answered 401 for demo-lib$"):
                index_for(target).listing("demo-lib")
            assert upload_host.authorizations()[0] is None  # nothing sent unasked
            assert upload_host.authorizations()[1] is not None  # the upload host's own login
            assert elsewhere.seen and elsewhere.authorizations() == [None] * len(elsewhere.seen)

            # (2) An index_url on another host than the upload host: twine's
            # credentials are for the upload host only.
            elsewhere.seen.clear()
            monkeypatch.setenv("TWINE_USERNAME", "bot")
            monkeypatch.setenv("TWINE_PASSWORD", secret)
            target = resolve_target(f"{upload_host.url}/", index_url=f"{elsewhere.url}/simple/")
            with pytest.raises(ReleaseKitError) as info:
                index_for(target).listing("demo-lib")
            assert str(info.value) == (
                f"the index {elsewhere.url}/simple/ answered 401 for demo-lib"
            )
            assert elsewhere.authorizations() == [None]


def test_a_file_towncrier_would_not_consume_is_refused_by_name(stamped: Path, index: Index) -> None:
    fragments = stamped / "changelog.d"
    (fragments / "README.md").write_text("How to write a fragment.\n")  # towncrier ignores it
    (fragments / "+x.banana.md").write_text("A change of a type nobody configured\n")
    add_fragment(stamped, "feature")
    before = git(stamped, "rev-parse", "HEAD")
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped,
                  check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = error_lines(proc.stderr)
    assert "changelog.d/+x.banana.md is not a changelog fragment towncrier would consume" in line
    assert "README" not in line and ".gitkeep" not in line
    assert git(stamped, "rev-parse", "HEAD") == before
    assert index.files() == []
    # Removed, nothing is left over (the README and .gitkeep are towncrier's to ignore).
    (fragments / "+x.banana.md").unlink()
    assert changelog.unconsumed(stamped) == []


def test_an_index_answering_malformed_json_is_one_line(stamped: Path) -> None:
    add_fragment(stamped)
    with index_responder.serve(index_responder.Behaviour("bad-json")) as bad:
        proc = invoke("release", "--dry-run", "--repository", f"{bad.url}/", cwd=stamped,
                      check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = error_lines(proc.stderr)
    assert line.startswith(
        f"ERROR the index {bad.url}/simple/ answered a malformed page for demo-lib ("
    )
    assert line.endswith("): is it a simple index (PEP 503 or PEP 691)?")


def test_twine_tracebacks_stay_out_of_the_error_line(
    stamped: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    built = dists.build_commit(stamped, "HEAD", tmp_path / "dist")
    down = f"http://127.0.0.1:{free_port()}/"  # nothing listens: twine ends in a traceback
    target = Target(down, simple_url_for(down))
    env = {"TWINE_USERNAME": "someone", "TWINE_PASSWORD": "some-password"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        with pytest.raises(ReleaseKitError) as info:
            index_for(target).upload(built.files)
        assert str(info.value) == (
            f"twine could not upload to {down}: ConnectionError ([Errno 111] Connection refused)"
        )
        assert "Traceback" not in info.value.details
        assert 'File "' not in info.value.details
        assert "requests.exceptions.ConnectionError" in info.value.details
        # Under -v the whole output, traceback included, is shown as twine runs.
        capfd.readouterr()
        _console.set_verbose(True)
        try:
            with pytest.raises(ReleaseKitError):
                index_for(target).upload(built.files)
        finally:
            _console.set_verbose(False)
        assert "Traceback (most recent call last)" in capfd.readouterr().err


def test_invoke_build_builds_the_work_tree_but_never_what_git_ignores(stamped: Path) -> None:
    secret = stamped / "src" / "demo_lib" / "local_notes.txt"
    secret.write_text("not for publishing\n")
    with (stamped / ".git" / "info" / "exclude").open("a") as f:
        f.write("src/demo_lib/local_notes.txt\n")
    # Work in progress, built as it is: a modified file and a new module.
    (stamped / "README.md").write_text("# Demo Lib\n\nWork in progress.\n")
    (stamped / "src" / "demo_lib" / "extra.py").write_text("EXTRA = 1\n")
    git(stamped, "add", "README.md")  # staged or not, it is the work tree that counts
    status, staged = git(stamped, "status", "--porcelain"), git(stamped, "diff", "--cached")

    proc = invoke("build", cwd=stamped)
    assert "from what git tracks in the work tree (ignored files left out)" in proc.stdout
    with tarfile.open(stamped / "dist" / "demo_lib-0.1.0.tar.gz") as tf:
        names = tf.getnames()
        readme = tf.extractfile("demo_lib-0.1.0/README.md")
        assert readme is not None and b"Work in progress." in readme.read()
    with zipfile.ZipFile(stamped / "dist" / "demo_lib-0.1.0-py3-none-any.whl") as zf:
        wheel_names = zf.namelist()
    assert "demo_lib-0.1.0/src/demo_lib/extra.py" in names
    assert "demo_lib/extra.py" in wheel_names
    assert not [n for n in [*names, *wheel_names] if n.endswith("local_notes.txt")]
    # Nothing of the repository moved: the index, HEAD and the work tree.
    assert git(stamped, "status", "--porcelain") == status
    assert git(stamped, "diff", "--cached") == staged
    assert secret.exists()
