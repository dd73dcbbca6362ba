"""The release train: every member of a workspace that has changes, in one release.

One preflight for everything; then, all local: every changelog, every
version, the widened requirements, one release commit and one annotated tag
per member. Every member is built from a clean export of that commit and
verified before anything is uploaded, so that until the first upload any
failure rolls the whole train back. Then tier by tier: a tier's wheels are
installed against the index (its dependencies' just-published versions),
published, and confirmed installable from the index before the next tier.
From its first change on, ``.releasekit/state.json`` journals the train (the
release's own journal, one package per member) and ``--resume`` finishes it;
the commit and every tag are pushed together at the end (``git push
--atomic``, by SHA). Each member is built into ``.releasekit/dist/<member>/``,
and exactly those verified bytes are uploaded, on the first run and on
``--resume`` alike.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit import (
    _console,
    _hashing,
    changelog,
    dists,
    git,
    train_development,
    versions,
    wheels,
)
from releasekit._exceptions import CommandError, ReleaseError, ReleaseKitError, UsageError
from releasekit.index import (
    Target,
    index_for,
    mask_known_logins,
    require_credentials,
    resolve_target,
)
from releasekit.project import Project
from releasekit.release import tiers
from releasekit.release.journal import KEPT_DIR, STATE_DIR, Package, State, load_state, save_state
from releasekit.release.journal import refuse as _refuse
from releasekit.release.request import Request
from releasekit.workspace import Entry, Plan, Workspace

if TYPE_CHECKING:
    from releasekit.release.checks import BackgroundChecks


# --- preflight ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Preflight:
    workspace: Workspace
    plan: Plan
    branch: str
    target: Target | None
    #: The workspace's tracked uv.lock, re-locked once after every member moved, or None.
    lock: Path | None = None
    #: HEAD when the preflight found the tree clean: the train starts from it or not at all.
    head: str = ""


def preflight(
    root: Path, request: Request, decide: Callable[[Preflight], bool] | None = None
) -> Preflight:
    """Refuse, before anything changes, every train that cannot succeed.

    Cheap questions first (tree, branch, members, order, fragments, versions,
    tags), then the remote and the index, then the checks of every member
    that releases.
    """
    from releasekit import release, workspace

    ws = workspace.discover(root)
    settings = ws.project.settings
    git.check_no_operation(root)
    dirt = git.unclean(root)
    if dirt:
        _refuse(f"the work tree is not clean ({dirt}): commit or stash first")
    branch = git.current_branch(root)
    if not branch:
        _refuse("HEAD is detached: check out a release branch first")
    if branch not in settings.branches:
        _refuse(
            f"branch {branch!r} is not a release branch "
            f"(allowed: {', '.join(settings.branches)}; [tool.releasekit] branches of the root)"
        )
    head = git.head(root)  # what the checks see: the train starts from it or not at all
    mask_known_logins(request.repository or "", settings.repository, settings.index_url)
    plan = workspace.plan(ws, pre=request.pre)
    if not plan.entries:
        _refuse(
            "no workspace member has a changelog fragment: add one in a member with "
            "`invoke fragment TYPE TEXT` (or `towncrier create`) in its directory"
        )
    from releasekit import api_check, pypi_rules

    for entry in plan.ordered():
        release.check_gitlinks(entry.member.project)
        pypi_rules.prefetch(entry.member.project, request)  # read while the rest is asked
        dists.wheel_contents_config(entry.member.root)  # verify's, unreadable: one line now
        types = [f.type for f in changelog.fragments(entry.member.root)]
        api_check.check_release(entry.member.project, entry.new, fragment_types=types)
    train_development.check((e.member.project, e.new) for e in plan.ordered())
    kept = f"{STATE_DIR}/{KEPT_DIR}"
    release.check_own_dirs(root, [STATE_DIR, kept, *(f"{kept}/{e.name}" for e in plan.ordered()),
                                  *(f"{e.member.path}/dist" for e in plan.ordered())])  # fmt: skip
    generated = {e.name: p for e in plan.ordered() if (p := _generated_path(e)) is not None}
    release.check_touched(root, _touched(root, plan, generated))
    local_tags = set(git.tags(root))  # one question for every member's tag
    for entry in plan.ordered():
        if entry.tag in local_tags:
            _refuse(f"the tag {entry.tag} of {entry.name} already exists in this repository")
    from releasekit import lockfile

    lock = lockfile.find(root)
    if lock is not None:
        release.check_touched(root, [_rel(root, lock)])
        lockfile.check(lock, timeout=settings.network_timeout)
    has_remote = git.has_remote(root, settings.remote)
    if not request.no_push:
        if not has_remote:
            _refuse(f"there is no git remote {settings.remote!r}: add it, or use --no-push")
        git.fetch(root, settings.remote, timeout=settings.network_timeout)
        upstream = git.upstream(root)
        if upstream and git.behind(root, upstream):
            _refuse(f"branch {branch!r} is behind {upstream}: pull first")
    if has_remote:
        remote_tags = _remote_tags(root, settings.remote, settings.network_timeout)
        for entry in plan.ordered():
            if entry.tag in remote_tags:
                _refuse(f"the tag {entry.tag} already exists on the remote {settings.remote!r}")
    target = None
    if not request.no_publish:
        target = resolve_target(request.repository, configured=settings.repository,
                                        index_url=settings.index_url,
                                        timeout=settings.network_timeout)  # fmt: skip
        require_credentials(target, dry_run=request.dry_run)
    for entry in plan.ordered():  # each member's own pypi_rules, the train's target
        pypi_rules.preflight(entry.member.project, entry.new, target, fresh=request.no_cache)
    if target is not None:
        for entry in plan.ordered():
            listed = index_for(target).listing(entry.name)
            if release.version_on_index(listed, entry.new):
                _refuse(f"{entry.name} {entry.new} is already on {target.shown}")
    flight = Preflight(ws, plan, branch, target, lock, head)
    if request.no_checks or request.dry_run:
        _decided(flight, decide)
        return flight
    # Each member's checks, one member after another, while the plan is read and the one
    # question asked: no stops them at once, yes waits for their verdict.
    from releasekit.release.checks import several_in_background

    runs = [(e.member.root, release.check_sessions(e.member.project), f" in {e.name}")
            for e in plan.ordered()]  # fmt: skip
    with several_in_background(runs, cache=not request.no_cache) as checks:
        with checks.board.paused():
            _decided(flight, decide)
        checks.passed()
    return flight


def _decided(flight: Preflight, decide: Callable[[Preflight], bool] | None) -> None:
    if decide is not None and not decide(flight):
        _refuse("the release was declined: nothing was changed")


def _remote_tags(root: Path, remote: str, timeout: float) -> set[str]:
    """Every tag on the remote, in one ``git ls-remote``."""
    try:
        out = git.git(root, "ls-remote", "--tags", remote, timeout=timeout)
    except CommandError as exc:
        msg = f"cannot list the tags of the remote {remote!r}: is it reachable?"
        raise ReleaseError(msg, details=exc.details) from None
    refs = (line.split("\t", 1)[-1] for line in out.splitlines())
    return {ref.removeprefix("refs/tags/").removesuffix("^{}") for ref in refs}


def _commit_message(plan: Plan) -> str:
    return "Release " + ", ".join(f"{e.name} {e.new}" for e in plan.ordered())


def plan_lines(flight: Preflight, request: Request) -> list[str]:
    """The train, tier by tier: each member, its version, its tag and why it releases."""
    plan = flight.plan
    settings = flight.workspace.project.settings
    lines = []
    tracked = git.tracked(flight.workspace.root)  # once: each member's files are under its path
    for number, tier in enumerate(plan.tiers, 1):
        lines.append(f"  tier {number}:")
        for entry in tier:
            lines.append(
                f"    {entry.name} {entry.current} -> {entry.new}, tag {entry.tag} ({entry.why})"
            )
            prefix = f"{entry.member.path}/"
            own = [t.removeprefix(prefix) for t in tracked if t.startswith(prefix)]
            publish_wheels = entry.member.project.settings.publish_wheels
            shown = wheels.plan(entry.member.root, own, entry.name, entry.new, publish_wheels)
            lines.append(f"      files: {shown}")
            for frag in entry.fragments:
                lines.append(f"      fragment: {frag.relative_to(flight.workspace.root)}")
            for w in entry.widenings:
                lines.append(f"      requires: {w.old} -> {w.new} (in {entry.member.path}/"
                             "pyproject.toml, with a generated changelog entry)")  # fmt: skip
    if flight.lock is not None:
        lock = flight.lock.relative_to(flight.workspace.root)
        lines.append(f"  lock:      {lock}, re-locked with uv once every member moved")
    lines.append(f"  commit:    {_commit_message(plan)!r} on {flight.branch}")
    target = flight.target.shown if flight.target else "none (--no-publish)"
    lines.append(f"  publish:   {target}, tier by tier, each confirmed before the next")
    tags = " ".join(e.tag for e in plan.ordered())
    push = "no" if request.no_push else f"{flight.branch} and {tags} to {settings.remote} (atomic)"
    lines.append(f"  push:      {push}")
    dev = train_development.planned((e.member.project, e.new) for e in plan.ordered())
    if dev:
        lines.append(f"  then:      commit {', '.join(dev)} (post_release_dev)")
    checks = "none (--no-checks)" if request.no_checks else (
        "each releasing member's own, then again on the release commit")  # fmt: skip
    if request.dry_run and not request.no_checks:
        checks += " (not run in a dry run)"
    lines.append(f"  checks:    {checks}")
    return lines


def show_plan(flight: Preflight, request: Request) -> None:
    suffix = " (dry run: nothing was changed)" if request.dry_run else ""
    print(f"Release train for {flight.workspace.root}{suffix}", flush=True)
    print("\n".join(plan_lines(flight, request)), flush=True)


# --- the local steps ---------------------------------------------------------------------


def _rel(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, links not followed: a linked file is refused, not resolved."""
    return os.path.relpath(os.path.abspath(path), root)


