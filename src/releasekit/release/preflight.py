"""The preflight: refuse, before anything changes, every release that cannot succeed.

It only reads: the tree and the branch, the fragments and the version they
call for, the files the release will write, the remote and the index, while
the checks run (:mod:`releasekit.release.checks`). Its answer is the
:class:`Plan`. The checks of the index and of the commit that the steps ask
again right before they change something are here too.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit import _console, changelog, dists, git, versions
from releasekit.index import (
    Target,
    index_for,
    listing,
    mask_known_logins,
    require_credentials,
    resolve_target,
)
from releasekit.project import Project
from releasekit.release.checks import check_sessions, checks_in_background
from releasekit.release.journal import KEPT_DIR, STATE_DIR, check_own_dirs, refuse, symlink_in
from releasekit.release.request import Request


@dataclasses.dataclass(frozen=True)
class Plan:
    project: str
    current: str
    new: str
    reason: str
    tag: str
    branch: str
    commit_message: str
    bump: versions.BumpConfig
    fragments: list[changelog.Fragment]
    target: Target | None
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


def version_on_index(files: Iterable[str], new: str) -> bool:
    """Whether a file of version ``new`` is among ``files`` (names; a listing is one)."""
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
    project: Project, request: Request, frags: list[changelog.Fragment]
) -> tuple[versions.BumpConfig, str, str]:
    """The configuration, the new version and why: :func:`releasekit.versions.choose`."""
    source = versions.source_for(project)
    choice = versions.choose(
        project,
        part=request.part,
        new_version=request.new_version,
        pre=request.pre,
        fragment_types=[f.type for f in frags],
        source=source,
    )
    return source.config(), choice.new, choice.reason


def preflight(
    project: Project, request: Request, decide: Callable[[Plan], bool] | None = None
) -> Plan:
    """Refuse, before anything changes, every release that cannot succeed.

    The tree and the branch come first; then the checks start, and the
    fragments, the version, the local tag, the remote and the index are asked
    while they run: a refusal (a typo) stops the checks at once. As soon as
    the plan is known, ``decide`` is asked (the person at the terminal reads
    the plan while the checks keep running): no stops them at once, yes waits
    for their verdict.
    """
    root, settings = project.root, project.settings
    if not settings.project_name:
        refuse(f"no [project] name in {settings.pyproject}")
    git.toplevel(root)
    from releasekit import pypi_rules

    pypi_rules.prefetch(project, request)  # the backend's metadata, read meanwhile
    if not request.no_publish:
        listing.preload()  # the index is asked last
    git.check_no_operation(root)
    dirt = git.unclean(root)
    if dirt:
        refuse(f"the work tree is not clean ({dirt}): commit or stash first")
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
    mask_known_logins(request.repository or "", settings.repository, settings.index_url)
    sessions = check_sessions(project)
    if request.no_checks or not sessions or request.dry_run:
        plan = _ask_around(project, request, _local_plan(project, request, branch))
        plan = dataclasses.replace(plan, head=head)
        _decided(plan, decide)
        return plan
    # The checks start first (they take longest); every other question is
    # asked meanwhile, and a refusal stops them at once.
    with checks_in_background(root, sessions, cache=not request.no_cache) as checks:
        plan = _ask_around(project, request, _local_plan(project, request, branch))
        plan = dataclasses.replace(plan, head=head)
        with checks.board.paused():
            _decided(plan, decide)
        checks.passed()
    return plan


def _decided(plan: Plan, decide: Callable[[Plan], bool] | None) -> None:
    if decide is not None and not decide(plan):
        refuse("the release was declined: nothing was changed")


def unchanged_since_preflight(root: Path, head: str) -> None:
    """Right before the first change: the tree is still what the preflight and its checks saw.

    The preflight found it clean and no git operation waiting; the checks take
    minutes, and what is staged (or a merge started) meanwhile would go into
    the release commit, unchecked.
    """
    git.check_no_operation(root)
    dirt = git.unclean(root)
    if dirt:
        refuse(
            f"the work tree changed while the checks ran ({dirt}): nothing was changed; "
            "commit or stash it and release again"
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


def _local_plan(project: Project, request: Request, branch: str) -> Plan:
    """The fragments, the version, the local tag and the lock: what needs no index.

    (uv's lock check asks its cache; the network only when the cache cannot tell.)
    """
    root = project.root
    changelog.check_consumed(root)
    frags = changelog.fragments(root)
    if not frags and not versions.current_is_prerelease(versions.source_for(project)):
        # After a pre-release, the next one and the final release need no new fragment.
        directory = changelog.settings(root).directory
        refuse(
            f"no changelog fragment in {directory.relative_to(root)}/: add one with "
            "`invoke fragment TYPE TEXT` or `towncrier create`"
        )
    bump_config, new, reason = _choose_version(project, request, frags)
    note = versions.parts_note(bump_config.current_version, new)  # 3.20 -> 3.21: say which part
    reason = f"{reason}; {note}" if note else reason
    from releasekit import api_check

    explicit = request.part or request.new_version  # else the fragments chose the version
    api_check.check_release(
        project, new, fragment_types=[] if explicit else [f.type for f in frags]
    )
    if project.settings.post_release_dev:
        versions.source_for(project).check_post_release(new)
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
    check_touched(root, touched_paths(project, plan))
    return plan


def _ask_around(project: Project, request: Request, plan: Plan) -> Plan:
    """The preflight's questions to the remote and the index (and verify's configuration)."""
    root, settings = project.root, project.settings
    dists.wheel_contents_config(root)  # unreadable: one line now, not a rollback at verify
    has_remote = git.has_remote(root, settings.remote)
    if not request.no_push:
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
    target = None
    if not request.no_publish:
        target = resolve_target(request.repository, configured=settings.repository,
                                        index_url=settings.index_url,
                                        timeout=settings.network_timeout)  # fmt: skip
        require_credentials(target, dry_run=request.dry_run)
    from releasekit import pypi_rules

    pypi_rules.preflight(project, plan.new, target, fresh=request.no_cache)  # read ahead
    if target is None:
        return plan
    listed = index_for(target).listing(settings.project_name)
    if version_on_index(listed, plan.new):
        refuse(f"{settings.project_name} {plan.new} is already on {target.shown}")
    return dataclasses.replace(plan, target=target)


def version_config(project: Project) -> list[str]:
    """bump-my-version's configuration file, relative to the project, when it writes one."""
    from releasekit.versions import bumpmyversion

    if versions.source_for(project).builds_in_place:  # git tags: no file holds the version
        return []
    found = bumpmyversion.config_file(project.root)
    return [str(found.relative_to(project.root))] if found is not None else []


def touched_paths(project: Project, plan: Plan) -> list[str]:
    """The files a release changes: the changelog, the version files, the fragments, the lock.

    bump-my-version's own configuration too (its ``current_version``), also
    when it is not among the files it moves (a ``.bumpversion.cfg``, a
    dynamic version read from ``__init__.py``).
    """
    root = project.root
    paths = {str(changelog.settings(project.root).filename.relative_to(root))}
    paths.update(version_config(project))
    if plan.lock is not None:  # a member's is the workspace root's, outside the project
        paths.add(os.path.relpath(plan.lock, root))
    for name in plan.bump.files:
        matches = sorted(root.glob(name)) if any(c in name for c in "*?[") else [root / name]
        paths.update(str(p.relative_to(root)) for p in matches)
    paths.update(str(f.path.relative_to(root)) for f in plan.fragments)
    return sorted(paths)
