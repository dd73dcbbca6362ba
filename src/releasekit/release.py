"""The release: eight steps, all or nothing before publishing, resumable after.

preflight, version, changelog, commit and tag, build, verify, publish, push.
Until publish, every change is local and is undone on any failure (Ctrl-C
included): HEAD, the files, the staging area and the tags go back to what
they were. Publishing is final, so from there on releasekit records where the
release stands in ``.releasekit/state.json`` (ignored by git) and ``--resume``
finishes what is left, doing nothing twice.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit import _console, _runner, _venv, changelog, config, dists, git, publish, version
from releasekit._exceptions import CommandError, ReleaseKitError

STATE_DIR = ".releasekit"
STATE_FILE = "state.json"
STEPS = (
    "preflight",
    "version",
    "changelog",
    "commit and tag",
    "build",
    "verify",
    "publish",
    "push",
)


class ReleaseError(ReleaseKitError):
    """A step of the release failed; the message says what state it left."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """What the front ends pass: the same options for nox and invoke."""

    part: str | None = None
    new_version: str | None = None
    dry_run: bool = False
    yes: bool = False
    repository: str | None = None
    publish: bool = True
    push: bool = True
    resume: bool = False
    confirm: bool = True
    checks: bool = True
    cache: bool = True
    pre: str | None = None


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
    """What survives a failure at or after publish, for ``--resume``."""

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
    done: list[str] = dataclasses.field(default_factory=list)

    @property
    def target(self) -> publish.Target | None:
        if not self.upload_url:
            return None
        return publish.Target(self.upload_url, self.simple_url, self.repository_name)


def state_path(root: Path) -> Path:
    return root / STATE_DIR / STATE_FILE


def save_state(root: Path, state: State) -> None:
    """Write the state atomically; the directory ignores itself in git."""
    directory = root / STATE_DIR
    directory.mkdir(exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".state-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(dataclasses.asdict(state), f, indent=2)
    os.replace(tmp, directory / STATE_FILE)


def load_state(root: Path) -> State | None:
    path = state_path(root)
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return State(**data)
    except (ValueError, TypeError):
        msg = f"{path} is not a release state that this releasekit can read"
        raise ReleaseError(msg) from None


def clear_state(root: Path) -> None:
    path = state_path(root)
    path.unlink(missing_ok=True)
    gitignore = path.parent / ".gitignore"
    if path.parent.is_dir() and not any(p != gitignore for p in path.parent.iterdir()):
        gitignore.unlink(missing_ok=True)
        path.parent.rmdir()


# --- preflight ---------------------------------------------------------------


def _refuse(message: str) -> None:
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


def _choose_version(
    root: Path, settings: config.Settings, options: Options, frags: list[changelog.Fragment]
) -> tuple[version.BumpConfig, str, str]:
    cycle = version.choose_cycle(
        root,
        settings,
        part=options.part,
        new_version=options.new_version,
        pre=options.pre,
        fragment_types=[f.type for f in frags],
    )
    if cycle is not None:  # a pre-release, or the release after one
        return cycle
    if options.part or options.new_version:
        bump_config, new = version.choose(
            root, settings, part=options.part, new_version=options.new_version
        )
        reason = f"--part {options.part}" if options.part else "--new-version"
        return bump_config, new, reason
    return next_from_fragments(root, settings, frags)


def next_from_fragments(
    root: Path, settings: config.Settings, frags: list[changelog.Fragment] | None = None
) -> tuple[version.BumpConfig, str, str]:
    """The version the changelog fragments call for: its configuration, itself, and why."""
    frags = changelog.fragments(root) if frags is None else frags
    types = sorted({f.type for f in frags})
    part = changelog.infer_part(
        types, settings.bump_map, version.current_for(root, settings), settings.zero_major_part
    )
    bump_config, new = version.choose(root, settings, part=part, new_version=None)
    return bump_config, new, f"{part}, from the fragments: {', '.join(types)}"


# The release builds and verifies its own sdist and wheel (build, twine check,
# check-wheel-contents and more), so a `build` check would only do it twice.
SERVED_BY_RELEASE = frozenset({"build"})


def _run_one_check(root: Path, session: str) -> ReleaseKitError | None:
    args = [*_runner.tool("nox"), "--no-color", "-s", session]
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    try:
        _runner.run(args, cwd=root, env=env, mutates=False)
    except CommandError as exc:
        return exc
    return None


def run_checks(root: Path, sessions: list[str], *, cache: bool = True) -> None:
    """Run the configured nox sessions, in parallel, skipping known verdicts.

    A session that already passed on this exact tree and environment (see
    ``_verdicts``) is not run again unless ``cache`` is false.
    """
    from concurrent.futures import ThreadPoolExecutor

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
        results = list(pool.map(lambda s: (s, _run_one_check(root, s)), todo))
    failed = [(s, exc) for s, exc in results if exc is not None]
    if failed:
        names = ", ".join(s for s, _ in failed)
        msg = f"the configured check {names} failed (nox -s {' '.join(todo)})"
        raise ReleaseError(msg, details=failed[0][1].details) from None


def check_sessions(settings: config.Settings) -> list[str]:
    """The nox sessions of the preflight: ``checks``, and ``audit`` when configured."""
    sessions = list(settings.checks)
    if settings.audit_on_release and "audit" not in sessions:
        sessions.append("audit")
    return sessions


def preflight(root: Path, settings: config.Settings, options: Options) -> Plan:
    """Refuse, before anything changes, every release that cannot succeed."""
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
    sessions = check_sessions(settings)
    if not (options.checks and sessions and not options.dry_run):
        return _ask_around(root, settings, options, branch)
    # The checks take longest and only read: run them while the remote, the
    # version, the tags and the index are asked about.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        checks = pool.submit(run_checks, root, sessions, cache=options.cache)
        try:
            plan = _ask_around(root, settings, options, branch)
        finally:
            failed = checks.exception()  # waits: nothing is left running
    if failed is not None:
        raise failed
    return plan


def _ask_around(root: Path, settings: config.Settings, options: Options, branch: str) -> Plan:
    """The preflight's questions to the remote, bump-my-version, towncrier and the index."""
    if options.push:
        if not git.has_remote(root, settings.remote):
            _refuse(f"there is no git remote {settings.remote!r}: add it, or use --no-push")
        git.fetch(root, settings.remote)
        upstream = git.upstream(root)
        if upstream:
            count = git.behind(root, upstream)
            if count:
                _refuse(f"branch {branch!r} is {count} commit(s) behind {upstream}: pull first")
    frags = changelog.fragments(root)
    if not frags and not version.current_is_prerelease(root, settings):
        # After a pre-release, the next one and the final release need no new fragment.
        directory = changelog.settings(root).directory
        _refuse(
            f"no changelog fragment in {directory.relative_to(root)}/: add one with "
            "`invoke fragment TYPE TEXT` or `towncrier create`"
        )
    bump_config, new, reason = _choose_version(root, settings, options, frags)
    if settings.post_release_dev:
        version.check_post_release(root, settings, new)
    tag = bump_config.tag_for(new)
    if git.local_tag_exists(root, tag):
        _refuse(f"the tag {tag} already exists in this repository")
    if options.push and git.remote_tag_exists(root, settings.remote, tag):
        _refuse(f"the tag {tag} already exists on the remote {settings.remote!r}")
    target = None
    if options.publish:
        target = publish.resolve_target(
            options.repository or settings.repository, index_url=settings.index_url
        )
        listed = publish.index_files(target, settings.project_name)
        if _version_on_index(listed, new):
            _refuse(f"{settings.project_name} {new} is already on {target.shown}")
    message = bump_config.message or "Bump version: {current_version} → {new_version}"
    return Plan(
        project=settings.project_name,
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
        target=target,
    )


