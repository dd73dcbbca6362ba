"""SIGTERM and SIGHUP stop a release as Ctrl-C does; a failed local step says so in one line.

:data:`SIGNALS` is installed while a release (or a train) runs and held while
a rollback runs, which nothing may interrupt; :func:`failure` is what is
raised once a failed local step was rolled back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from releasekit import _console
from releasekit._exceptions import Interrupted, ReleaseError, ReleaseKitError


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


SIGNALS = _Signals()


def interrupted(exc: KeyboardInterrupt, step: str, left: str) -> Interrupted:
    """Ctrl-C or a signal during ``step``, said with what it left: one line, still an interrupt."""
    how = f"stopped by {exc}" if isinstance(exc, _Terminated) else "interrupted"
    return Interrupted(f"{how} during {step}: {left}")


def failure(exc: BaseException, step: str, rolled_back: str) -> BaseException:
    """What to raise after a local step failed and was rolled back: one line, whatever it was.

    Ctrl-C and the signals stay interrupts (the front ends exit 130); releasekit's
    errors keep their tool's output; anything else (an OSError, a tarfile error,
    a library's bug) is named in one line, its traceback only under ``-v``.
    """
    if isinstance(exc, KeyboardInterrupt):
        return interrupted(exc, step, rolled_back)
    if SIGNALS.received:  # the signal killed a tool first: say what really happened
        details = exc.details if isinstance(exc, ReleaseKitError) else ""
        msg = f"stopped by {SIGNALS.received[-1]} during {step}: {rolled_back}"
        return ReleaseError(msg, details=details)
    if isinstance(exc, ReleaseKitError):
        return ReleaseError(f"{step} failed: {exc}; {rolled_back}", details=exc.details)
    import traceback

    what = (str(exc).splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {what}" if what else type(exc).__name__
    details = "".join(traceback.format_exception(exc)) if _console.is_verbose() else ""
    return ReleaseError(f"{step} failed: {what}; {rolled_back}", details=details)
