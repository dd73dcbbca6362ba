"""The release plan: one line per thing that will happen, in the order of the steps.

Printed by ``--dry-run``, and shown before the one question on a terminal
(without ``--yes``).
"""

from __future__ import annotations

from collections.abc import Callable

from releasekit import _console, changelog
from releasekit.release.steps import STEPS, Run


def _plan_lines(run: Run) -> list[str]:
    """The plan, one line per thing that will happen, in the order of :data:`STEPS`."""
    cut = run.need_plan().one
    lines = [f"  version:   {cut.current} -> {cut.new} ({cut.reason})"]
    for step in STEPS:
        lines += step.describe(run)
    lines.append("  changelog:")
    draft = changelog.draft(run.project.root, cut.new)
    lines += [f"    {line}".rstrip() for line in draft.splitlines()]
    return lines


def show_plan(run: Run) -> None:
    """A single release's plan (a train's is its tiers: :func:`releasekit.train.show_plan`)."""
    name = run.need_plan().one.settings.project_name
    suffix = " (dry run: nothing was changed)" if run.request.dry_run else ""
    print(f"Release plan for {name}{suffix}", flush=True)
    print("\n".join(_plan_lines(run)), flush=True)


def confirmed(run: Run, show: Callable[[Run], None], question: str) -> bool:
    """On a terminal and without ``--yes``: show the plan and ask once, default no."""
    import sys

    if run.request.yes or not sys.stdin.isatty():
        return True
    show(run)
    return _console.ask(question)
