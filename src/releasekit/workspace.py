"""Workspaces: the members of a uv workspace, their order, and the release train's plan.

A repository whose root ``pyproject.toml`` declares ``[tool.uv.workspace]
members`` holds several packages, each a releasekit project of its own. Their
dependencies on each other (``[project] dependencies`` naming another member,
``[tool.uv.sources]`` workspace entries) decide the order of a release: tier
by tier, each tier depending only on the ones before. The plan says which
members release, at which version and why: their own fragments, or a
requirement on a releasing member that would exclude its new version, widened
here in the author's own style.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.utils import canonicalize_name
from packaging.version import Version

from releasekit import config
from releasekit._exceptions import ConfigError, ReleaseKitError, WorkspaceError
from releasekit.project import Project

__all__ = [
    "Edge",
    "Member",
    "Workspace",
    "discover",
    "is_workspace",
    "member_roots",
    "widen",
]


def _workspace_table(pyproject: Mapping[str, Any]) -> dict[str, Any] | None:
    tool = pyproject.get("tool", {})
    uv = tool.get("uv") if isinstance(tool, dict) else None
    table = uv.get("workspace") if isinstance(uv, dict) else None
    return table if isinstance(table, dict) else None


def is_workspace(root: Path) -> bool:
    """Whether ``root/pyproject.toml`` declares a uv workspace (cheap: one file read)."""
    if not (root / "pyproject.toml").is_file():
        return False
    return _workspace_table(config.read_pyproject(root)) is not None


@dataclasses.dataclass(frozen=True)
class Edge:
    """One member's need of another: the requirement as written (``""`` for a source only)."""

    name: str  # the canonical name of the member needed
    requirement: str


@dataclasses.dataclass(frozen=True)
class Member:
    """One package of the workspace."""

    name: str  # canonical
    project: Project
    path: str  # relative to the workspace root, "." for the root itself
    needs: tuple[Edge, ...]

    @property
    def root(self) -> Path:
        return self.project.root

    @functools.cached_property
    def tag_template(self) -> str:
        """The member's tag name with ``{new_version}`` unrendered (no subprocess)."""
        from releasekit import versions

        return versions.source_for(self.project).tag_template

    def tag_for(self, version: str) -> str:
        return self.tag_template.replace("{new_version}", version)


@dataclasses.dataclass(frozen=True)
class Workspace:
    """The members of a workspace, by canonical name, and their order."""

    root: Path
    project: Project  # the root's own pyproject (settings: branches, remote, target)
    members: dict[str, Member]

    @functools.cached_property
    def tiers(self) -> list[list[str]]:
        return tiers({name: {e.name for e in m.needs} for name, m in self.members.items()})

    def order(self) -> list[str]:
        return [name for tier in self.tiers for name in tier]

    def dependents(self, name: str) -> list[Member]:
        return [m for m in self.members.values() if any(e.name == name for e in m.needs)]


def _strings(value: Any, what: str, source: Path) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{what} in {source} must be a list of strings (globs)"
        raise ConfigError(msg)
    return list(value)


def _member_dirs(root: Path, table: Mapping[str, Any]) -> list[Path]:
    """The directories the member globs name, minus the excluded ones, as uv reads them."""
    source = root / "pyproject.toml"
    patterns = _strings(table.get("members"), "[tool.uv.workspace] members", source)
    excluded: set[Path] = set()
    for pattern in _strings(table.get("exclude"), "[tool.uv.workspace] exclude", source):
        excluded.update(Path(p).resolve() for p in glob.glob(str(root / pattern)))
    found: dict[Path, None] = {}
    for pattern in patterns:
        matches = sorted(Path(p).resolve() for p in glob.glob(str(root / pattern)))
        if not matches:
            msg = f"the workspace member glob {pattern!r} in {source} matches no directory"
            raise ConfigError(msg)
        for path in matches:
            if path.is_dir() and path not in excluded and path != root.resolve():
                if not (path / "pyproject.toml").is_file():
                    msg = (
                        f"workspace member {path.relative_to(root.resolve())} has no "
                        f"pyproject.toml: add one, or exclude it in {source}"
                    )
                    raise ConfigError(msg)
                found[path] = None
    return list(found)


