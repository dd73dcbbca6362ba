"""What a check session's install depends on (commands.checks.install_digests)."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import checks

PYPROJECT = """\
[project]
name = "demo-lib"
version = "{version}"
dependencies = [{deps}]

[tool.bumpversion]
current_version = "{version}"
"""


def _digests(
    tmp_path: Path, version: str, deps: str = "", args: tuple[str, ...] = ("-e", ".")
) -> tuple[str, str]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(version=version, deps=deps))
    return checks.install_digests(tmp_path, args)


def test_the_projects_version_moves_only_the_first_digest(tmp_path: Path) -> None:
    everything, dependencies = _digests(tmp_path, "0.1.0")
    moved = _digests(tmp_path, "0.2.0")
    assert moved[0] != everything
    assert moved[1] == dependencies


def test_a_dependency_or_an_argument_moves_both(tmp_path: Path) -> None:
    base = _digests(tmp_path, "0.1.0")
    for changed in (
        _digests(tmp_path, "0.1.0", deps='"iniconfig"'),
        _digests(tmp_path, "0.1.0", args=("-e", ".", "pytest")),
    ):
        assert changed[0] != base[0]
        assert changed[1] != base[1]


def test_a_broken_pyproject_never_passes_for_a_version_change(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    everything, dependencies = checks.install_digests(tmp_path, ["-e", "."])
    assert dependencies != everything
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    assert checks.install_digests(tmp_path, ["-e", "."])[1] != dependencies
