"""``release``: cut, ``--resume`` or ``--abort`` a release."""

from __future__ import annotations

from pathlib import Path

from releasekit._exceptions import UsageError
from releasekit.commands import ReleaseOptions
from releasekit.project import Project


def validate(options: ReleaseOptions) -> None:
    """Refuse contradictory options before anything runs."""
    if options.part and options.new_version:
        msg = "give either --part or --new-version, not both"
        raise UsageError(msg)
    if options.resume and options.abort:
        msg = "give either --resume or --abort, not both"
        raise UsageError(msg)
    for flag, given in (("--resume", options.resume), ("--abort", options.abort)):
        if given and (options.part or options.new_version):
            msg = f"{flag} finishes the recorded release: it takes no --part or --new-version"
            raise UsageError(msg)


def release(root: Path, options: ReleaseOptions) -> None:
    from releasekit import release as engine

    validate(options)
    engine.release(Project(root), options)
