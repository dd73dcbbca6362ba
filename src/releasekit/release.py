"""The release: named steps, all or nothing before publishing, resumable after.

preflight and version only read; then the steps of :data:`STEPS` run in
order: changelog, commit and tag, build, verify, checks (on the release
commit, started with the build), publish, push. Until the
first public step every change is local and is undone on any failure (Ctrl-C
included). Publishing is final, so from there on releasekit records where the
release stands in ``.releasekit/state.json`` (ignored by git) and ``--resume``
finishes the public steps that are left, doing nothing twice. The driver,
the dry-run plan and ``--resume`` all read the same list of steps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit import _console, _runner, _venv, changelog, dists, git, publish, version, wheels
from releasekit._exceptions import CommandError, ReleaseError, ReleaseKitError
from releasekit.options import ReleaseOptions
from releasekit.project import Project

__all__ = ["STEPS", "ReleaseError", "ReleaseOptions", "State", "release", "resume"]

STATE_DIR = ".releasekit"
STATE_FILE = "state.json"


@dataclasses.dataclass(frozen=True)
class Plan:
    project: str
    current: str
    new: str
    reason: str
    tag: str
    branch: str
    commit_message: str
    bump: version.BumpConfig
    fragments: list[changelog.Fragment]
    target: publish.Target | None


@dataclasses.dataclass
class State:
    """The journal of a release, written from its first change on.

    While ``phase`` is ``"local"`` nothing is public: ``--abort`` (or the
    rollback of a failure) undoes it from ``head_before`` and ``touched``.
    From ``"public"`` on, ``--resume`` finishes the public steps.
    """

    project: str
    version: str
    tag: str
    commit: str
    branch: str
    remote: str
    source_date_epoch: int
    files: dict[str, str]
    upload_url: str = ""
    simple_url: str = ""
    repository_name: str = ""
    #: Where the target came from (:data:`publish.SOURCES`), for ``--resume``.
    repository_source: str = ""
    done: list[str] = dataclasses.field(default_factory=list)
    phase: str = "public"
    head_before: str = ""
    #: Files the release changes: path -> sha256 of what it last wrote there
    #: ("" when it removed the file, None before it wrote anything).
    touched: dict[str, str | None] = dataclasses.field(default_factory=dict)

    @property
    def target(self) -> publish.Target | None:
        if not self.upload_url:
            return None
        return publish.Target(
            self.upload_url, self.simple_url, self.repository_name, self.repository_source
        )


def state_path(root: Path) -> Path:
    return root / STATE_DIR / STATE_FILE


def write_journal(root: Path, filename: str, data: dict[str, Any]) -> None:
    """Write a journal atomically (tempfile + ``os.replace``); the directory ignores itself."""
    directory = root / STATE_DIR
    directory.mkdir(exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".journal-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, directory / filename)


def save_state(root: Path, state: State) -> None:
    """Write the release's journal."""
    write_journal(root, STATE_FILE, dataclasses.asdict(state))


PHASES = ("local", "public")


