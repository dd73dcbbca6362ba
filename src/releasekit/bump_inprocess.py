"""bump-my-version through its Python API, in releasekit's own process.

A new interpreter for bump-my-version costs about as long as the work it
does (its imports: pydantic, rich, click), and a release asked it twice on
the critical path: ``show --increment`` for the plan, ``bump`` for the
commit and tag. Here the same functions its command line calls
(``get_configuration``, ``do_bump``) run in this process: the tool still
reads its own configuration, writes the files, commits and tags.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from releasekit._exceptions import VersionError

__all__ = ["bump", "show_increment"]


@contextlib.contextmanager
def _inside(root: Path) -> Iterator[None]:
    """bump-my-version finds the repository from the working directory, as its CLI does."""
    before = Path.cwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(before)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def show_increment(cfg: Any, part: str) -> tuple[dict[str, Any], str]:
    """``bump-my-version show --increment PART``: the configuration and the next version.

    :param cfg: bump-my-version's configuration (``get_configuration``).
    """
    from bumpversion.bump import get_next_version
    from bumpversion.context import get_context

    data: dict[str, Any] = cfg.model_dump()
    try:
        current = cfg.version_config.parse(cfg.current_version)
        new = get_next_version(current, cfg, part, None)
        return data, str(cfg.version_config.serialize(new, get_context(cfg)))
    except Exception as exc:  # bump-my-version raises several unrelated types here
        msg = f"cannot bump {part} from {cfg.current_version}: {_reason(exc)}"
        raise VersionError(msg) from None


def bump(root: Path, config_file: Path, new_version: str, *, commit: bool, tag: bool) -> None:
    """``bump-my-version bump --allow-dirty --new-version NEW [--commit] [--tag]``, in-process."""
    from bumpversion.bump import do_bump
    from bumpversion.config import get_configuration

    with _inside(root):
        try:
            cfg = get_configuration(config_file, allow_dirty=True, commit=commit, tag=tag)
            do_bump(None, new_version, cfg, config_file)
        except Exception as exc:  # its own errors, git's (CalledProcessError), a hook's
            details = getattr(exc, "stderr", None) or getattr(exc, "output", None) or ""
            if isinstance(details, bytes):
                details = details.decode(errors="replace")
            msg = f"bump-my-version could not move the version to {new_version}: {_reason(exc)}"
            raise VersionError(msg, details=str(details) or str(exc)) from None
