"""Progress output: each step named and timed, each command shown.

Everything goes to stderr, like nox and build, so that stdout stays free for
what a command is asked to print (a version, a changelog draft). Every line
shown here, and every log record of the process, has its credentials masked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from releasekit import _secrets

if TYPE_CHECKING:
    from rich.console import Console

_secrets.mask_log_records()

_verbose = os.environ.get("RELEASEKIT_VERBOSE", "") not in ("", "0")


#: Libraries releasekit calls in its own process; their debug logs are for ``-v``.
#: (nox lets every logger through at DEBUG: without this a session would print
#: bump-my-version's and urllib3's diagnostics between the steps.)
_LIBRARY_LOGGERS = ("bumpversion", "build", "towncrier", "twine", "urllib3", "requests")


def set_verbose(value: bool) -> None:
    global _verbose
    _verbose = value
    import logging

    level = logging.NOTSET if value else logging.WARNING
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)


def is_verbose() -> bool:
    return _verbose


@cache
def console() -> Console:
    """The one console everything is shown on (stderr), shared with live displays."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def is_terminal() -> bool:
    """Whether a person watches stderr on a terminal that can redraw (live lines are for them)."""
    return console().is_interactive


def _print(text: str, style: str = "") -> None:
    from rich.text import Text

    console().print(Text(_secrets.mask(text), style=style))


def info(message: str) -> None:
    _print(message)


def warn(message: str) -> None:
    _print(f"WARNING {message}", "yellow")


def error(message: str) -> None:
    _print(f"ERROR {message}", "bold red")


def command(line: str, *, dry_run: bool = False) -> None:
    _print(f"{'[dry-run] ' if dry_run else ''}$ {line}", "dim")


def output(text: str) -> None:
    """Show a tool's captured output (at ``-v``, or below an error)."""
    for line in text.rstrip().splitlines():
        _print(f"  {line}", "dim")


def verbose(message: str) -> None:
    if _verbose:
        _print(message, "dim")


@contextmanager
def step(name: str) -> Iterator[None]:
    """Name a step as it starts and time it as it ends, failed or not."""
    _print(f"▶ {name}", "bold cyan")
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        _print(f"✗ {name} failed after {time.perf_counter() - start:.1f}s", "bold red")
        raise
    _print(f"✓ {name} ({time.perf_counter() - start:.1f}s)", "green")


def ask(question: str) -> bool:
    """Ask yes/no on a terminal; without one the answer is yes (``--yes`` implied).

    Every front end's question (the release, the train, ``init``) is asked
    here. Ctrl-D is "no", like an empty answer: the caller's refusal is then
    one line, on a line of its own, instead of an ``EOFError`` traceback.
    """
    import sys

    if not sys.stdin.isatty():
        return True
    try:
        answer = input(f"{question} [y/N] ").strip().lower()
    except EOFError:
        print(flush=True)  # the terminal echoed no newline after the question
        return False
    return answer in ("y", "yes")
