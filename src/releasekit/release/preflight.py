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
import re
import shlex
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from releasekit import _console, changelog, dists, git, versions
from releasekit.index import (
    index_for,
    listing,
    mask_known_logins,
    require_credentials,
    resolve_target,
)
from releasekit.project import Project
from releasekit.release.checks import check_sessions, in_background
from releasekit.release.cut import Cut, Plan
from releasekit.release.journal import (
    KEPT_DIR,
    STATE_DIR,
    check_own_dirs,
    is_ref,
    refuse,
    symlink_in,
)
from releasekit.release.request import Request


def check_touched(root: Path, paths: list[str]) -> None:
    """Refuse a file the release writes unless it is a regular file (or absent), not behind a link.

    Written through a symlink, the release would change (and its rollback
    could not give back) a file outside the repository.
    """
    present = []
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
        present.append(path)
    tracked = git.index_modes(root, [f":(literal){p}" for p in paths])
    untracked = [p for p in present if os.path.normpath(p) not in tracked]
    if untracked:  # an ignored file: the commit could not take it, the rollback not give it back
        refuse(
            f"{untracked[0]} is not tracked by git (it is ignored): the release writes it and "
            "commits it; track it (git add -f), or leave it out of what the release writes"
        )
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


def single(project: Project, request: Request, branch: str) -> Plan:
    """The plan of a single release: the project at the root, its fragments, its next version.

    (The questions about it are :func:`preflight`'s, asked of every release alike.)
    """
    root, settings = project.root, project.settings
    if not settings.project_name:
        refuse(f"no [project] name in {settings.pyproject}")
    changelog.check_consumed(root)
    frags = changelog.fragments(root)
    source = versions.source_for(project)
    if not frags and not versions.current_is_prerelease(source):
        # After a pre-release, the next one and the final release need no new fragment.
        directory = changelog.settings(root).directory
        refuse(
            f"no changelog fragment in {directory.relative_to(root)}/: add one with "
            "`invoke fragment TYPE TEXT` or `towncrier create`"
        )
    types = [f.type for f in frags]
    choice = versions.choose(project, part=request.part, new_version=request.new_version,
                             pre=request.pre, fragment_types=types, source=source)  # fmt: skip
    bump, new = source.config(), choice.new
    note = versions.parts_note(bump.current_version, new)  # 3.20 -> 3.21: say which part
    explicit = request.part or request.new_version  # else the fragments chose the version
    message = source.render(bump.message or "Bump version: {current_version} → {new_version}",
                            bump.current_version, new)  # fmt: skip
    cut = Cut(
        name=canonicalize_name(settings.project_name),
        project=project,
        path=".",
        current=bump.current_version,
        new=new,
        reason=f"{choice.reason}; {note}" if note else choice.reason,
        tag=source.render(bump.tag_name, bump.current_version, new),
        bump=bump,
        fragments=tuple(f.path for f in frags),
        tag_message=source.render(bump.tag_message, bump.current_version, new),
        fragment_types=() if explicit else tuple(types),
        siblings=_needs_siblings(project),
        import_name=settings.import_name,
    )
    return Plan(
        cuts=(cut,),
        tiers=((cut.name,),),
        branch=branch,
        commit_message=message,
    )


def _needs_siblings(project: Project) -> bool:
    """Whether the project is a workspace member that needs other members (released alone).

    Its siblings come from the target index, as a user installing it from that
    index gets them: verify and confirm install them from there (a train's
    members are confirmed by the same rule). Asked once, at the cut: the
    journal keeps the answer (``Package.siblings``).
    """
    from releasekit import workspace

    member = workspace.membership(project.root)
    return member is not None and bool(member[1].needs)