def _state_problem(data: Any) -> str:
    """What is wrong with a journal read from disk, or ``""``."""
    if not isinstance(data, dict):
        return "it is not a JSON object"
    hints = {f.name: f for f in dataclasses.fields(State)}
    unknown = sorted(set(data) - set(hints))
    if unknown:
        return f"unknown field {unknown[0]!r}"
    required = [n for n, f in hints.items() if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]  # fmt: skip
    missing = [n for n in required if n not in data]
    if missing:
        return f"field {missing[0]!r} is missing"
    strings = ("project", "version", "tag", "commit", "branch", "remote", "upload_url",
               "simple_url", "repository_name", "repository_source", "phase",
               "head_before")  # fmt: skip
    for name in strings:
        if name in data and not isinstance(data[name], str):
            return f"{name!r} must be a string, not {type(data[name]).__name__}"
    epoch = data["source_date_epoch"]
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        return "'source_date_epoch' must be an integer"
    files = data["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        return "'files' must map file names to sha256 digests"
    done = data.get("done", [])
    public = [s.name for s in STEPS if s.public]
    if not isinstance(done, list) or not all(isinstance(d, str) and d in public for d in done):
        return f"'done' must be a list of steps among {', '.join(public)}"
    if data.get("phase", "public") not in PHASES:
        return f"'phase' must be one of {', '.join(PHASES)}"
    touched = data.get("touched", {})
    if not isinstance(touched, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in touched.items()
    ):
        return "'touched' must map paths to sha256 digests"
    return ""


def load_state(root: Path) -> State | None:
    """Read the journal; anything off is one line and no action."""
    path = state_path(root)
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(path.read_text())
    except ValueError:
        data = None
    problem = _state_problem(data) if data is not None else "it is not valid JSON"
    if problem:
        msg = (
            f"{path} is not a release state that this releasekit can read ({problem}): "
            "nothing was done; check the repository and the index, then remove the file"
        )
        raise ReleaseError(msg)
    return State(**data)


def remove_journal(root: Path, filename: str) -> None:
    """Remove a journal, and the directory too when nothing else is left in it."""
    directory = root / STATE_DIR
    (directory / filename).unlink(missing_ok=True)
    gitignore = directory / ".gitignore"
    if directory.is_dir() and not any(p != gitignore for p in directory.iterdir()):
        gitignore.unlink(missing_ok=True)
        directory.rmdir()


def clear_state(root: Path) -> None:
    remove_journal(root, STATE_FILE)


# --- preflight ---------------------------------------------------------------


def _refuse(message: str) -> NoReturn:
    raise ReleaseError(message)


def _version_on_index(files: dict[str, str], new: str) -> bool:
    wanted = Version(new)
    for filename in files:
        try:
            if filename.endswith(".whl"):
                found = parse_wheel_filename(filename)[1]
            else:
                found = parse_sdist_filename(filename)[1]
        except ValueError:
            continue
        if found == wanted:
            return True
    return False


def next_from_fragments(
    project: Project, frags: list[changelog.Fragment] | None = None
) -> tuple[version.BumpConfig, str, str]:
    """The version the changelog fragments call for: its configuration, itself, and why."""
    frags = changelog.fragments(project.root) if frags is None else frags
    types = sorted({f.type for f in frags})
    settings = project.settings
    source = project.version_source
    part = changelog.infer_part(
        types, settings.bump_map, source.current(), settings.zero_major_part
    )
    bump_config, new = source.choose(part=part, new_version=None)
    return bump_config, new, f"{part}, from the fragments: {', '.join(types)}"


def _choose_version(
    project: Project, options: ReleaseOptions, frags: list[changelog.Fragment]
) -> tuple[version.BumpConfig, str, str]:
    cycle = version.choose_cycle(
        project.root,
        project.settings,
        part=options.part,
        new_version=options.new_version,
        pre=options.pre,
        fragment_types=[f.type for f in frags],
    )
    if cycle is not None:  # a pre-release, or the release after one
        return cycle
    if options.part or options.new_version:
        bump_config, new = project.version_source.choose(
            part=options.part, new_version=options.new_version
        )
        reason = f"--part {options.part}" if options.part else "--new-version"
        return bump_config, new, reason
    return next_from_fragments(project, frags)


# The release builds and verifies its own sdist and wheel (build, twine check,
# check-wheel-contents and more), so a `build` check would only do it twice.
SERVED_BY_RELEASE = frozenset({"build"})


def _run_one_check(
    root: Path, session: str, cancel: threading.Event | None
) -> ReleaseKitError | None:
    args = [*_runner.tool("nox"), "--no-color", "-s", session]
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    try:
        _runner.run(args, cwd=root, env=env, mutates=False, cancel=cancel)
    except CommandError as exc:
        return exc
    return None


def run_checks(
    root: Path,
    sessions: list[str],
    *,
    cache: bool = True,
    cancel: threading.Event | None = None,
    where: str = "",
) -> None:
    """Run the configured nox sessions, in parallel, skipping known verdicts.

    A session that already passed on this exact tree and environment (see
    ``_verdicts``) is not run again unless ``cache`` is false. Setting
    ``cancel`` stops the sessions still running (a cheaper refusal won).

    :param where: what was checked, for the failure's message.
    """
    from releasekit import _verdicts

    todo = []
    for session in sessions:
        if session in SERVED_BY_RELEASE:
            _console.info(f"{session}: done by the release's own build and verify steps")
        elif cache and _verdicts.passed(root, _verdicts.key(root, session)):
            _console.info(f"{session}: passed on this tree before (cached; --no-cache reruns)")
        else:
            todo.append(session)
    if not todo:
        return
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda s: (s, _run_one_check(root, s, cancel)), todo))
    failed = [(s, exc) for s, exc in results if exc is not None]
    if failed:
        names = ", ".join(s for s, _ in failed)
        msg = f"the configured check {names} failed{where} (nox -s {' '.join(todo)})"
        raise ReleaseError(msg, details=failed[0][1].details) from None


def check_sessions(project: Project) -> list[str]:
    """The nox sessions of the preflight: ``checks``, and ``audit`` when configured."""
    settings = project.settings
    sessions = list(settings.checks)
    if settings.audit_on_release and "audit" not in sessions:
        sessions.append("audit")
    return sessions


