"""git: the questions a release asks of the repository, and its few writes."""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path

from releasekit import _runner, _secrets
from releasekit._exceptions import CommandError, GitError

#: git's commands that talk to a remote: the only ones that get the git host's
#: login, and each has a deadline (``network_timeout``).
NETWORK = frozenset({"fetch", "ls-remote", "push", "pull"})
#: ``network_timeout``'s default, for a caller that has no settings at hand.
DEFAULT_TIMEOUT = 300.0


def git(
    root: Path, *args: str, dry_run: bool = False, mutates: bool = False,
    timeout: float | None = None,
) -> str:  # fmt: skip
    """Run git in ``root`` and return its stripped stdout (raw: nothing masked).

    The one door of every git command releasekit runs by name: git runs the
    repository's hooks, so none gets the upload's login; a network command
    keeps only what a credential helper reads, and stops at ``timeout`` with
    an error that names the remote's host.
    """
    network = args[0] in NETWORK
    env = _secrets.for_git(os.environ, network=network)
    if not network:
        result = _runner.run([*_runner.tool("git"), *args], cwd=root, env=env, dry_run=dry_run,
                             mutates=mutates, quiet=not mutates, secrets=True)  # fmt: skip
        return result.stdout.strip()
    deadline = timeout or DEFAULT_TIMEOUT
    start = time.monotonic()
    try:
        result = _runner.run([*_runner.tool("git"), *args], cwd=root, env=env, dry_run=dry_run,
                             mutates=mutates, quiet=not mutates, secrets=True,
                             timeout=deadline)  # fmt: skip
    except CommandError as exc:
        if time.monotonic() - start < deadline:
            raise
        where = remote_host(root, _remote_of(args))
        msg = f"the git remote {where} did not answer within {deadline:.0f}s: check it, try again"
        raise GitError(msg, details=exc.details) from None
    return result.stdout.strip()


def _remote_of(args: tuple[str, ...]) -> str:
    """The remote a network command names: its first argument that is not an option."""
    return next((a for a in args[1:] if not a.startswith("-")), "origin")


def remote_host(root: Path, remote: str) -> str:
    """``remote`` and the host it names (``'origin' (git.example.com)``), for an error.

    Read from git's own view of the URL (``insteadOf`` applied), without its
    userinfo; a local remote is its path.
    """
    result = _runner.run([*_runner.tool("git"), "ls-remote", "--get-url", remote], cwd=root,
                         env=_secrets.for_git(os.environ, network=False), mutates=False,
                         check=False, quiet=True, secrets=True)  # fmt: skip
    url = result.stdout.strip() or remote
    if "://" in url:
        try:
            parts = urllib.parse.urlsplit(url)
            host = parts.netloc.rpartition("@")[2] or parts.path
        except ValueError:
            host = url.partition("://")[2].partition("/")[0].rpartition("@")[2]
    elif ":" in url.split("/", 1)[0]:  # scp-like: [user@]host:path
        host = url.split(":", 1)[0].rpartition("@")[2]
    else:
        host = url
    return f"{remote!r} ({host})" if host != remote else repr(remote)


def toplevel(path: Path) -> Path:
    try:
        return Path(git(path, "rev-parse", "--show-toplevel"))
    except CommandError:
        msg = f"{path} is not inside a git repository (run git init first)"
        raise GitError(msg) from None


def status(root: Path) -> list[str]:
    """The porcelain status lines (``XY path``), untracked files included.

    NUL-separated: a path is a name as it is (spaces, quotes, non-ASCII), never git's quoting.
    """
    out = _runner.run(
        [*_runner.tool("git"), "status", "--porcelain", "-z", "--no-renames",
         "--untracked-files=all"],
        cwd=root,
        mutates=False,
        quiet=True,
    ).stdout  # fmt: skip
    return [line for line in out.split("\0") if line.strip()]


def unclean(root: Path) -> str:
    """``""`` for a clean work tree, else "N changed or untracked, e.g. PATH" for a refusal."""
    dirty = status(root)
    return f"{len(dirty)} changed or untracked, e.g. {dirty[0][3:]}" if dirty else ""


def tracked(root: Path) -> list[str]:
    """The paths git tracks at ``root``, relative to it."""
    return [path for path in git(root, "ls-files", "-z").split("\0") if path]


def index_modes(root: Path, pathspecs: list[str]) -> dict[str, str]:
    """The index's mode of every path under ``pathspecs``, relative to ``root`` (``100644``...).

    Staged but uncommitted paths are in; untracked and ignored ones are not.
    """
    if not pathspecs:
        return {}
    try:
        out = _runner.run(
            [*_runner.tool("git"), "ls-files", "--stage", "-z", "--", *pathspecs],
            cwd=root,
            mutates=False,
            quiet=True,
        ).stdout
    except CommandError as exc:
        msg = f"git cannot list the files of {root}: is it inside a git repository?"
        raise GitError(msg, details=exc.details) from None
    modes = {}
    for record in out.split("\0"):
        if record:
            info, path = record.split("\t", 1)
            modes[path] = info.split(" ", 1)[0]
    return modes