# --- the plan of a dry run ------------------------------------------------------


def show_plan(root: Path, settings: config.Settings, plan: Plan, options: Options) -> None:
    towncrier = changelog.settings(root)
    changed = sorted({str(towncrier.filename.relative_to(root)), *plan.bump.files})
    removed = [str(f.path.relative_to(root)) for f in plan.fragments]
    if version.is_prerelease(plan.new):
        removed = ["none (a pre-release keeps the fragments for the final release)"]
    signed = "signed" if plan.bump.sign_tags else "not signed"
    target = plan.target.shown if plan.target else "none (--no-publish)"
    sessions = check_sessions(settings) if options.checks else []
    run = [s for s in sessions if s not in SERVED_BY_RELEASE]
    served = [s for s in sessions if s in SERVED_BY_RELEASE]
    checks = f"nox -s {' '.join(run)} (not run in a dry run)" if run else "none"
    if served:
        checks += f"; {', '.join(served)}: by the release's own build and verify"
    push = f"{plan.branch} and {plan.tag} to {settings.remote}" if options.push else "no"
    lines = [
        f"Release plan for {plan.project} (dry run: nothing was changed)",
        f"  version:   {plan.current} -> {plan.new} ({plan.reason})",
        f"  changes:   {', '.join(changed)}",
        f"  removes:   {', '.join(removed)}",
        f"  commit:    {plan.commit_message!r} on {plan.branch}",
        f"  tag:       {plan.tag} (annotated, {signed})",
        "  build:     sdist and wheel in dist/, SOURCE_DATE_EPOCH from the release commit",
        f"  publish:   {target}",
        f"  push:      {push}",
        f"  checks:    {checks}",
        *(
            [f"  then:      commit {version.dev_after(plan.new)} (post_release_dev)"]
            if settings.post_release_dev and version.dev_after(plan.new)
            else []
        ),
        "  changelog:",
    ]
    draft = changelog.draft(root, plan.new)
    lines += [f"    {line}".rstrip() for line in draft.splitlines()]
    print("\n".join(lines), flush=True)


