"""The target, resolved once, and its login: twine's order, never shown, only to its host."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from releasekit import _runner, _secrets
from releasekit._exceptions import PublishError
from releasekit.index.credentials import Credentials, mask_known_logins
from releasekit.index.target import (
    Target,
    credentials_for,
    require_credentials,
    resolve_target,
    simple_url_for,
    upload_credentials,
)


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
    assert simple_url_for(upload) == simple


def test_order_cli_then_twine_environment_then_pypi(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_target().upload_url == "https://upload.pypi.org/legacy/"
    assert resolve_target().is_public_pypi
    monkeypatch.setenv("TWINE_REPOSITORY", "testpypi")
    target = resolve_target()
    assert (target.name, target.upload_url) == ("testpypi", "https://test.pypi.org/legacy/")
    assert not target.is_public_pypi
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:9/")
    assert resolve_target().upload_url == "http://127.0.0.1:9/"
    target = resolve_target("http://localhost:1/", index_url="http://localhost:1/s/")
    assert (target.upload_url, target.simple_url) == (
        "http://localhost:1/",
        "http://localhost:1/s/",
    )
    assert target.twine_args() == ["--repository-url", "http://localhost:1/"]


def test_config_beats_twine_environment_and_the_source_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:9/")
    target = resolve_target("", configured="http://127.0.0.1:7/")
    assert (target.upload_url, target.source) == ("http://127.0.0.1:7/", "config")
    target = resolve_target("http://127.0.0.1:5/", configured="http://127.0.0.1:7/")
    assert (target.upload_url, target.source) == ("http://127.0.0.1:5/", "command line")
    target = resolve_target()
    assert (target.upload_url, target.source) == ("http://127.0.0.1:9/", "environment")
    monkeypatch.delenv("TWINE_REPOSITORY_URL")
    assert resolve_target().source == "default"


def _pypirc(home: Path) -> Path:
    pypirc = home / ".pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers = internal\n\n[internal]\n"
        "repository = https://pkgs.example.com/legacy/\nusername = bot\npassword = hunter2-x\n"
    )
    return pypirc


def test_names_come_from_pypirc() -> None:
    _pypirc(Path.home())
    target = resolve_target("internal")
    assert target.upload_url == "https://pkgs.example.com/legacy/"
    assert target.twine_args() == ["--repository", "internal"]
    assert "hunter2" not in repr(target)
    assert upload_credentials(target) == Credentials("bot", "hunter2-x")
    with pytest.raises(PublishError, match="repository 'nowhere' is not defined in"):
        resolve_target("nowhere")


def test_twine_config_file_means_nothing_as_to_twine_7(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # twine 7 takes the file from --config-file only (default ~/.pypirc): a
    # section found through TWINE_CONFIG_FILE would pass here and fail the upload.
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(_pypirc(tmp_path)))
    with pytest.raises(PublishError, match=r"'internal' is not defined in ~/.pypirc"):
        resolve_target("internal")
    assert "TWINE_CONFIG_FILE is ignored" in capsys.readouterr().err


def test_credentials_are_twines_own_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    _pypirc(Path.home())
    monkeypatch.setenv("TWINE_PASSWORD", "from-the-env")
    assert upload_credentials(resolve_target("internal")) == (Credentials("bot", "from-the-env"))
    # PyPI's username is __token__; a URL target reads no .pypirc section.
    assert upload_credentials(resolve_target()) == (Credentials("__token__", "from-the-env"))
    monkeypatch.delenv("TWINE_PASSWORD")
    assert upload_credentials(resolve_target("http://127.0.0.1:9/")) is None
    with pytest.raises(PublishError, match="no credentials for .*TWINE_USERNAME and TWINE_PA"):
        require_credentials(resolve_target())


def test_shown_target_masks_credentials_in_urls() -> None:
    target = Target("https://bot:tok3n-value@pkgs.example.com/legacy/", "x")
    assert "tok3n" not in target.shown


def test_userinfo_leaves_the_url_and_becomes_credentials() -> None:
    target = resolve_target("http://bot:n0-port-Secret@pkgs.example.com/legacy/")
    assert target.upload_url == "http://pkgs.example.com/legacy/"
    assert target.simple_url == "http://pkgs.example.com/simple/"
    assert target.url_credentials == Credentials("bot", "n0-port-Secret")
    assert "n0-port-Secret" not in repr(target)
    assert upload_credentials(target) == Credentials("bot", "n0-port-Secret")
    assert "n0-port-Secret" not in _secrets.mask("twine said: n0-port-Secret", {})
    # Only the upload host gets them; another host, even on a redirect, never.
    assert credentials_for(target, "http://pkgs.example.com/simple/x/") is not None
    assert credentials_for(target, "http://pkgs.example.com:8080/simple/x/") is None
    assert credentials_for(target, "http://files.example.com/x.whl") is None


def test_a_username_alone_is_not_a_secret() -> None:
    # A username-only URL once made "alice" a secret, masked inside the output
    # of git rev-parse: the repository /home/alice/... was then not found.
    target = resolve_target("http://alice@pkgs.example.com/legacy/")
    assert target.upload_url == "http://pkgs.example.com/legacy/"
    assert target.url_credentials == Credentials("alice", "")
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
    target = resolve_target("http://bob@pkgs.example.com/legacy/")
    assert upload_credentials(target) == Credentials("bob", "from-the-env")


def test_every_known_login_is_masked_before_any_target_is_resolved() -> None:
    """The checks start first: what they print of .pypirc or a URL's login is masked already."""
    (Path.home() / ".pypirc").write_text(
        "[distutils]\nindex-servers = early\n\n[early]\n"
        "repository = https://pkgs.example.com/early/\nusername = bot\npassword = early-bird-7\n"
    )
    assert _secrets.mask("password = early-bird-7") == "password = early-bird-7"
    mask_known_logins("", "https://ci:url-pw-31@pkgs.example.com/legacy/", "")
    assert _secrets.mask("password = early-bird-7") == f"password = {_secrets.MASK}"
    assert "url-pw-31" not in _secrets.mask("https://ci:url-pw-31@pkgs.example.com/legacy/")
