from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from releasekit import _options, _runner, _secrets, publish
from releasekit import release as engine
from releasekit._exceptions import PublishError
from releasekit.commands import ReleaseOptions


@pytest.mark.parametrize(
    ("upload", "simple"),
    [
        ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("https://pkgs.example.com/pypi/legacy", "https://pkgs.example.com/pypi/simple/"),
        ("https://pkgs.example.com/root/simple/", "https://pkgs.example.com/root/simple/"),
    ],
)
def test_simple_url_for(upload: str, simple: str) -> None:
    assert publish.simple_url_for(upload) == simple


def test_order_cli_then_twine_environment_then_pypi(monkeypatch: pytest.MonkeyPatch) -> None:
    assert publish.resolve_target().upload_url == "https://upload.pypi.org/legacy/"
    assert publish.resolve_target().is_public_pypi
    monkeypatch.setenv("TWINE_REPOSITORY", "testpypi")
    target = publish.resolve_target()
    assert (target.name, target.upload_url) == ("testpypi", "https://test.pypi.org/legacy/")
    assert not target.is_public_pypi
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:9/")
    assert publish.resolve_target().upload_url == "http://127.0.0.1:9/"
    target = publish.resolve_target("http://localhost:1/", index_url="http://localhost:1/s/")
    assert (target.upload_url, target.simple_url) == (
        "http://localhost:1/",
        "http://localhost:1/s/",
    )
    assert target.twine_args() == ["--repository-url", "http://localhost:1/"]


def test_config_beats_twine_environment_and_the_source_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:9/")
    target = publish.resolve_target("", configured="http://127.0.0.1:7/")
    assert (target.upload_url, target.source) == ("http://127.0.0.1:7/", "config")
    target = publish.resolve_target("http://127.0.0.1:5/", configured="http://127.0.0.1:7/")
    assert (target.upload_url, target.source) == ("http://127.0.0.1:5/", "command line")
    target = publish.resolve_target()
    assert (target.upload_url, target.source) == ("http://127.0.0.1:9/", "environment")
    monkeypatch.delenv("TWINE_REPOSITORY_URL")
    assert publish.resolve_target().source == "default"


def _pypirc(home: Path) -> Path:
    pypirc = home / ".pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers = internal\n\n[internal]\n"
        "repository = https://pkgs.example.com/legacy/\nusername = bot\npassword = hunter2-x\n"
    )
    return pypirc


def test_names_come_from_pypirc() -> None:
    _pypirc(Path.home())
    target = publish.resolve_target("internal")
    assert target.upload_url == "https://pkgs.example.com/legacy/"
    assert target.twine_args() == ["--repository", "internal"]
    assert "hunter2" not in repr(target)
    assert publish.upload_credentials(target) == publish.Credentials("bot", "hunter2-x")
    with pytest.raises(PublishError, match="repository 'nowhere' is not defined in"):
        publish.resolve_target("nowhere")


def test_twine_config_file_means_nothing_as_to_twine_7(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # twine 7 takes the file from --config-file only (default ~/.pypirc): a
    # section found through TWINE_CONFIG_FILE would pass here and fail the upload.
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(_pypirc(tmp_path)))
    with pytest.raises(PublishError, match=r"'internal' is not defined in ~/.pypirc"):
        publish.resolve_target("internal")
    assert "TWINE_CONFIG_FILE is ignored" in capsys.readouterr().err


def test_credentials_are_twines_own_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    _pypirc(Path.home())
    monkeypatch.setenv("TWINE_PASSWORD", "from-the-env")
    assert publish.upload_credentials(publish.resolve_target("internal")) == (
        publish.Credentials("bot", "from-the-env")
    )
    # PyPI's username is __token__; a URL target reads no .pypirc section.
    assert publish.upload_credentials(publish.resolve_target()) == (
        publish.Credentials("__token__", "from-the-env")
    )
    monkeypatch.delenv("TWINE_PASSWORD")
    assert publish.upload_credentials(publish.resolve_target("http://127.0.0.1:9/")) is None
    with pytest.raises(PublishError, match="no credentials for .*TWINE_USERNAME and TWINE_PA"):
        publish.require_credentials(publish.resolve_target())


def test_shown_target_masks_credentials_in_urls() -> None:
    target = publish.Target("https://bot:tok3n-value@pkgs.example.com/legacy/", "x")
    assert "tok3n" not in target.shown


def test_html_simple_page_is_parsed() -> None:
    parser = publish._Links("http://index.example/simple/demo-lib/")
    parser.feed(
        '<a href="/packages/demo_lib-0.2.0.tar.gz#sha256=abc">demo_lib-0.2.0.tar.gz</a><br>'
        '<a href="../../files/demo_lib-0.2.0-py3-none-any.whl">demo_lib-0.2.0-py3-none-any.whl</a>'
    )
    assert parser.files == {
        "demo_lib-0.2.0.tar.gz": publish.Listed(
            "abc", "http://index.example/packages/demo_lib-0.2.0.tar.gz"
        ),
        "demo_lib-0.2.0-py3-none-any.whl": publish.Listed(
            "", "http://index.example/files/demo_lib-0.2.0-py3-none-any.whl"
        ),
    }


