"""The configured checks (nox sessions): run in parallel, skipped when known, stoppable.

The preflight runs them on the tree before anything changes, while it asks
its other questions and the person at the terminal reads the plan; the
release runs them again on its commit, beside build and verify
(:func:`in_background`). Whoever starts them stops them. While they
run, the :class:`Board` says what each is doing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit import _console, _runner, _secrets, git
from releasekit._exceptions import CommandError, ReleaseError, ReleaseKitError
from releasekit.project import Project

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.live import Live

# The release builds and verifies its own sdist and wheel (build, twine check,
# check-wheel-contents and more), so a `build` check would only do it twice.
SERVED_BY_RELEASE = frozenset({"build"})

#: How much of a session's last line its live line keeps (a terminal shows less).
LAST_LINE = 300


class Board:
    """What each check session is doing while it runs, as nox users expect to see it.

    On a terminal: one live line per running session (its name, the time it
    has taken, its last line of output), redrawn in place, and a line of
    its own when it ends. Elsewhere (CI, a pipe): a line when a session
    starts and one when it ends. With ``-v``: every line of their output,
    named by session. :meth:`paused` clears the live lines while the plan
    and the question are shown; the sessions keep running.
    """

    def __init__(self, where: str = "") -> None:
        self.where = where
        self._running: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._paused = 0
        #: Lines that came while the terminal was someone else's (the question).
        self._held: list[tuple[str, bool]] = []
        self._streaming = _console.is_verbose()
        self._drawing = not self._streaming and _console.is_terminal()

    def started(self, session: str) -> None:
        with self._lock:
            self._running[session] = (time.monotonic(), "")
            if self._drawing:
                self._show()
                return
        _console.info(f"  check {session}: started{self.where}")

    def line(self, session: str, text: str) -> None:
        if self._streaming:
            self._say(f"{session}| {text}", output=True)
        elif text.strip():
            with self._lock:
                if session in self._running:  # a line, not a page: the live line shows its start
                    self._running[session] = (self._running[session][0], text.strip()[:LAST_LINE])

    def ended(self, session: str, error: CommandError | None) -> None:
        with self._lock:
            began, _ = self._running.pop(session, (time.monotonic(), ""))
            if self._live is not None and not self._running:
                self._live.stop()
                self._live = None
        verdict = "failed" if error is not None else "passed"
        took = f"{time.monotonic() - began:.1f}s"
        if error is not None and "(cancelled)" in error.details:
            verdict = "stopped"
        self._say(f"  check {session}: {verdict} ({took}){self.where}")

    def _say(self, text: str, *, output: bool = False) -> None:
        """Show a line now, or after the question when it is being asked (kept in order)."""
        with self._lock:
            if self._paused:
                self._held.append((text, output))
                return
        (_console.output if output else _console.info)(text)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Clear the live lines while something else has the terminal (the plan, a question)."""
        with self._lock:
            self._paused += 1
            if self._live is not None:
                self._live.stop()
                self._live = None
        try:
            yield
        finally:
            with self._lock:
                self._paused -= 1
                held, self._held = (self._held, []) if not self._paused else ([], self._held)
            for text, output in held:
                (_console.output if output else _console.info)(text)
            with self._lock:
                if self._drawing and self._running and not self._paused:
                    self._show()

    def close(self) -> None:
        with self._lock:
            self._running.clear()
            if self._live is not None:
                self._live.stop()
                self._live = None

    def _show(self) -> None:
        """Start the live lines (called with the lock held)."""
        if self._live is not None or self._paused:
            return
        from rich.live import Live

        self._live = Live(
            get_renderable=self._render,
            console=_console.console(),
            refresh_per_second=4,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()

    def _render(self) -> RenderableType:
        from rich.table import Table
        from rich.text import Text

        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis", style="dim")
        now = time.monotonic()
        for session, (began, last) in sorted(self._running.items()):
            # Text, not markup: a test id like test_read[/etc/hosts] is shown as it is.
            table.add_row(f"  check {session}", f"{now - began:.0f}s", Text(_secrets.mask(last)))
        return table


def _run_one_check(
    root: Path, session: str, cancel: threading.Event | None, board: Board
) -> ReleaseKitError | None:
    args = [*_runner.tool("nox"), "--no-color", "-s", session]
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    error: CommandError | None = None
    board.started(session)
    try:
        _runner.run(
            args,
            cwd=root,
            env=env,
            mutates=False,
            cancel=cancel or threading.Event(),
            on_line=lambda text: board.line(session, text),
        )
    except CommandError as exc:
        error = exc
    board.ended(session, error)
    return error


def run_checks(
    root: Path,
    sessions: list[str],
    *,
    cache: bool = True,
    cancel: threading.Event | None = None,
    where: str = "",
    board: Board | None = None,
) -> None:
    """Run the configured nox sessions, in parallel, skipping known verdicts.

    A session that already passed on this exact tree and environment (see
    ``_verdicts``) is not run again unless ``cache`` is false. Setting
    ``cancel`` stops the sessions still running (a cheaper refusal won).
    Each session runs in a process group of its own, which a terminal's
    Ctrl-C does not reach: whatever ends the wait here early (Ctrl-C,
    SIGTERM, SIGHUP) stops them, instead of waiting for them to finish.

    :param where: what was checked, for the failure's message.
    :param board: where their progress is shown (one of its own by default).
    """
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
    stop = cancel if cancel is not None else threading.Event()
    shown = board if board is not None else Board(where)
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            results = list(pool.map(lambda s: (s, _run_one_check(root, s, stop, shown)), todo))
        except BaseException:
            stop.set()  # before the pool's exit waits for the sessions
            raise
        finally:
            if board is None:
                shown.close()
    failed = [(s, exc) for s, exc in results if exc is not None]
    if failed:
        names = ", ".join(s for s, _ in failed)
        msg = f"the configured check {names} failed{where} (nox -s {' '.join(todo)})"
        raise ReleaseError(msg, details=failed[0][1].details) from None


def check_sessions(project: Project) -> list[str]:
    """The nox sessions of the preflight: ``checks``, and ``audit`` when configured."""
    settings = project.settings
    sessions = list(settings.checks)
    if settings.audit_on_release and "audit" not in sessions:
        sessions.append("audit")
    return sessions


@dataclasses.dataclass
class BackgroundChecks:
    """Check sessions running beside other work (the preflight's questions, the build)."""

    sessions: list[str]
    cancel: threading.Event
    pool: ThreadPoolExecutor
    result: Future[None]
    board: Board

    def wait(self) -> BaseException | None:
        """Their verdict: None, or the error that failed them."""
        return self.result.exception()

    def passed(self) -> None:
        """Wait for their verdict; raise the error that failed them."""
        failed = self.wait()
        if failed is not None:
            raise failed

    def __enter__(self) -> BackgroundChecks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()  # a refusal, Ctrl-C or a signal is the answer: stop the checks now

    def stop(self) -> None:
        """Stop the sessions still running and wait until they are gone.

        Whoever starts them calls this in a ``finally``: an exception, Ctrl-C
        or a signal that ends the waiting early stops them at once, instead of
        the pool's exit (or the interpreter's) waiting for them to finish.
        """
        self.cancel.set()
        self.pool.shutdown(wait=True)
        self.board.close()


def in_background(runs: list[tuple[Path, list[str], str]], *, cache: bool) -> BackgroundChecks:
    """Each package's checks (root, sessions, where), one after another, in a thread.

    In the preflight and on the release commit, for one package or a train's
    N: each one's sessions in its own directory; the first failure stops the
    rest. The caller waits, and stops them in a ``finally``.
    """
    cancel = threading.Event()
    board = Board()

    def run_all() -> None:
        for root, sessions, where in runs:
            if cancel.is_set():
                return
            board.where = where
            run_checks(root, sessions, cache=cache, cancel=cancel, where=where, board=board)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releasekit-checks")
    names = list(dict.fromkeys(s for _, sessions, _ in runs for s in sessions))
    return BackgroundChecks(names, cancel, pool, pool.submit(run_all), board)


def passed_on_commit(checks: BackgroundChecks, root: Path, commit: str) -> None:
    """Wait for the checks on the release commit, then stop them; raise what failed them.

    They ran in the work tree: when it changed meanwhile (or HEAD moved), they
    saw it as it was, not the release commit alone, and that is said instead.
    """
    with checks:
        checks.passed()
    changed = git.status(root)
    if changed or git.head(root) != commit:
        example = f" (e.g. {changed[0][3:]})" if changed else ""
        _console.warn(
            f"the work tree changed while the checks ran{example}: they saw it as it was, "
            "not the release commit alone; the preflight's checks stand"
        )
        return
    _console.info(f"{', '.join(checks.sessions)} passed on the release commit")
