"""The journal of a release of one package or of N (a workspace train), and releasekit's dirs.

``.releasekit/state.json`` (ignored by git) records a release from its first
change on: one :class:`State` holding its packages (one for a single
release, every releasing member for a train), written atomically, read back
and checked field by field (:func:`state_problem`). Beside it,
``.releasekit/dist/<package>/`` keeps each package's files that were
verified, the only ones uploaded (:func:`kept_files`). Every writer and
cleaner of these directories goes through :func:`own_dir`, which refuses
them behind a symlink.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from packaging.utils import canonicalize_name

from releasekit import _hashing, dists
from releasekit._exceptions import ReleaseError
from releasekit.index import Target

STATE_DIR = ".releasekit"


STATE_FILE = "state.json"


#: Where the release keeps the files it verified, beside its journal (one directory
#: per package): what it uploads.
KEPT_DIR = "dist"


@dataclasses.dataclass
class Package:
    """One package of a release, as journaled."""

    name: str
    #: Its directory, relative to the root the journal sits in ("." for a single release).
    path: str
    version: str
    tag: str
    import_name: str
    #: File name -> sha256 of each verified file, recorded before verify reads them.
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    #: It needs other members of its workspace: verify (alone) and confirm install
    #: its dependencies from the target index, where those members are.
    siblings: bool = False
    published: bool = False
    confirmed: bool = False

    def kept_dir(self, root: Path) -> Path:
        """Its verified files, beside the journal: what the release uploads."""
        return root / STATE_DIR / KEPT_DIR / self.name

    def dist_dir(self, root: Path) -> Path:
        """Its ``dist/``: a copy for the user, never read back by the release."""
        return root / self.path / "dist"


@dataclasses.dataclass
class State:
    """The journal of a release, written from its first change on.

    While ``phase`` is ``"local"`` nothing is public: ``--abort`` (or the
    rollback of a failure) undoes it from ``head_before`` and ``touched``.
    From ``"public"`` on, ``--resume`` finishes the public steps.
    """

    packages: list[Package]
    #: The order of the uploads: each tier's packages are confirmed before the next.
    tiers: list[list[str]]
    branch: str
    remote: str
    head_before: str
    commit: str = ""
    phase: str = "local"
    #: Where the files go (None: not published); ``source`` says whether twine's
    #: environment may retarget ``--resume``.
    target: Target | None = None
    #: The public steps done (:data:`PUBLIC`): "publish" once every package is published
    #: (and confirmed, when asked), each recorded in its own ``published``/``confirmed``.
    done: list[str] = dataclasses.field(default_factory=list)
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
    source_date_epoch: int = 0
    #: A workspace's train (at its root), worded as a train whatever its size; a single
    #: release is one package, worded as "the release of ...".
    train: bool = False

    @property
    def package(self) -> Package:
        """The package of a single release (the first of a train)."""
        return self.packages[0]

    def named(self, name: str) -> Package:
        return next(p for p in self.packages if p.name == name)

    @property
    def tags(self) -> list[str]:
        return [p.tag for p in self.packages]

    @property
    def summary(self) -> str:
        return ", ".join(f"{p.name} {p.version}" for p in self.packages)


def subject(state: State) -> str:
    """What the journal records, for the output: "the release of a 1.0", "the train (...)"."""
    return f"the train ({state.summary})" if state.train else f"the release of {state.summary}"


#: The public steps a journal records as done, in order.
PUBLIC = ("publish", "push")


#: The steps that write the touched files (``writing``).
WRITING = ("changelog", "commit and tag")


PHASES = ("local", "public")


UPLOADS = ("", "started", "done")


#: The fields of a target a journal keeps (never a login: the URLs carry none).
TARGET_FIELDS = ("upload_url", "simple_url", "name", "source")


def target_to_json(target: Target | None) -> dict[str, str] | None:
    """The target as the journal keeps it: one object of its fields, or null."""
    return None if target is None else {f: getattr(target, f) for f in TARGET_FIELDS}


def target_from_json(data: dict[str, str] | None) -> Target | None:
    if data is None:
        return None
    return Target(data["upload_url"], data["simple_url"], data["name"], data["source"])


def state_to_json(state: State) -> dict[str, Any]:
    data = dataclasses.asdict(state)
    data["target"] = target_to_json(state.target)
    return data


def state_from_json(data: dict[str, Any]) -> State:
    """A :class:`State` from a journal that :func:`state_problem` passed."""
    fields = {**data, "target": target_from_json(data.get("target"))}
    fields["packages"] = [Package(**p) for p in data["packages"]]
    return State(**fields)


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a value read from JSON has the type a journal field declares."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint in (str, int):
        return isinstance(value, hint) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(_conforms(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items()
        )
    return False


_TYPE_NAMES = {
    "<class 'str'>": "a string",
    "<class 'int'>": "an integer",
    "<class 'bool'>": "true or false",
    "list[list[str]]": "a list of tiers, each a list of package names",
    "dict[str, str]": "a map of file names to sha256 digests",
    "dict[str, str | None]": "a map of paths to sha256 digests",
}


def _fields_problem(data: Any, cls: type[Any], where: str = "") -> str:
    """The first field of ``data`` that ``cls`` does not declare, lacks, or has of another type."""
    if not isinstance(data, dict):
        return f"{where.rstrip('.') or 'it'} is not a JSON object"
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        return f"unknown field {where}{unknown[0]!r}"
    for name, field in fields.items():
        if name not in data:
            required = field.default is dataclasses.MISSING
            if required and field.default_factory is dataclasses.MISSING:
                return f"field {where}{name!r} is missing"
            continue
        value, hint = data[name], hints[name]
        if hint == list[Package]:  # each package named by its own first problem
            if not isinstance(value, list) or not value:
                return "'packages' must be a list of packages"
            for number, package in enumerate(value):
                problem = _fields_problem(package, Package, f"packages[{number}].")
                if problem:
                    return problem
        elif name == "target":
            if value is not None and (
                not isinstance(value, dict)
                or sorted(value) != sorted(TARGET_FIELDS)
                or not all(isinstance(v, str) for v in value.values())
            ):
                return f"'target' must be null or an object of {', '.join(TARGET_FIELDS)}"
        elif name == "done":
            if not isinstance(value, list) or not all(d in PUBLIC for d in value):
                return f"'done' must be a list of steps among {', '.join(PUBLIC)}"
        elif not _conforms(value, hint):
            return f"{where}{name!r} must be {_TYPE_NAMES.get(str(hint), hint)}"
    return ""


def _inside(path: str) -> bool:
    """A path relative to the root that stays inside it."""
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def _lock_above(path: str) -> bool:
    """The lock of the workspace a released member sits in: only ``..`` parts, then uv.lock."""
    parts = Path(path).parts
    return not Path(path).is_absolute() and parts[-1:] == ("uv.lock",) and all(
        p == ".." for p in parts[:-1])  # fmt: skip


#: What git's check-ref-format refuses anywhere in a ref name (``@{`` and ``..`` are pairs).
_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def is_ref(ref: str) -> bool:
    """A full ref name (``refs/tags/v1``) that git's check-ref-format accepts."""
    parts = ref.split("/")
    return (
        _REF_BAD.search(ref) is None
        and not ref.endswith((".", "/"))
        and ref != "@"
        and all(p and not p.startswith(".") and not p.endswith(".lock") for p in parts)
    )


