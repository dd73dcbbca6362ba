"""What the check sessions (tests, style, typecheck, docs) ask of the engine.

The sessions themselves are nox's (they install and run the project's own
tools); these are the engine's answers they need, so that the front end
imports the command layer only.
"""

from __future__ import annotations

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
