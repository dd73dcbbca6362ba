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
