"""The configured checks (nox sessions): run in parallel, skipped when known, stoppable.

The preflight runs them on the tree before anything changes, while it asks
its other questions; the release runs them again on its commit, beside build
and verify (:func:`checks_in_background`). Whoever starts them stops them.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from releasekit import _console, _runner
from releasekit._exceptions import CommandError, ReleaseError, ReleaseKitError
from releasekit.project import Project

# The release builds and verifies its own sdist and wheel (build, twine check,
# check-wheel-contents and more), so a `build` check would only do it twice.
SERVED_BY_RELEASE = frozenset({"build"})


def _run_one_check(
    root: Path, session: str, cancel: threading.Event | None
) -> ReleaseKitError | None:
    args = [*_runner.tool("nox"), "--no-color", "-s", session]
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    try:
        _runner.run(args, cwd=root, env=env, mutates=False, cancel=cancel)
    except CommandError as exc:
        return exc
    return None


def run_checks(
    root: Path,
    sessions: list[str],
    *,
    cache: bool = True,
    cancel: threading.Event | None = None,
    where: str = "",
) -> None:
    """Run the configured nox sessions, in parallel, skipping known verdicts.

    A session that already passed on this exact tree and environment (see
    ``_verdicts``) is not run again unless ``cache`` is false. Setting
    ``cancel`` stops the sessions still running (a cheaper refusal won).
    Each session runs in a process group of its own, which a terminal's
    Ctrl-C does not reach: whatever ends the wait here early (Ctrl-C,
    SIGTERM, SIGHUP) stops them, instead of waiting for them to finish.

    :param where: what was checked, for the failure's message.
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
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            results = list(pool.map(lambda s: (s, _run_one_check(root, s, stop)), todo))
        except BaseException:
            stop.set()  # before the pool's exit waits for the sessions
            raise
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

    def wait(self) -> BaseException | None:
        """Their verdict: None, or the error that failed them."""
        return self.result.exception()

    def stop(self) -> None:
        """Stop the sessions still running and wait until they are gone.

        Whoever starts them calls this in a ``finally``: an exception, Ctrl-C
        or a signal that ends the waiting early stops them at once, instead of
        the pool's exit (or the interpreter's) waiting for them to finish.
        """
        self.cancel.set()
        self.pool.shutdown(wait=True)


def checks_in_background(
    root: Path, sessions: list[str], *, cache: bool, where: str = ""
) -> BackgroundChecks:
    """Start :func:`run_checks` in a thread; the caller waits, and stops them in a ``finally``."""
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releasekit-checks")
    result = pool.submit(run_checks, root, sessions, cache=cache, cancel=cancel, where=where)
    return BackgroundChecks(sessions, cancel, pool, result)


def several_in_background(
    runs: list[tuple[Path, list[str], str]], *, cache: bool
) -> BackgroundChecks:
    """Several projects' checks (root, sessions, where), one project after another, in a thread.

    A train's checks on its release commit: each member's sessions in its
    own directory, as the preflight ran them; the first failure stops the rest.
    """
    cancel = threading.Event()

    def run_all() -> None:
        for root, sessions, where in runs:
            if cancel.is_set():
                return
            run_checks(root, sessions, cache=cache, cancel=cancel, where=where)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="releasekit-checks")
    names = sorted({s for _, sessions, _ in runs for s in sessions})
    return BackgroundChecks(names, cancel, pool, pool.submit(run_all))
