"""One target and one login, resolved once; no secret where it does not belong; no endless wait.

Each test injects one way the target, the credentials or the network could
go wrong, with real parts: git and a bare remote, pypiserver, twine in
releasekit's process, and a loopback index that misbehaves on purpose.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from releasekit import _console
from releasekit import git as releasekit_git
from releasekit._exceptions import GitError, PublishError
from releasekit.index import index_for, resolve_target
from releasekit.index.target import needs_login
from tests import index_responder
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, snapshot
from tests.integration.test_release import remote_refs

RELEASED = ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
DEAD = "http://127.0.0.1:9/"


def _configure(repo: Path, **values: object) -> None:
    """Set keys of ``[tool.releasekit]`` (the stamped pyproject has each one) and commit."""
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text)
        assert count == 1, key
    pyproject.write_text(text)
    commit_all(repo, f"Configure {', '.join(values)}")


def _tiny_wheel(directory: Path) -> Path:
    """A wheel twine accepts: the metadata and nothing else."""
    wheel = directory / "demo_lib-0.2.0-py3-none-any.whl"
    info = "demo_lib-0.2.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: demo-lib\nVersion: 0.2.0\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    return wheel


def _state(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo / ".releasekit/state.json").read_text())
    return data


def test_resume_keeps_the_configured_target_over_a_stale_shell(stamped: Path, index: Index) -> None:
    # The configured index beats twine's environment on the first run; a
    # stale TWINE_REPOSITORY_URL in the shell of --resume must not move it.
    _configure(stamped, repository=index.url)
    add_fragment(stamped)
    stale = {"TWINE_REPOSITORY_URL": DEAD}
    wrong = {**index.twine_env(), **stale, "TWINE_PASSWORD": "wrong-wrong-wrong"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", cwd=stamped, check=False,
                  env=wrong)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "twine could not upload" in proc.stderr
    state = _state(stamped)
    target = state["target"]
    assert isinstance(target, dict)
    assert (target["upload_url"], target["source"]) == (index.url, "config")
    assert index.files() == []

    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env={**index.twine_env(), **stale})  # fmt: skip
    assert "given now" not in proc.stderr
    assert index.files() == RELEASED
    assert git(stamped, "tag", "-l") == "v0.2.0"


def test_a_named_target_is_not_moved_by_a_stale_url_in_the_shell(
    index: Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # twine's own parser reads TWINE_REPOSITORY_URL as --repository-url, which
    # overrides --repository: the .pypirc section the preflight asked would
    # not be where the files went.
    (Path.home() / ".pypirc").write_text(
        f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {index.url}\n"
        f"username = {index.USER}\npassword = {index.PASSWORD}\n"
    )
    monkeypatch.setenv("TWINE_REPOSITORY_URL", DEAD)
    target = resolve_target("local")
    index_for(target).upload([_tiny_wheel(tmp_path)])
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl"]


def test_resume_follows_twines_environment_when_the_target_came_from_it(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(stamped)
    first = {**index.twine_env(), "TWINE_REPOSITORY_URL": index.url, "TWINE_PASSWORD": "wrong-1"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", cwd=stamped, check=False,
                  env=first)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    target = _state(stamped)["target"]
    assert isinstance(target, dict) and target["source"] == "environment"
    with Index(tmp_path / "second") as second:
        proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                      env={**index.twine_env(), "TWINE_REPOSITORY_URL": second.url})  # fmt: skip
        assert f"publishing to {second.url} (given now) instead of the recorded {index.url}" in (
            proc.stderr
        )
        assert second.files() == RELEASED
        assert index.files() == []


def test_no_login_for_an_index_that_needs_one_is_refused_before_anything_changes(
    stamped: Path, index: Index
) -> None:
    # pypiserver with ``-a update`` answers 401 to an upload without a login:
    # refused in preflight, not after the commit and the tag.
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("ERROR")]
    assert line == (
        f"ERROR no credentials for {index.url}: set TWINE_USERNAME and TWINE_PASSWORD, "
        "or put username and password in a section in ~/.pypirc"
    )
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert not (stamped / ".releasekit/state.json").exists()
    assert index.files() == []
    # A dry run shows its plan wherever it is asked, and says what is missing.
    proc = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=stamped)
    assert f"WARNING no credentials for {index.url}" in proc.stderr
    assert snapshot(stamped) == before


def test_an_index_is_asked_whether_it_needs_a_login() -> None:
    for mode, needs in (("login", True), ("not-found", False)):
        with index_responder.serve(index_responder.Behaviour(mode)) as server:
            target = resolve_target(f"{server.url}/")
            assert needs_login(target) is needs
            assert server.authorizations() == [None]  # asked without any login
    assert needs_login(resolve_target("https://upload.pypi.org/legacy/"))


ENV_HOOK = """
import json
import os
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        Path(os.environ["RK_ENV_DUMP"], "build.json").write_text(json.dumps(dict(os.environ)))
"""

ENV_SESSION = """

