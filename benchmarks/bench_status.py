"""How long ``releasekit status`` takes over a fleet of stamped repositories.

Stamps one repository with cookiecutter, then copies it (``git init`` and a
commit each, a release tag and a few fragments on some) to make the fleet,
and times ``releasekit status --json`` over all of them.

Run from the checkout: ``.venv/bin/python benchmarks/bench_status.py [REPOS] [RUNS]``.
Goal: under 10 s for 100 repositories on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from releasekit import new

BIN = Path(sys.executable).parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_fleet(parent: Path, count: int) -> list[Path]:
    template = new.stamp(parent / "template", extra_context={"project_name": "Bench Lib"})
    repos = []
    for n in range(count):
        repo = parent / f"repo-{n:03d}"
        shutil.copytree(template, repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "Start from the template")
        if n % 2:  # half of them released once and changed since
            git(repo, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
            kind = ("feature", "bugfix", "removal")[n % 3]
            (repo / "changelog.d" / f"{n}.{kind}.md").write_text(f"Change {n}\n")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "A change")
        repos.append(repo)
    return repos


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        repos = make_fleet(Path(tmp), count)
        print(f"stamped and copied {count} repositories in {time.perf_counter() - start:.1f}s")
        args = [str(BIN / "releasekit"), "status", "--json", *map(str, repos)]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run(args, check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
        rows = json.loads(proc.stdout)
        assert len(rows) == count, len(rows)
        assert not [r for r in rows if r["problems"]], rows
        pending = sum(1 for r in rows if r["next_version"])
    print(
        f"releasekit status over {count} repositories: median {statistics.median(times):.2f}s, "
        f"min {min(times):.2f}s, max {max(times):.2f}s ({runs} runs; {pending} with fragments)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
