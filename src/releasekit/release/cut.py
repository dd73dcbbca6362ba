"""What a release cuts: a :class:`Plan` of one :class:`Cut` per package, the same for N.

A single release is the plan of one package at the root; a workspace's
train (:mod:`releasekit.train`) the plan of its releasing members, tier by
tier, with their widened requirements. The preflight asks its questions of
every cut, the steps write, build and verify each, and the journal records
each as a :class:`~releasekit.release.journal.Package`: nothing after the
planning knows which of the two it runs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from releasekit.config import Settings
from releasekit.index import Target
from releasekit.project import Project
from releasekit.versions import BumpConfig


@dataclasses.dataclass(frozen=True)
class Cut:
    """One package of a release: its version, its tag, why, and what changes in it."""

    #: Its canonical name (the journal's, the index's).
    name: str
    project: Project
    #: Its directory, relative to the release's root ("." for a single release).
    path: str
    current: str
    new: str
    reason: str
    tag: str
    bump: BumpConfig
    #: The changelog fragments the release consumes (a pre-release keeps them).
    fragments: tuple[Path, ...]
    #: Its tag's message (bump-my-version's ``tag_message``, rendered), or "" for the default.
    tag_message: str = ""
    #: The types the version was chosen from (none when given: ``--part``, ``--new-version``).
    fragment_types: tuple[str, ...] = ()
    #: Requirements on other members moved to admit their new versions (a train's).
    widenings: tuple[Any, ...] = ()
    #: Where the release writes its own changelog entry for the widenings, or None.
    generated: Path | None = None
    #: It needs other packages of the workspace: they come from the target index.
    siblings: bool = False
    #: The packages of this release it needs, directly or not: verify installs them beside it.
    needs: tuple[str, ...] = ()
    #: Its import name (what verify and confirm import).
    import_name: str = ""

    @property
    def settings(self) -> Settings:
        return self.project.settings


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the preflight found a release will do: its cuts and what they share."""

    #: In release order: tier by tier, each package after those it needs.
    cuts: tuple[Cut, ...]
    #: The names of the cuts, tier by tier (one tier of one for a single release).
    tiers: tuple[tuple[str, ...], ...]
    branch: str
    commit_message: str
    target: Target | None = None
    #: The tracked uv.lock the release re-locks once every version moved, or None.
    lock: Path | None = None
    #: HEAD when the preflight found the tree clean: the release starts from it or not at all.
    head: str = ""
    #: A workspace's train (its output names each package), not a single release.
    train: bool = False
    #: More of ``git commit``'s own options for the release commit (``commit_args``).
    commit_args: tuple[str, ...] = ()

    @property
    def one(self) -> Cut:
        """The package of a single release."""
        assert len(self.cuts) == 1 and not self.train, "a single release cuts one package"
        return self.cuts[0]

    @property
    def commit_shown(self) -> str:
        """The release commit, for a plan: its message, its branch, its ``git commit`` options."""
        args = f" (git commit {' '.join(self.commit_args)})" if self.commit_args else ""
        return f"{self.commit_message!r} on {self.branch}{args}"

    def label(self, action: str, cut: Cut) -> str:
        """A step's part for one package: "build" in a single release, "build b" in a train."""
        return f"{action} {cut.name}" if self.train else action
