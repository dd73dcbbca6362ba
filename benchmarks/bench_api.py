"""How long the API check (``releasekit.api_check``) takes, and how it grows with the package.

Three figures, each the minimum and median of RUNS in-process runs:

1. the template's package (``releasekit new``), released as v0.1.0: the
   comparison the release's preflight makes when the package did not change
   (no griffe), when ``greet``'s parameter was made required (griffe, cold),
   and the same again (the cache of compared trees);
2. synthetic packages of 50, 200 and 800 modules (20 functions and a class
   each), tagged, then one function removed from every tenth module;
3. with ``--repo DIR --package NAME --old REF --new REF``: a real project's
   two tags (any git repository with the package under ``src/`` or at the top).

Importing griffe is timed apart, in a fresh interpreter (the check pays it
once per process). Goal: under 1 s for the template's package.

Run from the checkout: ``.venv/bin/python benchmarks/bench_api.py [--runs N]
[--repo DIR --package NAME --old REF --new REF]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from releasekit import api_check, new
from releasekit.project import Project

GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com",
       "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]  # fmt: skip


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def timed(what: Callable[[], object], runs: int) -> tuple[float, float, float, object]:
    """Wall-clock minimum and median, and the CPU time of the fastest run (a shared machine)."""
    times, result = [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = what()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    best = min(times)
    return best[0], statistics.median(t[0] for t in times), best[1], result


def report(label: str, figures: tuple[float, float, float, object]) -> None:
    best, median, cpu, result = figures
    count = "?" if result is None else len(result)  # type: ignore[arg-type]
    print(f"{label:<52} min {best:6.3f} s  median {median:6.3f} s  (cpu {cpu:6.3f} s)  "
          f"breakages {count}")  # fmt: skip


def griffe_import() -> float:
    code = "import time; t = time.perf_counter(); import griffe; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def template(parent: Path, runs: int) -> None:
    repo = new.stamp(parent / "template", extra_context={"project_name": "Bench Lib"})
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Start from the template")
    git(repo, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    project = Project(repo)

    def preflight() -> object:  # what the release's preflight asks, cache and all
        comparison = api_check.compare(project, rev="HEAD")
        return None if comparison is None else comparison.breakages

    report("template, unchanged since v0.1.0 (no griffe)", timed(preflight, runs))
    init = repo / "src/bench_lib/__init__.py"
    init.write_text(init.read_text().replace('name: str = "world"', "name: str"))
    commit(repo, "greet needs a name")
    package = api_check.Package.of(project)
    report("template, greet(name) made required",
           timed(lambda: package.breakages("v0.1.0", "HEAD", cache=False), runs))  # fmt: skip
    report("template, the same from the cache", timed(preflight, runs))


MODULE = '''"""Module {m}."""

from __future__ import annotations

__all__ = [{names}, "Thing{m}"]

{functions}

class Thing{m}:
    """A class with a few methods."""

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def double(self) -> int:
        return self.value * 2

    def add(self, other: int, *, times: int = 1) -> int:
        return self.value + other * times
'''

FUNCTION = '''
def func_{m}_{f}(a: int, b: str = "x", *args: int, flag: bool = False, **kw: str) -> str:
    """Function {f} of module {m}."""
    return f"{{a}}{{b}}{{args}}{{flag}}{{kw}}"
'''


def synthetic(parent: Path, modules: int, runs: int) -> None:
    repo = parent / f"synthetic-{modules}"
    package = repo / "src/biglib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A large synthetic package."""\n')
    for m in range(modules):
        names = ", ".join(f'"func_{m}_{f}"' for f in range(20))
        functions = "\n".join(FUNCTION.format(m=m, f=f) for f in range(20))
        text = MODULE.format(m=m, names=names, functions=functions)
        (package / f"mod_{m:04d}.py").write_text(text)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "A large package")
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release 1.0.0")
    for m in range(0, modules, 10):
        path = package / f"mod_{m:04d}.py"
        path.write_text(path.read_text().replace(FUNCTION.format(m=m, f=19), ""))
    commit(repo, "Remove a function from every tenth module")
    lines = sum(len(p.read_text().splitlines()) for p in package.glob("*.py"))
    target = api_check.Package(repo, ".", "biglib")
    report(f"synthetic, {modules} modules ({lines} lines)",
           timed(lambda: target.breakages("v1.0.0", "HEAD", cache=False), runs))  # fmt: skip


def real(repo: Path, package: str, old: str, new_ref: str, runs: int) -> None:
    target = api_check.Package(repo.resolve(), ".", package)
    files = git(repo, "ls-tree", "-r", "--name-only", new_ref, "--", *target.candidates())
    count = sum(1 for f in files.splitlines() if f.endswith((".py", ".pyi")))
    where = "/".join(repo.resolve().parts[-2:])
    report(f"{where}: {package} {old} -> {new_ref} ({count} files)",
           timed(lambda: target.breakages(old, new_ref, cache=False), runs))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--package")
    parser.add_argument("--old")
    parser.add_argument("--new")
    args = parser.parse_args()
    print(f"import griffe (fresh interpreter): {griffe_import():.3f} s")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # a cold cache of our own
        template(Path(tmp), args.runs)
        if args.repo:
            real(args.repo, args.package, args.old, args.new, args.runs)
        else:
            for modules in (50, 200, 800):
                synthetic(Path(tmp), modules, max(1, args.runs // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