GITLINK = "160000"


def gitlinks(root: Path) -> list[str]:
    """The submodules (gitlinks) under ``root``, relative to it: git archive leaves them out."""
    return sorted(path for path, mode in index_modes(root, ["."]).items() if mode == GITLINK)


#: What git leaves in its directory while an operation waits to be finished,
#: and the commands that finish or abandon it (in git status's order).
_IN_PROGRESS = (
    ("rebase-apply/applying", "a git am", "git am --continue, or git am --abort"),
    ("rebase-apply", "a rebase", "git rebase --continue, or git rebase --abort"),
    ("rebase-merge", "a rebase", "git rebase --continue, or git rebase --abort"),
    ("MERGE_HEAD", "a merge", "git commit, or git merge --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue, or git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue, or git revert --abort"),
    ("sequencer/todo", "a cherry-pick (or revert) of several commits",
     "git cherry-pick --continue, or git cherry-pick --quit; git revert for a revert"),
    ("BISECT_LOG", "a bisect", "git bisect reset"),
)  # fmt: skip


def check_no_operation(root: Path) -> None:
    """Refuse while a merge, cherry-pick, revert, rebase, am or bisect waits to be finished.

    Such a state survives a clean work tree: a release commit made in it would
    become the merge (or the pick) with whatever it brings, unreviewed. The
    git directory is asked of git, so that a linked worktree reads its own.
    """
    args = [arg for name, _, _ in _IN_PROGRESS for arg in ("--git-path", name)]
    paths = git(root, "rev-parse", *args).splitlines()
    for (_, what, fix), path in zip(_IN_PROGRESS, paths, strict=True):
        if (root / path).exists():
            msg = f"{what} is in progress in this repository: finish it first ({fix})"
            raise GitError(msg)


def check_index_unlocked(root: Path) -> None:
    """Refuse while git's ``index.lock`` exists, as a git killed mid-way (kill -9) leaves it.

    Every git command that stages would fail on it halfway through an undo;
    git cannot tell a dead holder from a running one, so the user decides.
    """
    path = root / git(root, "rev-parse", "--git-path", "index.lock")
    if path.exists():
        msg = (
            f"{path} exists: a git command was killed mid-way (or one is running now); "
            "when no git runs in this repository, remove it and run again"
        )
        raise GitError(msg)


def worktrees(root: Path) -> list[Path]:
    """Every work tree of the repository at ``root``, the main one first (a bare one left out)."""
    out = git(root, "worktree", "list", "--porcelain", "-z")
    found = []
    for record in out.split("\0\0"):
        fields = record.strip("\0").split("\0")
        if fields[0].startswith("worktree ") and "bare" not in fields:
            found.append(Path(fields[0].removeprefix("worktree ")))
    return found


def in_every_worktree(root: Path, *relative: str) -> list[Path]:
    """The files ``relative`` (to ``root``) that exist at ``root``'s place in each worktree.

    ``root``'s own first. A project sits at the same place in every worktree of
    its repository, and they share one set of tags: what a run left in one of
    them (a release's journal) concerns them all. Outside a repository, ``root``'s own.
    """
    here = root.resolve()
    try:
        trees = [tree.resolve() for tree in worktrees(root)]
    except CommandError:
        trees = []
    mine = [tree for tree in trees if here.is_relative_to(tree)]
    places = [here]
    if mine:
        prefix = here.relative_to(max(mine, key=lambda tree: len(tree.parts)))
        places += [tree / prefix for tree in trees if tree / prefix != here]
    return [place / name for place in places for name in relative if (place / name).is_file()]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def has_commits(root: Path) -> bool:
    try:
        head(root)
    except CommandError:
        return False
    return True


def current_branch(root: Path) -> str:
    """The checked-out branch, or ``""`` on a detached HEAD."""
    return git(root, "branch", "--show-current")


