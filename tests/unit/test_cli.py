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
