"""Discovery: the members of a uv workspace and what each needs of the others.

A repository whose root ``pyproject.toml`` declares ``[tool.uv.workspace]
members`` holds several packages, each a releasekit project of its own. The
member globs are read as uv reads them; a member's needs are its
``[project] dependencies`` naming another member and its ``[tool.uv.sources]``
workspace entries, which decide the order of a release (:mod:`.ordering`).
"""

from __future__ import annotations

import dataclasses
import functools
import glob
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from releasekit import config
from releasekit._exceptions import ConfigError, ReleaseKitError, WorkspaceError
from releasekit.project import Project
from releasekit.workspace.ordering import tiers


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
