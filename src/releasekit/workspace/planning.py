"""The train's plan: which members release, at which version, and why.

Members are planned in dependency order, so a widening is seen by what
depends on the widened member in turn; each member's version is its own
fragments' (a patch when only widened), chosen as the single release
chooses it; tag names two members share are refused before anything changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasekit._exceptions import WorkspaceError
from releasekit.project import Project
from releasekit.workspace.discovery import Member, Workspace
from releasekit.workspace.widening import Widening, widen, widening_type


@dataclasses.dataclass(frozen=True)
class Entry:
    """One member on the train: its version, why it releases, what changes in it."""

    member: Member
    current: str
    new: str
    reasons: tuple[str, ...]
    fragments: tuple[Path, ...]
    #: Their types (what the version was chosen from; the API check reads them too).
    fragment_types: tuple[str, ...]
    widenings: tuple[Widening, ...]
    bump: Any  # versions.BumpConfig (kept loose: the engine imports it lazily)

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def tag(self) -> str:
        return self.member.tag_for(self.new)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


@dataclasses.dataclass(frozen=True)
class Plan:
    """The train: the members that release, in tiers, in dependency order."""

    workspace: Workspace
    entries: dict[str, Entry]

    @property
    def tiers(self) -> list[list[Entry]]:
        """The workspace's tiers, with only the releasing members (empty tiers dropped)."""
        found = [
            [self.entries[n] for n in tier if n in self.entries] for tier in self.workspace.tiers
        ]
        return [tier for tier in found if tier]

    def ordered(self) -> list[Entry]:
        return [entry for tier in self.tiers for entry in tier]


def _next_version(
    project: Project, types: list[str], pre: str | None = None
) -> tuple[Any, str, str]:
    """The member's next version: from its fragments' types, else a patch; and why.

    A pre-release (``--pre``), and the release after one or after a
    development version, are the single release's own choice
    (:func:`releasekit.versions.choose`): every member of a ``--pre`` train is
    cut as a pre-release, and a final train finalizes them. bump-my-version is
    asked in this process (its own configuration and version model), not
    through one interpreter per member: a train of fifty members would
    otherwise spend most of its plan starting Python.
    """
    from releasekit import versions

    source = versions.source_for(project)
    current = source.current()
    in_cycle = versions.is_prerelease(current) or versions.is_development(current)
    # A member that releases only for a widening is a patch, unless a series goes on.
    part = None if types or in_cycle else "patch"
    choice = versions.choose(
        project, part=part, pre=pre, fragment_types=types, current=current, source=source
    )
    return source.config(), choice.new, choice.reason.replace("--part patch", "patch")


def plan(workspace: Workspace, *, pre: str | None = None) -> Plan:
    """Which members release, at which version, and why; tag names checked for collisions.

    In dependency order, so a widening is seen by what depends on the widened
    member in turn (transitively). A member at a pre-release releases without
    a new fragment, as a single project does: ``--pre`` (``pre``) goes on with
    the series, a release without it finalizes it.

    :param pre: the pre-release label every releasing member is cut with.
    """
    from releasekit import changelog, versions

    entries: dict[str, Entry] = {}
    for name in workspace.order():
        member = workspace.members[name]
        changelog.check_consumed(member.root)
        frags = changelog.fragments(member.root)
        widenings = []
        for edge in member.needs:
            dep = entries.get(edge.name)
            if dep is None or not edge.requirement:
                continue
            widened = widen(edge.requirement, dep.new)
            if widened is not None:
                widenings.append(
                    Widening(
                        member.root / "pyproject.toml", edge.requirement, widened, dep.name, dep.new
                    )
                )
        if not (
            frags
            or widenings
            or versions.current_is_prerelease(versions.source_for(member.project))
        ):
            continue  # nothing to release (a pre-release goes on, or is finalized, without one)
        bump, new, reason = _next_version(member.project, [f.type for f in frags], pre)
        reasons = [reason]
        reasons += [w.why for w in widenings]
        if widenings:
            widening_type(member.project)  # refused now, not halfway through the release
        entries[name] = Entry(
            member=member,
            current=bump.current_version,
            new=new,
            reasons=tuple(reasons),
            fragments=tuple(f.path for f in frags),
            fragment_types=tuple(f.type for f in frags),
            widenings=tuple(widenings),
            bump=bump,
        )
    check_tags(workspace, entries)
    return Plan(workspace, entries)


def check_tags(workspace: Workspace, entries: Mapping[str, Entry]) -> None:
    """Refuse tag names that two members share: one tag per member per release."""
    by_template: dict[str, str] = {}
    for name in sorted(workspace.members):
        member = workspace.members[name]
        template = member.tag_template
        other = by_template.get(template)
        if other is None and entries.get(name) is not None:
            clash = [e for e in entries.values() if e.name != name and e.tag == entries[name].tag]
            other = clash[0].name if clash else None
        if other is not None:
            msg = (
                f"workspace members {other} and {name} both tag their releases {template!r}: "
                f'give each member its own tag name, e.g. tag_name = "{name}-v{{new_version}}" '
                f"in [tool.bumpversion] of {member.path}/pyproject.toml"
            )
            raise WorkspaceError(msg)
        by_template[template] = name