def preflight(project: Project, options: ReleaseOptions) -> Plan:
    """Refuse, before anything changes, every release that cannot succeed.

    The tree and the branch come first; then the checks start, and the
    fragments, the version, the local tag, the remote and the index are asked
    while they run: a refusal (a typo) stops the checks at once.
    """
    root, settings = project.root, project.settings
    if not settings.project_name:
        _refuse(f"no [project] name in {settings.pyproject}")
    git.toplevel(root)
    dirty = git.status(root)
    if dirty:
        example = dirty[0][3:]
        _refuse(
            f"the work tree is not clean ({len(dirty)} changed or untracked, e.g. {example}): "
            "commit or stash first"
        )
    branch = git.current_branch(root)
    if not branch:
        _refuse("HEAD is detached: check out a release branch first")
    if branch not in settings.branches:
        _refuse(
            f"branch {branch!r} is not a release branch "
            f"(allowed: {', '.join(settings.branches)}; [tool.releasekit] branches)"
        )
    sessions = check_sessions(project)
    if options.no_checks or not sessions or options.dry_run:
        return _ask_around(project, options, _local_plan(project, options, branch))
    # The checks start first (they take longest); every other question is
    # asked meanwhile, and a refusal stops them at once.
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        checks = pool.submit(run_checks, root, sessions, cache=not options.no_cache, cancel=cancel)
        try:
            plan = _ask_around(project, options, _local_plan(project, options, branch))
        except BaseException:
            cancel.set()  # the refusal is the answer: stop the checks now
            raise
        failed = checks.exception()  # waits: nothing is left running
    if failed is not None:
        raise failed
    return plan


def _local_plan(project: Project, options: ReleaseOptions, branch: str) -> Plan:
    """The fragments, the version and the local tag: what needs no network."""
    root = project.root
    changelog.check_consumed(root)
    frags = changelog.fragments(root)
    if not frags and not version.current_is_prerelease(project.version_source):
        # After a pre-release, the next one and the final release need no new fragment.
        directory = changelog.settings(root).directory
        _refuse(
            f"no changelog fragment in {directory.relative_to(root)}/: add one with "
            "`invoke fragment TYPE TEXT` or `towncrier create`"
        )
    bump_config, new, reason = _choose_version(project, options, frags)
    if project.settings.post_release_dev:
        version.check_post_release(root, project.settings, new)
    tag = bump_config.tag_for(new)
    if git.local_tag_exists(root, tag):
        _refuse(f"the tag {tag} already exists in this repository")
    message = bump_config.message or "Bump version: {current_version} → {new_version}"
    return Plan(
        project=project.name,
        current=bump_config.current_version,
        new=new,
        reason=reason,
        tag=tag,
        branch=branch,
        commit_message=message.replace("{current_version}", bump_config.current_version).replace(
            "{new_version}", new
        ),
        bump=bump_config,
        fragments=frags,
        target=None,
    )


def _ask_around(project: Project, options: ReleaseOptions, plan: Plan) -> Plan:
    """The preflight's questions to the remote and the index."""
    root, settings = project.root, project.settings
    has_remote = git.has_remote(root, settings.remote)
    if not options.no_push:
        if not has_remote:
            _refuse(f"there is no git remote {settings.remote!r}: add it, or use --no-push")
        git.fetch(root, settings.remote)
        upstream = git.upstream(root)
        if upstream:
            count = git.behind(root, upstream)
            if count:
                _refuse(
                    f"branch {plan.branch!r} is {count} commit(s) behind {upstream}: pull first"
                )
    # Even with --no-push: a tag of that name on the remote means a version
    # that someone else already released, or will not be able to push.
    if has_remote and git.remote_tag_exists(root, settings.remote, plan.tag):
        _refuse(f"the tag {plan.tag} already exists on the remote {settings.remote!r}")
    if options.no_publish:
        return plan
    target = publish.resolve_target(options.repository, configured=settings.repository,
                                    index_url=settings.index_url,
                                    timeout=settings.network_timeout)  # fmt: skip
    publish.require_credentials(target, dry_run=options.dry_run)
    listed = publish.index_files(target, settings.project_name)
    if _version_on_index(listed, plan.new):
        _refuse(f"{settings.project_name} {plan.new} is already on {target.shown}")
    return dataclasses.replace(plan, target=target)


# --- the steps -----------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """Everything the steps share, in one object (zest.releaser's ``data``)."""

    project: Project
    options: ReleaseOptions
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
    commit_checks: _CommitChecks | None = None

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
            self.commit_checks.cancel.set()
            self.commit_checks.pool.shutdown(wait=True)
            self.commit_checks = None


