"""The transactional write: every file of the plan, or none."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from releasekit.init.planning import Plan


def write(plan_: Plan) -> None:
    """Write every file of the plan, or on any failure put every one back as it was."""
    before: dict[Path, bytes | None] = {
        path: path.read_bytes() if path.exists() else None for path in plan_.writes
    }
    made_dirs: list[Path] = []
    try:
        for path, text in plan_.writes.items():
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                made_dirs.append(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                if before[path] is not None:
                    os.chmod(tmp, path.stat().st_mode & 0o7777)
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
    except BaseException:
        for path, content in before.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        for directory in reversed(made_dirs):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        raise
