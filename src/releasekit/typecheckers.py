"""Which type checker the ``typecheck`` session runs, and on what.

A project that checks its types with pyright and not mypy would see mypy's
verdict (or "Program mypy not found") instead of its own; a project without
``src/`` would be told that ``src`` does not exist. The checker is the one
the project configures or installs for type checking; the paths are the
checker's configured ones, else the project's own layout.
"""

from __future__ import annotations

import configparser
import dataclasses
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

CHECKERS = ("mypy", "pyright")


@dataclasses.dataclass(frozen=True)
class Typecheck:
    """The checker to install and run, and its arguments when none are given."""

    checker: str
    args: list[str]


def _group_names(pyproject: dict[str, Any], group: str) -> set[str]:
    """The names of the requirements the dependency group lists (includes not followed)."""
    names = set()
    for item in pyproject.get("dependency-groups", {}).get(group, []):
        if isinstance(item, str):
            try:
                names.add(Requirement(item).name.lower())
            except InvalidRequirement:
                continue
    return names


def _mypy_configured(root: Path, pyproject: dict[str, Any]) -> bool:
    if "mypy" in pyproject.get("tool", {}):
        return True
    if (root / "mypy.ini").is_file() or (root / ".mypy.ini").is_file():
        return True
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except configparser.Error:
        return False
    return parser.has_section("mypy")


def _pyright_configured(root: Path, pyproject: dict[str, Any]) -> bool:
    return "pyright" in pyproject.get("tool", {}) or (root / "pyrightconfig.json").is_file()


def checker(root: Path, pyproject: dict[str, Any]) -> str:
    """``pyright`` for a project that uses pyright and not mypy; ``mypy`` otherwise."""
    wanted = _group_names(pyproject, "typecheck")
    uses_pyright = "pyright" in wanted or _pyright_configured(root, pyproject)
    uses_mypy = "mypy" in wanted or _mypy_configured(root, pyproject)
    return "pyright" if uses_pyright and not uses_mypy else "mypy"


def layout_paths(root: Path, import_name: str) -> list[str]:
    """What to check when the checker's configuration does not say: ``src``, else the package."""
    if (root / "src").is_dir():
        return ["src"]
    for candidate in (import_name, f"{import_name}.py"):
        if (root / candidate).exists():
            return [candidate]
    return ["."]


def typecheck(root: Path, pyproject: dict[str, Any], import_name: str) -> Typecheck:
    """The checker of the project at ``root`` and its default arguments."""
    name = checker(root, pyproject)
    tool = pyproject.get("tool", {})
    if name == "pyright":
        # pyright reads its include list itself; without one it checks the whole project.
        configured = (root / "pyrightconfig.json").is_file() or "include" in tool.get("pyright", {})
        return Typecheck("pyright", [] if configured else layout_paths(root, import_name))
    configured = bool(tool.get("mypy", {}).get("files")) or _mypy_files_elsewhere(root)
    return Typecheck("mypy", [] if configured else layout_paths(root, import_name))


def _mypy_files_elsewhere(root: Path) -> bool:
    """Whether mypy.ini, .mypy.ini or setup.cfg's ``[mypy]`` names the files to check."""
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_option("mypy", "files"):
            return True
    return False
