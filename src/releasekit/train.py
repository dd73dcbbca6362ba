"""The release train: every member of a workspace that has changes, in one release.

A train is the release of N packages (:mod:`releasekit.release`): one
preflight, the same local steps for each member (changelog, version, one
release commit with a tag per member, build, verify, checks), then tier by
tier publish and confirm, and one push. What a workspace adds is here: its
discovery, the plan of its members (their versions from their fragments,
their tiers in dependency order, the requirements widened to admit a new
version and the changelog entry that says so), and that plan shown tier by
tier.
"""

from __future__ import annotations

from pathlib import Path

from releasekit import changelog, git, versions, wheels
from releasekit._exceptions import UsageError
from releasekit.project import Project
from releasekit.release.cut import Cut, Plan
from releasekit.release.journal import State, refuse
from releasekit.release.request import Request
from releasekit.release.steps import Run
from releasekit.workspace import Entry
from releasekit.workspace import Plan as Members


def release(root: Path, request: Request) -> State | None:
    """Release every member of the workspace at ``root`` that has changes, as one train."""
    from releasekit import release as engine

    if request.part or request.new_version:
        msg = (
            "--part and --new-version pick one project's version: in a workspace the fragments "
            "pick each member's (or run the release in the member's directory)"
        )
        raise UsageError(msg)
    root = Path(root).resolve()
    if git.toplevel(root).resolve() != root:
        refuse(f"a workspace releases from the root of its git repository, not {root}")
    project = Project(root)
    return engine.locked(
        root,
        request,
        cut=lambda: engine.cut(
            project,
            request,
            lambda branch: plan(root, request, branch),
            show=show_plan,
            question=_question,
        ),
        resume=lambda: engine.resume(project, request, lambda state: _members(root, state)),
        abort=lambda: engine.abort(root, request, train=True),
    )


def _members(root: Path, state: State) -> dict[str, Project]:
    """Each recorded member's project, read from the journal's paths (``--resume``)."""
    return {p.name: Project(root / p.path) for p in state.packages}


def plan(root: Path, request: Request, branch: str) -> Plan:
    """The train's plan: the members that release, tier by tier, as the release's cuts."""
    from releasekit import workspace

    members = workspace.plan(workspace.discover(root), pre=request.pre)
    if not members.entries:
        refuse(
            "no workspace member has a changelog fragment: add one in a member with "
            "`invoke fragment TYPE TEXT` (or `towncrier create`) in its directory"
        )
    cuts = []
    for e in members.ordered():
        source = versions.source_for(e.member.project)
        cuts.append(
            Cut(
                name=e.name,
                project=e.member.project,
                path=e.member.path,
                current=e.current,
                new=e.new,
                reason=e.why,
                tag=source.render(e.member.tag_template, e.current, e.new),
                bump=e.bump,
                fragments=tuple(e.fragments),
                tag_message=source.render(e.bump.tag_message, e.current, e.new),
                fragment_types=e.fragment_types,
                widenings=tuple(e.widenings),
                generated=_generated_path(e),
                siblings=bool(e.member.needs),
                needs=tuple(_closure(members, e.name)),
                import_name=e.member.project.settings.import_name,
            )
        )
    return Plan(
        cuts=tuple(cuts),
        tiers=tuple(tuple(e.name for e in tier) for tier in members.tiers),
        branch=branch,
        commit_message="Release " + ", ".join(f"{c.name} {c.new}" for c in cuts),
        train=True,
    )


def _generated_path(entry: Entry) -> Path | None:
    """Where the train's own changelog entry for a widening goes (decided before writing)."""
    if not entry.widenings:
        return None
    from releasekit import workspace

    project = entry.member.project
    kind = workspace.widening_type(project)
    suffix = changelog.settings(project.root).filename.suffix
    suffix = suffix if suffix in (".md", ".rst") else ""
    return changelog.settings(project.root).directory / f"+train-{entry.name}.{kind}{suffix}"


def _closure(members: Members, name: str) -> list[str]:
    """The releasing members that ``name`` needs, directly or not."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = members.workspace.members[todo.pop()]
        for edge in current.needs:
            if edge.name in members.entries and edge.name not in seen:
                seen.append(edge.name)
                todo.append(edge.name)
    return seen


def _question(plan: Plan) -> str:
    count = len(plan.cuts)
    return f"Release {count} member{'' if count == 1 else 's'} ({plan.commit_message})?"


def plan_lines(run: Run) -> list[str]:
    """The train, tier by tier: each member, its version, its tag and why it releases."""
    plan, request, root = run.need_plan(), run.request, run.root
    settings = run.project.settings
    cuts = {c.name: c for c in plan.cuts}
    lines = []
    tracked = git.tracked(root)  # once: each member's files are under its path
    for number, tier in enumerate(plan.tiers, 1):
        lines.append(f"  tier {number}:")
        for name in tier:
            cut = cuts[name]
            lines.append(f"    {cut.name} {cut.current} -> {cut.new}, tag {cut.tag} ({cut.reason})")
            prefix = f"{cut.path}/"
            own = [t.removeprefix(prefix) for t in tracked if t.startswith(prefix)]
            shown = wheels.plan(cut.project.root, own, cut.name, cut.new,
                                cut.settings.publish_wheels)  # fmt: skip
            lines.append(f"      files: {shown}")
            for frag in cut.fragments:
                lines.append(f"      fragment: {frag.relative_to(root)}")
            for w in cut.widenings:
                lines.append(f"      requires: {w.old} -> {w.new} (in {cut.path}/"
                             "pyproject.toml, with a generated changelog entry)")  # fmt: skip
    if plan.lock is not None:
        lines.append(f"  lock:      {plan.lock.relative_to(root)}, re-locked with uv once every "
                     "member moved")  # fmt: skip
    lines.append(f"  commit:    {plan.commit_shown}")
    target = plan.target.shown if plan.target else "none (--no-publish)"
    lines.append(f"  publish:   {target}, tier by tier, each confirmed before the next")
    tags = " ".join(c.tag for c in plan.cuts)
    push = "no" if request.no_push else f"{plan.branch} and {tags} to {settings.remote} (atomic)"
    lines.append(f"  push:      {push}")
    from releasekit.release.development import planned

    dev = planned(((c.name, c.project, c.new) for c in plan.cuts), train=True)
    if dev:
        lines.append(f"  then:      commit {', '.join(dev)} (post_release_dev)")
    checks = "none (--no-checks)" if request.no_checks else (
        "each releasing member's own, then again on the release commit")  # fmt: skip
    if request.dry_run and not request.no_checks:
        checks += " (not run in a dry run)"
    lines.append(f"  checks:    {checks}")
    return lines


def show_plan(run: Run) -> None:
    suffix = " (dry run: nothing was changed)" if run.request.dry_run else ""
    print(f"Release train for {run.root}{suffix}", flush=True)
    print("\n".join(plan_lines(run)), flush=True)
