"""The check sessions' installs: done once per inputs, the project alone after a release."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.integration.conftest import commit_all, invoke, nox

ALONE = "only the project's version changed: reinstalling the project alone"


def _installed_version(repo: Path) -> str:
    code = "import importlib.metadata as m; print(m.version('demo-lib'))"
    python = repo / ".nox" / "tests" / "bin" / "python"
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def test_a_version_bump_reinstalls_the_project_alone_a_new_dependency_everything(
    stamped: Path,
) -> None:
    first = nox("-s", "tests", cwd=stamped)
    assert ALONE not in first.stderr
    assert _installed_version(stamped) == "0.1.0"

    invoke("bump", "--part", "minor", cwd=stamped)
    bumped = nox("-s", "tests", cwd=stamped)  # the template's test compares the metadata
    assert ALONE in bumped.stderr
    assert _installed_version(stamped) == "0.2.0"

    again = nox("-s", "tests", cwd=stamped)
    assert "dependencies unchanged since the last install: not reinstalled" in again.stderr

    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = []", 'dependencies = ["iniconfig"]')
    )
    commit_all(stamped, "Depend on iniconfig")
    widened = nox("-s", "tests", cwd=stamped)
    assert ALONE not in widened.stderr
    assert "dependencies unchanged" not in widened.stderr
    python = stamped / ".nox" / "tests" / "bin" / "python"
    subprocess.run([str(python), "-c", "import iniconfig"], check=True)


def test_a_version_bump_installs_nothing_where_the_project_is_not_installed(
    stamped: Path,
) -> None:
    """style installs ruff, never the project: a release's version bump changes nothing there."""
    first = nox("-s", "style", cwd=stamped)
    assert "uv pip install" in first.stderr
    invoke("bump", "--part", "minor", cwd=stamped)
    bumped = nox("-s", "style", cwd=stamped)
    assert "which this session does not install" in bumped.stderr
    assert "uv pip install" not in bumped.stderr
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('style = ["ruff>=0.8"]', 'style = ["ruff>=0.9"]')
    )
    commit_all(stamped, "A newer ruff")
    widened = nox("-s", "style", cwd=stamped)
    assert "uv pip install" in widened.stderr
    assert "ruff>=0.9" in widened.stderr


def test_only_plain_requirements_surely_leave_the_project_out() -> None:
    from releasekit.nox import _may_install_project

    assert not _may_install_project(["ruff>=0.8", "import-linter"])
    for args in (["-e", "."], ["."], [".[test]"], ["-r", "req.txt"], ["demo @ file:///x"],
                 ["./sub"], ["/abs/path"], ["sub/dir"]):  # fmt: skip
        assert _may_install_project(args), args
