"""The release plan: one line per thing that will happen, in the order of the steps.

Printed by ``--dry-run``, and shown before the one question on a terminal
(without ``--yes``).
"""

from __future__ import annotations

import os

from releasekit import _console, changelog, git, versions, wheels
from releasekit.release.checks import SERVED_BY_RELEASE, check_sessions
from releasekit.release.steps import STEPS, Run


def _plan_lines(run: Run) -> list[str]:
    """The plan, one line per thing that will happen, in the order of :data:`STEPS`."""
    project, plan, request = run.project, run.need_plan(), run.request
    towncrier = changelog.settings(project.root)
    root = project.root
    changed = sorted({str(towncrier.filename.relative_to(root)), *plan.bump.files})
    if plan.lock is not None:
        changed.append(f"{os.path.relpath(plan.lock, root)} (re-locked with uv)")
    removed = [str(f.path.relative_to(root)) for f in plan.fragments]
    if versions.is_prerelease(plan.new):
        removed = ["none (a pre-release keeps the fragments for the final release)"]
    signed = "signed" if plan.bump.sign_tags else "not signed"
    target = plan.target.shown if plan.target else "none (--no-publish)"
    push = "no" if request.no_push else f"{plan.branch} and {plan.tag} to {project.settings.remote}"
    by_step = {
        "changelog": [f"  changes:   {', '.join(changed)}", f"  removes:   {', '.join(removed)}"],
        "commit and tag": [
            f"  commit:    {plan.commit_message!r} on {plan.branch}",
            f"  tag:       {plan.tag} (annotated, {signed})",
        ],
        "build": [
            "  build:     sdist and wheel in dist/, SOURCE_DATE_EPOCH from the release commit"
        ],
        "verify": ["  verify:    twine check --strict, check-wheel-contents, install and import"],
        "publish": [
            f"  publish:   {target}",
            "  files:     "
            + wheels.plan(
                root, git.tracked(root), plan.project, plan.new, project.settings.publish_wheels
            ),
        ],
        "push": [f"  push:      {push}"],
    }
    source = versions.source_for(project)
    dev = source.development_after(plan.new) if project.settings.post_release_dev else None
    if dev:
        by_step["push"].append(f"  then:      commit {dev} (post_release_dev)")
    lines = [f"  version:   {plan.current} -> {plan.new} ({plan.reason})"]
    sessions = check_sessions(project) if not request.no_checks else []
    to_run = [s for s in sessions if s not in SERVED_BY_RELEASE]
    served = [s for s in sessions if s in SERVED_BY_RELEASE]
    checks = f"nox -s {' '.join(to_run)}" if to_run else "none"
    if to_run and project.settings.check_release_commit:
        checks += ", before anything changes and on the release commit beside build and verify"
    if to_run and request.dry_run:
        checks += " (not run in a dry run)"
    if served:
        checks += f"; {', '.join(served)}: by the release's own build and verify"
    by_step["checks"] = [f"  checks:    {checks}"]
    for step in STEPS:
        lines += by_step[step.name]
    lines.append("  changelog:")
    draft = changelog.draft(root, plan.new)
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