def _touched(root: Path, plan: Plan, generated: dict[str, Path]) -> list[str]:
    """Every file the train changes: changelogs, version files, fragments, pyprojects."""
    from releasekit.release.preflight import version_config

    paths: set[str] = set()
    for entry in plan.ordered():
        member = entry.member
        paths.add(_rel(root, changelog.settings(member.project.root).filename))
        paths.add(_rel(root, member.root / "pyproject.toml"))
        paths.update(_rel(root, member.root / p) for p in version_config(member.project))
        for name in entry.bump.files:
            matches = sorted(member.root.glob(name)) if any(c in name for c in "*?[") else [
                member.root / name]  # fmt: skip
            paths.update(_rel(root, p) for p in matches)
        paths.update(_rel(root, p) for p in entry.fragments)
    paths.update(_rel(root, p) for p in generated.values())
    return sorted(paths)


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


def _write_changelogs(plan: Plan, generated: dict[str, Path]) -> None:
    from releasekit import workspace

    for entry in plan.ordered():
        project = entry.member.project
        if entry.name in generated:
            text = "\n".join(workspace.widening_text(w) for w in entry.widenings)
            path = generated[entry.name]
            kind = path.name.split(".")[1]
            changelog.write_fragment(project.root, path.name, text)
            if not path.is_file():
                _refuse(f"towncrier create did not write {path} ({kind})")
            # Tracked like any fragment, which is all that towncrier may read.
            git.git(project.root, "add", "--", str(path), mutates=True)
        # A pre-release keeps the fragments: the final release lists the whole series.
        changelog.build(project.root, entry.new, keep=versions.is_prerelease(entry.new))