def _ref_problem(data: dict[str, Any]) -> str:
    """The first tag, branch or remote that git would refuse or read as an option."""
    names = [(f"packages[{n}].'tag'", "refs/tags/{}", p["tag"])
             for n, p in enumerate(data["packages"])]  # fmt: skip
    names += [("'branch'", "refs/heads/{}", data["branch"]),
              ("'remote'", "refs/remotes/{}/branch", data["remote"])]  # fmt: skip
    for field, ref, name in names:
        if not name or name.startswith("-") or not is_ref(ref.format(name)):
            kind = "remote" if field == "'remote'" else "ref"
            return f"{field} must be a valid git {kind} name (not {name!r})"
    return ""


def _is_import_name(name: str) -> bool:
    """Dotted words: what ``import <name>`` runs, and nothing else.

    Not ``str.isidentifier``: a project whose name starts with a digit has
    such an import name until its verify says so, and ``--abort`` must still
    read its journal.
    """
    import re

    return re.fullmatch(r"\w+(\.\w+)*", name) is not None


def state_problem(data: Any) -> str:
    """What is wrong with a journal read from disk, or ``""``: field by field, then together."""
    problem = _fields_problem(data, State)
    if problem:
        return problem
    names = [p["name"] for p in data["packages"]]
    for number, package in enumerate(data["packages"]):
        name = package["name"]
        if not name or name != canonicalize_name(name) or "/" in name:
            return f"packages[{number}].'name' must be a normalized project name"
        if package["path"] != "." and not _inside(package["path"]):
            return f"packages[{number}].'path' must be a path inside the workspace"
        files = package.get("files", {})
        if not all(is_file_name(k) and is_digest(v) for k, v in files.items()):
            return f"packages[{number}].'files' must map file names to sha256 digests"
        if package.get("confirmed", False) and not package.get("published", False):
            return f"packages[{number}] is 'confirmed' but not 'published'"
        if not _is_import_name(package["import_name"]):
            return f"packages[{number}].'import_name' must be a dotted Python name"
    problem = _ref_problem(data)
    if problem:
        return problem
    if len(set(names)) != len(names):
        return "two packages have the same 'name'"
    if sorted(n for tier in data["tiers"] for n in tier) != sorted(names):
        return "'tiers' must name every package exactly once"
    if data.get("phase", "local") not in PHASES:
        return f"'phase' must be one of {', '.join(PHASES)}"
    if data.get("upload", "") not in UPLOADS:
        return "'upload' must be empty, 'started' or 'done'"
    if data.get("target") is None and (
        data.get("upload", "") or any(p.get("published", False) for p in data["packages"])
    ):
        return "'target' is null, but an upload started: the index it went to is unknown"
    if data.get("writing", "") not in ("", *WRITING):
        return f"'writing' must be empty or one of {', '.join(WRITING)}"
    if not all(_inside(p) or _lock_above(p) for p in data.get("touched", {})):
        return "'touched' must hold paths inside the workspace"
    return ""


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
    path, tmp = directory / filename, ""
    try:
        directory.mkdir(exist_ok=True)
        (directory / ".gitignore").write_text("*\n")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".journal-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except BaseException as exc:  # an interrupt too: no half-written temp file left behind
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            refuse(
                f"cannot write {path} ({_reason(exc)}): the journal on disk is as it was; "
                "make it a writable file (not a directory, space left), then run again"
            )
        raise


