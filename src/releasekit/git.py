"""git: the questions a release asks of the repository, and its few writes."""

from __future__ import annotations

from pathlib import Path

from releasekit import _runner
from releasekit._exceptions import CommandError, GitError


def git(root: Path, *args: str, dry_run: bool = False, mutates: bool = False) -> str:
    """Run git in ``root`` and return its stripped stdout (raw: nothing masked).

    git keeps the credentials in its environment: its remotes may need them.
    """
    result = _runner.run([*_runner.tool("git"), *args], cwd=root, dry_run=dry_run,
                         mutates=mutates, quiet=not mutates, secrets=True)  # fmt: skip
    return result.stdout.strip()


def toplevel(path: Path) -> Path:
    try:
        return Path(git(path, "rev-parse", "--show-toplevel"))
    except CommandError:
        msg = f"{path} is not inside a git repository (run git init first)"
        raise GitError(msg) from None


def status(root: Path) -> list[str]:
    """The porcelain status lines, untracked files included."""
    out = _runner.run(
        [*_runner.tool("git"), "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        mutates=False,
        quiet=True,
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def tracked(root: Path) -> list[str]:
    """The paths git tracks at ``root``, relative to it."""
    return git(root, "ls-files").splitlines()


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


def work_tree_snapshot(root: Path) -> str:
    """The tree ``git add -A`` would commit now: tracked and new files, never ignored ones.

    Made in a copy of the index, so the index, HEAD and the work tree are left
    as they are (git only stores the blobs, as ``git stash create`` does).
    Ignored means ignored by git: ``.gitignore`` and ``.git/info/exclude`` alike.
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
        for args in (["add", "--all", "--", "."], ["write-tree"]):
            result = _runner.run([*_runner.tool("git"), *args], cwd=top, env=env,
                                 mutates=False, quiet=True)  # fmt: skip
    return result.stdout.strip()


def tree_hash(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", f"{rev}^{{tree}}")


def has_remote(root: Path, remote: str) -> bool:
    return remote in git(root, "remote").split()


def fetch(root: Path, remote: str) -> None:
    """Update the remote-tracking refs (a read as far as the work tree goes)."""
    try:
        git(root, "fetch", "--quiet", "--no-tags", remote)
    except CommandError as exc:
        msg = f"cannot fetch from the remote {remote!r}: is it reachable?"
        raise GitError(msg, details=exc.details) from None


def behind(root: Path, upstream_ref: str) -> int:
    return int(git(root, "rev-list", "--count", f"HEAD..{upstream_ref}"))


def remote_tag_exists(root: Path, remote: str, tag: str) -> bool:
    try:
        return bool(git(root, "ls-remote", "--tags", remote, f"refs/tags/{tag}"))
    except CommandError as exc:
        msg = f"cannot list the tags of the remote {remote!r}: is it reachable?"
        raise GitError(msg, details=exc.details) from None


def reset_hard(root: Path, rev: str) -> None:
    git(root, "reset", "--quiet", "--hard", rev, mutates=True)


def delete_tag(root: Path, tag: str) -> None:
    git(root, "tag", "--delete", tag, mutates=True)


def push(root: Path, remote: str, branch: str, tag: str, *, dry_run: bool = False) -> None:
    """Push the release commit and its tag together: both or neither (--atomic)."""
    try:
        git(
            root,
            "push",
            "--atomic",
            remote,
            f"HEAD:refs/heads/{branch}",
            f"refs/tags/{tag}",
            dry_run=dry_run,
            mutates=True,
        )
    except CommandError as exc:
        msg = f"the remote {remote!r} refused the push of {branch} and {tag}"
        raise GitError(msg, details=exc.details) from None


def push_branch(root: Path, remote: str, branch: str) -> None:
    """Push HEAD to ``branch`` on the remote (the commit after a release)."""
    try:
        git(root, "push", remote, f"HEAD:refs/heads/{branch}", mutates=True)
    except CommandError as exc:
        msg = f"the remote {remote!r} refused the push of {branch}"
        raise GitError(msg, details=exc.details) from None


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


def commit_and_tag(root: Path, message: str, tag: str, tag_message: str, *, sign: bool) -> None:
    """Commit what is staged, then make the annotated (or signed) release tag."""
    try:
        git(root, "commit", "--quiet", "--message", message, mutates=True)
    except CommandError as exc:
        msg = "git could not make the release commit"
        raise GitError(msg, details=exc.details) from None
    try:
        git(root, "tag", "--sign" if sign else "--annotate", tag, "--message", tag_message,
            mutates=True)  # fmt: skip
    except CommandError as exc:
        msg = f"git could not make the release tag {tag}"
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
