from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import __version__, cli, new
from releasekit._exceptions import ConfigError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"releasekit {__version__}"


def test_check_outside_a_project_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR no pyproject.toml in")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_check_reports_a_bad_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.releasekit]\nremote=1\n')
    assert cli.main(["check", "--root", str(tmp_path)]) == 1
    assert "remote in" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "releasekit" in capsys.readouterr().out


def test_extra_context_uses_cookiecutter_syntax() -> None:
    assert new.parse_extra_context(["project_name=Demo Lib", "a=b=c"]) == {
        "project_name": "Demo Lib",
        "a": "b=c",
    }
    with pytest.raises(ConfigError, match="must look like key=value"):
        new.parse_extra_context(["oops"])


def test_template_is_found() -> None:
    assert (new.template_dir() / "cookiecutter.json").is_file()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("version=abc", "version 'abc' is not a PEP 440 version: give one like 0.1.0"),
        ("version=1.0", "version 1.0 does not match the template's [tool.bumpversion] parse"),
        ("version=1.0.0+local", "version 1.0.0+local would be written as 1.0.0"),
        ("author_email=nobody", "author_email 'nobody' is no e-mail address"),
        ("repository_url=github.com/x", "repository_url 'github.com/x' is no web address"),
        ("requires_python=3.9", "requires_python '3.9' must be a Python minor version from 3.10"),
        ("kind=rust", "kind 'rust' is not one of pure, extension"),
        ("package_name=class", "package_name 'class' is no valid import name"),
        ("project_slug=-x-", "project_slug '-x-' is no valid distribution name"),
        ("description=two\nlines", "description must be one line"),
        ("year=26", "year '26' must be four digits"),
    ],
)
def test_every_template_key_is_checked(item: str, message: str) -> None:
    from releasekit._exceptions import TemplateError
    from releasekit.commands import new as new_verb

    keys = new_verb.template_keys()
    with pytest.raises(TemplateError) as info:
        new.check_context(new.parse_extra_context([item]), keys)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_good_template_values_pass() -> None:
    from releasekit.commands import new as new_verb

    good = ["version=2.0.0rc1", "author_email=a@b.org", "repository_url=https://x.org/y",
            "requires_python=3.12", "kind=extension", "year=2031", "project_slug=a-b"]  # fmt: skip
    new.check_context(new.parse_extra_context(good), new_verb.template_keys())
