"""``twine upload``, in releasekit's process, and twine's failures in one line."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path

from releasekit import _console
from releasekit._exceptions import PublishError
from releasekit.index._deadline import deadline
from releasekit.index.target import Target, upload_credentials

_FRAME = re.compile(r'^\s+File "')


def _without_tracebacks(lines: list[str]) -> list[str]:
    """Drop Python's traceback blocks; the exception line that ends each one stays."""
    kept: list[str] = []
    # The tail of the output may start inside a traceback, its first lines cut.
    inside = bool(lines) and lines[0][:1].isspace()
    for line in lines:
        if line.startswith("Traceback (most recent call last)") or _FRAME.match(line):
            inside = True
            continue
        if inside and (line.startswith(" ") or not line.strip()):
            continue
        inside = False
        if line.startswith("During handling of the above exception"):
            continue
        kept.append(line)
    return kept


def twine_failure(output: str) -> tuple[str, str]:
    """twine's reason for failing, in one line, and its output without tracebacks.

    twine logs ``ERROR <reason>`` for the failures it knows; anything else
    (an index that is down) ends its run with a Python traceback, whose last
    line is the reason. The traceback itself is for ``-v``, which shows the
    whole output as the command runs.
    """
    kept = _without_tracebacks(output.splitlines())
    reason = ""
    for line in kept:
        if line.startswith("ERROR"):
            reason = line.removeprefix("ERROR").strip()
    if not reason and kept:
        reason = kept[-1].strip()
        errno = re.search(r"\[Errno -?\d+\] [^\"')]+", reason)
        name = reason.split(":", 1)[0].rsplit(".", 1)[-1]
        if errno:
            reason = f"{name} ({errno.group(0).strip()})"
        elif len(reason) > 200:
            reason = name
    return reason, "\n".join(kept)


def twine_upload(target: Target, files: Sequence[Path], *, dry_run: bool = False) -> None:
    """``twine upload`` of ``files`` to ``target``, in this process (twine is imported anyway).

    twine gets exactly the login the preflight resolved
    (:func:`~releasekit.index.target.upload_credentials`), under the target's deadline.
    """
    from releasekit import inprocess

    args = ["--non-interactive", "--disable-progress-bar", *target.twine_args()]
    args += ["--verbose"] if _console.is_verbose() else []  # the index's answer, at -v
    args += map(str, files)
    _console.command(shlex.join(["twine", "upload", *args]), dry_run=dry_run)
    if dry_run:
        return
    with deadline(target.timeout, target.host):
        failed, output = inprocess.twine_upload(args, upload_credentials(target))
    if _console.is_verbose() and output.strip():
        _console.output(output)
    if failed:
        reason, details = twine_failure(output)
        msg = f"twine could not upload to {target.shown}" + (f": {reason}" if reason else "")
        raise PublishError(msg, details=details)
