"""The one place where releasekit starts external commands.

Every command is logged before it runs, honours dry-run when it would change
something, has its output captured, and fails with a :class:`CommandError`
that carries the tool's own last lines. Secrets never reach the log: they
travel in the environment, never in argv, and are masked where text is shown
(:mod:`releasekit._secrets`), never in the output a caller reads as data. A
child gets no credentials unless it asks for them (``secrets=True``: git, whose
environment :func:`releasekit.git.git` prepares): build backends, hooks and
check sessions run project code.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from releasekit import _console, _secrets
from releasekit._exceptions import CommandError, ToolNotFoundError

TAIL_LINES = 20

# Tools that releasekit installs as its own dependencies: run them with the
# interpreter releasekit runs under, so the right copy is used even when the
# environment's scripts directory is not on PATH (nox's script mode, pipx).
_PYTHON_TOOLS = {
    "bump-my-version": "bumpversion",
    "towncrier": "towncrier",
    "build": "build",
    "twine": "twine",
    "check-wheel-contents": "check_wheel_contents",
    "nox": "nox",
    "cookiecutter": "cookiecutter",
    "auditwheel": "auditwheel",
}


@dataclasses.dataclass(frozen=True)
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return "\n".join(part for part in (self.stdout, self.stderr) if part)


def tool(name: str) -> list[str]:
    """Return the argv prefix that runs ``name``, or say how to install it."""
    module = _PYTHON_TOOLS.get(name)
    if module is not None:
        import importlib.util

        if importlib.util.find_spec(module) is not None:
            return [sys.executable, "-m", module]
    found = shutil.which(name)
    if found is None:
        hint = f"pip install {name}" if module else f"install {name} and put it on PATH"
        msg = f"{name} is not installed ({hint})"
        raise ToolNotFoundError(msg)
    return [found]


def uv() -> str | None:
    """Return the path of uv when it is available, for the fast paths."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def child_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Copy ``os.environ`` with ``extra`` applied; a ``None`` value unsets."""
    env = dict(os.environ)
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def unquoted_paths(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for git with ``core.quotePath=false``, after whatever config it already carries.

    git prints a path with a byte above 0x7f quoted and escaped (``"\\303\\274"``)
    unless told otherwise; releasekit, and the tools it drives in its process
    (towncrier's ``git ls-files`` before its ``git rm``), read git's output as
    file names. Given in the environment, so it reaches git wherever it is started.
    """
    found = dict(env)
    try:
        count = max(0, int(found.get("GIT_CONFIG_COUNT") or 0))
    except ValueError:
        count = 0
    found[f"GIT_CONFIG_KEY_{count}"] = "core.quotePath"
    found[f"GIT_CONFIG_VALUE_{count}"] = "false"
    found["GIT_CONFIG_COUNT"] = str(count + 1)
    return found


def _display(args: Sequence[str]) -> str:
    shown = list(args)
    if len(shown) >= 3 and shown[0] == sys.executable and shown[1] == "-m":
        shown = [next((k for k, v in _PYTHON_TOOLS.items() if v == shown[2]), shown[2])]
        shown += list(args[3:])
    elif shown:
        shown[0] = Path(shown[0]).name
    return shlex.join(shown)


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    dry_run: bool = False,
    mutates: bool = True,
    check: bool = True,
    quiet: bool = False,
    stdin: str | None = None,
    cancel: threading.Event | None = None,
    secrets: bool = False,
    timeout: float | None = None,
    host: str = "",
    on_line: Callable[[str], None] | None = None,
) -> Result:
    """Run one command; see the module docstring for the contract.

    :param mutates: whether the command changes anything; only those are
        skipped under ``dry_run``, reads still run so the plan is accurate.
    :param quiet: do not log the command line (for frequent read-only probes).
    :param cancel: when set while the command runs, its whole process group is
        stopped (SIGTERM, then SIGKILL) and the command fails.
    :param secrets: pass ``env`` as it is given (git's, which keeps only what
        its credential helper reads); every other child gets no credentials.
    :param timeout: a total deadline in seconds for a command that talks to
        ``host``: past it the command is stopped and the error names the host.
    :param on_line: called with each line of output as the command prints it
        (with ``cancel`` only: the check sessions' progress), raw: mask what is shown.
    """
    argv = [os.fspath(a) for a in args]
    full_env = dict(env) if env is not None else dict(os.environ)
    if Path(argv[0]).name == "git":
        full_env = unquoted_paths(full_env)
    if not secrets:
        full_env = _secrets.without_secrets(full_env)
    # Output is captured, not shown on a terminal: keep tools that draw boxes
    # (rich, click) from wrapping a message across lines of the tail.
    full_env.setdefault("COLUMNS", "200")
    line = _secrets.mask(_display(argv), {**os.environ, **full_env})
    if dry_run and mutates:
        _console.command(line, dry_run=True)
        return Result(argv, 0, "", "")
    if quiet:
        _console.verbose(f"$ {line}")
    else:
        _console.command(line)
    try:
        if cancel is None:
            proc = subprocess.run(
                argv,
                cwd=cwd,
                env=full_env,
                input=stdin,
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
            returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        else:
            returncode, stdout, stderr = _run_cancellable(
                argv, cwd, full_env, stdin, cancel, on_line
            )
    except FileNotFoundError:
        msg = f"{argv[0]} is not installed or not on PATH"
        raise ToolNotFoundError(msg) from None
    except subprocess.TimeoutExpired as exc:
        where = host or "the network"
        msg = f"{where} did not answer within {timeout:.0f}s ({line}): try again later"
        raise CommandError(argv, -1, _text(exc.stdout) + _text(exc.stderr), shown=line,
                           message=msg) from None  # fmt: skip
    result = Result(argv, returncode, stdout, stderr)
    if _console.is_verbose() and result.output:
        _console.output(result.output)
    if check and returncode != 0:
        tail = "\n".join(_plain_lines(result.output)[-TAIL_LINES:])
        raise CommandError(argv, returncode, tail, shown=line)
    return result


def _text(data: str | bytes | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else data or ""


_BOX = ("│", "╭", "╰", "┃", "┏", "┗")


def _plain_lines(output: str) -> list[str]:
    """The tool's lines without the frames of a rich box; a traceback's box is left out.

    click and rich draw a failing tool's traceback, with source lines, in a
    box; the tail of 20 lines is then all box and no reason. An error box
    (rich-click's "Error", bump-my-version's "Git working directory is not
    clean") is the reason: its text is kept, without the frame. The whole
    output is still shown under ``-v``.
    """
    lines = output.splitlines()
    plain: list[str] = []
    in_error = False  # inside a box titled "Error"; any other box is a traceback's
    for line in lines:
        text = line.strip()
        if text.startswith(("╭", "┏")):
            in_error = " Error " in text
            continue
        if text.startswith(("╰", "┗")):
            in_error = False
            continue
        if text.startswith(_BOX):
            inner = text.strip("│┃ ")
            if in_error and inner:
                plain.append(inner)
            continue
        if text:
            plain.append(line)
    return plain or lines


def _reader(
    stream: IO[str], into: list[str], on_line: Callable[[str], None] | None
) -> threading.Thread:
    """Read ``stream`` line by line into ``into`` in a thread, telling ``on_line`` of each."""

    def read() -> None:
        for line in stream:
            into.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))  # shown masked: the board and the console mask
        stream.close()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _run_cancellable(
    argv: list[str],
    cwd: str | os.PathLike[str] | None,
    env: dict[str, str],
    stdin: str | None,
    cancel: threading.Event,
    on_line: Callable[[str], None] | None = None,
) -> tuple[int, str, str]:
    """Run in a process group of its own, so that cancelling stops its children too.

    The output is read as it comes (two reader threads), so that a caller can
    show a long command's progress and a full pipe never blocks it.
    """
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    out: list[str] = []
    err: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    readers = [_reader(proc.stdout, out, on_line), _reader(proc.stderr, err, on_line)]
    if stdin is not None and proc.stdin is not None:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    returncode, stopped = _wait_or_stop(proc, cancel)
    for reader in readers:
        reader.join(timeout=5.0)  # a grandchild holding the pipe must not hold us
    stderr = "".join(err) + ("\n(cancelled)" if stopped else "")
    return returncode, "".join(out), stderr


def _wait_or_stop(proc: subprocess.Popen[str], cancel: threading.Event) -> tuple[int, bool]:
    """Wait for ``proc``; once ``cancel`` is set, stop its group (SIGTERM, then SIGKILL).

    :returns: the exit status, and whether it was stopped.
    """
    while True:
        try:
            return proc.wait(timeout=0.2), False
        except subprocess.TimeoutExpired:
            if cancel.is_set():
                break
    return _stop(proc), True


def _stop(proc: subprocess.Popen[str]) -> int:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            return proc.wait(timeout=wait) or -int(sig)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait() or -int(signal.SIGKILL)
