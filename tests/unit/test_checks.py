"""What a check session's install depends on (commands.checks.install_digests)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_live_line_shows_a_sessions_text_as_it_is_and_only_its_start() -> None:
    from rich.console import Console

    from releasekit.release.checks import LAST_LINE, Board

    board = Board()
    board._drawing = False  # nothing drawn here: the rendering is read directly
    board.started("tests")
    board.line("tests", "tests/test_io.py::test_read[/etc/hosts] PASSED [bold red]x[/]")
    console = Console(record=True, width=200)
    console.print(board._render())
    shown = console.export_text()
    assert "test_read[/etc/hosts] PASSED [bold red]x[/]" in shown
    board.line("tests", "x" * 300_000)  # one enormous line: its live line keeps its start
    assert len(board._running["tests"][1]) == LAST_LINE


def test_lines_that_come_while_the_question_is_asked_wait_for_its_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from releasekit.release.checks import Board

    board = Board()
    board.started("style")
    capsys.readouterr()
    with board.paused():
        board.ended("style", None)
        assert capsys.readouterr().err == ""  # not printed onto the question's line
    assert "check style: passed" in capsys.readouterr().err
