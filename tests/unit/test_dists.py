"""dists: check-wheel-contents in process, on bytes no wheel has and on bad configuration."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from releasekit import dists
from releasekit._exceptions import DistError

WHEEL = "demo_lib-0.1.0-py3-none-any.whl"


def _wheel(path: Path, record: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr("demo_lib/__init__.py", "")
        whl.writestr("demo_lib-0.1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo-lib\n")
        whl.writestr("demo_lib-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        whl.writestr("demo_lib-0.1.0.dist-info/RECORD", record)
    return path


@pytest.mark.parametrize("content", ["record", "zip"])
def test_bytes_no_wheel_has_are_a_finding_not_a_traceback(tmp_path: Path, content: str) -> None:
    wheel = tmp_path / WHEEL
    if content == "record":  # a RECORD that is not UTF-8
        _wheel(wheel, b"demo_lib/__init__.py,,\n\xff\xfe,,\n")
    else:
        wheel.write_bytes(b"not a zip file")
    with pytest.raises(DistError) as caught:
        dists.wheel_contents_check(wheel, tmp_path)
    assert str(caught.value) == f"check-wheel-contents found problems in {WHEEL}"
    assert "invalid wheel" in caught.value.details


def test_an_unreadable_configuration_is_one_line_naming_its_file(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "tox.ini").write_text("this is no INI file\n")
    with pytest.raises(DistError) as caught:
        dists.wheel_contents_config(project)
    assert str(caught.value).startswith(f"check-wheel-contents cannot read {project / 'tox.ini'}")
    assert "\n" not in str(caught.value)
    (project / "tox.ini").unlink()
    (project / "pyproject.toml").write_text("[tool.check-wheel-contents]\nignore = 3\n")
    with pytest.raises(DistError, match="check-wheel-contents' configuration is invalid"):
        dists.wheel_contents_config(project)
    (project / "pyproject.toml").write_text('[tool.check-wheel-contents]\nignore = ["W004"]\n')
    assert dists.wheel_contents_config(project) is not None
