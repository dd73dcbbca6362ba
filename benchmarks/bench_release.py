"""A warm `nox -s release` against the bare script it replaces.

In one run on one machine: stamps two repositories from the template (each
with a bare remote), starts a local pypiserver, and times

(a) the bare script on one repository: towncrier build, bump-my-version bump,
    ``python -m build``, twine check, twine upload, git push, in a row with no
    checks;
(b) ``nox -s release -- --yes`` on the other, after a first release that warms
    the caches (session environments, uv's cache);

each several times, (a) and (b) alternating, a new fragment and version each
round, after one untimed round of each, and prints
releasekit's per-step times, the medians and the ratio (b)/(a). It also times
``nox -l`` and ``invoke --list`` in a stamped repository against an empty
noxfile / tasks.py (benchmarks/bench_listing.py).

Run from the checkout: ``.venv/bin/python benchmarks/bench_release.py [RUNS]``.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

import bench_listing  # noqa: E402
from demo import start_index  # noqa: E402  (the README's main job starts the index the same way)

from releasekit import new  # noqa: E402

BIN = Path(sys.executable).parent
BENCH_PASSWORD = "not-a-path-7f3a"
STEP = re.compile(r"✓ (?P<step>[a-z ]+) \((?P<secs>[0-9.]+)s\)")


def bench_environment() -> None:
    """What every flow runs with: no nox script mode, the index's login, this venv first."""
    os.environ["NOX_SCRIPT_MODE"] = "none"
    # A password no path contains: releasekit masks it in everything a tool prints,
    # paths included ("bench" would mask the benchmark's own "releasekit-bench-" dirs).
    os.environ.update(TWINE_USERNAME="bench", TWINE_PASSWORD=BENCH_PASSWORD)
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    # releasekit from this checkout is installed editable, so no installer compiled
    # its bytecode, as one does for every peer tool (and for releasekit's wheel);
    # with PYTHONDONTWRITEBYTECODE set, each run would re-parse its sources.
    compileall.compile_dir(HERE.parent / "src", quiet=1)


@contextlib.contextmanager
def local_index(work: Path) -> Iterator[str]:
    """A pypiserver on loopback (as scripts/demo.py starts it), stopped at the end; its URL."""
    packages = work / "packages"
    packages.mkdir()
    index, url = start_index(packages, work / "pypiserver.log")
    try:
        yield url
    finally:
        index.terminate()
        index.wait(timeout=10)


def sh(args: list[str], cwd: Path, **kwargs: object) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{args} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout + proc.stderr


def under_git(repo: Path, remote: Path) -> Path:
    """Commit ``repo`` as it is and push it to a new bare repository, its ``origin``."""
    sh(["git", "init", "-q", "--bare", "-b", "main", str(remote)], repo.parent)
    sh(["git", "init", "-q", "-b", "main"], repo)
    sh(["git", "add", "-A"], repo)
    sh(["git", "commit", "-q", "-m", "start"], repo)
    sh(["git", "remote", "add", "origin", str(remote)], repo)
    sh(["git", "push", "-q", "-u", "origin", "main"], repo)
    return repo


def make_repo(parent: Path, name: str) -> Path:
    repo = new.stamp(parent / name, extra_context={"project_name": name})
    return under_git(repo, parent / f"{name}.git")


def add_fragment(repo: Path, n: int) -> None:
    (repo / "changelog.d" / f"+bench{n}.feature.md").write_text(f"Feature number {n}\n")
    sh(["git", "add", "-A"], repo)
    sh(["git", "commit", "-q", "-m", f"fragment {n}"], repo)


def bare_script(repo: Path, version: str, url: str) -> float:
    start = time.perf_counter()
    py = sys.executable
    shutil.rmtree(repo / "dist", ignore_errors=True)
    sh([py, "-m", "towncrier", "build", "--yes", "--version", version], repo)
    sh([py, "-m", "bumpversion", "bump", "--allow-dirty", "--new-version", version], repo)
    sh([py, "-m", "build", "."], repo)
    files = [str(p) for p in (repo / "dist").iterdir()]
    sh([py, "-m", "twine", "check", "--strict", *files], repo)
    sh([py, "-m", "twine", "upload", "--disable-progress-bar", "--repository-url", url, *files],
       repo)  # fmt: skip
    sh(["git", "push", "-q", "origin", "main", f"v{version}"], repo)
    return time.perf_counter() - start


def releasekit(repo: Path, url: str, extra: list[str]) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    out = sh([str(BIN / "nox"), "-s", "release", "--", "--yes", "--repository", url, *extra],
             repo)  # fmt: skip
    elapsed = time.perf_counter() - start
    return elapsed, {m["step"]: float(m["secs"]) for m in STEP.finditer(out)}


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    bench_environment()
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as tmp:
        work = Path(tmp)
        with local_index(work) as url:
            bare_repo = make_repo(work, "bare-lib")
            rk_repo = make_repo(work, "rk-lib")
            # One untimed round each warms the caches (pip's and uv's, the
            # session environments); then the timed rounds alternate, so that
            # drift on the machine or the network weighs on both alike.
            add_fragment(bare_repo, 100)
            bare_script(bare_repo, "0.2.0", url)
            add_fragment(rk_repo, 100)
            cold, cold_steps = releasekit(rk_repo, url, [])
            bare: list[float] = []
            warm: list[float] = []
            steps: dict[str, list[float]] = defaultdict(list)
            for n in range(runs):
                add_fragment(bare_repo, n)
                bare.append(bare_script(bare_repo, f"0.{n + 3}.0", url))
                add_fragment(rk_repo, n)
                elapsed, per_step = releasekit(rk_repo, url, [])
                warm.append(elapsed)
                for name, secs in per_step.items():
                    steps[name].append(secs)
    print(f"first (cold) release in a fresh stamp: {cold:.1f}s  "
          + ", ".join(f"{k} {v:.1f}s" for k, v in cold_steps.items()))  # fmt: skip
    print(f"\nwarm releasekit steps (median of {runs}):")
    for name, values in steps.items():
        print(f"  {name:<16} {statistics.median(values):6.2f}s")
    b, w = statistics.median(bare), statistics.median(warm)
    print(f"\nbare script      median {b:6.2f}s  runs {', '.join(f'{x:.2f}' for x in bare)}")
    print(f"nox -s release   median {w:6.2f}s  runs {', '.join(f'{x:.2f}' for x in warm)}")
    print(f"ratio (release / bare): {w / b:.2f}  (goal: at most 1.0)\n")
    sys.argv[1:] = [str(max(runs, 15))]
    return bench_listing.main()


if __name__ == "__main__":
    sys.exit(main())
