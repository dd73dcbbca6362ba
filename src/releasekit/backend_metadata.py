"""The build backend's core metadata for a commit: read once, kept per tree, read ahead.

PyPI's rules (:mod:`releasekit.pypi_rules`) hold this metadata before anything
changes. The backend's PEP 517 hook runs in the kept build environment on a
clean export; its answer is kept per repository tree (the changelog fragments
aside, the build requirements, the day) in ``~/.cache/releasekit/metadata``,
and a preflight starts reading it while it asks its other questions.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit._exceptions import ReleaseKitError

if TYPE_CHECKING:
    from releasekit.project import Project


def _license_files(text: str) -> list[str]:
    from packaging.metadata import parse_email

    return [str(p) for p in parse_email(text)[0].get("license_files", []) or []]


def backend(
    root: Path, commit: str, version: str = "", *, fresh: bool = False
) -> tuple[str, str, frozenset[str]]:
    """The core metadata the build backend reports for ``commit``, the backend, the licenses.

    From a clean export (a backend such as setuptools writes into its source
    tree), in the kept build environment that the build then reuses. The
    third item: the License-File paths that the export holds.

    :param version: handed to a backend that reads the version from git
        tags (the export has no ``.git``), as the build does.
    """
    from releasekit import dists

    with tempfile.TemporaryDirectory(prefix="releasekit-metadata-") as tmp:
        project = dists.export(root, commit, Path(tmp))
        extra = {"SETUPTOOLS_SCM_PRETEND_VERSION": version} if version else {}
        text, backend = dists.prepared_metadata(project, Path(tmp) / "out", extra_env=extra,
                                                fresh_env=fresh)  # fmt: skip
        named = _license_files(text)
        present = frozenset(p for p in named if (project / p).is_file())
    return text, backend, present


Read = tuple[str, str, frozenset[str]]


@dataclasses.dataclass(frozen=True)
class Tree:
    """What the backend's metadata for a commit depends on, as one key, and its files."""

    key: str
    paths: frozenset[str]


def tree_of(project: Project, commit: str, version: str) -> Tree | None:
    """The commit's files (the changelog fragments aside), the build requirements, the day.

    The fragments are all that changes between a release commit and the next
    preflight (the checks' verdicts leave them out the same way), and a kept
    build environment lasts a day. None when it cannot tell.
    """
    import hashlib
    import time

    from releasekit import _buildenv, git

    root = project.root
    try:
        # NUL-separated: git would quote a path with non-ASCII bytes in it. The whole
        # repository: a workspace member's build sees the files around it (a hook may read them).
        listing = git.git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
        prefix = git.git(root, "rev-parse", "--show-prefix")
        from releasekit import changelog

        directory = changelog.settings(project.root).directory
        fragments = prefix + directory.relative_to(root).as_posix() + "/"
    except (ReleaseKitError, ValueError):
        return None
    entries = (line for line in listing.split("\0") if line)
    lines = [line for line in entries if not line.split("\t", 1)[-1].startswith(fragments)]
    table = project.pyproject.get("build-system", {})
    requires = table.get("requires", []) if isinstance(table, dict) else []
    parts = [_buildenv.key([str(r) for r in requires]), time.strftime("%Y%m%d"), version, *lines]
    names = (line.split("\t", 1)[-1] for line in lines)
    paths = frozenset(name.removeprefix(prefix) for name in names if name.startswith(prefix))
    return Tree(hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32], paths)


def cache_file(tree: Tree) -> Path:
    from releasekit import _buildenv

    return _buildenv.cache_root().parent / "metadata" / f"{tree.key}.json"


def cached(tree: Tree | None) -> Read | None:
    """The backend's metadata of this tree, as a preflight or a verified wheel left it."""
    import json

    if tree is None:
        return None
    try:
        data = json.loads(cache_file(tree).read_text(encoding="utf-8"))
        text, backend = str(data["text"]), str(data["backend"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    named = _license_files(text)
    return text, backend, frozenset(p for p in named if p in tree.paths)


def remember(tree: Tree | None, text: str, backend: str) -> None:
    """Keep the metadata of this tree for the next preflight (atomically; old ones swept)."""
    import json
    import os
    import time

    if tree is None:
        return
    path = cache_file(tree)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("*.json"):
            if time.time() - old.stat().st_mtime > 2 * 24 * 3600:
                old.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as f:  # fmt: skip
            json.dump({"text": text, "backend": backend}, f)
        os.replace(f.name, path)
    except OSError:
        pass  # a cache that cannot be written is only slower


def cached_or_read(project: Project, commit: str, version: str, *, fresh: bool) -> Read:
    """The backend's metadata: from the cache for this tree, else from its hook (then kept)."""
    tree = None if fresh else tree_of(project, commit, version)
    found = cached(tree)
    if found is not None:
        return found
    read = backend(project.root, commit, version, fresh=fresh)
    remember(tree, read[0], read[1])
    return read


#: Reads started ahead (:func:`start`), by project root, commit and freshness.
_AHEAD: dict[tuple[str, str, bool], Future[Read]] = {}
_AHEAD_LOCK = threading.Lock()
_POOL: list[ThreadPoolExecutor] = []


def start(project: Project, commit: str, *, fresh: bool) -> None:
    """Start reading ``commit``'s metadata in the background (two at a time: the checks run)."""
    with _AHEAD_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="pypi-rules"))
        key = (str(project.root), commit, fresh)
        if key not in _AHEAD:
            _AHEAD[key] = _POOL[0].submit(_read_ahead, project, commit, fresh=fresh)


def forget(project: Project, commit: str, version: str) -> None:
    """Drop the kept metadata of ``commit``'s tree (an environment variable may have shaped it)."""
    found = tree_of(project, commit, version if from_tags(project) else "")
    if found is not None:
        cache_file(found).unlink(missing_ok=True)


def _read_ahead(project: Project, commit: str, *, fresh: bool) -> Read:
    """:func:`start`'s work: the metadata, and the rules' imports (docutils is heavy)."""
    read = cached_or_read(project, commit, "", fresh=fresh)
    import packaging.metadata  # noqa: F401
    import trove_classifiers  # noqa: F401
    import twine.commands.check  # noqa: F401

    return read


def read(project: Project, commit: str, version: str, *, fresh: bool) -> Read:
    """The backend's metadata: read ahead by :func:`start`, or now."""
    with _AHEAD_LOCK:
        ahead = _AHEAD.pop((str(project.root), commit, fresh), None)
    if ahead is not None:
        return ahead.result()
    return cached_or_read(project, commit, version if from_tags(project) else "", fresh=fresh)


def from_tags(project: Project) -> bool:
    """Whether the backend derives the version from git (it is handed over, not read ahead)."""
    from releasekit import versions

    return versions.source_for(project).builds_in_place
