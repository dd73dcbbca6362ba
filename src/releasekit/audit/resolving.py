"""Resolving: the pinned list of what an install of the project would get.

The audit checks the versions an install would get, not the tool's own
environment: uv's resolver answers for the project's runtime dependencies
(and the extras and groups asked for), and its output is read back into
:class:`Package` records; a line with no pinned version is returned apart,
to be said, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name

from releasekit import _runner, config
from releasekit._exceptions import AuditError, CommandError, ToolNotFoundError

_PINNED = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?"
    r"\s*==\s*(?P<version>[^\s;#]+)\s*(?:;.*)?"
)


@dataclasses.dataclass(frozen=True, order=True)
class Package:
    """One resolved dependency: what an install of the project would get."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def parse_requirements(text: str) -> tuple[list[Package], list[str]]:
    """Split a resolver's output into pinned packages and lines that name no version."""
    packages: dict[str, Package] = {}
    unpinned: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"\s+#.*$", "", line)
        match = _PINNED.fullmatch(line)
        if match is None:
            unpinned.append(line)
            continue
        name = canonicalize_name(match["name"])
        packages[name] = Package(name, match["version"])
    return sorted(packages.values()), unpinned


def resolve(
    root: Path,
    *,
    python: Path | str,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
) -> tuple[list[Package], list[str]]:
    """Resolve the runtime dependencies (plus extras and groups) as an install would."""
    uv = _runner.uv()
    if uv is None:
        msg = "uv is not installed (pip install uv): the audit resolves dependencies with it"
        raise ToolNotFoundError(msg)
    args = [uv, "pip", "compile", config.PYPROJECT, "--quiet", "--no-header", "--no-annotate"]
    args += ["--python", str(python)]
    for extra in extras:
        args += ["--extra", extra]
    for group in groups:
        args += ["--group", group]
    try:
        result = _runner.run(args, cwd=root, mutates=False)
    except CommandError as exc:
        last = exc.details.strip().splitlines()[-1] if exc.details.strip() else str(exc)
        msg = (
            f"the dependencies of {root / config.PYPROJECT} do not resolve (uv pip compile): {last}"
        )
        raise AuditError(msg, details=exc.details) from None
    return parse_requirements(result.stdout)
