"""The release plan: one line per thing that will happen, in the order of the steps.

Printed by ``--dry-run``, and shown before the one question on a terminal
(without ``--yes``).
"""

from __future__ import annotations

from releasekit import _console, changelog
from releasekit.release.steps import STEPS, Run


def _plan_lines(run: Run) -> list[str]:
    """The plan, one line per thing that will happen, in the order of :data:`STEPS`."""
    plan = run.need_plan()
    lines = [f"  version:   {plan.current} -> {plan.new} ({plan.reason})"]
    for step in STEPS:
        lines += step.describe(run)
    lines.append("  changelog:")
    draft = changelog.draft(run.project.root, plan.new)
    lines += [f"    {line}".rstrip() for line in draft.splitlines()]
    return lines


def show_plan(run: Run) -> None:
    plan = run.need_plan()
    suffix = " (dry run: nothing was changed)" if run.request.dry_run else ""
    print(f"Release plan for {plan.project}{suffix}", flush=True)
    print("\n".join(_plan_lines(run)), flush=True)


def confirmed(run: Run) -> bool:
    """On a terminal and without ``--yes``: show the plan and ask once, default no."""
    import sys

    if run.request.yes or not sys.stdin.isatty():
        return True
    show_plan(run)
    plan = run.need_plan()
    return _console.ask(f"Release {plan.project} {plan.new}?")
