"""uv.lock: refused when already stale, re-locked after the version moves.

uv records the version of every package of the project (or the workspace),
the project's own included, in ``uv.lock``: a release that moves a version
and commits the old lock leaves it stale, and the next ``uv sync --locked``
fails. So when ``uv.lock`` is tracked, the preflight refuses a lock that is
stale already (that is not the release's to fix) and the release re-locks
after the version moved, before its commit. uv answers from its cache first
(``--offline``) and goes to the network only when the cache cannot answer.
Other lockfiles (poetry.lock, pdm.lock) are left alone.
"""

from __future__ import annotations

from pathlib import Path

from releasekit import _console, _runner, git
from releasekit._exceptions import ReleaseError

__all__ = ["NAME", "check", "find", "relock"]

NAME = "uv.lock"
#: What uv says when a lock does not match the project (``--check``, ``--locked``).
_STALE = "needs to be updated"
#: Who uv asks when its cache cannot answer, for a deadline's message.
_HOST = "the package index of uv lock"


def _lock_dir(project_root: Path) -> Path:
    """Where uv keeps the lock of the project: the workspace root for a member, else its own."""
    from releasekit import workspace

    member = workspace.membership(project_root)
    return project_root if member is None else member[0]


def find(project_root: Path) -> Path | None:
    """The tracked ``uv.lock`` that covers the project, or ``None`` (absent or not tracked)."""
    directory = _lock_dir(Path(project_root))
    if not (directory / NAME).is_file():
        return None
    return directory / NAME if git.git(directory, "ls-files", "--", NAME).strip() else None


def _uv(lock: Path) -> str:
    uv = _runner.uv()
    if uv is None:
        msg = (
            f"{lock} is tracked and the release re-locks it with uv, which is not installed: "
            "pip install uv"
        )
        raise ReleaseError(msg)
    return uv


def _run(lock: Path, *args: str, offline: bool, timeout: float) -> _runner.Result:
    # UV_LOCKED would make the re-lock fail and UV_FROZEN would make both the
    # check and the re-lock pass without looking: this asks its own question.
    env = _runner.child_env({"UV_LOCKED": None, "UV_FROZEN": None})
    argv = [_uv(lock), "lock", *args, *(["--offline"] if offline else [])]
    return _runner.run(argv, cwd=lock.parent, env=env, check=False, mutates="--check" not in args,
                       timeout=None if offline else timeout, host=_HOST)  # fmt: skip


def check(lock: Path, *, timeout: float = 300) -> None:
    """Refuse, before anything changes, a lock that no longer matches the project.

    ``uv lock --check`` from uv's cache first; only when the cache cannot tell
    (a cold cache: "not found in the cache"), once more with the network.
    """
    result = _run(lock, "--check", offline=True, timeout=timeout)
    if result.returncode != 0 and _STALE not in result.output:
        result = _run(lock, "--check", offline=False, timeout=timeout)
    if result.returncode == 0:
        return
    if _STALE in result.output:
        msg = (
            f"{lock} is stale already (uv lock --check fails): run `uv lock` in "
            f"{lock.parent} and commit uv.lock, then release"
        )
    else:
        msg = f"uv lock --check could not tell whether {lock} is current: fix what uv says"
    raise ReleaseError(msg, details=result.output)


def relock(lock: Path, *, timeout: float = 300) -> None:
    """Re-lock after the version moved and stage the lock for the release commit.

    The preflight found the lock current, so only the moved versions (and a
    train's widened requirements) change in it.
    """
    result = _run(lock, offline=True, timeout=timeout)
    if result.returncode != 0:
        _console.info("uv's cache cannot re-lock alone: asking the index")
        result = _run(lock, offline=False, timeout=timeout)
    if result.returncode != 0:
        msg = f"uv lock could not re-lock {lock} after the version moved"
        raise ReleaseError(msg, details=result.output)
    git.git(lock.parent, "add", "--", NAME, mutates=True)
