"""Remember which checks passed on which source tree, so they need not run twice.

A verdict is keyed honestly: the session's name, the git tree of HEAD (only
when the work tree is clean, so the tree is exactly what was checked), the
packages installed in the session's environment, the Python version and
releasekit's version. Anything else changes the key and the check runs again.
Verdicts live inside the git directory: never in a build, never in
``git status``.

One exception makes the common last commit before a release free: the
changelog fragment directory (towncrier's ``directory``, nothing else: not
the changelog, not the docs) is left out of the tree, so a verdict stays
valid when only fragments changed since it passed. Checks do not read
fragments, except through towncrier: a session whose environment holds
towncrier or sphinxcontrib-towncrier keeps them in its key.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from releasekit import __version__, git
from releasekit._exceptions import ReleaseKitError

MAX_ENTRIES = 200

#: Distributions through which a check may read the changelog fragments.
READS_FRAGMENTS = ("towncrier-", "sphinxcontrib_towncrier-")


def _store(root: Path) -> Path:
    return git.common_dir(root) / "releasekit" / "verdicts.json"


def key(root: Path, session: str, env_dir: Path | None = None) -> str | None:
    """The key of ``session`` on the current tree, or None if it cannot be known."""
    if git.status(root):
        return None
    env_dir = env_dir or root / ".nox" / session
    packages = sorted(p.name for p in env_dir.glob("lib/python*/site-packages/*.dist-info"))
    if not packages:
        return None
    reads_fragments = any(p.lower().startswith(READS_FRAGMENTS) for p in packages)
    tree = git.tree_hash(root) if reads_fragments else tree_without_fragments(root)
    parts = [session, tree, *packages, sys.version, __version__]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def tree_without_fragments(root: Path) -> str:
    """A digest of HEAD's tree with the changelog fragment directory left out.

    Walks only the path down to that directory (``git ls-tree`` of each
    level), dropping its entry. When the directory is not configured, not
    tracked, or is the project itself, it is the whole tree's hash.
    """
    from releasekit import changelog

    try:
        top = git.toplevel(root).resolve()
        rel = changelog.settings(root).directory.resolve().relative_to(top)
    except (ReleaseKitError, ValueError):
        return git.tree_hash(root)
    if not rel.parts:
        return git.tree_hash(root)
    kept: list[str] = []
    prefix = ""
    for part in rel.parts:
        try:
            listing = git.git(top, "ls-tree", f"HEAD:{prefix}")
        except ReleaseKitError:  # the directory is not in HEAD: nothing to leave out
            return git.tree_hash(root)
        lines = listing.splitlines()
        entries = [line for line in lines if line.split("\t", 1)[-1] != part]
        if len(entries) == len(lines):  # not tracked: nothing to leave out
            return git.tree_hash(root)
        kept += [f"{prefix}{line}" for line in entries]
        prefix = f"{prefix}{part}/"
    return "fragments-excluded:" + hashlib.sha256("\n".join(kept).encode()).hexdigest()


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