import json as _json
import os as _os
from pathlib import Path as _Path

import nox


@nox.session(python=False)
def envdump(session):
    _Path(_os.environ["RK_ENV_DUMP"], "checks.json").write_text(_json.dumps(dict(_os.environ)))
"""


def test_build_hooks_and_check_sessions_get_no_credentials(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    (stamped / "hatch_build.py").write_text(ENV_HOOK)
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.hatch.build.hooks.custom]\n")
    with (stamped / "noxfile.py").open("a") as f:
        f.write(ENV_SESSION)
    _configure(stamped, checks=["envdump"])
    add_fragment(stamped)
    dump = tmp_path / "dump"
    dump.mkdir()
    env = {**index.twine_env(), "RK_ENV_DUMP": str(dump), "PYPI_API_TOKEN": "pypi-Tok3n-x"}
    invoke("release", "--yes", "--no-push", "--repository", index.url, cwd=stamped, env=env)
    assert index.files() == RELEASED  # the upload itself had the login
    for name in ("build.json", "checks.json"):
        seen = json.loads((dump / name).read_text())
        assert seen["RK_ENV_DUMP"] == str(dump), name  # the hook did see the environment
        leaked = {"TWINE_USERNAME", "TWINE_PASSWORD", "PYPI_API_TOKEN"} & set(seen)
        assert not leaked, name
        assert index.PASSWORD not in json.dumps(seen), name


class _ShortPasswordIndex(Index):
    """pypiserver whose upload password, ``pytest``, occurs in every test's path."""

    PASSWORD = "pytest"


@pytest.fixture
def short_password_index(tmp_path: Path) -> Iterator[Index]:
    with _ShortPasswordIndex(tmp_path / "index-short") as server:
        yield server


def test_a_short_password_in_every_path_changes_no_data(
    stamped: Path, short_password_index: Index
) -> None:
    index = short_password_index
    assert index.PASSWORD in str(stamped)
    add_fragment(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, env=index.twine_env())  # fmt: skip
    assert index.files() == RELEASED
    assert "v0.2.0" in remote_refs(stamped)
    assert not (stamped / ".releasekit/state.json").exists()
    assert "Traceback" not in proc.stderr
    # Shown text is masked, paths included; the data was not.
    assert f"/{index.PASSWORD}-of-" not in proc.stderr


def test_an_index_that_echoes_the_pypirc_login_shows_it_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Pypirc-Only-Secret-7"
    with index_responder.serve(index_responder.Behaviour("echo-login")) as server:
        (Path.home() / ".pypirc").write_text(
            f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {server.url}/\n"
            f"username = bot\npassword = {secret}\n"
        )
        wheel = _tiny_wheel(tmp_path)
        # A front end's root handler, as nox installs one, sees every record.
        seen = io.StringIO()
        root = logging.getLogger()
        handler = logging.StreamHandler(seen)
        root.addHandler(handler)
        monkeypatch.setattr(root, "level", logging.DEBUG)
        _console.set_verbose(True)
        try:
            target = resolve_target("local")
            with pytest.raises(PublishError) as info:
                index_for(target).upload([wheel])
        finally:
            _console.set_verbose(False)
            root.removeHandler(handler)
        assert server.authorizations()[-1] is not None  # the login did go to the upload host
    shown = "\n".join([seen.getvalue(), *capsys.readouterr(), str(info.value), info.value.details])
    assert "no upload for bot:" in shown or "Bad login bot:" in shown, shown
    assert secret not in shown


