"""The journal of a release and the directories releasekit owns.

``.releasekit/state.json`` (ignored by git) records a release from its first
change on: :class:`State`, written atomically, read back and checked field by
field. Beside it, ``.releasekit/dist/`` keeps the files that were verified,
the only ones uploaded (:func:`kept_files`). Every writer and cleaner of these
directories goes through :func:`own_dir`, which refuses them behind a symlink.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from releasekit import _hashing, dists
from releasekit._exceptions import ReleaseError
from releasekit.index import Target

STATE_DIR = ".releasekit"


STATE_FILE = "state.json"


#: Where the release keeps the files it verified, beside its journal: what it uploads.
KEPT_DIR = "dist"


@dataclasses.dataclass
class State:
    """The journal of a release, written from its first change on.

    While ``phase`` is ``"local"`` nothing is public: ``--abort`` (or the
    rollback of a failure) undoes it from ``head_before`` and ``touched``.
    From ``"public"`` on, ``--resume`` finishes the public steps.
    """

    project: str
    version: str
    tag: str
    commit: str
    branch: str
    remote: str
    source_date_epoch: int
    files: dict[str, str]
    upload_url: str = ""
    simple_url: str = ""
    repository_name: str = ""
    #: Where the target came from (:data:`releasekit.index.SOURCES`), for ``--resume``.
    repository_source: str = ""
    done: list[str] = dataclasses.field(default_factory=list)
    phase: str = "public"
    head_before: str = ""
    #: Files the release changes: path -> sha256 of what it last wrote there
    #: ("" when it removed the file, None before it wrote anything).
    touched: dict[str, str | None] = dataclasses.field(default_factory=dict)
    #: The writing step whose writes ``touched`` does not record yet ("" when none): while
    #: set, a rollback restores every touched file, since what is in them is the release's.
    writing: str = ""
    #: How far the upload got (:data:`UPLOADS`): from "started" on, a file of this
    #: release may be on the index whatever its listing says (a stale CDN page),
    #: and from "done" on it is.
    upload: str = ""

    @property
    def target(self) -> Target | None:
        if not self.upload_url:
            return None
        return Target(
            self.upload_url, self.simple_url, self.repository_name, self.repository_source
        )


def symlink_in(root: Path, relative: str) -> str:
    """The first part of ``root / relative`` below ``root`` that is a symlink, or ``""``."""
    parts = Path(relative).parts
    for end in range(1, len(parts) + 1):
        if parts[end - 1] != ".." and root.joinpath(*parts[:end]).is_symlink():
            return "/".join(parts[:end])
    return ""


def own_dir(root: Path, relative: str) -> Path:
    """``root / relative``, a directory releasekit writes and empties: refused behind a symlink.

    The one check of every writer and cleaner of releasekit's own directories
    (the journal's, the kept files, ``dist/``): through a link, emptying one
    would delete files outside the project.
    """
    link = symlink_in(root, relative)
    if link:
        refuse(
            f"{link} is a symlink (to {os.readlink(root / link)}): releasekit writes and empties "
            f"{relative} itself, so it must be a real directory in the project; remove the link"
        )
    return root / relative


def check_own_dirs(root: Path, relatives: list[str]) -> None:
    """Refuse, before anything changes, when one of releasekit's own directories is a link."""
    for relative in relatives:
        own_dir(root, relative)


def state_path(root: Path) -> Path:
    return own_dir(root, STATE_DIR) / STATE_FILE


def write_journal(root: Path, filename: str, data: dict[str, Any]) -> None:
    """Write a journal atomically (tempfile + ``os.replace``); the directory ignores itself."""
    directory = own_dir(root, STATE_DIR)
    directory.mkdir(exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".journal-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, directory / filename)


def read_journal(path: Path, problem_of: Callable[[Any], str], what: str) -> Any | None:
    """A journal's JSON, checked by ``problem_of``; anything off is one line and no action.

    :param what: what the file is, for the message ("a release state").
    """
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(path.read_text())
    except ValueError:
        data = None
    problem = problem_of(data) if data is not None else "it is not valid JSON"
    if problem:
        msg = (
            f"{path} is not {what} that this releasekit can read ({problem}): "
            "nothing was done; check the repository and the index, then remove the file"
        )
        raise ReleaseError(msg)
    return data


def save_state(root: Path, state: State) -> None:
    """Write the release's journal."""
    write_journal(root, STATE_FILE, dataclasses.asdict(state))


PHASES = ("local", "public")


UPLOADS = ("", "started", "done")


def is_file_name(value: object) -> bool:
    """A plain file name (no directory part), as the journals record the files they upload."""
    return isinstance(value, str) and value not in ("", ".", "..") and "/" not in value


def is_digest(value: object) -> bool:
    """A sha256 as ``hashlib`` writes it: 64 lowercase hex digits."""
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def remove_journal(root: Path, filename: str) -> None:
    """Remove a journal, and the directory too when nothing else is left in it."""
    directory = own_dir(root, STATE_DIR)
    (directory / filename).unlink(missing_ok=True)
    gitignore = directory / ".gitignore"
    if directory.is_dir() and not any(p != gitignore for p in directory.iterdir()):
        gitignore.unlink(missing_ok=True)
        directory.rmdir()


def clear_state(root: Path) -> None:
    import shutil

    shutil.rmtree(own_dir(root, f"{STATE_DIR}/{KEPT_DIR}"), ignore_errors=True)
    remove_journal(root, STATE_FILE)


def kept_files(directory: Path, recorded: dict[str, str]) -> list[Path]:
    """The verified files kept in ``directory``, each refused by name unless it is intact.

    Checked before every upload: what goes to the index is exactly what was
    verified, whatever happened to ``dist/`` (rewritten, lost) meanwhile.
    """
    files = []
    for name, digest in recorded.items():
        path = directory / name
        if not path.is_file():
            msg = f"{name}, verified and kept in {directory}, is missing: nothing more is uploaded"
            raise ReleaseError(msg)
        if _hashing.sha256(path) != digest:
            msg = (
                f"{name} in {directory} is not the file that was verified (sha256 "
                f"{_hashing.sha256(path)[:12]}..., verified {digest[:12]}...): "
                "nothing more is uploaded"
            )
            raise ReleaseError(msg)
        files.append(path)
    return files


def mirror(root: Path, kept: Path, dist_dir: Path) -> None:
    """A copy of the kept files in ``dist/``, for the user; the release never reads it back."""
    import shutil

    dist_dir = own_dir(root, os.path.relpath(dist_dir, root))
    dists.clean(dist_dir)
    dist_dir.mkdir(parents=True)
    for path in sorted(kept.iterdir()):
        shutil.copy2(path, dist_dir / path.name)


def refuse(message: str) -> NoReturn:
    raise ReleaseError(message)


def upload_progress(root: Path, state: State, progress: str) -> None:
    """Journal how far the upload got, before and after it (``--abort`` reads it)."""
    state.upload = progress
    save_state(root, state)
