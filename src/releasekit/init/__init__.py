"""``releasekit init``: adopt releasekit in an existing repository.

Reads the project as it is and writes only what is missing: a
``[tool.bumpversion]`` for exactly the files that carry the version (none when
git tags carry it), a ``[tool.towncrier]`` that matches the existing
changelog, ``changelog.d/``, ``[tool.releasekit]`` with the checks that pass on
the repository as it will be, and a noxfile and tasks.py when there are none.
``pyproject.toml`` is edited with tomlkit, so its comments and layout stay.
Nothing is written before the diff is shown and confirmed; a failure while
writing puts back every file as it was.

At a uv workspace's root, :mod:`.workspaces` adopts every member and the root.
One module per part: :mod:`.versions` (where the version lives),
:mod:`.changelogs` (the existing changelog adopted: read by
:mod:`.changelog_reading`, continued by :mod:`.changelog_template`),
:mod:`.trials` (the checks that pass), :mod:`.authoring` (the TOML written),
:mod:`.planning` (the whole plan) and :mod:`.writing` (the transactional write).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from releasekit._exceptions import InitError
from releasekit.init.authoring import bumpversion_toml, edit_pyproject
from releasekit.init.changelogs import MD_MARKER, RST_MARKER, find_changelog, plan_changelog
from releasekit.init.planning import Plan, plan
from releasekit.init.trials import CANDIDATE_CHECKS, choose_checks
from releasekit.init.versions import Detected, VersionFile, detect_tag_format, detect_version
from releasekit.init.writing import write

__all__ = [
    "CANDIDATE_CHECKS",
    "MD_MARKER",
    "RST_MARKER",
    "Detected",
    "InitError",
    "Plan",
    "VersionFile",
    "bumpversion_toml",
    "choose_checks",
    "detect_tag_format",
    "detect_version",
    "edit_pyproject",
    "find_changelog",
    "plan",
    "plan_changelog",
    "run",
    "write",
]


def run(
    root: Path,
    *,
    yes: bool = False,
    dry_run: bool = False,
    ask: Callable[[str], bool] | None = None,
) -> Plan:
    """``releasekit init``: plan, show the diff, ask, write."""
    interactive = sys.stdin.isatty()
    if not (yes or dry_run or interactive):
        msg = "no terminal to confirm the changes on: pass --yes to write them (or --dry-run)"
        raise InitError(msg)
    from releasekit import workspace

    if workspace.is_workspace(root):
        from releasekit.init import workspaces

        result = workspaces.plan(root, run_checks=not dry_run)
    else:
        result = plan(root, run_checks=not dry_run)
    print(result.diff(), end="", flush=True)
    for note in result.notes:
        print(f"  {note}")
    if result.preview:
        print("  the next changelog section will look like this (an example entry):")
        print("".join(f"    {line}\n" for line in result.preview.splitlines()), end="")
    if dry_run:
        print("dry run: nothing was written")
        return result
    from releasekit._console import ask as ask_on_terminal  # Ctrl-D declines there

    if not yes and not (ask or ask_on_terminal)("Write these changes?"):
        msg = "nothing was written (declined)"
        raise InitError(msg)
    write(result)
    print(
        "releasekit is set up: commit these files, add a changelog fragment "
        '(invoke fragment feature "..."), then nox -s release -- --dry-run'
    )
    return result
