"""Stamp a demo repository and run its sessions and tasks (see scripts/demo)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent


def step(title: str, *args: str, cwd: Path) -> None:
    print(f"\n=== {title}: {' '.join(args)}", flush=True)
    subprocess.run(args, cwd=cwd, check=True)


def main() -> int:
    keep = "--keep" in sys.argv
    work = Path(tempfile.mkdtemp(prefix="releasekit-demo-"))
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    # releasekit is installed beside nox here: no script-mode environment needed.
    os.environ["NOX_SCRIPT_MODE"] = "none"
    for key, value in {
        "GIT_AUTHOR_NAME": "Demo",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Demo",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
    }.items():
        os.environ.setdefault(key, value)
    step(
        "stamp",
        "releasekit",
        "new",
        "--no-input",
        "-o",
        str(work),
        "project_name=Demo Lib",
        cwd=work,
    )
    repo = work / "demo-lib"
    step("git", "git", "init", "-q", "-b", "main", cwd=repo)
    step("git", "git", "add", "-A", cwd=repo)
    step("git", "git", "commit", "-q", "-m", "Start from the template", cwd=repo)
    step("check the configuration", "releasekit", "check", cwd=repo)
    step("list sessions", "nox", "-l", cwd=repo)
    step("run the checks", "nox", "-s", "tests", "style", "typecheck", "docs", "build", cwd=repo)
    step("add a fragment", "invoke", "fragment", "feature", "Greet anyone by name", cwd=repo)
    step("preview the changelog", "nox", "-s", "changelog", cwd=repo)
    step("versions", "invoke", "version", cwd=repo)
    step("git", "git", "add", "-A", cwd=repo)
    step("git", "git", "commit", "-q", "-m", "Add a fragment", cwd=repo)
    step("bump", "invoke", "bump", "--part", "minor", cwd=repo)
    step("result", "git", "log", "--oneline", "--decorate", cwd=repo)
    print(f"\ndemo repository: {repo}" if keep else "\ndemo passed")
    if not keep:
        import shutil

        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
