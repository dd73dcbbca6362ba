"""git: the questions a release asks of the repository, and its few writes."""

from __future__ import annotations

from pathlib import Path

from releasekit import _runner
from releasekit._exceptions import CommandError, GitError


def git(root: Path, *args: str, dry_run: bool = False, mutates: bool = False) -> str:
    """Run git in ``root`` and return its stripped stdout."""
    result = _runner.run(
        [*_runner.tool("git"), *args], cwd=root, dry_run=dry_run, mutates=mutates, quiet=not mutates
    )
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


def tree_hash(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", f"{rev}^{{tree}}")
