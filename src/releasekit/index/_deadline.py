"""A total deadline for one network step, whose error names the host."""

from __future__ import annotations

import contextlib
import signal
import threading
import types
from collections.abc import Iterator

from releasekit._exceptions import PublishError


class _Overdue(BaseException):
    """A network step's deadline passed (a BaseException: no library's ``except`` eats it)."""


@contextlib.contextmanager
def deadline(seconds: float, host: str) -> Iterator[None]:
    """A total deadline for one network step, in this process; the error names the host.

    requests' timeout (and so pypi-simple's) bounds each read, so a server
    that sends one byte every few seconds holds it forever; a real-time timer
    bounds the whole step, twine's upload included. Timers are for the main
    thread (where the release runs); elsewhere only the per-read timeouts hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: types.FrameType | None) -> None:
        raise _Overdue

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Overdue:
        msg = f"{host} did not answer within {seconds:.0f}s: check the index and try again"
        raise PublishError(msg) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