def _bump_versions(plan: Plan) -> None:
    for entry in plan.ordered():
        versions.source_for(entry.member.project).write(entry.new)  # git tags: the tag is it


def _widen_requirements(plan: Plan) -> None:
    from releasekit import workspace

    for entry in plan.ordered():
        for w in entry.widenings:
            workspace.rewrite_requirement(w.pyproject, w.old, w.new)


def _commit_and_tag(root: Path, plan: Plan, state: State) -> None:
    from releasekit import release as engine

    engine.check_index_holds_only(root, sorted(state.touched))  # the commit takes the index
    present = [p for p in state.touched if (root / p).exists()]
    git.git(root, "add", "--", *present, mutates=True)
    git.git(root, "commit", "--quiet", "--message", _commit_message(plan), mutates=True)
    state.commit = git.head(root)
    save_state(root, state)
    engine.check_one_parent(root, state.commit, state.head_before)
    for entry in plan.ordered():
        bump = entry.bump
        message = (bump.tag_message or "Release {new_version}").replace(
            "{new_version}", entry.new).replace("{current_version}", entry.current)  # fmt: skip
        message = f"{entry.name} {entry.new}" if message == entry.new else message
        sign = "--sign" if bump.sign_tags else "--annotate"
        git.git(root, "tag", sign, entry.tag, "--message", message, mutates=True)
    if git.status(root):
        _refuse("the release commit left changes behind: is every file committed?")


def _build(root: Path, entry: Entry, state: State) -> wheels.ReleaseFiles:
    """Build the member from the release commit as a single release would (compiled code too)."""
    from releasekit import release as engine
    from releasekit.release import artifacts

    package = state.named(entry.name)
    kept = engine.own_dir(root, _rel(root, package.kept_dir(root)))
    settings = entry.member.project.settings
    files = artifacts.build(entry.member.root, state.commit, kept, entry.new,
                            publish_wheels=settings.publish_wheels)  # fmt: skip
    # Recorded before verify reads them; verify ends by checking they are still these.
    package.files = _hashing.digests(files.publish)
    save_state(root, state)
    engine.mirror(root, kept, package.dist_dir(root))
    return files