@dataclasses.dataclass
class _CommitChecks:
    """The sessions running on the release commit, and how to stop or await them."""

    sessions: list[str]
    cancel: threading.Event
    pool: ThreadPoolExecutor
    result: Future[None]


def _changelog(run: Run) -> None:
    new = run.need_plan().new
    # A pre-release keeps the fragments: the final release lists the whole series.
    changelog.build(run.root, new, keep=version.is_prerelease(new))


def _commit_and_tag(run: Run) -> None:
    plan = run.need_plan()
    run.project.version_source.commit_and_tag(plan.bump, plan.new, plan.commit_message)
    if git.head(run.root) == run.head or not git.local_tag_exists(run.root, plan.tag):
        _refuse(f"bump-my-version did not make the release commit and the tag {plan.tag}")
    if git.status(run.root):
        _refuse("the release commit left changes behind: is every file committed?")
    run.commit = git.head(run.root)
    run.epoch = git.commit_timestamp(run.root, run.commit)


def _build_dists(root: Path, commit: str, new: str, *, fresh_env: bool) -> dists.Dists:
    """Build from a clean export of the release commit, never the work tree."""
    dist_dir = root / "dist"
    dists.clean(dist_dir)
    return dists.build_commit(root, commit, dist_dir, version=new, fresh_env=fresh_env)


def _release_files(
    project: Project, commit: str, new: str, *, fresh_env: bool = False
) -> wheels.ReleaseFiles:
    """Build, then let ``wheels`` decide what is verified and published (compiled code).

    :param fresh_env: build in a new environment, not the kept one (``--no-cache``).
    """
    built = _build_dists(project.root, commit, new, fresh_env=fresh_env)
    return wheels.prepare(built, publish_wheels=project.settings.publish_wheels)


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
    if run.options.no_checks or not settings.check_release_commit:
        return
    # The audit asks about the dependencies, which the release commit does not move.
    sessions = [s for s in settings.checks if s not in SERVED_BY_RELEASE]
    if not sessions:
        return
    _console.info(f"checks on the release commit, meanwhile: nox -s {' '.join(sessions)}")
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releasekit-checks")
    result = pool.submit(
        run_checks,
        run.root,
        sessions,
        cache=not run.options.no_cache,
        cancel=cancel,
        where=f" on the release commit {run.need_plan().tag}",
    )
    run.commit_checks = _CommitChecks(sessions, cancel, pool, result)


def _checks(run: Run) -> None:
    checks = run.commit_checks
    if checks is None:
        off = not run.project.settings.check_release_commit
        _console.info("not run on the release commit (check_release_commit = false)" if off
                      else "no check configured")  # fmt: skip
        return
    failed = checks.result.exception()  # waits for them
    run.stop_checks()
    if failed is not None:
        raise failed
    changed = git.status(run.root)
    if changed or git.head(run.root) != run.commit:
        example = f" (e.g. {changed[0][3:]})" if changed else ""
        _console.warn(
            f"the work tree changed while the checks ran{example}: they saw it as it was, "
            "not the release commit alone; the preflight's checks stand"
        )
        return
    _console.info(f"{', '.join(checks.sessions)} passed on the release commit")


def _build(run: Run) -> None:
    _start_commit_checks(run)
    run.release_files = _release_files(
        run.project, run.commit, run.need_plan().new, fresh_env=run.options.no_cache
    )
    run.built = run.release_files.dists


def _install_and_import(wheel: Path, import_name: str) -> None:
    with _venv.fresh() as python:
        try:
            _venv.install(python, [str(wheel)])
            _venv.python_c(python, f"import {import_name}")
        except CommandError as exc:
            msg = f"the wheel does not install and import {import_name!r} in a fresh environment"
            raise ReleaseError(msg, details=exc.details) from None


def _verify(run: Run) -> None:
    built, settings, new = run.built, run.project.settings, run.need_plan().new
    assert built is not None
    name, built_version = dists.wheel_metadata(built.wheel)
    if Version(built_version) != Version(new):
        _refuse(f"the wheel's metadata says version {built_version}, not {new}")
    if publish.normalize(name) != publish.normalize(settings.project_name):
        _refuse(f"the wheel's metadata names {name!r}, not {settings.project_name!r}")
    # The checks of the files and the install are independent: run them side by side.
    from releasekit import inprocess

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(dists.wheel_contents_check, built.wheel),
            pool.submit(_install_and_import, built.wheel, settings.import_name),
        ]
        inprocess.twine_check(built.files)  # in this thread: twine prints to stdout
        for future in futures:
            future.result()
    assert run.release_files is not None
    if not run.release_files.pure:
        wheels.verify_compiled(built.wheel, settings.import_name)


