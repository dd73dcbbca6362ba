"""The steps of a release, as one list (:data:`STEPS`), and what they share (:class:`Run`).

In order: changelog, commit and tag, build, verify, checks (on the release
commit, started with the build), publish, push; the same for one package
and for N (a step's ``each`` runs for every package in turn). The local
ones are undone on any failure; the public ones cannot be, so the journal
records each as done. The driver, the dry-run plan and ``--resume`` all
read the same list.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from releasekit import _console, _hashing, changelog, dists, git, versions, wheels
from releasekit.project import Project
from releasekit.release import artifacts, tiers
from releasekit.release.checks import (
    SERVED_BY_RELEASE,
    BackgroundChecks,
    check_sessions,
    in_background,
    passed_on_commit,
)
from releasekit.release.cut import Cut, Plan
from releasekit.release.journal import (
    KEPT_DIR,
    STATE_DIR,
    State,
    kept_files,
    mirror,
    own_dir,
    refuse,
    save_state,
)
from releasekit.release.preflight import (
    check_commit_holds_only,
    check_index_holds_only,
    check_one_parent,
    version_config,
)
from releasekit.release.request import Request


@dataclasses.dataclass
class Run:
    """Everything the steps share, in one object (zest.releaser's ``data``)."""

    #: The project at the root: a single release's, a workspace's root for a train.
    project: Project
    request: Request
    plan: Plan | None = None
    head: str = ""
    commit: str = ""
    epoch: int = 0
    #: Each package's files, as the build yields them for publishing (a platform
    #: wheel is repaired or held back).
    files: dict[str, wheels.ReleaseFiles] = dataclasses.field(default_factory=dict)
    state: State | None = None
    #: The checks running on the release commit beside build and verify.
    commit_checks: BackgroundChecks | None = None
    #: The commit the push step left on the remote branch (the release commit, or a merge).
    pushed: str = ""
    #: The state was read back from the journal (``--resume``), not made by this run.
    resumed: bool = False
    #: Each package's project, by name (``post_release_dev`` is each one's own).
    projects: dict[str, Project] = dataclasses.field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.project.root

    def need_plan(self) -> Plan:
        assert self.plan is not None, "a local step runs only in a fresh release"
        return self.plan

    def need_state(self) -> State:
        assert self.state is not None, "a public step runs only once the release is recorded"
        return self.state

    def stop_checks(self) -> None:
        """Stop the checks on the release commit, if still running, and wait for them."""
        if self.commit_checks is not None:
            self.commit_checks.stop()
            self.commit_checks = None


def _changelog(run: Run) -> None:
    """Each package's changelog section, with towncrier (a pre-release keeps the fragments).

    A package whose requirements the release widens gets an entry saying so,
    written as a fragment first, tracked like any (all that towncrier reads).
    """
    for cut in run.need_plan().cuts:
        if cut.generated is not None:
            from releasekit import workspace

            text = "\n".join(workspace.widening_text(w) for w in cut.widenings)
            changelog.write_fragment(cut.project.root, cut.generated.name, text)
            if not cut.generated.is_file():
                refuse(f"towncrier create did not write {cut.generated}")
            git.git(cut.project.root, "add", "--", str(cut.generated), mutates=True)
        # A pre-release keeps the fragments: the final release lists the whole series.
        changelog.build(cut.project.root, cut.new, keep=versions.is_prerelease(cut.new))


def _tag_message(plan: Plan, cut: Cut) -> str:
    """The tag's message: bump-my-version's ``tag_message``, else the commit's (a train's own)."""
    message = cut.tag_message or (f"Release {cut.new}" if plan.train else plan.commit_message)
    return f"{cut.name} {cut.new}" if message == cut.new else message


def _commit_and_tag(run: Run) -> None:
    """Move every version, widen the requirements, re-lock; one commit, an annotated tag each.

    bump-my-version moves each package's version (the tags: nothing to move),
    the release commits exactly the files it touched and tags each package,
    as bump-my-version's ``tag_name``, ``tag_message`` and ``sign_tags`` say.
    """
    plan, state, root = run.need_plan(), run.need_state(), run.root
    for cut in plan.cuts:
        versions.source_for(cut.project).write(cut.new)
    if any(cut.widenings for cut in plan.cuts):
        from releasekit import workspace

        for cut in plan.cuts:
            for w in cut.widenings:
                workspace.rewrite_requirement(w.pyproject, w.old, w.new)
    if plan.lock is not None:  # once, after every version and requirement moved
        from releasekit import lockfile

        lockfile.relock(plan.lock, timeout=run.project.settings.network_timeout)
    # The commit takes the index: nothing else staged may go in; and from here
    # on an edit to a touched file is someone else's, kept by the rollback.
    check_index_holds_only(root, sorted(state.touched))
    record_written(run)
    present = [p for p in sorted(state.touched) if (root / p).exists()]
    git.git(root, "add", "--", *present, mutates=True)
    # The release's by identity (its new tags name it): the rollback takes it back.
    # bump-my-version's commit_args, as it would pass them (checked in the preflight).
    run.commit = state.commit = git.commit(root, plan.commit_message, args=plan.commit_args)
    save_state(root, state)
    check_one_parent(root, run.commit, run.head)
    check_commit_holds_only(root, run.commit, run.head, sorted(state.touched))
    for cut in plan.cuts:
        git.annotated_tag(root, cut.tag, _tag_message(plan, cut), sign=cut.bump.sign_tags)
    if git.status(root):
        refuse("the release commit left changes behind: is every file committed?")
    run.epoch = git.commit_timestamp(root, run.commit)


def _start_commit_checks(run: Run) -> None:
    """Start each package's checks on the release commit itself; publish waits for them.

    The preflight checked the tree before the release (or knew its verdict);
    the commit adds the new versions and the changelogs, which a check may
    read (a test of ``__version__``, docs that include the changelog), so
    what is published is what was checked. They run in the work tree, which
    no step touches from here on (the build reads a clean export), beside
    build and verify, one package after another; their verdict serves the
    next release when only changelog fragments are committed meanwhile.
    """
    if run.request.no_checks:
        return
    plan = run.need_plan()
    runs = []
    for cut in plan.cuts:
        # The audit asks about the dependencies, which the release commit does not move.
        sessions = [s for s in cut.settings.checks if s not in SERVED_BY_RELEASE]
        if cut.settings.check_release_commit and sessions:
            where = f" ({cut.name}, {cut.tag})" if plan.train else f" {cut.tag}"
            runs.append((cut.project.root, sessions, f" on the release commit{where}"))
    if not runs:
        return
    shown = "; ".join(
        (f"{root.name}: " if plan.train else "") + f"nox -s {' '.join(sessions)}"
        for root, sessions, _ in runs
    )
    _console.info(f"checks on the release commit, meanwhile: {shown}")
    run.commit_checks = in_background(runs, cache=not run.request.no_cache)


def _checks(run: Run) -> None:
    """Wait for the checks on the release commit: what is published is what was checked."""
    checks = run.commit_checks
    if checks is None:
        off = any(not cut.settings.check_release_commit for cut in run.need_plan().cuts)
        _console.info("not run on the release commit (check_release_commit = false)" if off
                      else "no check configured")  # fmt: skip
        return
    run.commit_checks = None  # waited for and stopped here
    passed_on_commit(checks, run.root, run.commit)


def _build(run: Run, cut: Cut) -> None:
    """Build the package from a clean export of the release commit (the checks start first)."""
    if not run.files:  # the first package: the checks on the release commit start beside
        _start_commit_checks(run)
    # Into the journal's own directory: verify checks those files and publish
    # uploads them, so nothing written to ``dist/`` meanwhile can reach the index.
    state = run.need_state()
    package = state.named(cut.name)
    kept = own_dir(run.root, f"{STATE_DIR}/{KEPT_DIR}/{package.name}")
    files = artifacts.build(cut.project.root, run.commit, kept, cut.new,
                            publish_wheels=cut.settings.publish_wheels,
                            fresh_env=run.request.no_cache)  # fmt: skip
    run.files[cut.name] = files
    # Recorded now, before verify reads them; verify ends by checking they are still these.
    package.files = _hashing.digests(files.publish)
    save_state(run.root, state)
    mirror(run.root, kept, package.dist_dir(run.root))


def _verify(run: Run, cut: Cut) -> None:
    """Check the built files (twine, check-wheel-contents, metadata) and install the wheel.

    The install takes the wheels of this release's packages it needs beside
    it (they are not on the index yet) and, when it needs other packages of
    its workspace, the rest from the target index.
    """
    from releasekit import pypi_rules

    root, state = run.root, run.need_state()
    files, target, package = run.files[cut.name], state.target, state.named(cut.name)
    pypi_rules.verify(cut.project, files.publish, target, commit=run.commit,
                      fresh=run.request.no_cache)  # fmt: skip
    index = target.simple_url if target is not None and package.siblings else None
    beside = [dists.find(state.named(name).kept_dir(root)).wheel for name in cut.needs]
    what = f"{package.import_name!r} in a fresh environment"
    what += f" with the release's wheels of {', '.join(cut.needs)}" if cut.needs else ""
    what += f" with its dependencies from {index}" if index else ""
    subject = f"the wheel of {package.name} {package.version}" if state.train else "the wheel"
    artifacts.verify(
        files,
        name=package.name,
        new=package.version,
        import_name=package.import_name,
        project_dir=cut.project.root,
        install=lambda wheel: artifacts.install_and_import(
            [wheel, *beside], package.import_name, index, subject=subject, what=what
        ),
    )
    kept_files(package.kept_dir(root), package.files)


def _publish(run: Run) -> None:
    """Upload the verified files, skip those the index holds with the same sha256, confirm."""
    settings = run.project.settings
    tiers.publish(run.root, run.need_state(), timeout=settings.network_timeout,
                  confirm=not run.request.no_confirm and settings.confirm_install)  # fmt: skip


def _push(run: Run) -> None:
    """Push the release commit and its tags, by SHA, atomically."""
    run.pushed = tiers.push(run.root, run.need_state(), resumed=run.resumed,
                            timeout=run.project.settings.network_timeout)  # fmt: skip


def _always(request: Request, state: State) -> bool:
    return True


@dataclasses.dataclass(frozen=True)
class Step:
    """One named step of the release: what it does, and what the plan says it will do."""

    name: str
    #: What it does for the whole release (``each`` instead: for each package in turn).
    action: Callable[[Run], None] | None
    #: Its lines in the plan of a single release (``--dry-run``, the question before it).
    describe: Callable[[Run], list[str]]
    #: What it does for one package: run for each, in release order, each named
    #: as its part of the step in a train ("build b"), as the step alone in a
    #: single release.
    each: Callable[[Run, Cut], None] | None = None
    #: Public steps cannot be undone: from the first one on, the release is
    #: journaled and finished by ``--resume`` instead of rolled back.
    public: bool = False
    #: Whether the request (and the recorded state) want this step at all.
    wanted: Callable[[Request, State], bool] = _always
    #: The option that skips it, for the output.
    skip_flag: str = ""
    #: Whether it writes the files the release touches. Until its writes are
    #: recorded (the journal's ``writing``), what is in them is its own and is
    #: undone; an edit made after they were recorded is someone else's, kept.
    writes: bool = False


# --- what each step will do, in the plan of a single release ------------------------------
# (a train's plan is its tiers: :func:`releasekit.train.plan_lines`)


def _describe_changelog(run: Run) -> list[str]:
    project, plan = run.project, run.need_plan()
    root, cut = project.root, plan.one
    towncrier = changelog.settings(root)
    changed = sorted({str(towncrier.filename.relative_to(root)), *cut.bump.files,
                      *version_config(cut.project)})  # fmt: skip
    if plan.lock is not None:
        changed.append(f"{os.path.relpath(plan.lock, root)} (re-locked with uv)")
    removed = [str(path.relative_to(root)) for path in cut.fragments]
    if versions.is_prerelease(cut.new):
        removed = ["none (a pre-release keeps the fragments for the final release)"]
    return [f"  changes:   {', '.join(changed)}", f"  removes:   {', '.join(removed)}"]


def _describe_commit_and_tag(run: Run) -> list[str]:
    plan = run.need_plan()
    signed = "signed" if plan.one.bump.sign_tags else "not signed"
    return [
        f"  commit:    {plan.commit_shown}",
        f"  tag:       {plan.one.tag} (annotated, {signed})",
    ]


def _describe_build(run: Run) -> list[str]:
    return ["  build:     sdist and wheel in dist/, SOURCE_DATE_EPOCH from the release commit"]


def _describe_verify(run: Run) -> list[str]:
    return ["  verify:    twine check --strict, check-wheel-contents, install and import"]


def _describe_checks(run: Run) -> list[str]:
    project, request = run.project, run.request
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
    return [f"  checks:    {checks}"]


def _describe_publish(run: Run) -> list[str]:
    project, plan = run.project, run.need_plan()
    root = project.root
    target = plan.target.shown if plan.target else "none (--no-publish)"
    files = wheels.plan(
        root, git.tracked(root), plan.one.name, plan.one.new, project.settings.publish_wheels
    )
    return [f"  publish:   {target}", f"  files:     {files}"]


def _describe_push(run: Run) -> list[str]:
    project, plan = run.project, run.need_plan()
    remote = project.settings.remote
    push = "no" if run.request.no_push else f"{plan.branch} and {plan.one.tag} to {remote}"
    lines = [f"  push:      {push}"]
    from releasekit.release.development import planned

    cut = plan.one
    for dev in planned([(cut.name, cut.project, cut.new)], train=False):
        lines.append(f"  then:      commit {dev} (post_release_dev)")
    return lines


STEPS: tuple[Step, ...] = (
    Step("changelog", _changelog, _describe_changelog, writes=True),
    Step("commit and tag", _commit_and_tag, _describe_commit_and_tag, writes=True),
    Step("build", None, _describe_build, each=_build),
    Step("verify", None, _describe_verify, each=_verify),
    Step(
        "checks",
        _checks,
        _describe_checks,
        wanted=lambda o, s: not o.no_checks,
        skip_flag="--no-checks",
    ),
    Step(
        "publish",
        _publish,
        _describe_publish,
        public=True,
        wanted=lambda o, s: not o.no_publish and s.target is not None,
        skip_flag="--no-publish",
    ),
    Step(
        "push",
        _push,
        _describe_push,
        public=True,
        wanted=lambda o, s: not o.no_push,
        skip_flag="--no-push",
    ),
)


def record_written(run: Run) -> None:
    """After a local step: remember what the release wrote, to tell it from others' edits."""
    state = run.need_state()
    state.touched = {path: _hashing.sha256_or_empty(run.root / path) for path in state.touched}
    state.commit = run.commit
    state.writing = ""
    save_state(run.root, state)
