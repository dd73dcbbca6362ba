"""releasekit's release against its peers, in one run on one machine.

Writes or stamps one tiny hatchling project per flow (each with a bare git
remote), starts one local pypiserver (as scripts/demo.py does), and times

(a) the bare uv flow: towncrier build, bump-my-version bump, ``uv build``,
    ``uv publish``, ``git push``: nothing checked;
(b) zest.releaser's ``fullrelease --no-input``: tags, builds from a tag
    checkout, uploads with twine (``.pypirc`` names the local index), bumps
    to the next dev version and pushes;
(c) the seed's bare script as plain commands: ``python -m build``,
    ``twine upload``, ``git tag``, ``git push``;
(d) releasekit's warm ``nox -s release -- --yes`` in a stamped repository,
    with its default checks (tests, style: in the preflight unless they
    passed on that tree, then again on the release commit, beside build and
    verify), verify and confirm on;

in alternating rounds (the order rotates) after one untimed warm-up round,
each flow with a fresh change and a new version every round. It prints each
flow's median, min and max, releasekit's ratios to zest.releaser and to the
bare uv flow, releasekit's per-step medians and its cold first release (the
warm-up round, in a fresh stamp).

zest.releaser, build (with virtualenv, its fast isolated environments) and
twine for the peers live in their own environment,
made with uv under ``--cache-dir`` (default ``~/.cache/releasekit-bench``);
pip's isolated build environments (zest.releaser's, ``python -m build``'s)
install hatchling from a wheelhouse there, as uv's builds do from uv's cache,
so that the network is no part of any flow.

Run from the checkout: ``.venv/bin/python benchmarks/bench_peers.py [--rounds N]``.
The machine's load average is printed: figures are relative, the ratios are
what counts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from bench_release import (  # noqa: E402
    STEP,
    add_fragment,
    bench_environment,
    local_index,
    make_repo,
    sh,
    under_git,
)

BIN = Path(sys.executable).parent
FLOWS = ("uv", "zest", "seed", "releasekit")
LABELS = {
    "uv": "bare uv flow",
    "zest": "zest.releaser fullrelease",
    "seed": "seed's bare script",
    "releasekit": "nox -s release",
}
PEER_PACKAGES = ["zest.releaser", "build[virtualenv]", "twine"]


def peer_env(cache: Path) -> Path:
    """The peers' own environment (zest.releaser, build, twine); its python."""
    env = cache / "peers"
    python = env / "bin" / "python"
    if not python.exists():
        sh([str(BIN / "uv"), "venv", "-q", "--python", sys.executable, str(env)], cache)
    sh([str(BIN / "uv"), "pip", "install", "-q", "--python", str(python), *PEER_PACKAGES],
       cache)  # fmt: skip
    return python


def wheelhouse(cache: Path) -> Path:
    """hatchling and its dependencies as local wheels, for pip's isolated builds.

    zest.releaser and ``python -m build`` build in environments that pip fills,
    and pip asks the index on every build; uv answers from its cache. With a
    local wheelhouse the network is no part of any flow.
    """
    house = cache / "wheelhouse"
    if not any(house.glob("hatchling-*.whl")):
        sh([sys.executable, "-m", "pip", "download", "-q", "-d", str(house), "hatchling", "pip"],
           cache)  # fmt: skip
    return house


PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A tiny package for the benchmark"
readme = "README.md"
requires-python = ">=3.9"