def upstream(root: Path) -> str:
    """The upstream of the current branch (``origin/main``), or ``""``."""
    result = _runner.run(
        [*_runner.tool("git"), "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"],
        cwd=root,
        mutates=False,
        check=False,
        quiet=True,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def local_tag_exists(root: Path, tag: str) -> bool:
    return bool(git(root, "tag", "--list", tag))


def tags(root: Path) -> list[str]:
    return git(root, "tag", "--list").splitlines()


def commit_timestamp(root: Path, rev: str = "HEAD") -> int:
    """The committer time of ``rev``: the ``SOURCE_DATE_EPOCH`` of its build."""
    return int(git(root, "log", "-1", "--format=%ct", rev))


def archive(root: Path, rev: str, output: Path) -> None:
    """Write the tree of ``rev`` as a tar file: exactly what the commit tracks, nothing else."""
    try:
        git(root, "archive", "--format=tar", f"--output={output}", rev)
    except CommandError as exc:
        msg = f"git cannot export {rev}: is it a commit of this repository?"
        raise GitError(msg, details=exc.details) from None


def work_tree_snapshot(root: Path, paths: Sequence[str] | None = None) -> str:
    """The tree ``git add -A`` would commit now: tracked and new files, never ignored ones.

    Made in a copy of the index, so the index, HEAD and the work tree are left
    as they are (git only stores the blobs, as ``git stash create`` does).
    Ignored means ignored by git: ``.gitignore`` and ``.git/info/exclude`` alike.

    :param paths: only these (relative to the top of the repository) are taken
        from the work tree; elsewhere the tree is the index's. A caller that
        reads one package stores no blob of a large untracked file beside it.
    """
    import shutil
    import tempfile

    top = toplevel(root)
    index = Path(git(top, "rev-parse", "--git-path", "index"))
    index = index if index.is_absolute() else top / index
    with tempfile.TemporaryDirectory(prefix="releasekit-index-") as tmp:
        scratch = Path(tmp) / "index"
        if index.is_file():
            shutil.copyfile(index, scratch)
        env = _runner.child_env({"GIT_INDEX_FILE": str(scratch)})
        taken = ["."] if paths is None else list(paths)
        steps = [["add", "--all", "--", *taken]] if taken else []
        for args in [*steps, ["write-tree"]]:
            result = _runner.run([*_runner.tool("git"), *args], cwd=top, env=env,
                                 mutates=False, quiet=True)  # fmt: skip
    return result.stdout.strip()


def tree_hash(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", f"{rev}^{{tree}}")


def has_remote(root: Path, remote: str) -> bool:
    return remote in git(root, "remote").split()


def fetch(root: Path, remote: str, *, timeout: float | None = None) -> None:
    """Update the remote-tracking refs (a read as far as the work tree goes)."""
    try:
        git(root, "fetch", "--quiet", "--no-tags", remote, timeout=timeout)
    except CommandError as exc:
        msg = f"cannot fetch from the remote {remote!r}: is it reachable?"
        raise GitError(msg, details=exc.details) from None


def behind(root: Path, upstream_ref: str) -> int:
    return int(git(root, "rev-list", "--count", f"HEAD..{upstream_ref}"))


def remote_tags(root: Path, remote: str, *, timeout: float | None = None) -> set[str]:
    """Every tag on the remote, in one ``git ls-remote`` (a release of N packages asks once)."""
    try:
        out = git(root, "ls-remote", "--tags", remote, timeout=timeout)
    except CommandError as exc:
        msg = f"cannot list the tags of the remote {remote!r}: is it reachable?"
        raise GitError(msg, details=exc.details) from None
    refs = (line.split("\t", 1)[-1] for line in out.splitlines())
    return {ref.removeprefix("refs/tags/").removesuffix("^{}") for ref in refs}


def reset_hard(root: Path, rev: str) -> None:
    git(root, "reset", "--quiet", "--hard", rev, mutates=True)


def delete_tag(root: Path, tag: str) -> None:
    git(root, "tag", "--delete", tag, mutates=True)


def tag_object(root: Path, tag: str, commit: str) -> str:
    """The object of the local ``tag``, refused unless it names ``commit`` (identity, not name)."""
    result = _runner.run(
        [*_runner.tool("git"), "rev-parse", f"refs/tags/{tag}", f"refs/tags/{tag}^{{commit}}"],
        cwd=root, mutates=False, check=False, quiet=True,
    )  # fmt: skip
    found = result.stdout.split()
    if result.returncode != 0 or len(found) != 2 or found[1] != commit:
        msg = f"the tag {tag} no longer names the release commit {commit[:12]}: put it back there"
        raise GitError(msg)
    return found[0]


def push(
    root: Path, remote: str, commit: str, branch: str, tags: list[str], *, dry_run: bool = False,
    timeout: float | None = None,
) -> None:  # fmt: skip
    """Push ``commit`` to ``branch`` and its tags together: both or neither (--atomic).

    By SHA, never whatever HEAD is now: a commit made on the branch while the
    release ran stays local. Each tag goes as the object that names ``commit``.
    """
    refs = [f"{tag_object(root, tag, commit)}:refs/tags/{tag}" for tag in tags]
    try:
        git(root, "push", "--atomic", remote, f"{commit}:refs/heads/{branch}", *refs,
            dry_run=dry_run, mutates=True, timeout=timeout)  # fmt: skip
    except CommandError as exc:
        msg = f"the remote {remote!r} refused the push of {branch} and {' '.join(tags)}"
        raise GitError(msg, details=exc.details) from None


def push_branch(
    root: Path, remote: str, commit: str, branch: str, *, timeout: float | None = None
) -> None:
    """Push ``commit`` (by SHA) to ``branch`` on the remote (the commit after a release)."""
    try:
        git(root, "push", remote, f"{commit}:refs/heads/{branch}", mutates=True, timeout=timeout)
    except CommandError as exc:
        msg = f"the remote {remote!r} refused the push of {branch}"
        raise GitError(msg, details=exc.details) from None


def remote_tag_commit(root: Path, remote: str, tag: str, *, timeout: float | None = None) -> str:
    """The commit that ``tag`` names on the remote, or ``""`` when the remote has no such tag."""
    try:
        out = git(
            root, "ls-remote", remote, f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}", timeout=timeout
        )
    except CommandError as exc:
        msg = f"cannot list the tags of the remote {remote!r}: is it reachable?"
        raise GitError(msg, details=exc.details) from None
    found = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        found[ref] = sha
    return found.get(f"refs/tags/{tag}^{{}}") or found.get(f"refs/tags/{tag}", "")


def contains(root: Path, rev: str, commit: str) -> bool:
    """Whether ``commit`` is ``rev`` or one of its ancestors."""
    result = _runner.run(
        [*_runner.tool("git"), "merge-base", "--is-ancestor", commit, rev],
        cwd=root, mutates=False, check=False, quiet=True,
    )  # fmt: skip
    return result.returncode == 0


def moved_past(root: Path, commit: str) -> str:
    """One line when HEAD moved on from ``commit`` (someone committed meanwhile), else ``""``."""
    now = head(root)
    if now == commit:
        return ""
    subject = git(root, "log", "-1", "--format=%s", now)
    return (
        f"HEAD moved on to {now[:12]} ({subject!r}) while the release ran: pushed the release "
        f"commit {commit[:12]} only; the newer commit stays local, push it when it is ready"
    )


def merged_tags(root: Path, pattern: str) -> list[str]:
    """The tags matching ``pattern`` (a glob) that HEAD contains."""
    return git(root, "tag", "--merged", "HEAD", "--list", pattern).splitlines()


def is_ignored(root: Path, path: str) -> bool:
    result = _runner.run(
        [*_runner.tool("git"), "check-ignore", "--quiet", "--no-index", path],
        cwd=root,
        mutates=False,
        check=False,
        quiet=True,
    )
    return result.returncode == 0


def common_dir(root: Path) -> Path:
    """The repository's own directory that every worktree shares (``--git-common-dir``)."""
    return Path(git(root, "rev-parse", "--path-format=absolute", "--git-common-dir"))


def changed_outside(root: Path, paths: Iterable[str], *revs: str) -> list[str]:
    """What ``git diff --name-only REVS`` names besides ``paths`` (relative to ``root``), sorted.

    Named from the repository's top, as git names them, wherever ``root`` sits in it.
    """
    prefix = git(root, "rev-parse", "--show-prefix")
    ours = {os.path.normpath(prefix + p) for p in paths}
    changed = git(root, "diff", "--name-only", "-z", *revs).split("\0")
    return sorted(p for p in changed if p and p not in ours)


def _said(exc: CommandError) -> str:
    """What git said last (its reason: "unable to sign the tag"), for a one-line message."""
    lines = [line.strip() for line in exc.details.splitlines() if line.strip()]
    return f": {lines[-1]}" if lines else ""


def commit(
    root: Path, message: str, *, what: str = "the release commit", args: Sequence[str] = ()
) -> str:
    """Commit what is staged (the hooks run as for anyone's commit); return the new HEAD.

    :param args: more of ``git commit``'s own (bump-my-version's ``commit_args``).
    """
    try:
        git(root, "commit", "--quiet", *args, "--message", message, mutates=True)
    except CommandError as exc:
        msg = f"git could not make {what}{_said(exc)}"
        raise GitError(msg, details=exc.details) from None
    return head(root)


def annotated_tag(root: Path, tag: str, message: str, *, sign: bool) -> None:
    """Make the annotated (or signed) tag ``tag`` on HEAD."""
    try:
        git(root, "tag", "--sign" if sign else "--annotate", tag, "--message", message,
            mutates=True)  # fmt: skip
    except CommandError as exc:
        msg = f"git could not make the release tag {tag}{_said(exc)}"
        raise GitError(msg, details=exc.details) from None


def path_exists_at(root: Path, rev: str, path: str) -> bool:
    """Whether ``path`` is in the tree of ``rev``."""
    result = _runner.run(
        [*_runner.tool("git"), "cat-file", "-e", f"{rev}:{path}"],
        cwd=root,
        mutates=False,
        check=False,
        quiet=True,
    )
    return result.returncode == 0