def _publish(run: Run) -> None:
    state, settings = run.need_state(), run.project.settings
    assert state.target is not None
    target = dataclasses.replace(state.target, timeout=settings.network_timeout)
    files = [run.root / "dist" / name for name in state.files]
    wheels.refuse_bare(files)
    publish.publish(target, state.project, files)
    if not run.options.no_confirm and settings.confirm_install:
        publish.confirm_install(
            target,
            state.project,
            state.version,
            build_requires=wheels.sdist_only_build_requires(files),
        )


def _push(run: Run) -> None:
    state = run.need_state()
    try:
        git.push(run.root, state.remote, state.branch, state.tag)
    except ReleaseKitError:
        if run.plan is not None:  # the first run: say so; --resume will bring it in
            raise
        _push_into_moved_branch(run.root, state)


def _push_into_moved_branch(root: Path, state: State) -> None:
    """The remote branch moved: push the tag, then merge the release into the branch."""
    remote, branch = state.remote, state.branch
    git.git(root, "push", remote, f"refs/tags/{state.tag}", mutates=True)
    _console.info(f"pushed the tag {state.tag}: it names what was published")
    git.git(root, "fetch", "--quiet", "--no-tags", remote, branch, mutates=True)
    theirs = f"refs/remotes/{remote}/{branch}"
    merged = _runner.run(
        [*_runner.tool("git"), "merge", "--no-edit", "-m",
         f"Merge the release {state.version} into {branch}", theirs],
        cwd=root, check=False,
    )  # fmt: skip
    if merged.returncode != 0:
        _runner.run([*_runner.tool("git"), "merge", "--abort"], cwd=root, check=False)
        msg = (
            f"{remote}/{branch} moved since the release and does not merge cleanly with the "
            f"release commit: run `git pull {remote} {branch}`, resolve, then "
            f"`git push {remote} {branch}` (the tag {state.tag} is already pushed)"
        )
        raise ReleaseError(msg, details=merged.output)
    git.git(root, "push", remote, f"HEAD:refs/heads/{branch}", mutates=True)
    _console.info(f"{remote}/{branch} had moved: merged the release commit into it and pushed")


def _always(options: ReleaseOptions, state: State) -> bool:
    return True


@dataclasses.dataclass(frozen=True)
class Step:
    """One named step of the release."""

    name: str
    action: Callable[[Run], None]
    #: Public steps cannot be undone: from the first one on, the release is
    #: journaled and finished by ``--resume`` instead of rolled back.
    public: bool = False
    #: Whether the options (and the recorded state) want this step at all.
    wanted: Callable[[ReleaseOptions, State], bool] = _always
    #: The option that skips it, for the output.
    skip_flag: str = ""
    #: Whether it writes the files the release touches. When such a step
    #: fails halfway, what it left in them is its own and is undone; edits
    #: made after a writing step finished are someone else's and are kept.
    writes: bool = False


STEPS: tuple[Step, ...] = (
    Step("changelog", _changelog, writes=True),
    Step("commit and tag", _commit_and_tag, writes=True),
    Step("build", _build),
    Step("verify", _verify),
    Step("checks", _checks, wanted=lambda o, s: not o.no_checks, skip_flag="--no-checks"),
    Step(
        "publish",
        _publish,
        public=True,
        wanted=lambda o, s: not o.no_publish and s.target is not None,
        skip_flag="--no-publish",
    ),
    Step("push", _push, public=True, wanted=lambda o, s: not o.no_push, skip_flag="--no-push"),
)


# --- the plan ---------------------------------------------------------------------


def _plan_lines(run: Run) -> list[str]:
    """The plan, one line per thing that will happen, in the order of :data:`STEPS`."""
    project, plan, options = run.project, run.need_plan(), run.options
    towncrier = changelog.settings(project.root)
    root = project.root
    changed = sorted({str(towncrier.filename.relative_to(root)), *plan.bump.files})
    removed = [str(f.path.relative_to(root)) for f in plan.fragments]
    if version.is_prerelease(plan.new):
        removed = ["none (a pre-release keeps the fragments for the final release)"]
    signed = "signed" if plan.bump.sign_tags else "not signed"
    target = plan.target.shown if plan.target else "none (--no-publish)"
    push = "no" if options.no_push else f"{plan.branch} and {plan.tag} to {project.settings.remote}"
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
    dev = version.dev_after(plan.new) if project.settings.post_release_dev else None
    if dev:
        by_step["push"].append(f"  then:      commit {dev} (post_release_dev)")
    lines = [f"  version:   {plan.current} -> {plan.new} ({plan.reason})"]
    sessions = check_sessions(project) if not options.no_checks else []
    to_run = [s for s in sessions if s not in SERVED_BY_RELEASE]
    served = [s for s in sessions if s in SERVED_BY_RELEASE]
    checks = f"nox -s {' '.join(to_run)}" if to_run else "none"
    if to_run and project.settings.check_release_commit:
        checks += ", before anything changes and on the release commit beside build and verify"
    if to_run and options.dry_run:
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
    suffix = " (dry run: nothing was changed)" if run.options.dry_run else ""
    print(f"Release plan for {plan.project}{suffix}", flush=True)
    print("\n".join(_plan_lines(run)), flush=True)