def test_userinfo_leaves_the_url_and_becomes_credentials() -> None:
    target = publish.resolve_target("http://bot:n0-port-Secret@pkgs.example.com/legacy/")
    assert target.upload_url == "http://pkgs.example.com/legacy/"
    assert target.simple_url == "http://pkgs.example.com/simple/"
    assert target.url_credentials == publish.Credentials("bot", "n0-port-Secret")
    assert "n0-port-Secret" not in repr(target)
    assert publish.upload_credentials(target) == publish.Credentials("bot", "n0-port-Secret")
    assert "n0-port-Secret" not in _secrets.mask("twine said: n0-port-Secret", {})
    # Only the upload host gets them; another host, even on a redirect, never.
    assert publish.credentials_for(target, "http://pkgs.example.com/simple/x/") is not None
    assert publish.credentials_for(target, "http://pkgs.example.com:8080/simple/x/") is None
    assert publish.credentials_for(target, "http://files.example.com/x.whl") is None


def test_version_on_index_compares_pep440_versions() -> None:
    files = {"demo_lib-0.2.0-py3-none-any.whl": "", "demo_lib-0.10.0.tar.gz": "", "junk": ""}
    assert engine.version_on_index(files, "0.2")
    assert engine.version_on_index(files, "0.10.0")
    assert not engine.version_on_index(files, "0.1.0")


def test_without_a_terminal_yes_is_implied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert publish.ask("Publish?") is True


def test_on_a_terminal_the_answer_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    assert publish.ask("Publish?") is False
    monkeypatch.setattr("sys.stdin", Tty("yes\n"))
    assert publish.ask("Publish?") is True


def test_release_options_parse_like_the_invoke_task() -> None:
    options = _options.parse(
        ReleaseOptions,
        ["--part", "minor", "--dry-run", "--repository", "testpypi", "--no-push", "--yes"],
        prog="nox -s release --",
        description="",
    )
    assert options == ReleaseOptions(
        part="minor", dry_run=True, repository="testpypi", no_push=True, yes=True
    )


def test_state_round_trips_atomically(tmp_path: Path) -> None:
    package = engine.Package("demo-lib", ".", "0.2.0", "v0.2.0", "demo_lib",
                             files={"a.whl": "0" * 64})  # fmt: skip
    state = engine.State(
        packages=[package], tiers=[["demo-lib"]], commit="abc", branch="main",
        remote="origin", head_before="def", source_date_epoch=1, done=["publish"],
    )  # fmt: skip
    engine.save_state(tmp_path, state)
    assert (tmp_path / ".releasekit/.gitignore").read_text() == "*\n"
    assert engine.load_state(tmp_path) == state
    engine.clear_state(tmp_path)
    assert not (tmp_path / ".releasekit").exists()
    assert engine.load_state(tmp_path) is None


def test_unreadable_state_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".releasekit").mkdir()
    (tmp_path / ".releasekit/state.json").write_text("{not json")
    with pytest.raises(engine.ReleaseError, match="is not a release state"):
        engine.load_state(tmp_path)


def test_a_username_alone_is_not_a_secret() -> None:
    # A username-only URL once made "alice" a secret, masked inside the output
    # of git rev-parse: the repository /home/alice/... was then not found.
    target = publish.resolve_target("http://alice@pkgs.example.com/legacy/")
    assert target.upload_url == "http://pkgs.example.com/legacy/"
    assert target.url_credentials == publish.Credentials("alice", "")
    code = "print('/home/alice/project')"
    assert _runner.run([sys.executable, "-c", code], mutates=False).stdout.strip() == (
        "/home/alice/project"
    )
    assert _secrets.mask("/home/alice/project", {}) == "/home/alice/project"
    assert _secrets.mask("see http://alice@pkgs.example.com/", {}) == (
        f"see http://{_secrets.MASK}@pkgs.example.com/"
    )


def test_a_url_that_names_the_user_takes_the_password_from_twine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", "from-the-env")
    target = publish.resolve_target("http://bob@pkgs.example.com/legacy/")
    assert publish.upload_credentials(target) == publish.Credentials("bob", "from-the-env")


def test_every_known_login_is_masked_before_any_target_is_resolved() -> None:
    """The checks start first: what they print of .pypirc or a URL's login is masked already."""
    (Path.home() / ".pypirc").write_text(
        "[distutils]\nindex-servers = early\n\n[early]\n"
        "repository = https://pkgs.example.com/early/\nusername = bot\npassword = early-bird-7\n"
    )
    assert _secrets.mask("password = early-bird-7") == "password = early-bird-7"
    publish.mask_known_logins("", "https://ci:url-pw-31@pkgs.example.com/legacy/", "")
    assert _secrets.mask("password = early-bird-7") == f"password = {_secrets.MASK}"
    assert "url-pw-31" not in _secrets.mask("https://ci:url-pw-31@pkgs.example.com/legacy/")