def _start_commit_checks(plan: Plan, request: Request) -> BackgroundChecks | None:
    """Start each releasing member's checks on the release commit, as a single release does.

    The commit moved every version, changelog and widened requirement, which a
    test or the docs may read: what is published is what was checked. They run
    beside build and verify, one member after another, in the members' work
    trees, which no step touches from here on; ``--no-checks`` and a member's
    ``check_release_commit = false`` leave them out.
    """
    from releasekit.release.checks import SERVED_BY_RELEASE, several_in_background

    if request.no_checks:
        return None
    runs = []
    for entry in plan.ordered():
        settings = entry.member.project.settings
        sessions = [s for s in settings.checks if s not in SERVED_BY_RELEASE]
        if settings.check_release_commit and sessions:
            where = f" on the release commit ({entry.name}, {entry.tag})"
            runs.append((entry.member.root, sessions, where))
    if not runs:
        return None
    shown = "; ".join(f"{root.name}: nox -s {' '.join(sessions)}" for root, sessions, _ in runs)
    _console.info(f"checks on the release commit, meanwhile: {shown}")
    return several_in_background(runs, cache=not request.no_cache)


def _closure(plan: Plan, name: str) -> list[str]:
    """The releasing members that ``name`` needs, directly or not."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = plan.workspace.members[todo.pop()]
        for edge in current.needs:
            if edge.name in plan.entries and edge.name not in seen:
                seen.append(edge.name)
                todo.append(edge.name)
    return seen


def _verify(root: Path, plan: Plan, entry: Entry, files: wheels.ReleaseFiles, state: State) -> None:
    """A member's files, before anything is uploaded, as a single release checks them.

    The install takes the wheels of the train's own members it needs beside
    it (they are not on the index yet) and the rest from the target index.
    """
    from releasekit import pypi_rules
    from releasekit import release as engine
    from releasekit.release import artifacts

    package = state.named(entry.name)
    target = state.target
    index = target.simple_url if target else None
    pypi_rules.verify(entry.member.project, files.publish, target, commit=state.commit)
    deps = [dists.find(state.named(d).kept_dir(root)).wheel for d in _closure(plan, package.name)]
    artifacts.verify(
        files,
        name=package.name,
        new=package.version,
        import_name=package.import_name,
        project_dir=root / package.path,
        install=lambda wheel: tiers.install_check(
            package, [wheel, *deps], index, what="with the train's other wheels"
        ),
    )
    engine.kept_files(package.kept_dir(root), package.files)


def _back_to_development(project: Project, state: State, base: str) -> None:
    """Each released member with ``post_release_dev`` to its next ``.dev0``, in one commit."""
    members = [(Project(project.root / p.path), p.version) for p in state.packages]
    train_development.commit(project.root, members, release_commit=base, remote=state.remote,
                             branch=state.branch, push="push" in state.done,
                             timeout=project.settings.network_timeout)  # fmt: skip


# --- the driver ---------------------------------------------------------------------------


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
        _refuse(f"a workspace releases from the root of its git repository, not {root}")
    return engine.locked(
        root,
        request,
        cut=lambda: _train(root, request),
        resume=lambda: resume(root, request),
        abort=lambda: engine.abort(root, request, train=True),
    )


def _train(root: Path, request: Request) -> State | None:
    state = load_state(root)
    if state is not None:
        how = "undo it with --abort" if state.phase == "local" else "finish it with --resume"
        _refuse(f"a release train ({state.summary}) is already in progress: {how}")
    import sys

    def decide(flight: Preflight) -> bool:  # asked while the members' checks run
        if request.yes or not sys.stdin.isatty():
            return True
        show_plan(flight, request)
        count = len(flight.plan.entries)
        members = f"{count} member{'' if count == 1 else 's'}"
        return _console.ask(f"Release {members} ({_commit_message(flight.plan)})?")

    with _console.step("preflight"):
        try:
            flight = preflight(root, request, None if request.dry_run else decide)
        except ReleaseKitError:
            raise
        except Exception as exc:  # a library's error (a tarfile's): one line, nothing changed
            from releasekit.release import failure

            raise failure(exc, "preflight", "nothing was changed") from None
    plan = flight.plan
    for entry in plan.ordered():
        _console.info(f"{entry.name} {entry.current} -> {entry.new} ({entry.why})")
    if request.dry_run:
        show_plan(flight, request)
        return None

    settings = flight.workspace.project.settings
    generated = {e.name: p for e in plan.ordered() if (p := _generated_path(e)) is not None}
    target = flight.target
    state = State(
        packages=[
            Package(e.name, e.member.path, e.new, e.tag, e.member.project.settings.import_name,
                    siblings=bool(e.member.needs))
            for e in plan.ordered()
        ],
        tiers=[[e.name for e in tier] for tier in plan.tiers],
        branch=flight.branch,
        remote=settings.remote,
        head_before=git.head(root),
        target=target,
        touched=dict.fromkeys(sorted({*_touched(root, plan, generated),
                                      *([_rel(root, flight.lock)] if flight.lock else [])})),
        writing="changelog",
        train=True,
    )  # fmt: skip
    from releasekit import release as engine

    engine.unchanged_since_preflight(root, flight.head)

    before = engine.snapshot(root, state.tags, sorted(state.touched))
    save_state(root, state)  # before the first change: after kill -9, --abort knows what to undo
    step = "changelog"
    checks: BackgroundChecks | None = None
    try:
        with _console.step("changelog"):
            _write_changelogs(plan, generated)
        step = "version"
        with _console.step("version"):
            _bump_versions(plan)
        step = "requirements"
        with _console.step("requirements"):
            _widen_requirements(plan)
        if flight.lock is not None:  # once, after every version and requirement moved
            from releasekit import lockfile

            step = "lock"
            with _console.step("lock"):
                lockfile.relock(flight.lock, timeout=settings.network_timeout)
        state.touched = {p: _hashing.sha256_or_empty(root / p) for p in state.touched}
        state.writing = ""
        save_state(root, state)
        step = "commit and tag"
        with _console.step("commit and tag"):
            _commit_and_tag(root, plan, state)
        checks = _start_commit_checks(plan, request)
        # Every member is built and verified before the first upload: a failure in any
        # of them still rolls the whole train back.
        built = {}
        for entry in plan.ordered():
            step = f"build {entry.name}"
            with _console.step(step):
                built[entry.name] = _build(root, entry, state)
        for entry in plan.ordered():
            step = f"verify {entry.name}"
            with _console.step(step):
                _verify(root, plan, entry, built[entry.name], state)
        step = "checks"
        with _console.step(step):  # before the first upload: they passed on the release commit
            if checks is None:
                _console.info("none on the release commit (--no-checks, or none configured)")
            else:
                from releasekit.release.checks import passed_on_commit

                passed_on_commit(checks, root, state.commit)
    except BaseException as exc:  # anything, releasekit's or not: roll back, then say it once
        with engine.SIGNALS.held():
            if checks is not None:
                checks.stop()
            rolled_back = engine.rollback(root, state, before)
        if not isinstance(exc, KeyboardInterrupt) and not engine.SIGNALS.received:
            rolled_back = f"the whole train is rolled back, nothing was uploaded; {rolled_back}"
        raise engine.failure(exc, step, rolled_back) from None
    state.phase = "public"
    save_state(root, state)
    _finish(flight.workspace.project, request, state, resumed=False)
    return state


def resume(root: Path, request: Request) -> State:
    """Finish a train that failed at or after its first upload."""
    from releasekit import release as engine

    state = engine.recorded_release(root, train=True)
    if request.dry_run:
        todo = [f"publish {c.name}" for c in state.packages if not c.published]
        todo += [] if "push" in state.done or request.no_push else ["push"]
        print(f"Would finish the train ({state.summary}): {', '.join(todo) or 'nothing'}")
        return state
    from releasekit import pypi_rules

    project = Project(root)
    # The target (retargeted by --repository) and its credentials before anything else,
    # as in the preflight; only for what is not uploaded yet.
    if state.target is not None and not all(c.published for c in state.packages):
        engine.retarget_state(project.settings, request.repository, state)
    adding = []
    for package in state.packages:  # the files verified on the first run, kept: never a rebuild
        if not package.published:
            files = engine.kept_files(package.kept_dir(root), package.files)
            if pypi_rules.enabled(Project(root / package.path).settings, state.target):
                adding.append((package.name, package.version, files))
    if state.target is not None and adding:
        pypi_rules.release_age(state.target, adding)
    save_state(root, state)  # a new target is recorded once the checks of it passed
    _finish(project, request, state, resumed=True)
    return state


def _finish(project: Project, request: Request, state: State, *, resumed: bool) -> None:
    """The public steps, a single release's with N packages; then back to development."""
    from releasekit import release as engine

    run = engine.Run(project, request, state=state, resumed=resumed)
    engine.finish(run)
    _console.info(f"released {state.summary} ({' '.join(state.tags)})")
    _back_to_development(project, state, run.pushed or state.commit)
