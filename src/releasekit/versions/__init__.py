"""Versions: PEP 440 arithmetic, where the version lives, and the one next-version answer.

- :mod:`~releasekit.versions.arithmetic`: packaging alone (the fragments'
  part, pre-release series, development versions);
- :class:`VersionSource` and a backend per ``version_source``
  (:mod:`~releasekit.versions.bumpmyversion`, :mod:`~releasekit.versions.gittags`);
- :func:`choose`: the next version, for the release, its plan and every
  view of it (``version``, ``changelog --draft``, ``status``,
  ``check --fragment``, a train's members).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from releasekit._exceptions import ReleaseKitError, VersionError
from releasekit.versions.arithmetic import (
    PRE_LABELS,
    SCM_PARTS,
    bump_release,
    check_next,
    dev_after,
    finalize,
    infer_part,
    is_development,
    is_prerelease,
    next_pre,
    parse,
    part_or_version,
    parts_note,
    release_bump,
    typed,
    version_of_tag,
)
from releasekit.versions.source import BumpConfig, VersionSource

if TYPE_CHECKING:
    from releasekit.project import Project

__all__ = [
    "PRE_LABELS",
    "SCM_PARTS",
    "BumpConfig",
    "Choice",
    "VersionSource",
    "bump_release",
    "check_next",
    "choose",
    "current_is_prerelease",
    "dev_after",
    "finalize",
    "infer_part",
    "is_development",
    "is_prerelease",
    "next_pre",
    "parse",
    "part_or_version",
    "parts_note",
    "release_bump",
    "source_for",
    "typed",
    "version_of_tag",
]


def source_for(project: Project) -> VersionSource:
    """The backend for ``[tool.releasekit] version_source``: the one place that reads it."""
    if project.settings.version_source == "scm":
        from releasekit.versions.gittags import GitTags

        return GitTags(project)
    from releasekit.versions.bumpmyversion import BumpMyVersionFiles

    return BumpMyVersionFiles(project)


@dataclasses.dataclass(frozen=True)
class Choice:
    """The next version, the one it follows, and why (shown in the plan)."""

    current: str
    new: str
    reason: str


def choose(
    project: Project,
    part: str | None = None,
    new_version: str | None = None,
    pre: str | None = None,
    fragment_types: Iterable[str] = (),
    *,
    current: str | None = None,
    source: VersionSource | None = None,
) -> Choice:
    """The version a release makes: ``--new-version``, else ``--part``, else the fragments.

    ``--pre`` cuts a pre-release of what the fragments (or ``--part``) call
    for; without it, a release from a pre-release or a ``.devN`` version
    finalizes it (0.3.1.dev0 with a bugfix -> 0.3.1); from a final version,
    the source bumps the part. Every answer is checked with packaging and
    against what the source can write, before anything changes.

    :param current: the current version when the caller has read it already.
    """
    if pre and new_version:
        msg = "give either --pre or --new-version, not both"
        raise VersionError(msg)
    source = source or source_for(project)
    if new_version:
        part_or_version(part, new_version)
        new = typed(new_version)
        source.check_representable(new, typed=True)
        current = current or source.current()
        return Choice(current, check_next(current, new), "--new-version")
    current = current or source.current()
    types = sorted(set(fragment_types))
    reason = ""
    if part:
        reason = f"--part {part}"
    elif types:
        settings = project.settings
        part = infer_part(types, settings.bump_map, current, settings.zero_major_part)
        reason = f"{part}, from the fragments: {', '.join(types)}"
    if not pre and not (is_prerelease(current) or is_development(current)):
        return Choice(current, source.next(part_or_version(part, None), current), reason)
    if pre:
        new = next_pre(current, part, pre)
        reason = f"--pre {pre}" + (f"; {reason}" if reason else f", continuing {current}")
    else:
        new = finalize(current, part)
        reason = f"finalizes {current}" + (f"; {reason}" if reason else "")
    source.check_representable(new)
    return Choice(current, new, reason)


def current_is_prerelease(source: VersionSource) -> bool:
    """Whether the current version is a pre-release; False when it cannot be read."""
    try:
        return is_prerelease(source.current())
    except ReleaseKitError:
        return False  # the version step says what is wrong with it
