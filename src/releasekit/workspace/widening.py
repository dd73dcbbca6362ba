"""Widening: a member's requirement moved to admit a releasing member's new version.

When a member releases, a member that needs it may require a range that
excludes the new version; the train moves that requirement as little as
possible, in the author's own style, edits it in place in pyproject.toml
(tomlkit keeps the formatting), and adds a changelog entry that says so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import Specifier
from packaging.version import Version

from releasekit._exceptions import WorkspaceError
from releasekit.project import Project


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