def _workspace_sources(pyproject: Mapping[str, Any]) -> set[str]:
    """The names ``[tool.uv.sources]`` takes from the workspace."""
    tool = pyproject.get("tool", {})
    uv = tool.get("uv") if isinstance(tool, dict) else None
    sources = uv.get("sources") if isinstance(uv, dict) else None
    if not isinstance(sources, dict):
        return set()
    names: set[str] = set()
    for name, entry in sources.items():
        entries = entry if isinstance(entry, list) else [entry]
        if any(isinstance(e, dict) and e.get("workspace") is True for e in entries):
            names.add(canonicalize_name(name))
    return names


def _needs(project: Project, members: Iterable[str], root_sources: set[str]) -> tuple[Edge, ...]:
    """The member's requirements on other members, in the order it lists them."""
    known = set(members)
    own = canonicalize_name(project.name)
    table = project.pyproject.get("project", {})
    deps = table.get("dependencies", []) if isinstance(table, dict) else []
    edges: dict[str, Edge] = {}
    for text in deps if isinstance(deps, list) else []:
        try:
            req = Requirement(str(text))
        except InvalidRequirement as exc:
            msg = f"{text!r} in {project.root / 'pyproject.toml'} is not a valid requirement: {exc}"
            raise ConfigError(msg) from None
        name: str = canonicalize_name(req.name)
        if name in known and name != own and name not in edges:
            edges[name] = Edge(name, str(text))
    for name in sorted((_workspace_sources(project.pyproject) | root_sources) & known):
        if name != own and name not in edges:
            edges[name] = Edge(name, "")
    return tuple(edges.values())


def discover(root: Path) -> Workspace:
    """Read the workspace at ``root``: its members and their needs of each other."""
    root = Path(root).resolve()
    top = Project(root)
    table = _workspace_table(top.pyproject)
    if table is None:
        msg = f"{root / 'pyproject.toml'} declares no [tool.uv.workspace]: it is not a workspace"
        raise WorkspaceError(msg)
    projects = [Project(d) for d in _member_dirs(root, table)]
    if isinstance(top.pyproject.get("project"), dict):
        projects.insert(0, top)  # the root is a package of its own, and a member
    by_name: dict[str, Project] = {}
    for project in projects:
        if not project.name:
            msg = f"workspace member {project.root} has no [project] name"
            raise ConfigError(msg)
        name = canonicalize_name(project.name)
        if name in by_name:
            msg = (
                f"two workspace members are named {name}: {by_name[name].root} and "
                f"{project.root}; rename one"
            )
            raise ConfigError(msg)
        by_name[name] = project
    root_sources = _workspace_sources(top.pyproject)
    members = {
        name: Member(
            name=name,
            project=project,
            path=str(project.root.relative_to(root)) if project.root != root else ".",
            needs=_needs(project, by_name, root_sources),
        )
        for name, project in by_name.items()
    }
    workspace = Workspace(root=root, project=top, members=members)
    _ = workspace.tiers  # a cycle is refused up front
    return workspace


def member_roots(root: Path) -> list[Path]:
    """The members' directories, in release order: what ``releasekit status`` shows at a root.

    A cycle is not this question's business: then they come in path order.
    """
    try:
        ws = discover(root)
    except WorkspaceError:
        table = _workspace_table(config.read_pyproject(root)) or {}
        return sorted(_member_dirs(Path(root).resolve(), table))
    return [ws.members[name].root for name in ws.order()]


def find_root(path: Path) -> Path | None:
    """The workspace root above ``path`` (a member's directory), or ``None``."""
    path = Path(path).resolve()
    for parent in path.parents:
        if is_workspace(parent):
            return parent
        if (parent / ".git").exists():
            return None
    return None


