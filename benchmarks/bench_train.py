"""How long the release train's preflight and plan take (a dry run) for 20 and 50 members.

Generated workspaces: a chain through the first half of the members (each pins
the one before, so one feature in m00 releases every member, transitively
widened) and the rest fanning out from m00. The timed call is the train's
preflight as ``--dry-run`` runs it: discovery, tiers, fragments, versions,
widenings, tag collisions, local and remote tags, and the index asked about
every releasing member (a local pypiserver). Checks are not run in a dry run.

Run from the checkout: ``.venv/bin/python benchmarks/bench_train.py [RUNS]``.
Goal: time per member no worse at 50 than at 20 (no faster than linear growth).
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from demo import start_index  # noqa: E402

from releasekit import train  # noqa: E402
from releasekit.project import Project  # noqa: E402
from releasekit.release import Request  # noqa: E402
from releasekit.release.preflight import preflight  # noqa: E402
from tests.integration import workspaces  # noqa: E402

BIN = Path(sys.executable).parent


def timed_plan(root: Path, url: str) -> tuple[float, int]:
    request = Request(dry_run=True, repository=url)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        plan = preflight(Project(root), request, lambda branch: train.plan(root, request, branch))
    return time.perf_counter() - start, len(plan.cuts)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    rows = []
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-train-") as tmp:
        work = Path(tmp)
        (work / "packages").mkdir()
        index, url = start_index(work / "packages", work / "pypiserver.log")
        try:
            roots = {}
            for count in (20, 50):
                (work / str(count)).mkdir()
                roots[count] = workspaces.generate(work / str(count), count)
            timed_plan(roots[20], url)  # warm: imports, the page cache
            times: dict[int, list[float]] = {20: [], 50: []}
            releasing = {}
            for _ in range(runs):  # alternate, so that drift weighs on both alike
                for count, root in roots.items():
                    secs, releasing[count] = timed_plan(root, url)
                    times[count].append(secs)
        finally:
            index.terminate()
            index.wait(timeout=10)
    print(f"{'members':>7} {'releasing':>9} {'preflight+plan':>15} {'per member':>11}"
          f"   (median of {runs})")  # fmt: skip
    for count, values in times.items():
        median = statistics.median(values)
        rows.append(median / count)
        print(f"{count:>7} {releasing[count]:>9} {median:>14.2f}s {median / count * 1000:>9.0f}ms")
    print(f"per-member ratio 50/20: {rows[1] / rows[0]:.2f} (at most ~1 means linear or better)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