def _confirmed(run: Run) -> bool:
    """On a terminal and without ``--yes``: show the plan and ask once, default no."""
    import sys

    if run.options.yes or not sys.stdin.isatty():
        return True
    show_plan(run)
    plan = run.need_plan()
    return publish.ask(f"Release {plan.project} {plan.new}?")


# --- the driver ------------------------------------------------------------------------


def _touched_paths(project: Project, plan: Plan) -> list[str]:
    """The files a release changes: the changelog, the version files, the fragments."""
    root = project.root
    paths = {str(project.towncrier.filename.relative_to(root))}
    for name in plan.bump.files:
        matches = sorted(root.glob(name)) if any(c in name for c in "*?[") else [root / name]
        paths.update(str(p.relative_to(root)) for p in matches)
    paths.update(str(f.path.relative_to(root)) for f in plan.fragments)
    return sorted(paths)


def _record_written(run: Run) -> None:
    """After a local step: remember what the release wrote, to tell it from others' edits."""
    state = run.need_state()
    state.touched = {path: publish.sha256_or_empty(run.root / path) for path in state.touched}
    state.commit = run.commit
    save_state(run.root, state)


def _undo(root: Path, state: State) -> list[str]:
    """Undo exactly what a local release did; return the files kept as someone else left them.

    The release's tag is deleted, HEAD goes back to where it was (only when it
    is the release's own commit), and each file the release changed goes back
    to its content before, unless it changed again since the release wrote
    it: then that version stays, and only the release's staging is undone.
    """
    if state.tag and git.local_tag_exists(root, state.tag):
        tagged = git.git(root, "rev-list", "-n", "1", state.tag)
        if tagged in (state.commit, state.head_before) or not state.commit:
            git.delete_tag(root, state.tag)
    head = git.head(root)
    if head != state.head_before:
        if state.commit and head == state.commit:
            git.git(root, "reset", "--quiet", "--soft", state.head_before, mutates=True)
        else:
            _console.warn(
                f"HEAD moved past the release commit ({head[:12]}): it stays; the release "
                f"started from {state.head_before[:12]}"
            )
    kept = []
    for path, written in sorted(state.touched.items()):
        current = publish.sha256_or_empty(root / path)
        existed = git.path_exists_at(root, state.head_before, path)
        if written is None or current == written:
            if existed:
                git.git(root, "checkout", "--quiet", state.head_before, "--", path, mutates=True)
            else:
                (root / path).unlink(missing_ok=True)
                git.git(root, "rm", "--quiet", "--cached", "--ignore-unmatch", "--", path,
                        mutates=True)  # fmt: skip
        else:
            kept.append(path)
            if existed:
                git.git(root, "reset", "--quiet", state.head_before, "--", path, mutates=True)
    return kept


def _rollback(root: Path, state: State, *, failed: Step | None = None) -> None:
    if failed is not None and failed.writes:  # what it left halfway is its own
        state.touched = dict.fromkeys(state.touched)
    kept = _undo(root, state)
    clear_state(root)
    for path in kept:
        _console.warn(
            f"kept {path} as it is now: it changed after the release wrote it "
            "(the release's own change to it may be in it; check it)"
        )


def _finish(run: Run) -> None:
    """Do the public steps the state says are still to do, recording each one."""
    state = run.need_state()
    for step in STEPS:
        if not step.public:
            continue
        if step.name in state.done:
            _console.info(f"{step.name}: already done")
            continue
        if not step.wanted(run.options, state):
            _console.info(f"{step.name}: skipped ({step.skip_flag})")
            continue
        with _console.step(step.name):
            try:
                step.action(run)
            except ReleaseKitError as exc:
                msg = (
                    f"{step.name} failed: {exc}; the release of {state.version} is recorded in "
                    f"{STATE_DIR}/{STATE_FILE}: fix the cause and run again with --resume"
                )
                raise ReleaseError(msg, details=exc.details) from None
            except KeyboardInterrupt:
                _console.error(
                    f"interrupted during {step.name}: the release of {state.version} is "
                    f"recorded in {STATE_DIR}/{STATE_FILE}; run again with --resume to finish it"
                )
                raise
        state.done.append(step.name)
        save_state(run.root, state)
    clear_state(run.root)


