"""The steps of a release, as one list (:data:`STEPS`), and what they share (:class:`Run`).

In order: changelog, commit and tag, build, verify, checks (on the release
commit, started with the build), publish, push. The local ones are undone on
any failure; the public ones cannot be, so the journal records each as done.
The driver, the dry-run plan and ``--resume`` all read the same list.
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
    checks_in_background,
    passed_on_commit,
)
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
from releasekit.release.preflight import Plan, check_index_holds_only, check_one_parent
from releasekit.release.request import Request
from releasekit.release.restore import ref, tags_commit


@dataclasses.dataclass
class Run:
    """Everything the steps share, in one object (zest.releaser's ``data``)."""

    project: Project
    request: Request
    plan: Plan | None = None
    head: str = ""
    tags_before: set[str] = dataclasses.field(default_factory=set)
    commit: str = ""
    epoch: int = 0
    built: dists.Dists | None = None
    #: What the build yields for publishing (a platform wheel is repaired or held back).
    release_files: wheels.ReleaseFiles | None = None
    state: State | None = None
    #: The checks running on the release commit beside build and verify.
    commit_checks: BackgroundChecks | None = None
    #: The commit the push step left on the remote branch (the release commit, or a merge).
    pushed: str = ""
    #: The state was read back from the journal (``--resume``), not made by this run.
    resumed: bool = False

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
    """Write the changelog section with towncrier (a pre-release keeps the fragments)."""
    new = run.need_plan().new
    # A pre-release keeps the fragments: the final release lists the whole series.
    changelog.build(run.root, new, keep=versions.is_prerelease(new))


def _commit_and_tag(run: Run) -> None:
    """Move the version in every file, re-lock uv.lock, commit and make the annotated tag."""
    plan, state = run.need_plan(), run.need_state()
    relocked: list[Path] = []

    def before_commit() -> None:
        """Every file is written, nothing committed yet: re-lock, check the index, record.

        The new lock goes in with the commit; nothing else staged may; and from
        here on an edit to a touched file is someone else's, kept by the rollback.
        """
        from releasekit import lockfile

        if plan.lock is not None:
            lockfile.relock(plan.lock, timeout=run.project.settings.network_timeout)
            relocked.append(plan.lock)
        check_index_holds_only(run.root, sorted(state.touched))
        record_written(run)

    versions.source_for(run.project).commit_and_tag(
        plan.bump, plan.new, plan.commit_message, before_commit=before_commit
    )
    if plan.lock is not None and not relocked:
        refuse(f"bump-my-version committed before {plan.lock.name} was re-locked")
    head = git.head(run.root)
    tag = ref(run.root, f"refs/tags/{plan.tag}")
    if head == run.head or not tag or not tags_commit(run.root, tag, head):
        refuse(f"bump-my-version did not make the release commit and the tag {plan.tag}")
    # The release's by identity (its new tag names it): the rollback takes it back.
    run.commit = state.commit = head
    save_state(run.root, state)
    check_one_parent(run.root, head, run.head)
    if git.status(run.root):
        refuse("the release commit left changes behind: is every file committed?")
    run.epoch = git.commit_timestamp(run.root, run.commit)


def _start_commit_checks(run: Run) -> None:
    """Start the configured checks on the release commit itself; publish waits for them.

    The preflight checked the tree before the release (or knew its verdict);
    the commit adds the new version and the changelog, which a check may read
    (a test of ``__version__``, docs that include the changelog), so what is
    published is what was checked. They run in the work tree, which no step
    touches from here on (the build reads a clean export), beside build and
    verify; their verdict serves the next release when only changelog
    fragments are committed meanwhile.
    """
    settings = run.project.settings
    if run.request.no_checks or not settings.check_release_commit:
        return
    # The audit asks about the dependencies, which the release commit does not move.
    sessions = [s for s in settings.checks if s not in SERVED_BY_RELEASE]
    if not sessions:
        return
    _console.info(f"checks on the release commit, meanwhile: nox -s {' '.join(sessions)}")
    run.commit_checks = checks_in_background(
        run.root,
        sessions,
        cache=not run.request.no_cache,
        where=f" on the release commit {run.need_plan().tag}",
    )


def _checks(run: Run) -> None:
    """Wait for the checks on the release commit: what is published is what was checked."""
    checks = run.commit_checks
    if checks is None:
        off = not run.project.settings.check_release_commit
        _console.info("not run on the release commit (check_release_commit = false)" if off
                      else "no check configured")  # fmt: skip
        return
    run.commit_checks = None  # waited for and stopped here
    passed_on_commit(checks, run.root, run.commit)


def _build(run: Run) -> None:
    """Build the sdist and wheel from a clean export of the release commit; start its checks."""
    _start_commit_checks(run)
    # Into the journal's own directory: verify checks those files and publish
    # uploads them, so nothing written to ``dist/`` meanwhile can reach the index.
    package = run.need_state().package
    kept = own_dir(run.root, f"{STATE_DIR}/{KEPT_DIR}/{package.name}")
    run.release_files = artifacts.build(
        run.root,
        run.commit,
        kept,
        run.need_plan().new,
        publish_wheels=run.project.settings.publish_wheels,
        fresh_env=run.request.no_cache,
    )
    run.built = run.release_files.dists
    # Recorded now, before verify reads them; verify ends by checking they are still these.
    package.files = _hashing.digests(run.release_files.publish)
    mirror(run.root, kept, package.dist_dir(run.root))


def needs_siblings(project: Project) -> bool:
    """Whether the project is a workspace member that needs other members (released alone).

    Its siblings come from the target index, as a user installing it from that
    index gets them: verify and confirm install them from there (a train's
    members are confirmed by the same rule). Asked once, at the cut: the
    journal keeps the answer (``Package.siblings``).
    """
    from releasekit import workspace

    member = workspace.membership(project.root)
    return member is not None and bool(member[1].needs)


def _verify(run: Run) -> None:
    """Check the built files (twine, check-wheel-contents, metadata) and install the wheel."""
    from releasekit import pypi_rules

    settings = run.project.settings
    assert run.release_files is not None
    target = run.need_state().target
    pypi_rules.verify(run.project, run.release_files.publish, target, commit=run.commit,
                      fresh=run.request.no_cache)  # fmt: skip
    package = run.need_state().package
    index = target.simple_url if target is not None and package.siblings else None
    artifacts.verify(
        run.release_files,
        name=settings.project_name,
        new=run.need_plan().new,
        import_name=settings.import_name,
        project_dir=run.root,
        install=lambda wheel: artifacts.install_and_import(
            [wheel],
            settings.import_name,
            index,
            subject="the wheel",
            what=f"{settings.import_name!r} in a fresh environment"
            + (f" with its dependencies from {index}" if index else ""),
        ),
    )
    kept_files(package.kept_dir(run.root), package.files)


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
    action: Callable[[Run], None]
    #: Its lines in the plan (``--dry-run``, the question before a release).
    describe: Callable[[Run], list[str]]
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


# --- what each step will do, for the plan (``--dry-run``, the question) ---------------


def _describe_changelog(run: Run) -> list[str]:
    project, plan = run.project, run.need_plan()
    root = project.root
    towncrier = changelog.settings(root)
    changed = sorted({str(towncrier.filename.relative_to(root)), *plan.bump.files})
    if plan.lock is not None:
        changed.append(f"{os.path.relpath(plan.lock, root)} (re-locked with uv)")
    removed = [str(f.path.relative_to(root)) for f in plan.fragments]
    if versions.is_prerelease(plan.new):
        removed = ["none (a pre-release keeps the fragments for the final release)"]
    return [f"  changes:   {', '.join(changed)}", f"  removes:   {', '.join(removed)}"]


def _describe_commit_and_tag(run: Run) -> list[str]:
    plan = run.need_plan()
    signed = "signed" if plan.bump.sign_tags else "not signed"
    return [
        f"  commit:    {plan.commit_message!r} on {plan.branch}",
        f"  tag:       {plan.tag} (annotated, {signed})",
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
        root, git.tracked(root), plan.project, plan.new, project.settings.publish_wheels
    )
    return [f"  publish:   {target}", f"  files:     {files}"]


def _describe_push(run: Run) -> list[str]:
    project, plan = run.project, run.need_plan()
    remote = project.settings.remote
    push = "no" if run.request.no_push else f"{plan.branch} and {plan.tag} to {remote}"
    lines = [f"  push:      {push}"]
    source = versions.source_for(project)
    dev = source.development_after(plan.new) if project.settings.post_release_dev else None
    if dev:
        lines.append(f"  then:      commit {dev} (post_release_dev)")
    return lines


STEPS: tuple[Step, ...] = (
    Step("changelog", _changelog, _describe_changelog, writes=True),
    Step("commit and tag", _commit_and_tag, _describe_commit_and_tag, writes=True),
    Step("build", _build, _describe_build),
    Step("verify", _verify, _describe_verify),
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
