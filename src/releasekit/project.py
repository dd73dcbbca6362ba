"""One project: its root, its settings and its pyproject tables, each read once.

Everything below the command layer takes a :class:`Project` instead of a root
plus its own reads of ``pyproject.toml``. What changes during a release (the
version after the bump) is read again through :meth:`Project.reload`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from releasekit import config


class Project:
    """A Python project at ``root`` (the directory holding ``pyproject.toml``)."""

    def __init__(self, root: str | Path, **overrides: Any) -> None:
        self.root = Path(root).resolve()
        self._overrides = overrides

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @functools.cached_property
    def pyproject(self) -> dict[str, Any]:
        """The parsed ``pyproject.toml``; a syntax error is one line naming the position."""
        from releasekit import config  # when read: a verb's module imports this one to list it

        return config.read_pyproject(self.root)

    @functools.cached_property
    def settings(self) -> config.Settings:
        from releasekit import config

        return config.from_pyproject(self.root, self.pyproject, **self._overrides)

    def validated(self) -> Project:
        """Read and check the configuration now, so a broken file is one line up front."""
        _ = self.settings
        return self

    @property
    def name(self) -> str:
        return self.settings.project_name

    def tool(self, name: str) -> dict[str, Any] | None:
        """``[tool.NAME]``, or ``None`` when absent."""
        tool = self.pyproject.get("tool", {})
        table = tool.get(name) if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else None

    def reload(self) -> Project:
        """A fresh view of the same project, after a step changed its files."""
        return Project(self.root, **self._overrides)