@pytest.mark.parametrize("step", ["listing", "upload", "install"])
def test_an_index_that_drips_bytes_hits_a_deadline_that_names_it(
    step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWINE_USERNAME", "bot")
    monkeypatch.setenv("TWINE_PASSWORD", "drip-pass-1")
    wheel = _tiny_wheel(tmp_path)
    with index_responder.serve(index_responder.Behaviour("drip", drip=0.2)) as server:
        target = resolve_target(f"{server.url}/", timeout=2)
        with pytest.raises(PublishError) as info:
            if step == "listing":
                index_for(target).listing("demo-lib")
            elif step == "upload":
                index_for(target).upload([wheel])
            else:
                index_for(target).confirm_install("demo-lib", "0.2.0")
        assert len(server.seen) >= 1
    if step == "install":  # the installer, stopped: its error is the details
        assert str(info.value) == f"demo-lib 0.2.0 does not install from {server.url}/"
        assert info.value.details.startswith("127.0.0.1 did not answer within 2s (")
        return
    assert str(info.value) == "127.0.0.1 did not answer within 2s: check the index and try again"


def test_a_dripping_index_stops_the_release_in_preflight(stamped: Path) -> None:
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    with index_responder.serve(index_responder.Behaviour("drip", drip=0.2)) as server:
        proc = invoke("release", "--yes", "--no-checks", "--repository", f"{server.url}/",
                      cwd=stamped, check=False,
                      env={"TWINE_USERNAME": "bot", "TWINE_PASSWORD": "drip-pass-1",
                           "RELEASEKIT_NETWORK_TIMEOUT": "2"})  # fmt: skip
    assert proc.returncode == 1
    assert "ERROR 127.0.0.1 did not answer within 2s" in proc.stderr
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert not (stamped / ".releasekit/state.json").exists()


HOOKS = ("pre-commit", "commit-msg", "post-commit", "reference-transaction", "pre-push")


def test_git_hooks_never_see_the_upload_login(stamped: Path, index: Index, tmp_path: Path) -> None:
    # bump-my-version commits and tags in releasekit's process, and git runs
    # the repository's hooks with whatever environment it was given.
    seen = tmp_path / "hook-env"
    seen.mkdir()
    for hook in HOOKS:
        path = stamped / ".git/hooks" / hook
        path.write_text(f'#!/bin/sh\nenv > "{seen}/{hook}.$$"\nexit 0\n')
        path.chmod(0o755)
    add_fragment(stamped)
    env = {**index.twine_env(), "PYPI_API_TOKEN": "pypi-Tok3n-x", "GH_TOKEN": "gh-Tok3n-x"}
    invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped, env=env)
    assert index.files() == RELEASED  # the upload itself had the login
    assert "v0.2.0" in remote_refs(stamped)
    dumps = [(path.name.partition(".")[0], path.read_text()) for path in seen.iterdir()]
    assert {hook for hook, _ in dumps} == set(HOOKS)  # each ran, in the release's commits and push
    for hook, dump in dumps:
        names = {line.partition("=")[0] for line in dump.splitlines()}
        assert not {"TWINE_USERNAME", "TWINE_PASSWORD", "PYPI_API_TOKEN"} & names, hook
        assert index.PASSWORD not in dump, hook
        # The git host's token reaches git's network commands only (a push, a
        # fetch: their reference-transaction too), never a commit's hooks.
        if hook in ("pre-commit", "commit-msg", "post-commit"):
            assert "GH_TOKEN" not in names, hook
        if hook == "pre-push":
            assert "GH_TOKEN" in names