# --- the steps that change things ------------------------------------------------


def _install_and_import(wheel: Path, import_name: str) -> None:
    with _venv.fresh() as python:
        try:
            _venv.install(python, [str(wheel)])
            _venv.python_c(python, f"import {import_name}")
        except CommandError as exc:
            msg = f"the wheel does not install and import {import_name!r} in a fresh environment"
            raise ReleaseError(msg, details=exc.details) from None


def _verify(root: Path, settings: config.Settings, new: str, built: dists.Dists) -> None:
    name, built_version = dists.wheel_metadata(built.wheel)
    if Version(built_version) != Version(new):
        _refuse(f"the wheel's metadata says version {built_version}, not {new}")
    if publish.normalize(name) != publish.normalize(settings.project_name):
        _refuse(f"the wheel's metadata names {name!r}, not {settings.project_name!r}")
    # The checks of the files and the install are independent: run them side by side.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [
            pool.submit(dists.twine_check, built),
            pool.submit(dists.wheel_contents_check, built.wheel),
            pool.submit(_install_and_import, built.wheel, settings.import_name),
        ]
        for future in futures:
            future.result()


def _build(root: Path, epoch: int) -> dists.Dists:
    dist_dir = root / "dist"
    dists.clean(dist_dir)
    dists.build(root, dist_dir, source_date_epoch=epoch)
    return dists.find(dist_dir)


def _rollback(root: Path, head: str, tags_before: set[str]) -> None:
    git.reset_hard(root, head)
    for tag in sorted(set(git.tags(root)) - tags_before):
        git.delete_tag(root, tag)


