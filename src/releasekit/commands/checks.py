"""What the check sessions (tests, style, typecheck, docs) ask of the engine.

The sessions themselves are nox's (they install and run the project's own
tools); these are the engine's answers they need, so that the front end
imports the command layer only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def record_passed(root: Path, session: str, env_dir: Path) -> None:
    """Remember that ``session`` passed on this exact tree (the release's preflight reads it)."""
    import contextlib

    from releasekit import _exceptions, _verdicts

    # Not a git repository: nothing to remember.
    with contextlib.suppress(_exceptions.ReleaseKitError):
        _verdicts.record(root, _verdicts.key(root, session, env_dir))


def workspace_needs(root: Path) -> list[str]:
    """For a workspace member: the other members it needs, installed from the workspace."""
    from releasekit import workspace

    return list(workspace.editable_needs(root))


def test_requires(root: Path) -> list[str]:
    """``[tool.releasekit] test_requires`` (empty: the ``test`` dependency group)."""
    from releasekit.commands import project

    return list(project(root).settings.test_requires)


def install_digests(root: Path, args: Sequence[str]) -> tuple[str, str]:
    """What a check session's install depends on: (everything, all but the project's version).

    The inputs are the install arguments and ``pyproject.toml``. The second
    digest leaves out the project's own version (``[project] version`` and
    bump-my-version's ``current_version``), which a release moves and which
    changes no dependency.
    """
    import hashlib
    import json
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI (a dependency there)
        import tomli as tomllib

    pyproject = root / "pyproject.toml"
    text = pyproject.read_text() if pyproject.is_file() else ""
    everything = hashlib.sha256("\0".join([*args, text]).encode()).hexdigest()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return everything, everything + "-unparsed"
    data.get("project", {}).pop("version", None)
    data.get("tool", {}).get("bumpversion", {}).pop("current_version", None)
    rest = json.dumps(data, sort_keys=True, default=str)
    return everything, hashlib.sha256("\0".join([*args, rest]).encode()).hexdigest()


def editable_wheel(root: Path, out_dir: Path) -> Path:
    """The project's editable wheel, for reinstalling it alone when only its version moved."""
    from releasekit import dists

    return dists.editable_wheel(root, out_dir)
