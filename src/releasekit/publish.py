"""Publishing built files to the target index: what it lacks is uploaded, then all is confirmed.

The index itself (:mod:`releasekit.index`) is asked what it already has, so
that a release resumed after a failed upload sends only what is missing, and
a file of the same name with other bytes is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from releasekit import _console, _hashing
from releasekit._exceptions import PublishError
from releasekit.index import Index, Target, confirm_listed, index_for


def pending(index: Index, project: str, files: list[Path]) -> list[Path]:
    """The files still to upload: absent from the index.

    A file the index already has with the same sha256 is done; one with a
    different sha256 is an error naming it, never a silent skip.
    """
    listed = index.listing(project)
    todo = []
    for path in files:
        entry = listed.get(path.name)
        if entry is None:
            todo.append(path)
            continue
        remote, local = index.sha256(path.name, entry), _hashing.sha256(path)
        if remote != local:
            msg = (
                f"{path.name} is already on {index.target.shown} with a different sha256 "
                f"({remote[:12]}... vs local {local[:12]}...): refusing to continue"
            )
            raise PublishError(msg)
    return todo


def publish(
    target: Target,
    project: str,
    files: list[Path],
    *,
    recorded: Mapping[str, str],
    uploaded: Callable[[], None] | None = None,
) -> None:
    """Upload what the index lacks, then confirm it lists every file with the local sha256.

    :param recorded: file name -> sha256 of what was verified; a file that is
        no longer those bytes is refused by name right before the upload.
    :param uploaded: called as soon as the upload succeeded, before the index is
        asked to list the files (its listing may lag behind).
    """
    index = index_for(target)
    todo = pending(index, project, files)
    for path in files:
        if path not in todo:
            _console.info(f"{path.name} is already on the index with the same sha256: skipped")
    for path in todo:
        if recorded.get(path.name) != _hashing.sha256(path):
            msg = f"{path.name} is not the file that was verified: nothing more is uploaded"
            raise PublishError(msg)
    if todo:
        index.upload(todo)
    if uploaded is not None:
        uploaded()
    confirm_listed(index, project, files)
