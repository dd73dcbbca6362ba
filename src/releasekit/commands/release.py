"""``release``: cut, ``--resume`` or ``--abort`` a release."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit._exceptions import UsageError
from releasekit.commands import NoxSession, ReleaseOptions, Verb
from releasekit.project import Project

if TYPE_CHECKING:
    from releasekit.release import Request


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


def request(options: ReleaseOptions) -> Request:
    """The engine's request: the options that mean something to a release, by name."""
    from releasekit.release import Request

    fields = (field.name for field in dataclasses.fields(Request))
    return Request(**{name: getattr(options, name) for name in fields})


def release(root: Path, options: ReleaseOptions) -> None:
    from releasekit import release as engine
    from releasekit import workspace

    validate(options)
    asked = request(options)
    if workspace.is_workspace(root):  # a uv workspace at the root: release it as a train
        from releasekit import train

        train.release(root, asked)
        return
    engine.release(Project(root), asked)


VERB = Verb(
    "release",
    ReleaseOptions,
    release,
    "Cut a release: check, version, changelog, commit, tag, build, verify, publish, push.",
    console=True,
    invoke="release",
    nox=NoxSession("release"),
    in_project=True,
)
