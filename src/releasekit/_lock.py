"""One release at a time per repository: a lock held for the whole run.

The lock is ``flock`` on a file in the git directory shared by every
worktree of the repository (``--git-common-dir``: two worktrees are one
repository, one set of tags), never in the work tree, so it cannot dirty it
or reach a build. The kernel releases it when
the holder exits in any way, kill -9 included, so a stale lock of a dead
process can never block the next release.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from releasekit import git
from releasekit._exceptions import ReleaseError

LOCK_FILE = "releasekit.lock"


@contextlib.contextmanager
def held(root: Path) -> Iterator[None]:
    """Hold the repository's release lock, or refuse in one line while another run holds it."""
    path = git.common_dir(root) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            msg = (
                f"another release is running in this repository (pid {holder}): "
                "wait for it to finish; nothing was changed"
            )
            raise ReleaseError(msg) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