def read_journal(path: Path, problem_of: Callable[[Any], str], what: str) -> Any | None:
    """A journal's JSON, checked by ``problem_of``; anything off is one line and no action.

    :param what: what the file is, for the message ("a release state").
    """
    data: Any = None
    try:
        if not path.exists():
            return None
        is_file = path.is_file()  # never opened otherwise: a FIFO would block the read
        if is_file:
            data = json.loads(path.read_text())
    except ValueError:
        pass
    except OSError as exc:
        refuse(
            f"cannot read {path} ({_reason(exc)}): nothing was done; make it readable, "
            "or check the repository and the index, then remove it"
        )
    if not is_file:
        problem = "it is not a file"
    else:
        problem = problem_of(data) if data is not None else "it is not valid JSON"
    if problem:
        msg = (
            f"{path} is not {what} that this releasekit can read ({problem}): "
            "nothing was done; check the repository and the index, then remove the file"
        )
        raise ReleaseError(msg)
    return data


def _reason(exc: OSError) -> str:
    """What the system said, without the paths ``str(exc)`` repeats: "Is a directory"."""
    return exc.strerror or type(exc).__name__


def save_state(root: Path, state: State) -> None:
    """Write the release's journal."""
    write_journal(root, STATE_FILE, state_to_json(state))


def _touched_link(root: Path, data: dict[str, Any]) -> str:
    """A touched path through a symlink (one a hand-edit names, or a link made since).

    The text of each path is checked to stay inside; through a link, a
    rollback would write or delete a file outside the repository. The
    preflight refuses these before a release writes anything.
    """
    for path in data.get("touched", {}):
        link = symlink_in(root, path)
        if link:
            return f"'touched' holds {path}, through the symlink {link}"
    return ""


def load_state(root: Path) -> State | None:
    """Read the journal back; anything off is one line and no action."""
    data = read_journal(
        state_path(root), lambda d: state_problem(d) or _touched_link(root, d), "a release state"
    )
    return None if data is None else state_from_json(data)


def is_file_name(value: object) -> bool:
    """A plain file name (no directory part), as the journals record the files they upload."""
    return isinstance(value, str) and value not in ("", ".", "..") and "/" not in value


def is_digest(value: object) -> bool:
    """A sha256 as ``hashlib`` writes it: 64 lowercase hex digits."""
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def remove_journal(root: Path, filename: str) -> None:
    """Remove a journal, and the directory too when nothing else is left in it."""
    directory = own_dir(root, STATE_DIR)
    path, gitignore = directory / filename, directory / ".gitignore"
    try:
        path.unlink(missing_ok=True)
        if directory.is_dir() and not any(p != gitignore for p in directory.iterdir()):
            gitignore.unlink(missing_ok=True)
            directory.rmdir()
    except OSError as exc:
        refuse(f"cannot remove {path} ({_reason(exc)}): remove it by hand")


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
    """Journal how far the uploads got, before and after each (``--abort`` reads it).

    Never back: once one package's upload is done, the next one's start leaves it "done".
    """
    if UPLOADS.index(progress) > UPLOADS.index(state.upload):
        state.upload = progress
        save_state(root, state)