def preflight(
    project: Project,
    request: Request,
    planned: Callable[[str], Plan],
    decide: Callable[[Plan], bool] | None = None,
) -> Plan:
    """Refuse, before anything changes, every release that cannot succeed.

    The same questions for a single release and a train: ``project`` is the
    root's (its branches, remote and index), ``planned`` gives the packages it
    cuts once the tree and the branch are known. Then the checks of every
    package start, and every other question is asked meanwhile of each
    package (local first, then the remote and the index): a refusal (a typo)
    stops the checks at once. As soon as the plan is known, ``decide`` is
    asked (the person at the terminal reads the plan while the checks keep
    running): no stops them at once, yes waits for their verdict.
    """
    root, settings = project.root, project.settings
    git.toplevel(root)
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
    head = git.head(root)  # what the checks see: the release starts from it or not at all
    mask_known_logins(request.repository or "", settings.repository, settings.index_url)
    plan = planned(branch)
    from releasekit import pypi_rules

    for cut in plan.cuts:
        pypi_rules.prefetch(cut.project, request)  # the backend's metadata, read meanwhile
    runs = [] if request.no_checks or request.dry_run else [
        (cut.project.root, sessions, f" in {cut.name}" if plan.train else "")
        for cut in plan.cuts if (sessions := check_sessions(cut.project))
    ]  # fmt: skip
    if not runs:
        plan = dataclasses.replace(_ask(project, request, plan), head=head)
        _decided(plan, decide)
        return plan
    # The checks start first (they take longest), one package after another;
    # every other question is asked meanwhile, and a refusal stops them at once.
    with in_background(runs, cache=not request.no_cache) as checks:
        plan = dataclasses.replace(_ask(project, request, plan), head=head)
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
    others = git.changed_outside(root, paths, "--cached", "HEAD")
    if others:
        refuse(
            f"{others[0]} was staged while the release ran ({len(others)} such file(s)): it is "
            "not the release's to commit; commit it after the release, or unstage it"
        )