def membership(path: Path) -> tuple[Path, Member] | None:
    """The workspace root above ``path`` and the member that ``path`` is, or ``None``.

    A workspace that cannot be read is no membership: the project is then taken alone.
    """
    root = find_root(path)
    if root is None:
        return None
    try:
        members = discover(root).members.values()
    except ReleaseKitError:
        return None
    here = Path(path).resolve()
    found = [m for m in members if m.root == here]
    return (root, found[0]) if found else None


def editable_needs(member_dir: Path) -> list[str]:
    """``-e DIR`` for every workspace member that the member at ``member_dir`` needs.

    A member's checks (its nox sessions) install the member editable; its
    needs of other members must come from the workspace as they are now, not
    from an index that may not have them yet. Anything unreadable: none.
    """
    root = find_root(member_dir)
    if root is None:
        return []
    try:
        ws = discover(root)
    except ReleaseKitError:
        return []
    here = Path(member_dir).resolve()
    start = next((m for m in ws.members.values() if m.root == here), None)
    if start is None:
        return []
    found: list[str] = []
    todo = [start]
    while todo:
        for edge in todo.pop().needs:
            if edge.name not in found:
                found.append(edge.name)
                todo.append(ws.members[edge.name])
    return [arg for name in sorted(found) for arg in ("-e", str(ws.members[name].root))]


# --- order ------------------------------------------------------------------------


def _cycle(graph: Mapping[str, set[str]], nodes: set[str]) -> list[str]:
    """One cycle among ``nodes`` (every one of which is on or leads to a cycle)."""
    start = min(nodes)
    path = [start]
    seen = {start: 0}
    while True:
        nxt = min(n for n in graph[path[-1]] if n in nodes)
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)


