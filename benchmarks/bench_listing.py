"""How long `nox -l` and `invoke --list` take in a stamped repository, against
the same commands with an empty noxfile.py / tasks.py.

Run from the checkout: ``.venv/bin/python benchmarks/bench_listing.py [RUNS]``.
Goal: both ratios at most 1.3.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from releasekit import new

BIN = Path(sys.executable).parent


def timed(args: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    os.environ["NOX_SCRIPT_MODE"] = "none"
    with tempfile.TemporaryDirectory() as tmp:
        repo = new.stamp(Path(tmp), extra_context={"project_name": "Bench Lib"})
        empty = Path(tmp, "empty")
        empty.mkdir()
        (empty / "noxfile.py").write_text("import nox\n\n@nox.session\ndef a(session):\n    pass\n")
        (empty / "tasks.py").write_text("from invoke import task\n\n@task\ndef a(c):\n    pass\n")
        nox = [str(BIN / "nox"), "-l"]
        inv = [str(BIN / "invoke"), "--list"]
        for args in (nox, inv):  # warm the page cache
            timed(args, repo, 1)
            timed(args, empty, 1)
        rows = []
        for label, args in (("nox -l", nox), ("invoke --list", inv)):
            # Alternate the two so that drift on the machine weighs on both alike.
            pairs = [(timed(args, repo, 1)[0], timed(args, empty, 1)[0]) for _ in range(runs)]
            stamped = statistics.median(p[0] for p in pairs)
            bare = statistics.median(p[1] for p in pairs)
            rows.append((label, stamped, bare, stamped / bare))
    print(f"{'command':<15} {'stamped':>9} {'empty':>9} {'ratio':>6}   (median of {runs})")
    for label, stamped, bare, ratio in rows:
        print(f"{label:<15} {stamped:>8.3f}s {bare:>8.3f}s {ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
