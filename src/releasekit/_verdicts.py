"""Remember which checks passed on which source tree, so they need not run twice.

A verdict is keyed honestly: the session's name, the git tree of HEAD (only
when the work tree is clean, so the tree is exactly what was checked), the
packages installed in the session's environment, the Python version and
releasekit's version. Anything else changes the key and the check runs again.
Verdicts live inside the git directory: never in a build, never in
``git status``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from releasekit import __version__, git

MAX_ENTRIES = 200


def _store(root: Path) -> Path:
    return Path(root, git.git(root, "rev-parse", "--git-common-dir"), "releasekit", "verdicts.json")


def key(root: Path, session: str, env_dir: Path | None = None) -> str | None:
    """The key of ``session`` on the current tree, or None if it cannot be known."""
    if git.status(root):
        return None
    env_dir = env_dir or root / ".nox" / session
    packages = sorted(p.name for p in env_dir.glob("lib/python*/site-packages/*.dist-info"))
    if not packages:
        return None
    parts = [session, git.tree_hash(root), *packages, sys.version, __version__]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _load(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def passed(root: Path, verdict_key: str | None) -> bool:
    return verdict_key is not None and verdict_key in _load(_store(root))


def record(root: Path, verdict_key: str | None) -> None:
    if verdict_key is None:
        return
    path = _store(root)
    data = _load(path)
    data[verdict_key] = time.time()
    newest = dict(sorted(data.items(), key=lambda kv: kv[1])[-MAX_ENTRIES:])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(newest))
    os.replace(tmp, path)