def _rebuild_for_resume(project: Project, state: State) -> None:
    """Make sure dist/ holds exactly the recorded files, rebuilding if needed."""
    if publish.holds(project.root / "dist", state.files):
        _console.info("dist/ holds the recorded files")
        return
    built = _release_files(project, state.commit, state.version)
    if publish.digests(built.publish) != state.files:
        _refuse(
            "rebuilding the release from its tag did not reproduce the recorded files: "
            "restore dist/ from the first attempt"
        )


def resume(project: Project, options: ReleaseOptions) -> State:
    """Finish the public steps of a recorded release."""
    root = project.root
    state = load_state(root)
    if state is None:
        _refuse(f"there is no release in progress to resume (no {STATE_DIR}/{STATE_FILE})")
    if state.phase == "local":
        _refuse(
            f"the release of {state.project} {state.version} was interrupted before publishing: "
            "nothing is public, so undo it with --abort and release again"
        )
    if git.head(root) != state.commit:
        _refuse(
            f"HEAD is no longer the release commit of {state.version} ({state.commit[:12]}): "
            "check it out again to resume"
        )
    if not git.local_tag_exists(root, state.tag):
        _refuse(f"the tag {state.tag} of the release in progress is missing")
    _console.info(f"resuming the release of {state.project} {state.version}")
    if options.dry_run:
        todo = [s.name for s in STEPS if s.public and s.name not in state.done]
        print(f"Would finish the release of {state.version}: {', '.join(todo) or 'nothing'}")
        return state
    _retarget(project, options, state)
    with _console.step("build"):
        _rebuild_for_resume(project, state)
    _finish(Run(project, options, state=state))
    _post_release(project, options, state)
    return state


def _post_release(project: Project, options: ReleaseOptions, state: State) -> None:
    """With ``post_release_dev``: back to a development version, in its own commit."""
    if project.settings.post_release_dev:
        version.post_release(project.root, project.settings, state.version,
                             branch=state.branch, push=not options.no_push)  # fmt: skip


def _retarget(project: Project, options: ReleaseOptions, state: State) -> None:
    """Resolve the target of ``--resume`` as the first run did, and its credentials.

    ``--repository`` given now retargets what is not yet uploaded; twine's
    environment does so only when the recorded target came from it (a
    ``[tool.releasekit] repository`` or a ``--repository`` of the first run
    beats a stale ``TWINE_REPOSITORY_URL`` in the shell), as it did then.
    """
    if "publish" in state.done or options.no_publish or state.target is None:
        return
    given, source = options.repository, "command line"
    if not given and state.repository_source == "environment":
        given, source = publish.environment_target(), "environment"
    timeout = project.settings.network_timeout
    target = dataclasses.replace(state.target, timeout=timeout)
    if given:
        target = publish.resolve_target(given, index_url=project.settings.index_url,
                                        timeout=timeout)  # fmt: skip
        target = dataclasses.replace(target, source=source)
    publish.require_credentials(target)
    if (target.upload_url, target.name) == (state.upload_url, state.repository_name):
        return
    _console.info(f"publishing to {target.shown} (given now) instead of the recorded "
                  f"{state.target.shown}")  # fmt: skip
    state.upload_url, state.simple_url = target.upload_url, target.simple_url
    state.repository_name, state.repository_source = target.name, target.source
    save_state(project.root, state)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a CI cancel, a closed terminal): roll back like Ctrl-C."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "a signal"


class _Signals:
    """SIGTERM and SIGHUP interrupt the release the way Ctrl-C does, except mid-rollback."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.holding = False

    def handler(self, signum: int, frame: object) -> None:
        import signal

        self.received.append(signal.Signals(signum).name)
        if not self.holding:
            raise _Terminated(self.received[-1])

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        import signal

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        sigs = (signal.SIGTERM, signal.SIGHUP)
        previous = {sig: signal.signal(sig, self.handler) for sig in sigs}
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Let nothing interrupt what runs inside (a rollback must finish)."""
        self.holding = True
        try:
            yield
        finally:
            self.holding = False


_SIGNALS = _Signals()


T = TypeVar("T")


def locked(
    root: Path,
    options: ReleaseOptions,
    *,
    cut: Callable[[], T | None],
    resume: Callable[[], T],
    abort: Callable[[], None],
) -> T | None:
    """Cut, ``--resume`` or ``--abort``, one at a time per repository, signals rolling back.

    The one place that takes the repository's lock and installs the signal
    handlers, for a single release and a workspace train alike.
    """
    from releasekit import _lock

    with _lock.held(root), _SIGNALS.installed():
        _SIGNALS.received.clear()
        if options.abort:
            abort()
            return None
        if options.resume:
            return resume()
        return cut()