def test_a_silent_git_remote_stops_the_preflight_naming_its_host(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    bare = git(stamped, "remote", "get-url", "origin")
    refs = git(stamped, "ls-remote", bare)
    with index_responder.silent() as host:
        git(stamped, "remote", "set-url", "origin", f"http://{host}/demo.git")
        before = snapshot(stamped)
        env = {**index.twine_env(), "RELEASEKIT_NETWORK_TIMEOUT": "2"}
        proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                      cwd=stamped, check=False, env=env)  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("ERROR")]
    assert (
        line
        == f"ERROR the git remote 'origin' ({host}) did not answer within 2s: check it, try again"
    )
    assert snapshot(stamped) == before
    assert git(stamped, "ls-remote", bare) == refs
    assert index.files() == []


def test_a_push_to_a_silent_remote_hits_the_deadline(stamped: Path) -> None:
    commit = git(stamped, "rev-parse", "HEAD")
    with index_responder.silent() as host:
        git(stamped, "remote", "set-url", "origin", f"http://bot:Remote-Pw-7@{host}/demo.git")
        with pytest.raises(GitError) as info:
            releasekit_git.push_branch(stamped, "origin", commit, "main", timeout=1)
    assert str(info.value) == (
        f"the git remote 'origin' ({host}) did not answer within 1s: check it, try again"
    )
    assert "Remote-Pw-7" not in info.value.details


@pytest.mark.parametrize(
    "given",
    [
        "uploader:Zq9-Hunter2-Secret@127.0.0.1:{port}/",
        "//uploader:Zq9-Hunter2-Secret@127.0.0.1:{port}/",
        "http://uploader:Zq9-Hunter2-Secret@[::1/",
        "http://uploader:Zq9-Hunter2-Secret@127.0.0.1:99999/",
    ],
)
def test_a_login_in_a_repository_that_is_not_a_url_is_never_shown(
    given: str, stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", given.format(port=index.port),
                  cwd=stamped, check=False)  # fmt: skip
    assert proc.returncode == 1
    output = proc.stdout + proc.stderr
    assert "Zq9-Hunter2-Secret" not in output
    assert "Traceback" not in output
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("ERROR")]
    assert "has no scheme" in line or "is not a valid URL" in line, line
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


class _PrivateIndex(Index):
    """pypiserver that wants the login to list and download too, as hosted registries do."""

    AUTHENTICATED = "download,list,update"


@pytest.fixture
def private_index(tmp_path: Path) -> Iterator[Index]:
    with _PrivateIndex(tmp_path / "index-private") as server:
        yield server


def test_a_release_to_an_index_that_wants_a_login_to_read_is_confirmed(
    stamped: Path, private_index: Index
) -> None:
    index = private_index
    add_fragment(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--verbose", "--repository", index.url,
                  cwd=stamped, env=index.twine_env())  # fmt: skip
    assert f"demo-lib 0.2.0 installs from {index.url}" in proc.stderr
    assert index.files() == RELEASED
    assert "v0.2.0" in remote_refs(stamped)
    assert not (stamped / ".releasekit/state.json").exists()
    assert index.PASSWORD not in proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ["sdist only", "no login for the host"])
def test_an_index_that_wants_a_login_to_read_gets_none_it_should_not(
    case: str, private_index: Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = private_index
    monkeypatch.setenv("TWINE_USERNAME", index.USER)
    monkeypatch.setenv("TWINE_PASSWORD", index.PASSWORD)
    target = resolve_target(index.url)
    index_for(target).upload([_tiny_wheel(tmp_path)])
    if case == "no login for the host":  # the simple index on another host than the upload
        target = resolve_target(index.url, index_url=index.simple.replace("127.0.0.1", "localhost"))
        where = target.simple_url
    else:
        where = index.simple
    requires = ["hatchling"] if case == "sdist only" else []
    with pytest.raises(PublishError) as info:
        index_for(target).confirm_install("demo-lib", "0.2.0", build_requires=requires)
    why = (
        "installing the sdist would hand its login to the build backend"
        if case == "sdist only"
        else "releasekit has no login for that host"
    )
    assert str(info.value) == (
        f"the index {where} wants a login to read demo-lib, and {why}: install "
        "demo-lib==0.2.0 from it by hand, then run --resume --no-confirm"
    )
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl"]