def check_commit_holds_only(root: Path, commit: str, parent: str, paths: list[str]) -> None:
    """After the release commit: it changes the release's files and nothing else.

    A ``pre-commit`` hook may stage more files while the commit is made (a
    build stamp): they would be released unchecked, and are not the release's.
    """
    others = git.changed_outside(root, paths, parent, commit)
    if others:
        refuse(
            f"{others[0]} went into the release commit ({len(others)} such file(s)), put there "
            "while it was made (a pre-commit hook?): it is not the release's; let the hook "
            "leave the release's commit alone, or commit that file before releasing"
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


def _ask(project: Project, request: Request, plan: Plan) -> Plan:
    """Every question of every package: what needs no network first, then the remote and index."""
    root, settings = project.root, project.settings
    from releasekit import api_check, lockfile

    for cut in plan.cuts:
        check_gitlinks(cut.project)
        dists.wheel_contents_config(cut.project.root)  # verify's, unreadable: one line now
        api_check.check_release(cut.project, cut.new, fragment_types=list(cut.fragment_types))
        if cut.settings.post_release_dev:
            versions.source_for(cut.project).check_post_release(cut.new)
    kept = f"{STATE_DIR}/{KEPT_DIR}"
    check_own_dirs(root, [STATE_DIR, kept, *(f"{kept}/{c.name}" for c in plan.cuts),
                          *(os.path.normpath(f"{c.path}/dist") for c in plan.cuts)])  # fmt: skip
    # (uv's lock check asks its cache; the network only when the cache cannot tell.)
    plan = dataclasses.replace(plan, lock=lockfile.find(root))
    check_touched(root, touched_paths(root, plan))
    plan = dataclasses.replace(plan, commit_args=_commit_args(plan))
    local_tags = set(git.tags(root))  # one question for every package's tag
    for cut in plan.cuts:
        if cut.tag.startswith("-") or not is_ref(f"refs/tags/{cut.tag}"):
            refuse(
                f"{cut.tag!r} is not a name git takes for a tag: fix the tag name template "
                f"of {cut.name} (bump-my-version's tag_name, or [tool.releasekit] tag_format)"
            )
        if cut.tag in local_tags:
            of = f" of {cut.name}" if plan.train else ""
            refuse(f"the tag {cut.tag}{of} already exists in this repository")
    if plan.lock is not None:
        lockfile.check(plan.lock, timeout=settings.network_timeout)
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
    if has_remote:
        remote_tags = git.remote_tags(root, settings.remote, timeout=settings.network_timeout)
        for cut in plan.cuts:
            if cut.tag in remote_tags:
                refuse(f"the tag {cut.tag} already exists on the remote {settings.remote!r}")
    target = None
    if not request.no_publish:
        target = resolve_target(request.repository, configured=settings.repository,
                                        index_url=settings.index_url,
                                        timeout=settings.network_timeout)  # fmt: skip
        require_credentials(target, dry_run=request.dry_run)
    from releasekit import pypi_rules

    for cut in plan.cuts:  # each package's own rules, the release's target
        pypi_rules.preflight(cut.project, cut.new, target, fresh=request.no_cache)
    if target is None:
        return plan
    for cut in plan.cuts:
        listed = index_for(target).listing(cut.name)
        if version_on_index(listed, cut.new):
            refuse(f"{cut.settings.project_name} {cut.new} is already on {target.shown}")
    return dataclasses.replace(plan, target=target)


#: bump-my-version's ``commit_args`` the release commit takes: none that changes which
#: commit is made or its message (``--amend``, ``--fixup``, ``-m``, ``-e``).
_COMMIT_ARG = re.compile(
    r"-s|--signoff|--no-signoff|-n|--no-verify|--verify|-S\S*|--gpg-sign(=\S+)?|--no-gpg-sign"
    r"|--author=.+|--date=.+|--trailer=.+|-q|--quiet|--allow-empty"
)


def _commit_args(plan: Plan) -> tuple[str, ...]:
    """bump-my-version's ``commit_args`` for the one release commit, refused unless it is safe."""
    given = sorted({c.bump.commit_args.strip() for c in plan.cuts if c.bump.commit_args.strip()})
    if len(given) > 1:
        refuse(
            f"the members give different commit_args ({', '.join(map(repr, given))}): the "
            "train makes one commit; give them the same"
        )
    if not given:
        return ()
    try:
        args = shlex.split(given[0])
    except ValueError as exc:
        refuse(f"bump-my-version's commit_args {given[0]!r} cannot be read ({exc}): fix it")
    for arg in args:
        if not _COMMIT_ARG.fullmatch(arg):
            refuse(
                f"bump-my-version's commit_args has {arg!r}, which the release commit does not "
                "take (it takes --signoff, --no-verify, -S/--gpg-sign, --author=, --date=, "
                "--trailer=): remove it"
            )
    return tuple(args)


def version_config(project: Project) -> list[str]:
    """bump-my-version's configuration file, relative to the project, when it writes one."""
    from releasekit.versions import bumpmyversion

    if versions.source_for(project).builds_in_place:  # git tags: no file holds the version
        return []
    found = bumpmyversion.config_file(project.root)
    return [str(found.relative_to(project.root))] if found is not None else []


def _rel(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, links not followed: a linked file is refused, not resolved."""
    return os.path.relpath(os.path.abspath(path), root)


def touched_paths(root: Path, plan: Plan) -> list[str]:
    """The files a release changes, relative to ``root``: of every package, and the lock.

    Each package's changelog, version files, fragments (and the entry the
    release writes for its widened requirements, and its pyproject.toml);
    bump-my-version's own configuration too (its ``current_version``), also
    when it is not among the files it moves (a ``.bumpversion.cfg``, a
    dynamic version read from ``__init__.py``).
    """
    paths: set[str] = set()
    for cut in plan.cuts:
        here = cut.project.root
        paths.add(_rel(root, changelog.settings(here).filename))
        paths.update(_rel(root, here / p) for p in version_config(cut.project))
        for name in cut.bump.files:
            matches = sorted(here.glob(name)) if any(c in name for c in "*?[") else [here / name]
            paths.update(_rel(root, p) for p in matches)
        paths.update(_rel(root, p) for p in cut.fragments)
        if cut.widenings:
            paths.add(_rel(root, here / "pyproject.toml"))
        if cut.generated is not None:
            paths.add(_rel(root, cut.generated))
    if plan.lock is not None:  # a member's is the workspace root's, outside the project
        paths.add(_rel(root, plan.lock))
    return sorted(paths)
