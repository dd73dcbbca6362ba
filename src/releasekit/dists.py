"""Distributions: build an sdist and a wheel with ``build``, check them.

The build is reproducible: given ``SOURCE_DATE_EPOCH`` (the release commit's
time) a reproducible backend such as hatchling produces byte-identical files
from one commit.
"""

from __future__ import annotations

import dataclasses
import email.parser
import shutil
import zipfile
from pathlib import Path

from releasekit import _runner
from releasekit._exceptions import CommandError, DistError


@dataclasses.dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path

    @property
    def files(self) -> list[Path]:
        return [self.sdist, self.wheel]


def clean(dist_dir: Path, *, dry_run: bool = False) -> None:
    """Empty ``dist_dir`` so that only this build's files are checked and uploaded."""
    if dry_run:
        return
    if dist_dir.exists():
        shutil.rmtree(dist_dir)


def build(
    root: Path, dist_dir: Path, *, source_date_epoch: int | None = None, dry_run: bool = False
) -> None:
    """Build the sdist, then the wheel from the sdist (build's default)."""
    args = [*_runner.tool("build"), "--outdir", str(dist_dir)]
    if _runner.uv():
        args += ["--installer", "uv"]
    extra: dict[str, str | None] = {}
    if source_date_epoch is not None:
        extra["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    try:
        _runner.run([*args, str(root)], cwd=root, env=_runner.child_env(extra), dry_run=dry_run)
    except CommandError as exc:
        msg = "building the sdist and wheel failed"
        raise DistError(msg, details=exc.details) from None


def find(dist_dir: Path) -> Dists:
    """The one sdist and one wheel in ``dist_dir``."""
    sdists = sorted(dist_dir.glob("*.tar.gz"))
    wheels = sorted(dist_dir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        found = ", ".join(p.name for p in [*sdists, *wheels]) or "nothing"
        msg = f"expected one sdist and one wheel in {dist_dir}, found {found} (run the build first)"
        raise DistError(msg)
    return Dists(sdist=sdists[0], wheel=wheels[0])


def check(dists: Dists) -> None:
    """``twine check --strict`` on both files, check-wheel-contents on the wheel."""
    try:
        _runner.run(
            [*_runner.tool("twine"), "check", "--strict", *map(str, dists.files)], mutates=False
        )
    except CommandError as exc:
        msg = "twine check --strict found problems in the distributions"
        raise DistError(msg, details=exc.details) from None
    try:
        _runner.run([*_runner.tool("check-wheel-contents"), str(dists.wheel)], mutates=False)
    except CommandError as exc:
        msg = f"check-wheel-contents found problems in {dists.wheel.name}"
        raise DistError(msg, details=exc.details) from None


def wheel_metadata(wheel: Path) -> tuple[str, str]:
    """The ``Name`` and ``Version`` recorded in the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        if len(names) != 1:
            msg = f"{wheel.name} has no single .dist-info/METADATA"
            raise DistError(msg)
        meta = email.parser.Parser().parsestr(zf.read(names[0]).decode("utf-8"))
    return str(meta["Name"]), str(meta["Version"])