def tiers(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Group the nodes in tiers, each needing only earlier tiers (names sorted in a tier).

    :param graph: each node's needs; needs outside the graph are ignored.
    :raises WorkspaceError: the needs form a cycle (named in the message).
    """
    needs = {n: {d for d in deps if d in graph and d != n} for n, deps in graph.items()}
    done: set[str] = set()
    result: list[list[str]] = []
    left = set(needs)
    while left:
        tier = sorted(n for n in left if needs[n] <= done)
        if not tier:
            cycle = _cycle(needs, left)
            msg = (
                f"the workspace members depend on each other in a cycle: {' -> '.join(cycle)}; "
                "a release train needs an order, so break the cycle"
            )
            raise WorkspaceError(msg)
        result.append(tier)
        done.update(tier)
        left.difference_update(tier)
    return result


# --- widening requirements --------------------------------------------------------


def _release(version: Version, size: int) -> list[int]:
    parts = list(version.release[:size])
    return parts + [0] * (size - len(parts))


def _joined(parts: Iterable[int]) -> str:
    return ".".join(str(p) for p in parts)


def _widened(spec: Specifier, new: Version) -> tuple[str, str] | None:
    """The operator and version of the specifier moved to admit ``new``; ``None`` to drop it."""
    op, text = spec.operator, spec.version
    if op == "<":
        bound = _release(new, len(Version(text).release))
        bound[-1] += 1
        return op, _joined(bound)
    if op == "~=":
        return op, _joined(_release(new, len(Version(text).release)))
    if op == "==" and text.endswith(".*"):
        return op, _joined(_release(new, len(Version(text[:-2]).release))) + ".*"
    if op in ("<=", "==", "==="):
        return op, str(new)
    if op == "!=":
        return None
    return op, text  # >=, >: a lower bound below the current version stays


def widen(requirement: str, new: str) -> str | None:
    """``requirement`` changed as little as possible to admit ``new``; ``None`` if it does.

    The author's style stays: ``>=0.1,<0.2`` with 0.2.0 becomes ``>=0.1,<0.3``
    (the upper bound moves to the next boundary of the same granularity above
    the new version), ``~=0.1.0`` becomes ``~=0.2.0``, ``==0.1.0`` becomes
    ``==0.2.0``; each specifier is edited in place in the text as written.

    :raises WorkspaceError: no edit admits ``new`` (a lower bound above it).
    """
    req = Requirement(requirement)
    wanted = Version(new)
    if req.specifier.contains(wanted, prereleases=True):
        return None
    text = requirement
    # Edit only the part before a marker, from the end of the name on.
    head, sep, marker = text.partition(";")
    start = head.find(req.name) + len(req.name)
    name_part, spec_part = head[:start], head[start:]
    for spec in req.specifier:
        if spec.contains(wanted, prereleases=True):
            continue
        written = re.compile(
            rf"(\s*)({re.escape(spec.operator)})(\s*){re.escape(spec.version)}(?![\w.*+!-])"
        )
        found = written.search(spec_part)
        if found is None:  # pragma: no cover - packaging parsed it from this text
            msg = f"cannot find {spec} in the requirement {requirement!r}"
            raise WorkspaceError(msg)
        moved = _widened(spec, wanted)
        before, after = spec_part[: found.start()], spec_part[found.end() :]
        if moved is None:
            if before.rstrip().endswith(","):
                before = before.rstrip()[:-1]
            elif after.lstrip().startswith(","):
                after = after.lstrip()[1:]
            spec_part = before + after
        else:
            spec_part = before + found.group(1) + moved[0] + found.group(3) + moved[1] + after
    result = name_part + spec_part + sep + marker
    if not Requirement(result).specifier.contains(wanted, prereleases=True):
        msg = (
            f"the requirement {requirement!r} cannot admit {req.name} {new} by moving its "
            "bounds: change it by hand"
        )
        raise WorkspaceError(msg)
    return result


def rewrite_requirement(pyproject: Path, old: str, new: str) -> None:
    """Replace one string of ``[project] dependencies`` in place (tomlkit keeps the formatting)."""
    import tomlkit

    doc = tomlkit.parse(pyproject.read_text())
    project = doc.get("project")
    deps = project.get("dependencies") if project is not None else None
    if deps is None:
        msg = f"{pyproject} has no [project] dependencies holding {old!r}"
        raise WorkspaceError(msg)
    for i, item in enumerate(deps):
        if str(item) == old:
            deps[i] = new
            break
    else:
        msg = f"{pyproject} has no dependency {old!r} to widen"
        raise WorkspaceError(msg)
    pyproject.write_text(tomlkit.dumps(doc))


# --- the plan -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Widening:
    """One requirement of a member moved to admit a releasing member's new version."""

    pyproject: Path
    old: str
    new: str
    needed: str  # the member required
    version: str  # its new version

    @property
    def why(self) -> str:
        return f"{self.old} widened to {self.new} for {self.needed} {self.version}"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One member on the train: its version, why it releases, what changes in it."""

    member: Member
    current: str
    new: str
    reasons: tuple[str, ...]
    fragments: tuple[Path, ...]
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


def widening_type(project: Project) -> str:
    """The fragment type for a generated "requirement widened" entry: one that calls for a patch."""
    from releasekit import changelog

    types = changelog.settings(project.root).types
    bump_map = project.settings.bump_map
    patch = [t for t in types if bump_map.get(t, "patch") == "patch"]
    for preferred in ("bugfix", "misc"):
        if preferred in patch:
            return preferred
    if not patch:
        msg = (
            f"no towncrier fragment type of {project.name} calls for a patch (bump_map): "
            "add one, e.g. bugfix, for the train's generated entries"
        )
        raise WorkspaceError(msg)
    return patch[0]


def widening_text(widening: Widening) -> str:
    return (
        f"Allow {widening.needed} {widening.version}: the requirement `{widening.old}` is now "
        f"`{widening.new}` (released together in one train)."
    )


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
