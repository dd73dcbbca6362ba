"""Fixtures that make real repositories: stamped from the template, under git,
with a bare repository as their remote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from releasekit import new
from tests.conftest import git


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


def stamp(parent: Path, name: str = "Demo Lib") -> Path:
    return new.stamp(parent, extra_context={"project_name": name})


def commit_all(repo: Path, message: str = "work") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def stamped(tmp_path: Path) -> Path:
    """A repository stamped from the template, committed on main, pushed to a bare remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = stamp(tmp_path / "work")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start from the template")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    return repo


def run(
    args: list[str], cwd: Path, *, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{args} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def nox(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "nox", *args], cwd, check=check)


def invoke(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "invoke", *args], cwd, check=check)
