"""The release: named steps, all or nothing before publishing, resumable after.

preflight and version only read; then the steps of :data:`STEPS` run in
order: changelog, commit and tag, build, verify, checks (on the release
commit, started with the build), publish, push. Until the
first public step every change is local and is undone on any failure (Ctrl-C
included). Publishing is final, so from there on releasekit records where the
release stands in ``.releasekit/state.json`` (ignored by git) and ``--resume``
finishes the public steps that are left, doing nothing twice. The driver,
the dry-run plan and ``--resume`` all read the same list of steps.

Everything that goes out is named by identity: the files are built into
``.releasekit/dist/`` beside the journal, recorded by sha256 before verify
reads them and uploaded only as those bytes; the push names the release
commit and its tag by SHA, never whatever HEAD is then.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit import _console, _runner, _venv, changelog, dists, git, publish, version, wheels
from releasekit._exceptions import CommandError, ReleaseError, ReleaseKitError
from releasekit.options import ReleaseOptions
from releasekit.project import Project
from releasekit.release.journal import (
    KEPT_DIR,
    PHASES,
    STATE_DIR,
    STATE_FILE,
    UPLOADS,
    State,
    check_own_dirs,
    clear_state,
    is_digest,
    is_file_name,
    kept_files,
    mirror,
    own_dir,
    refuse,
    remove_journal,
    save_state,
    state_path,
    symlink_in,
    upload_progress,
    write_journal,
)
from releasekit.release.restore import (
    Before,
    differences,
    outcome,
    recorded,
    ref,
    release_commit,
    rollback,
    snapshot,
    tags_commit,
    undo,
)

__all__ = [
    "PHASES",
    "STEPS",
    "UPLOADS",
    "_SIGNALS",
    "Before",
    "ReleaseError",
    "ReleaseOptions",
    "State",
    "_version_on_index",
    "check_gitlinks",
    "check_index_holds_only",
    "check_one_parent",
    "check_own_dirs",
    "check_sessions",
    "check_touched",
    "clear_state",
    "differences",
    "failure",
    "is_digest",
    "is_file_name",
    "kept_files",
    "load_state",
    "locked",
    "mirror",
    "next_from_fragments",
    "outcome",
    "own_dir",
    "published",
    "reached",
    "recorded",
    "release",
    "release_commit",
    "remove_journal",
    "resume",
    "run_checks",
    "save_state",
    "snapshot",
    "unchanged_since_preflight",
    "undo",
    "write_journal",
]


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
    #: The tracked uv.lock the release re-locks (the workspace root's for a member), or None.
    lock: Path | None = None
    #: HEAD when the preflight found the tree clean: the release starts from it or not at all.
    head: str = ""


def check_touched(root: Path, paths: list[str]) -> None:
    """Refuse a file the release writes unless it is a regular file (or absent), not behind a link.

    Written through a symlink, the release would change (and its rollback
    could not give back) a file outside the repository.
    """
    for path in paths:
        link = symlink_in(root, path)
        if link:
            linked = link == os.path.normpath(path)
            what = "is a symlink" if linked else f"is inside {link}, a symlink"
            refuse(
                f"{path} {what} (to {os.readlink(root / link)}): the release writes it and would "
                "change a file elsewhere; replace the link with the real file or directory"
            )
        try:
            mode = (root / path).lstat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        if not stat.S_ISREG(mode):
            refuse(f"{path} is not a regular file: the release writes it; make it one")
    tracked = git.index_modes(root, [f":(literal){p}" for p in paths])
    for path, kind in sorted(tracked.items()):
        if kind not in ("100644", "100755"):
            refuse(
                f"{path} is tracked as mode {kind}, not as a regular file: the release writes "
                "it; commit it as a regular file"
            )


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
        is_file_name(k) and is_digest(v) for k, v in files.items()
    ):
        return "'files' must map file names to sha256 digests"
    done = data.get("done", [])
    public = [s.name for s in STEPS if s.public]
    if not isinstance(done, list) or not all(isinstance(d, str) and d in public for d in done):
        return f"'done' must be a list of steps among {', '.join(public)}"
    if data.get("phase", "public") not in PHASES:
        return f"'phase' must be one of {', '.join(PHASES)}"
    if data.get("upload", "") not in UPLOADS:
        return "'upload' must be empty, 'started' or 'done'"
    writing = [s.name for s in STEPS if s.writes]
    if data.get("writing", "") not in ("", *writing):
        return f"'writing' must be empty or one of {', '.join(writing)}"
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


# --- preflight ---------------------------------------------------------------


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
    Each session runs in a process group of its own, which a terminal's
    Ctrl-C does not reach: whatever ends the wait here early (Ctrl-C,
    SIGTERM, SIGHUP) stops them, instead of waiting for them to finish.

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
    stop = cancel if cancel is not None else threading.Event()
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            results = list(pool.map(lambda s: (s, _run_one_check(root, s, stop)), todo))
        except BaseException:
            stop.set()  # before the pool's exit waits for the sessions
            raise
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
        refuse(f"no [project] name in {settings.pyproject}")
    git.toplevel(root)
    git.check_no_operation(root)
    dirty = git.status(root)
    if dirty:
        example = dirty[0][3:]
        refuse(
            f"the work tree is not clean ({len(dirty)} changed or untracked, e.g. {example}): "
            "commit or stash first"
        )
    branch = git.current_branch(root)
    if not branch:
        refuse("HEAD is detached: check out a release branch first")
    if branch not in settings.branches:
        refuse(
            f"branch {branch!r} is not a release branch "
            f"(allowed: {', '.join(settings.branches)}; [tool.releasekit] branches)"
        )
    check_gitlinks(project)
    check_own_dirs(root, [STATE_DIR, f"{STATE_DIR}/{KEPT_DIR}", "dist"])
    head = git.head(root)  # what the checks see: the release starts from it or not at all
    sessions = check_sessions(project)
    if options.no_checks or not sessions or options.dry_run:
        plan = _ask_around(project, options, _local_plan(project, options, branch))
        return dataclasses.replace(plan, head=head)
    # The checks start first (they take longest); every other question is
    # asked meanwhile, and a refusal stops them at once.
    checks = _checks_in_background(root, sessions, cache=not options.no_cache)
    try:
        plan = _ask_around(project, options, _local_plan(project, options, branch))
        failed = checks.wait()
    finally:
        checks.stop()  # a refusal, Ctrl-C or a signal is the answer: stop the checks now
    if failed is not None:
        raise failed
    return dataclasses.replace(plan, head=head)


def unchanged_since_preflight(root: Path, head: str) -> None:
    """Right before the first change: the tree is still what the preflight and its checks saw.

    The preflight found it clean and no git operation waiting; the checks take
    minutes, and what is staged (or a merge started) meanwhile would go into
    the release commit, unchecked.
    """
    git.check_no_operation(root)
    dirty = git.status(root)
    if dirty:
        refuse(
            f"the work tree changed while the checks ran ({len(dirty)} changed or untracked, "
            f"e.g. {dirty[0][3:]}): nothing was changed; commit or stash it and release again"
        )
    now = git.head(root)
    if now != head:
        refuse(
            f"HEAD moved from {head[:12]} to {now[:12]} while the checks ran: nothing was "
            "changed; release again to check what is there now"
        )


def check_index_holds_only(root: Path, paths: list[str]) -> None:
    """Before the release commit: nothing but the release's own files is staged, no operation.

    The commit takes the whole index: a change staged (or a merge started)
    while the release ran would be released unchecked. Paths are relative to
    ``root``, wherever it sits in the repository.
    """
    git.check_no_operation(root)
    prefix = git.git(root, "rev-parse", "--show-prefix")
    ours = {os.path.normpath(prefix + p) for p in paths}
    staged = git.git(root, "diff", "--cached", "--name-only", "-z", "HEAD").split("\0")
    others = sorted(p for p in staged if p and p not in ours)
    if others:
        refuse(
            f"{others[0]} was staged while the release ran ({len(others)} such file(s)): it is "
            "not the release's to commit; commit it after the release, or unstage it"
        )


def check_one_parent(root: Path, commit: str, head_before: str) -> None:
    """After the release commit: its only parent is where the release started (never a merge)."""
    parents = git.git(root, "rev-list", "--parents", "-n", "1", commit).split()[1:]
    if parents != [head_before]:
        shown = " ".join(p[:12] for p in parents)
        refuse(
            f"the release commit {commit[:12]} has the parent(s) {shown}, not only "
            f"{head_before[:12]}: a merge (or another commit) came in while it was made; "
            "finish or abort it, then release again"
        )


def check_gitlinks(project: Project) -> None:
    """Refuse a git submodule inside the package's code; warn about one elsewhere in the project.

    The build exports the release commit with ``git archive``, which leaves a
    submodule's files out: inside the package they would be missing from the
    wheel and the sdist without a word; elsewhere (docs, test data) only from
    the sdist, which may be meant.
    """
    from releasekit import prcheck

    root = project.root
    links = git.gitlinks(root)
    if not links:
        return
    code = prcheck.package_dirs(root, project.settings)
    inside = [p for p in links if any(p == d or p.startswith(d + "/") for d in code)]
    if inside:
        refuse(
            f"{inside[0]} is a git submodule inside the package: its files would be missing "
            "from the sdist and the wheel (git archive leaves them out); vendor its files "
            "into the repository instead"
        )
    for path in links:
        _console.warn(
            f"{path} is a git submodule: its files are not in the sdist (git archive leaves "
            "them out)"
        )


def _local_plan(project: Project, options: ReleaseOptions, branch: str) -> Plan:
    """The fragments, the version, the local tag and the lock: what needs no index.

    (uv's lock check asks its cache; the network only when the cache cannot tell.)
    """
    root = project.root
    changelog.check_consumed(root)
    frags = changelog.fragments(root)
    if not frags and not version.current_is_prerelease(project.version_source):
        # After a pre-release, the next one and the final release need no new fragment.
        directory = changelog.settings(root).directory
        refuse(
            f"no changelog fragment in {directory.relative_to(root)}/: add one with "
            "`invoke fragment TYPE TEXT` or `towncrier create`"
        )
    bump_config, new, reason = _choose_version(project, options, frags)
    if project.settings.post_release_dev:
        version.check_post_release(root, project.settings, new)
    tag = bump_config.tag_for(new)
    if git.local_tag_exists(root, tag):
        refuse(f"the tag {tag} already exists in this repository")
    from releasekit import lockfile

    lock = lockfile.find(root)
    if lock is not None:
        lockfile.check(lock, timeout=project.settings.network_timeout)
    message = bump_config.message or "Bump version: {current_version} → {new_version}"
    plan = Plan(
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
        lock=lock,
    )
    check_touched(root, _touched_paths(project, plan))
    return plan


def _ask_around(project: Project, options: ReleaseOptions, plan: Plan) -> Plan:
    """The preflight's questions to the remote and the index."""
    root, settings = project.root, project.settings
    has_remote = git.has_remote(root, settings.remote)
    if not options.no_push:
        if not has_remote:
            refuse(f"there is no git remote {settings.remote!r}: add it, or use --no-push")
        git.fetch(root, settings.remote, timeout=settings.network_timeout)
        upstream = git.upstream(root)
        if upstream:
            count = git.behind(root, upstream)
            if count:
                refuse(f"branch {plan.branch!r} is {count} commit(s) behind {upstream}: pull first")
    # Even with --no-push: a tag of that name on the remote means a version
    # that someone else already released, or will not be able to push.
    if has_remote and git.remote_tag_exists(root, settings.remote, plan.tag,
                                            timeout=settings.network_timeout):  # fmt: skip
        refuse(f"the tag {plan.tag} already exists on the remote {settings.remote!r}")
    if options.no_publish:
        return plan
    target = publish.resolve_target(options.repository, configured=settings.repository,
                                    index_url=settings.index_url,
                                    timeout=settings.network_timeout)  # fmt: skip
    publish.require_credentials(target, dry_run=options.dry_run)
    listed = publish.index_files(target, settings.project_name)
    if _version_on_index(listed, plan.new):
        refuse(f"{settings.project_name} {plan.new} is already on {target.shown}")
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
    commit_checks: _BackgroundChecks | None = None
    #: The commit the push step left on the remote branch (the release commit, or a merge).
    pushed: str = ""

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


@dataclasses.dataclass
class _BackgroundChecks:
    """Check sessions running beside other work (the preflight's questions, the build)."""

    sessions: list[str]
    cancel: threading.Event
    pool: ThreadPoolExecutor
    result: Future[None]

    def wait(self) -> BaseException | None:
        """Their verdict: None, or the error that failed them."""
        return self.result.exception()

    def stop(self) -> None:
        """Stop the sessions still running and wait until they are gone.

        Whoever starts them calls this in a ``finally``: an exception, Ctrl-C
        or a signal that ends the waiting early stops them at once, instead of
        the pool's exit (or the interpreter's) waiting for them to finish.
        """
        self.cancel.set()
        self.pool.shutdown(wait=True)


def _checks_in_background(
    root: Path, sessions: list[str], *, cache: bool, where: str = ""
) -> _BackgroundChecks:
    """Start :func:`run_checks` in a thread; the caller waits, and stops them in a ``finally``."""
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releasekit-checks")
    result = pool.submit(run_checks, root, sessions, cache=cache, cancel=cancel, where=where)
    return _BackgroundChecks(sessions, cancel, pool, result)


def _changelog(run: Run) -> None:
    new = run.need_plan().new
    # A pre-release keeps the fragments: the final release lists the whole series.
    changelog.build(run.root, new, keep=version.is_prerelease(new))


def _commit_and_tag(run: Run) -> None:
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
        _record_written(run)

    run.project.version_source.commit_and_tag(
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


def _build_dists(root: Path, commit: str, new: str, *, fresh_env: bool) -> dists.Dists:
    """Build from a clean export of the release commit, never the work tree.

    Into the journal's own directory: verify checks those files and publish
    uploads them, so nothing written to ``dist/`` meanwhile can reach the index.
    """
    kept = own_dir(root, f"{STATE_DIR}/{KEPT_DIR}")
    dists.clean(kept)
    return dists.build_commit(root, commit, kept, version=new, fresh_env=fresh_env)


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
    run.commit_checks = _checks_in_background(
        run.root,
        sessions,
        cache=not run.options.no_cache,
        where=f" on the release commit {run.need_plan().tag}",
    )


def _checks(run: Run) -> None:
    checks = run.commit_checks
    if checks is None:
        off = not run.project.settings.check_release_commit
        _console.info("not run on the release commit (check_release_commit = false)" if off
                      else "no check configured")  # fmt: skip
        return
    failed = checks.wait()
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
    # Recorded now, before verify reads them; verify ends by checking they are still these.
    run.need_state().files = publish.digests(run.release_files.publish)
    mirror(run.root, run.root / STATE_DIR / KEPT_DIR, run.root / "dist")


def needs_siblings(project: Project) -> bool:
    """Whether the project is a workspace member that needs other members (released alone).

    Its siblings come from the target index, as a user installing it from that
    index gets them (the train's verify and confirm do the same).
    """
    from releasekit import workspace

    root = workspace.find_root(project.root)
    if root is None:
        return False
    try:
        members = workspace.discover(root).members.values()
    except ReleaseKitError:
        return False
    return any(m.root == project.root and m.needs for m in members)


def _install_and_import(wheel: Path, import_name: str, index: str | None = None) -> None:
    """Install the wheel into a fresh environment and import it.

    :param index: resolve its dependencies from this index alone (a member's siblings).
    """
    with _venv.fresh() as python:
        try:
            _venv.install(python, [*(["--index-url", index] if index else []), str(wheel)])
            _venv.python_c(python, f"import {import_name}")
        except CommandError as exc:
            where = f" with its dependencies from {index}" if index else ""
            msg = (
                f"the wheel does not install and import {import_name!r} in a fresh "
                f"environment{where}"
            )
            raise ReleaseError(msg, details=exc.details) from None


def _verify(run: Run) -> None:
    built, settings, new = run.built, run.project.settings, run.need_plan().new
    assert built is not None
    name, built_version = dists.wheel_metadata(built.wheel)
    if Version(built_version) != Version(new):
        refuse(f"the wheel's metadata says version {built_version}, not {new}")
    if publish.normalize(name) != publish.normalize(settings.project_name):
        refuse(f"the wheel's metadata names {name!r}, not {settings.project_name!r}")
    # The checks of the files and the install are independent: run them side by side.
    from releasekit import inprocess

    target = run.need_state().target
    index = target.simple_url if target is not None and needs_siblings(run.project) else None
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(dists.wheel_contents_check, built.wheel),
            pool.submit(_install_and_import, built.wheel, settings.import_name, index),
        ]
        inprocess.twine_check(built.files)  # in this thread: twine prints to stdout
        for future in futures:
            future.result()
    assert run.release_files is not None
    if not run.release_files.pure:
        wheels.verify_compiled(built.wheel, settings.import_name)
    kept_files(run.root / STATE_DIR / KEPT_DIR, run.need_state().files)


def _publish(run: Run) -> None:
    state, settings = run.need_state(), run.project.settings
    assert state.target is not None
    target = dataclasses.replace(state.target, timeout=settings.network_timeout)
    files = kept_files(run.root / STATE_DIR / KEPT_DIR, state.files)
    wheels.refuse_bare(files)
    upload_progress(run.root, state, "started")

    publish.publish(target, state.project, files, recorded=state.files,
                    uploaded=lambda: upload_progress(run.root, state, "done"))  # fmt: skip
    if not run.options.no_confirm and settings.confirm_install:
        publish.confirm_install(
            target,
            state.project,
            state.version,
            build_requires=wheels.sdist_only_build_requires(files),
            with_dependencies=needs_siblings(run.project),
        )


def _push(run: Run) -> None:
    state = run.need_state()
    if run.plan is None and "publish" in state.done and state.target is not None:
        files = kept_files(run.root / STATE_DIR / KEPT_DIR, state.files)
        published(state.target, state.project, files)
    try:
        git.push(run.root, state.remote, state.commit, state.branch, [state.tag],
                 timeout=run.project.settings.network_timeout)  # fmt: skip
    except ReleaseKitError:
        if run.plan is not None:  # the first run: say so; --resume will bring it in
            raise
        if git.head(run.root) != state.commit:  # a merge now would carry the newer commits
            msg = (
                f"{state.remote}/{state.branch} moved since the release and HEAD moved past the "
                f"release commit: check out {state.commit[:12]} and run --resume again"
            )
            raise ReleaseError(msg) from None
        run.pushed = _push_into_moved_branch(run.root, state, run.project.settings.network_timeout)
        return
    run.pushed = state.commit
    moved = git.moved_past(run.root, state.commit)
    if moved:
        _console.warn(moved)


def published(target: publish.Target, project: str, files: list[Path]) -> None:
    """Before a tag goes out for what a journal read from disk says is published: ask the index."""
    try:
        publish.confirm_listed(target, project, files)
    except ReleaseKitError as exc:
        msg = (
            f"the journal says {project} is published, but {exc}: nothing is pushed; check "
            "the index and the journal"
        )
        raise ReleaseError(msg) from None


def _push_into_moved_branch(root: Path, state: State, timeout: float) -> str:
    """The remote branch moved: push the tag, then merge the release into the branch.

    Returns the merge commit, pushed by SHA. The merge is made in the work
    tree, so it must hold nothing else: git refuses to merge over staged work,
    which would have read as a conflict, and a started operation would take it.
    """
    remote, branch = state.remote, state.branch
    git.check_no_operation(root)
    dirty = git.status(root)
    if dirty:
        refuse(
            f"{remote}/{branch} moved since the release, and merging the release commit into "
            f"it needs a clean work tree ({len(dirty)} changed or untracked, e.g. "
            f"{dirty[0][3:]}): commit or stash first; nothing was pushed"
        )
    tag_object = git.tag_object(root, state.tag, state.commit)
    git.git(root, "push", remote, f"{tag_object}:refs/tags/{state.tag}", mutates=True,
            timeout=timeout)  # fmt: skip
    _console.info(f"pushed the tag {state.tag}: it names what was published")
    git.git(root, "fetch", "--quiet", "--no-tags", remote, branch, mutates=True, timeout=timeout)
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
    merge = git.head(root)
    git.git(root, "push", remote, f"{merge}:refs/heads/{branch}", mutates=True, timeout=timeout)
    _console.info(f"{remote}/{branch} had moved: merged the release commit into it and pushed")
    return merge


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
    #: Whether it writes the files the release touches. Until its writes are
    #: recorded (the journal's ``writing``), what is in them is its own and is
    #: undone; an edit made after they were recorded is someone else's, kept.
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
    if plan.lock is not None:
        changed.append(f"{os.path.relpath(plan.lock, root)} (re-locked with uv)")
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
    """The files a release changes: the changelog, the version files, the fragments, the lock."""
    root = project.root
    paths = {str(project.towncrier.filename.relative_to(root))}
    if plan.lock is not None:  # a member's is the workspace root's, outside the project
        paths.add(os.path.relpath(plan.lock, root))
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
    state.writing = ""
    save_state(run.root, state)


def failure(exc: BaseException, step: str, rolled_back: str) -> BaseException:
    """What to raise after a local step failed and was rolled back: one line, whatever it was.

    Ctrl-C and the signals stay interrupts (the front ends exit 130); releasekit's
    errors keep their tool's output; anything else (an OSError, a tarfile error,
    a library's bug) is named in one line, its traceback only under ``-v``.
    """
    if isinstance(exc, KeyboardInterrupt):
        how = f"stopped by {exc}" if isinstance(exc, _Terminated) else "interrupted"
        _console.error(f"{how} during {step}: {rolled_back}")
        return exc
    if _SIGNALS.received:  # the signal killed a tool first: say what really happened
        details = exc.details if isinstance(exc, ReleaseKitError) else ""
        msg = f"stopped by {_SIGNALS.received[-1]} during {step}: {rolled_back}"
        return ReleaseError(msg, details=details)
    if isinstance(exc, ReleaseKitError):
        return ReleaseError(f"{step} failed: {exc}; {rolled_back}", details=exc.details)
    import traceback

    what = (str(exc).splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {what}" if what else type(exc).__name__
    details = "".join(traceback.format_exception(exc)) if _console.is_verbose() else ""
    return ReleaseError(f"{step} failed: {what}; {rolled_back}", details=details)


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


def resume(project: Project, options: ReleaseOptions) -> State:
    """Finish the public steps of a recorded release."""
    root = project.root
    state = load_state(root)
    if state is None:
        refuse(f"there is no release in progress to resume (no {STATE_DIR}/{STATE_FILE})")
    if state.phase == "local":
        refuse(
            f"the release of {state.project} {state.version} was interrupted before publishing: "
            "nothing is public, so undo it with --abort and release again"
        )
    # The push names the release commit by SHA, so commits made on top of it since
    # may stay checked out: they are not pushed.
    if not git.contains(root, git.head(root), state.commit):
        refuse(
            f"HEAD no longer contains the release commit of {state.version} "
            f"({state.commit[:12]}): check it out again to resume"
        )
    if not git.local_tag_exists(root, state.tag):
        refuse(f"the tag {state.tag} of the release in progress is missing")
    _console.info(f"resuming the release of {state.project} {state.version}")
    if options.dry_run:
        todo = [s.name for s in STEPS if s.public and s.name not in state.done]
        print(f"Would finish the release of {state.version}: {', '.join(todo) or 'nothing'}")
        return state
    _retarget(project, options, state)
    if "publish" not in state.done:
        # The files verified on the first run, kept beside the journal: never a rebuild.
        kept_files(root / STATE_DIR / KEPT_DIR, state.files)
        _console.info(f"{STATE_DIR}/{KEPT_DIR}/ holds the verified files")
    run = Run(project, options, state=state)
    _finish(run)
    _post_release(run)
    return state


def _post_release(run: Run) -> None:
    """With ``post_release_dev``: back to a development version, in its own commit."""
    project, state = run.project, run.need_state()
    if project.settings.post_release_dev:
        version.post_release(project.root, project.settings, state.version,
                             branch=state.branch, push=not run.options.no_push,
                             base=run.pushed or state.commit)  # fmt: skip


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

#: The journals of a release and of a train, relative to the project (or workspace) root.
JOURNALS = (f"{STATE_DIR}/{STATE_FILE}", f"{STATE_DIR}/train.json")


def unfinished_elsewhere(root: Path) -> None:
    """Refuse while another worktree holds this project's journal and this one holds none.

    The worktrees share the tags: a release killed in one of them must be
    undone (or finished) there, where its journal and its files are; here it
    would only meet its tag. Asked under the lock, so that journal is no live run's.
    """
    found = git.in_every_worktree(root, *JOURNALS)
    if not found or found[0].parent.parent == root.resolve():
        return
    journal = found[0]
    try:
        data: Any = json.loads(journal.read_text())
    except (OSError, ValueError):
        data = None
    data = data if isinstance(data, dict) else {}
    what = "a release train"
    if journal.name == STATE_FILE:
        what = f"a release of {data.get('project', '?')} {data.get('version', '?')}"
    local = data.get("phase") == "local"
    how = "undo it there with --abort" if local else "finish it there with --resume"
    refuse(
        f"{what} is unfinished in another worktree of this repository, "
        f"{journal.parent.parent}: {how}; nothing was changed"
    )


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
        unfinished_elsewhere(root)
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
        refuse(
            f"a release of {state.project} {state.version} was interrupted before publishing: "
            "undo it with --abort"
        )
    if state is not None:
        refuse(
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
        refuse("the release was declined: nothing was changed")
    unchanged_since_preflight(root, plan.head)

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
    before = snapshot(root, [plan.tag], sorted(run.state.touched))
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
            if step.writes:  # until its writes are recorded, what is in the files is ours
                run.state.writing = step.name
                save_state(root, run.state)
            with _console.step(step.name):
                step.action(run)
            _record_written(run)
    except BaseException as exc:  # anything, releasekit's or not: roll back, then say it once
        with _SIGNALS.held():
            run.stop_checks()
            rolled_back = rollback(root, run.state, before)
        raise failure(exc, current.name, rolled_back) from None
    finally:
        run.stop_checks()  # whatever ended the steps, no check outlives them

    run.state.phase = "public"
    run.state.source_date_epoch = run.epoch
    save_state(root, run.state)
    _finish(run)
    _post_release(run)
    _console.info(f"released {plan.project} {plan.new} ({plan.tag})")
    return run.state


def reached(
    root: Path,
    remote: str,
    target: publish.Target | None,
    files: dict[str, dict[str, str]],
    tags: list[str],
    commit: str,
    *,
    upload: str = "",
) -> str:
    """What of a release already left this machine, by the journal, the index and the remote.

    ``files``: project -> file name -> sha256. An upload the journal records as
    done is public whatever the index lists (its listing may lag behind, a
    CDN's page). Once an upload started, a file of that name on the index is
    taken as ours even if its listed sha256 differs (a listing may lie); before,
    a file whose bytes are not ours, or a tag of that name on another commit,
    is someone else's. Not knowing (the index or the remote does not answer) is
    a refusal, never a guess. Returns ``""`` when nothing did.
    """
    if target is not None and upload == "done":
        return f"its files were uploaded to {target.shown}"
    if target is not None:
        for project, recorded in files.items():
            try:
                listed = publish.index_listing(target, project)
                for name, digest in recorded.items():
                    entry = listed.get(name)
                    if entry and publish.remote_sha256(target, name, entry) == digest:
                        return f"{name} is on {target.shown}"
                    if entry and upload == "started":
                        return (
                            f"{name} is on {target.shown} with another sha256, after an upload "
                            "began; if it is not this release's, remove it from the index first"
                        )
            except ReleaseKitError as exc:
                msg = (
                    f"cannot tell whether a file of {project} reached {target.shown} ({exc}): "
                    "run --abort again when the index answers, or finish with --resume"
                )
                raise ReleaseError(msg) from None
    if commit and git.has_remote(root, remote):
        for tag in tags:
            if git.remote_tag_commit(root, remote, tag) == commit:
                return f"the tag {tag} is on the remote {remote!r}"
    return ""


def abort(project: Project, options: ReleaseOptions) -> None:
    """Undo a release of which nothing is public yet (its journal says what it did)."""
    root = project.root
    state = load_state(root)
    if state is None:
        refuse(f"there is no release in progress to abort (no {STATE_DIR}/{STATE_FILE})")
    git.check_index_unlocked(root)
    if state.phase != "local":
        public = ", ".join(state.done) or reached(
            root, state.remote, state.target, {state.project: state.files}, [state.tag],
            state.commit, upload=state.upload,
        )  # fmt: skip
        if public:
            refuse(
                f"the release of {state.version} cannot be undone ({public}): finish it with "
                "--resume"
            )
    if options.dry_run:
        print(f"Would undo the release of {state.project} {state.version}: its commit, "
              f"its tag {state.tag}, and {', '.join(sorted(state.touched))}")  # fmt: skip
        return
    paths = sorted(state.touched)
    commit = release_commit(root, state.head_before, state.commit, paths)
    before = recorded(root, state.head_before, commit, [state.tag], paths)
    with _console.step("abort"), _SIGNALS.held():
        rolled_back = rollback(root, state, before)
    if rolled_back != outcome([]):
        refuse(f"undid what the release of {state.project} {state.version} made, but {rolled_back}")
    _console.info(f"undid the release of {state.project} {state.version}: the repository is "
                  f"back at {state.head_before[:12]}, as it was")  # fmt: skip
