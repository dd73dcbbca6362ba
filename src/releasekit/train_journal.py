"""The journal of a release train: ``.releasekit/train.json``, one car per member.

Written atomically from the train's first change on (``release.write_journal``)
and read back field by field (each field's type, then what the fields must
agree on), so that a hand-edited or foreign file is one line and no action.
Beside it, ``.releasekit/train-dist/<member>/`` keeps each member's verified
files: what the train uploads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from releasekit.index import Target

STATE_DIR = ".releasekit"
STATE_FILE = "train.json"
#: Where the train keeps each member's verified files (one directory per member): what it uploads.
KEPT_DIR = "train-dist"


@dataclasses.dataclass
class Car:
    """One member on the train, as journaled."""

    name: str
    path: str
    version: str
    tag: str
    import_name: str
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    published: bool = False
    confirmed: bool = False

    def dist_dir(self, root: Path) -> Path:
        """The member's ``dist/``: a copy for the user, never read back by the train."""
        return root / self.path / "dist"

    def kept_dir(self, root: Path) -> Path:
        """The member's verified files, beside the journal: what the train uploads."""
        return root / STATE_DIR / KEPT_DIR / self.name


@dataclasses.dataclass
class TrainState:
    """The journal of a train: ``local`` until the first upload, then ``public``."""

    cars: list[Car]
    tiers: list[list[str]]
    branch: str
    remote: str
    head_before: str
    commit: str = ""
    phase: str = "local"
    upload_url: str = ""
    simple_url: str = ""
    repository_name: str = ""
    #: Where the target came from (``releasekit.index.SOURCES``): whether twine's environment
    #: may retarget ``--resume``, as for a single release.
    repository_source: str = ""
    pushed: bool = False
    #: path (relative to the root) -> sha256 of what the train wrote, None before it wrote.
    touched: dict[str, str | None] = dataclasses.field(default_factory=dict)
    #: Whether the train is writing files whose content ``touched`` does not record yet.
    writing: bool = False
    #: How far the uploads got (``release.UPLOADS``): "started" before the first,
    #: "done" once one succeeded; ``--abort`` then trusts no listing.
    upload: str = ""

    @property
    def target(self) -> Target | None:
        if not self.upload_url:
            return None
        return Target(
            self.upload_url, self.simple_url, self.repository_name, self.repository_source
        )

    def car(self, name: str) -> Car:
        return next(c for c in self.cars if c.name == name)

    @property
    def tags(self) -> list[str]:
        return [c.tag for c in self.cars]

    @property
    def summary(self) -> str:
        return ", ".join(f"{c.name} {c.version}" for c in self.cars)


def state_path(root: Path) -> Path:
    from releasekit import release as engine

    return engine.own_dir(root, STATE_DIR) / STATE_FILE


def save_state(root: Path, state: TrainState) -> None:
    """Write the train's journal (atomically, as the release's)."""
    from releasekit import release as engine

    engine.write_journal(root, STATE_FILE, dataclasses.asdict(state))


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
        if hints[name] == list[Car]:  # each car named by its own first problem
            if not isinstance(data[name], list):
                return "'cars' must be a list of members"
            for number, car in enumerate(data[name]):
                problem = _fields_problem(car, Car, f"cars[{number}].")
                if problem:
                    return problem
        elif not _conforms(data[name], hints[name]):
            return f"{where}{name!r} must be {_TYPE_NAMES.get(str(hints[name]), hints[name])}"
    return ""


_TYPE_NAMES = {
    "<class 'str'>": "a string",
    "<class 'bool'>": "true or false",
    "list[list[str]]": "a list of tiers, each a list of member names",
    "dict[str, str]": "a map of file names to sha256 digests",
    "dict[str, str | None]": "a map of paths to sha256 digests",
}


def _inside(path: str) -> bool:
    """A path relative to the workspace root that stays inside it."""
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def _state_problem(data: Any) -> str:
    """What is wrong with a train journal read from disk, or ``""`` (field by field)."""
    from releasekit import release as engine

    problem = _fields_problem(data, TrainState)
    if problem:
        return problem
    names = [c["name"] for c in data["cars"]]
    for number, car in enumerate(data["cars"]):
        if not car["name"] or car["name"] != canonicalize_name(car["name"]) or "/" in car["name"]:
            return f"cars[{number}].'name' must be a normalized project name"
        if not _inside(car["path"]):
            return f"cars[{number}].'path' must be a path inside the workspace"
        files = car.get("files", {})
        if not all(engine.is_file_name(k) and engine.is_digest(v) for k, v in files.items()):
            return f"cars[{number}].'files' must map file names to sha256 digests"
        if car.get("confirmed", False) and not car.get("published", False):
            return f"cars[{number}] is 'confirmed' but not 'published'"
    if len(set(names)) != len(names):
        return "two cars have the same 'name'"
    tiers = [n for tier in data["tiers"] for n in tier]
    if sorted(tiers) != sorted(names):
        return "'tiers' must name every car exactly once"
    if data.get("phase", "local") not in engine.PHASES:
        return f"'phase' must be one of {', '.join(engine.PHASES)}"
    if data.get("upload", "") not in engine.UPLOADS:
        return "'upload' must be empty, 'started' or 'done'"
    if not all(_inside(p) for p in data.get("touched", {})):
        return "'touched' must hold paths inside the workspace"
    return ""


def load_state(root: Path) -> TrainState | None:
    """Read the train's journal; anything off is one line and no action."""
    from releasekit import release as engine

    data = engine.read_journal(state_path(root), _state_problem, "a release train journal")
    if data is None:
        return None
    cars = [Car(**c) for c in data.pop("cars")]
    return TrainState(cars=cars, **data)


def clear_state(root: Path) -> None:
    import shutil

    from releasekit import release as engine

    shutil.rmtree(engine.own_dir(root, f"{STATE_DIR}/{KEPT_DIR}"), ignore_errors=True)
    engine.remove_journal(root, STATE_FILE)
