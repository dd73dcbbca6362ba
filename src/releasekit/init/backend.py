"""The build backend, asked for the project's name and version.

The backend is the authority: whatever a file-level reading of the sources
guesses, the version the built wheel will carry is the one the backend's
``prepare_metadata_for_build_wheel`` hook reports (through build's
``project_wheel_metadata``, in an isolated environment like the real build).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from releasekit import _runner
from releasekit._exceptions import CommandError, InitError


@dataclasses.dataclass(frozen=True)
class Metadata:
    """What the build backend says the wheel will be."""

    name: str
    version: str


def _hook_runner(
    cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
) -> None:
    """Run the backend's hooks through releasekit's runner (quoted in the log, output kept)."""
    _runner.run(cmd, cwd=Path(cwd or "."), env=_runner.child_env(extra_environ), mutates=False,
                quiet=True)  # fmt: skip


def metadata(project: Path) -> Metadata:
    """The name and version that the build backend reports for the project at ``project``."""
    import build
    import build.util

    try:
        found = build.util.project_wheel_metadata(project, isolated=True, runner=_hook_runner)
    except CommandError as exc:
        msg = (
            "the build backend cannot prepare the project's metadata "
            f"({_last_line(exc.details)}): fix the build first (python -m build)"
        )
        raise InitError(msg, details=exc.details) from None
    except (build.BuildException, build.BuildBackendException, build.FailedProcessError) as exc:
        cause = getattr(exc, "exception", None)
        details = str(cause.details if isinstance(cause, CommandError) else exc)
        msg = (
            "the build backend cannot prepare the project's metadata "
            f"({_last_line(details) or type(exc).__name__}): fix the build first (python -m build)"
        )
        raise InitError(msg, details=details) from None
    return Metadata(name=str(found["Name"]), version=str(found["Version"]))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