def release(project: Project, options: ReleaseOptions) -> State | None:
    """Cut (or resume, or abort) a release of ``project``, holding the repository's lock."""
    git.toplevel(project.root)
    return locked(
        project.root,
        options,
        cut=lambda: _release(project, options),
        resume=lambda: resume(project, options),
        abort=lambda: abort(project, options),
    )


def _release(project: Project, options: ReleaseOptions) -> State | None:
    root = project.root
    state = load_state(root)
    if state is not None and state.phase == "local":
        _refuse(
            f"a release of {state.project} {state.version} was interrupted before publishing: "
            "undo it with --abort"
        )
    if state is not None:
        _refuse(
            f"a release is already in progress ({STATE_DIR}/{STATE_FILE}): finish it with --resume"
        )
    run = Run(project, options)
    with _console.step("preflight"):
        run.plan = plan = preflight(project, options)
    with _console.step("version"):
        _console.info(f"{plan.current} -> {plan.new} ({plan.reason})")
    if options.dry_run:
        show_plan(run)
        return None
    if not _confirmed(run):
        _refuse("the release was declined: nothing was changed")

    run.head = git.head(root)
    run.tags_before = set(git.tags(root))
    # The journal exists before the first change: after kill -9 the next run
    # knows what to undo (--abort).
    run.state = State(
        project=plan.project,
        version=plan.new,
        tag=plan.tag,
        commit="",
        branch=plan.branch,
        remote=project.settings.remote,
        source_date_epoch=0,
        files={},
        upload_url=plan.target.upload_url if plan.target else "",
        simple_url=plan.target.simple_url if plan.target else "",
        repository_name=plan.target.name if plan.target else "",
        repository_source=plan.target.source if plan.target else "",
        phase="local",
        head_before=run.head,
        touched=dict.fromkeys(_touched_paths(project, plan)),
    )
    save_state(root, run.state)
    current = STEPS[0]
    try:
        for step in STEPS:
            if step.public:
                break
            current = step
            if not step.wanted(options, run.state):
                _console.info(f"{step.name}: skipped ({step.skip_flag})")
                continue
            with _console.step(step.name):
                step.action(run)
            _record_written(run)
    except KeyboardInterrupt as exc:
        with _SIGNALS.held():
            run.stop_checks()
            _rollback(root, run.state, failed=current)
        how = f"stopped by {exc}" if isinstance(exc, _Terminated) else "interrupted"
        _console.error(f"{how} during {current.name}: the repository is back as it was")
        raise
    except ReleaseKitError as exc:
        with _SIGNALS.held():
            run.stop_checks()
            _rollback(root, run.state, failed=current)
        if _SIGNALS.received:  # the signal killed a tool first: say what really happened
            how = f"stopped by {_SIGNALS.received[-1]}"
            msg = f"{how} during {current.name}: the repository is back as it was"
            raise ReleaseError(msg, details=exc.details) from None
        msg = f"{current.name} failed: {exc}; the repository is back as it was"
        raise ReleaseError(msg, details=exc.details) from None
    finally:
        run.stop_checks()  # whatever ended the steps, no check outlives them

    assert run.release_files is not None
    run.state.phase = "public"
    run.state.source_date_epoch = run.epoch
    run.state.files = publish.digests(run.release_files.publish)
    save_state(root, run.state)
    _finish(run)
    _post_release(project, options, run.state)
    _console.info(f"released {plan.project} {plan.new} ({plan.tag})")
    return run.state


def abort(project: Project, options: ReleaseOptions) -> None:
    """Undo a release that stopped before publishing (its journal says what it did)."""
    root = project.root
    state = load_state(root)
    if state is None:
        _refuse(f"there is no release in progress to abort (no {STATE_DIR}/{STATE_FILE})")
    if state.phase != "local" or state.done:
        done = ", ".join(state.done) or "its files are built and recorded for publishing"
        _refuse(
            f"the release of {state.version} cannot be undone ({done}): finish it with --resume"
        )
    if options.dry_run:
        print(f"Would undo the release of {state.project} {state.version}: its commit, "
              f"its tag {state.tag}, and {', '.join(sorted(state.touched))}")  # fmt: skip
        return
    if not state.commit:  # it died in a writing step: what it left there is its own
        state.touched = dict.fromkeys(state.touched)
    with _console.step("abort"), _SIGNALS.held():
        _rollback(root, state)
    _console.info(f"undid the release of {state.project} {state.version}: the repository is "
                  f"back at {state.head_before[:12]}")  # fmt: skip