def _publish(root: Path, state: State, options: Options, settings: config.Settings) -> None:
    target = state.target
    assert target is not None
    question = f"Publish {state.project} {state.version} to {target.shown}?"
    if target.is_public_pypi and not options.yes and not publish.ask(question):
        _refuse("publishing was declined; run again with --resume to publish")
    files = [root / "dist" / name for name in state.files]
    todo = publish.pending(target, state.project, files)
    for path in files:
        if path not in todo:
            _console.info(f"{path.name} is already on the index with the same sha256: skipped")
    if todo:
        publish.upload(target, todo)
    publish.confirm_listed(target, state.project, files)
    if options.confirm and settings.confirm_install:
        installed = publish.confirm_install(target, state.project, state.version)
        if Version(installed) != Version(state.version):
            _refuse(
                f"installing from the index gave {state.project} {installed}, not {state.version}"
            )
        _console.info(f"{state.project} {installed} installs from {target.shown}")


def _push(root: Path, state: State, options: Options, settings: config.Settings) -> None:
    git.push(root, state.remote, state.branch, state.tag)


def _finish(root: Path, state: State, options: Options, settings: config.Settings) -> None:
    """Publish and push what the state says is still to do."""
    for name, action, wanted in (
        ("publish", _publish, options.publish and state.target is not None),
        ("push", _push, options.push),
    ):
        if name in state.done:
            _console.info(f"{name}: already done")
            continue
        if not wanted:
            _console.info(f"{name}: skipped (--no-{name})")
            continue
        with _console.step(name):
            try:
                action(root, state, options, settings)
            except ReleaseKitError as exc:
                msg = (
                    f"{name} failed: {exc}; the release of {state.version} is recorded in "
                    f"{STATE_DIR}/{STATE_FILE}: fix the cause and run again with --resume"
                )
                raise ReleaseError(msg, details=exc.details) from None
        state.done.append(name)
        save_state(root, state)
    clear_state(root)


def _rebuild_for_resume(root: Path, state: State) -> None:
    """Make sure dist/ holds exactly the recorded files, rebuilding if needed."""
    dist_dir = root / "dist"
    current = {p.name: publish.sha256(p) for p in dist_dir.glob("*")} if dist_dir.is_dir() else {}
    if all(current.get(name) == digest for name, digest in state.files.items()):
        _console.info("dist/ holds the recorded files")
        return
    built = _build(root, state.source_date_epoch)
    rebuilt = {p.name: publish.sha256(p) for p in built.files}
    if rebuilt != state.files:
        _refuse(
            "rebuilding the release from its tag did not reproduce the recorded files: "
            "restore dist/ from the first attempt"
        )


def resume(root: Path, settings: config.Settings, options: Options) -> State:
    state = load_state(root)
    if state is None:
        _refuse(f"there is no release in progress to resume (no {STATE_DIR}/{STATE_FILE})")
    assert state is not None
    if git.head(root) != state.commit:
        _refuse(
            f"HEAD is no longer the release commit of {state.version} ({state.commit[:12]}): "
            "check it out again to resume"
        )
    if not git.local_tag_exists(root, state.tag):
        _refuse(f"the tag {state.tag} of the release in progress is missing")
    _console.info(f"resuming the release of {state.project} {state.version}")
    if options.dry_run:
        todo = [s for s in ("publish", "push") if s not in state.done]
        print(f"Would finish the release of {state.version}: {', '.join(todo) or 'nothing'}")
        return state
    with _console.step("build"):
        _rebuild_for_resume(root, state)
    _finish(root, state, options, settings)
    if settings.post_release_dev:
        version.post_release(root, settings, state.version, branch=state.branch, push=options.push)
    return state