[tool.hatch.build.targets.wheel]
packages = ["src/{package}"]
"""


def write_project(parent: Path, name: str, version: str, history: bool) -> Path:
    """A minimal hatchling project under git, pushed to its own bare remote."""
    package = name.replace("-", "_")
    repo = parent / name
    (repo / "src" / package).mkdir(parents=True)
    (repo / "src" / package / "__init__.py").write_text('"""A tiny package."""\n')
    (repo / "README.md").write_text(f"# {name}\n\nA tiny package for the benchmark.\n")
    (repo / "pyproject.toml").write_text(
        PYPROJECT.format(name=name, package=package, version=version)
    )
    (repo / ".gitignore").write_text("dist/\n")
    if history:  # zest.releaser's own changelog format
        (repo / "CHANGES.md").write_text(
            f"# Changelog\n\n## {version.removesuffix('.dev0')} (unreleased)\n\n"
            "- Nothing changed yet.\n"
        )
    return under_git(repo, parent / f"{name}.git")


class Bench:
    def __init__(self, work: Path, url: str, python: Path, house: Path) -> None:
        self.work, self.url, self.python = work, url, python
        self.peer_bin = python.parent
        self.uv_repo = make_repo(work, "uv-lib")
        self.rk_repo = make_repo(work, "rk-lib")
        self.zest_repo = write_project(work, "zest-lib", "0.1.0.dev0", history=True)
        self.seed_repo = write_project(work, "seed-lib", "0.1.0", history=False)
        home = work / "zest-home"
        home.mkdir()
        (home / ".pypirc").write_text(
            f"[distutils]\nindex-servers =\n    local\n\n[local]\nrepository = {url}\n"
            "username = bench\npassword = bench\n"
        )
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        self.pip_env = {**os.environ, "PIP_FIND_LINKS": str(house), "PIP_NO_INDEX": "1"}
        self.zest_env = {**self.pip_env, "HOME": str(home), "XDG_CACHE_HOME": cache}
        for key in ("TWINE_USERNAME", "TWINE_PASSWORD"):  # zest reads .pypirc alone
            self.zest_env.pop(key, None)
        self.steps: dict[str, list[float]] = defaultdict(list)
        self.checked_before = False

    # untimed: the change each flow releases in a round

    def prepare(self, flow: str, n: int) -> None:
        if flow == "uv":
            add_fragment(self.uv_repo, n)
        elif flow == "releasekit":
            if self.checked_before and n:  # the maintainer ran the checks, then the fragment
                # (not before the warm-up round: the cold first release stays cold)
                sh([str(BIN / "nox"), "-s", "tests", "style"], self.rk_repo)
            add_fragment(self.rk_repo, n)
        elif flow == "zest":
            sh(
                [str(self.peer_bin / "addchangelogentry"), "--no-input", f"Change number {n}"],
                self.zest_repo,
            )  # fmt: skip  (it commits the entry itself)
        else:  # the seed's maintainer writes the new version by hand
            pyproject = self.seed_repo / "pyproject.toml"
            lines = pyproject.read_text().splitlines(keepends=True)
            lines = [f'version = "{self.version(n)}"\n' if x.startswith("version =") else x
                     for x in lines]  # fmt: skip
            pyproject.write_text("".join(lines))
            sh(["git", "commit", "-q", "-am", f"version {self.version(n)}"], self.seed_repo)

    @staticmethod
    def version(n: int) -> str:
        return f"0.{n + 2}.0"

    # timed: the flows themselves

    def run(self, flow: str, n: int) -> float:
        start = time.perf_counter()
        getattr(self, f"_{flow}")(n)
        return time.perf_counter() - start

    def _uv(self, n: int) -> None:
        repo, version, py = self.uv_repo, self.version(n), sys.executable
        shutil.rmtree(repo / "dist", ignore_errors=True)
        sh([py, "-m", "towncrier", "build", "--yes", "--version", version], repo)
        sh(["git", "add", "-A"], repo)
        sh([str(BIN / "bump-my-version"), "bump", "--allow-dirty", "--new-version", version],
           repo)  # fmt: skip
        sh([str(BIN / "uv"), "build", "-q"], repo)
        sh([str(BIN / "uv"), "publish", "-q", "--publish-url", self.url, "--username", "bench",
            "--password", "bench", *map(str, (repo / "dist").iterdir())], repo)  # fmt: skip
        sh(["git", "push", "-q", "origin", "main", f"v{version}"], repo)

    def _zest(self, n: int) -> None:
        proc = subprocess.run(
            [str(self.peer_bin / "fullrelease"), "--no-input"],
            cwd=self.zest_repo, env=self.zest_env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode:
            raise SystemExit(f"fullrelease failed:\n{proc.stdout}\n{proc.stderr}")

    def _seed(self, n: int) -> None:
        repo, version, py = self.seed_repo, self.version(n), str(self.python)
        shutil.rmtree(repo / "dist", ignore_errors=True)
        proc = subprocess.run([py, "-m", "build", "."], cwd=repo, env=self.pip_env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        if proc.returncode:
            raise SystemExit(f"python -m build failed:\n{proc.stdout}\n{proc.stderr}")
        sh([py, "-m", "twine", "upload", "--disable-progress-bar", "--repository-url", self.url,
            *map(str, (repo / "dist").iterdir())], repo)  # fmt: skip
        sh(["git", "tag", f"v{version}"], repo)
        sh(["git", "push", "-q", "origin", "main", f"v{version}"], repo)

    def _releasekit(self, n: int) -> None:
        out = sh([str(BIN / "nox"), "-s", "release", "--", "--yes", "--repository", self.url],
                 self.rk_repo)  # fmt: skip
        for m in STEP.finditer(out):
            self.steps[m["step"]].append(float(m["secs"]))


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):6.2f}s  min {min(values):6.2f}s  "
            f"max {max(values):6.2f}s  ({', '.join(f'{x:.2f}' for x in values)})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--flows", default=",".join(FLOWS), help="comma-separated subset")
    parser.add_argument("--checked-before", action="store_true",
                        help="run releasekit's checks (untimed) before each fragment commit, "
                        "as a maintainer does before releasing")  # fmt: skip
    parser.add_argument("--cache-dir", type=Path,
                        default=Path.home() / ".cache" / "releasekit-bench")  # fmt: skip
    args = parser.parse_args(argv)
    flows = [f for f in args.flows.split(",") if f]
    unknown = sorted(set(flows) - set(FLOWS))
    if unknown:
        parser.error(f"unknown flow {unknown[0]!r}: choose among {', '.join(FLOWS)}")
    bench_environment()
    for key, value in {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                       "GIT_COMMITTER_NAME": "Bench",
                       "GIT_COMMITTER_EMAIL": "bench@example.com"}.items():  # fmt: skip
        os.environ.setdefault(key, value)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    python = peer_env(args.cache_dir)
    house = wheelhouse(args.cache_dir)
    load_before = os.getloadavg()
    times: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="releasekit-peers-") as tmp:
        work = Path(tmp)
        with local_index(work) as url:
            bench = Bench(work, url, python, house)
            bench.checked_before = args.checked_before
            # The warm-up round: caches, session environments, the first upload.
            cold: dict[str, float] = {}
            for flow in flows:
                bench.prepare(flow, 0)
                cold[flow] = bench.run(flow, 0)
            cold_steps = {k: v[0] for k, v in bench.steps.items()}
            bench.steps.clear()
            # Alternating rounds, the order rotating, so drift weighs on all alike.
            for r in range(1, args.rounds + 1):
                order = flows[r % len(flows) :] + flows[: r % len(flows)]
                for flow in order:
                    bench.prepare(flow, r)
                    times[flow].append(bench.run(flow, r))
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): before {' '.join(f'{x:.1f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.1f}' for x in load_after)}; {os.cpu_count()} cpus")  # fmt: skip
    print(f"\n{args.rounds} alternating rounds after a warm-up round:")
    for flow in flows:
        print(f"  {LABELS[flow]:<26} {summary(times[flow])}")
    if "releasekit" in flows:
        rk = statistics.median(times["releasekit"])
        print()
        for peer, goal in (("zest", 1.0), ("uv", 1.3)):
            if peer in flows:
                ratio = rk / statistics.median(times[peer])
                print(f"  releasekit / {LABELS[peer]:<26} {ratio:5.2f}  (goal: at most {goal})")
        print(f"\nreleasekit's steps (median of {args.rounds}):")
        for name, values in bench.steps.items():
            print(f"  {name:<16} {statistics.median(values):6.2f}s")
        print(f"\ncold first release in a fresh stamp: {cold['releasekit']:.1f}s  "
              + ", ".join(f"{k} {v:.1f}s" for k, v in cold_steps.items()))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