def release(root: Path, options: Options) -> State | None:
    """Cut a release of the project at ``root``; see the module docstring."""
    root = root.resolve()
    settings = config.load(root)
    if options.resume:
        return resume(root, settings, options)
    if load_state(root) is not None:
        _refuse(
            f"a release is already in progress ({STATE_DIR}/{STATE_FILE}): finish it with --resume"
        )
    with _console.step("preflight"):
        plan = preflight(root, settings, options)
    with _console.step("version"):
        _console.info(f"{plan.current} -> {plan.new} ({plan.reason})")
    if options.dry_run:
        show_plan(root, settings, plan, options)
        return None

    head = git.head(root)
    tags_before = set(git.tags(root))
    current = "changelog"
    try:
        with _console.step("changelog"):
            changelog.build(root, plan.new, keep=version.is_prerelease(plan.new))
        current = "commit and tag"
        with _console.step(current):
            if settings.version_source == "scm":  # the tag is the version: no file to move
                version.tag_release(root, plan.bump, plan.new, plan.commit_message)
            else:
                version.bump(root, plan.new, allow_dirty=True, commit=True, tag=True)
            if git.head(root) == head or not git.local_tag_exists(root, plan.tag):
                _refuse(f"bump-my-version did not make the release commit and the tag {plan.tag}")
            if git.status(root):
                _refuse("the release commit left changes behind: is every file committed?")
        commit = git.head(root)
        epoch = git.commit_timestamp(root, commit)
        current = "build"
        with _console.step(current):
            built = _build(root, epoch)
        current = "verify"
        with _console.step(current):
            _verify(root, settings, plan.new, built)
    except KeyboardInterrupt:
        _rollback(root, head, tags_before)
        _console.error(f"interrupted during {current}: the repository is back as it was")
        raise
    except ReleaseKitError as exc:
        _rollback(root, head, tags_before)
        msg = f"{current} failed: {exc}; the repository is back as it was"
        raise ReleaseError(msg, details=exc.details) from None

    state = State(
        project=plan.project,
        version=plan.new,
        tag=plan.tag,
        commit=commit,
        branch=plan.branch,
        remote=settings.remote,
        source_date_epoch=epoch,
        files={p.name: publish.sha256(p) for p in built.files},
        upload_url=plan.target.upload_url if plan.target else "",
        simple_url=plan.target.simple_url if plan.target else "",
        repository_name=plan.target.name if plan.target else "",
    )
    save_state(root, state)
    _finish(root, state, options, settings)
    _console.info(f"released {plan.project} {plan.new} ({plan.tag})")
    if settings.post_release_dev:
        version.post_release(root, settings, plan.new, branch=plan.branch, push=options.push)
    return state


def parser() -> Any:
    """The options of ``nox -s release -- ARGS``, the same as ``invoke release``."""
    import argparse

    p = argparse.ArgumentParser(prog="nox -s release --", description="Cut a release.")
    p.add_argument("--part", help="version part to bump (default: inferred from the fragments)")
    p.add_argument("--new-version", help="release exactly this version")
    p.add_argument("--pre", choices=version.PRE_LABELS, help="cut a pre-release: a, b or rc")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--yes", "-y", action="store_true", help="answer yes to every prompt")
    p.add_argument("--repository", "-r", help="target index: a .pypirc name or an upload URL")
    p.add_argument("--no-publish", action="store_true", help="stop before uploading")
    p.add_argument("--no-push", action="store_true", help="do not push the commit and tag")
    p.add_argument("--no-confirm", action="store_true", help="skip the install from the index")
    p.add_argument("--no-checks", action="store_true", help="skip the configured nox checks")
    p.add_argument("--no-cache", action="store_true", help="rerun checks that passed before")
    p.add_argument("--resume", action="store_true", help="finish a release that failed late")
    p.add_argument("--verbose", "-v", action="store_true", help="show every tool's output")
    return p


def options_from_args(argv: list[str]) -> Options:
    args = parser().parse_args(argv)
    if args.verbose:
        _console.set_verbose(True)
    return Options(
        part=args.part,
        new_version=args.new_version,
        dry_run=args.dry_run,
        yes=args.yes,
        repository=args.repository,
        publish=not args.no_publish,
        push=not args.no_push,
        resume=args.resume,
        confirm=not args.no_confirm,
        checks=not args.no_checks,
        cache=not args.no_cache,
        pre=args.pre,
    )
