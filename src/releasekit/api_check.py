"""The public API against the last release: a breaking change needs a version that says so.

griffe reads both sides statically (``griffe.load`` on the sources, never an
import: no project code runs in releasekit's process, which holds the upload's
login) and ``griffe.find_breaking_changes`` compares them. Each side is a
``git archive`` of the package's directory only, at the last release tag and at
the release's commit (or the tree ``git add -A`` would commit, for the
pull-request check): unlike ``griffe.load_git``, which checks the tag out into a
worktree on a temporary branch of the repository, nothing in the repository
changes, runs its hooks, or is left behind by an interrupted check. When the
package's tree is the same on both sides, griffe is not asked at all; two trees
compared once are answered from a cache keyed by their git object ids.

A breakage calls for a major bump (under 0.x, ``zero_major_part``, as the
fragments' version map says); ``api_check`` in ``[tool.releasekit]`` makes a
version below that an error, a warning, or leaves the API unread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from releasekit import _console, git, versions
from releasekit._exceptions import ReleaseError
from releasekit.versions import gittags

if TYPE_CHECKING:
    from releasekit.project import Project


@dataclasses.dataclass(frozen=True)
class Breakage:
    """One breaking change, as griffe reports it: the object, the kind, old -> new."""

    object: str
    kind: str
    old: str = ""
    new: str = ""

    def __str__(self) -> str:
        change = f"{self.old} -> {self.new}" if self.old and self.new else self.old or self.new
        return f"{self.object}: {self.kind}" + (f": {change}" if change else "")

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The public API at ``tag`` (version ``released``) against the release's."""

    tag: str
    released: str
    breakages: list[Breakage]

    def part(self, zero_major_part: str) -> str:
        """The version part a breakage calls for: major, or ``zero_major_part`` under 0.x."""
        return zero_major_part if Version(self.released).major == 0 else "major"

    def minimum(self, zero_major_part: str) -> str | None:
        """The lowest version that may carry these breakages; None when there are none."""
        if not self.breakages:
            return None
        return versions.release_bump(self.released, self.part(zero_major_part))


def covers(new: str, minimum: str) -> bool:
    """Whether ``new`` is in the series ``minimum`` starts (2.0.0rc1 covers 2.0.0)."""
    width = max(len(Version(new).release), len(Version(minimum).release))

    def numbers(text: str) -> tuple[int, ...]:
        release = Version(text).release
        return release + (0,) * (width - len(release))

    return numbers(new) >= numbers(minimum)


def tag_template(project: Project) -> str:
    """The release tags' name, as the project's version source writes them."""
    return versions.source_for(project).tag_template


def last_release(project: Project) -> tuple[str, str] | None:
    """The highest release tag that HEAD contains and its version; None before a first release."""
    template = tag_template(project)
    found = gittags.last_release_tag(project.root, template)
    if found is None:
        return None
    released = versions.version_of_tag(found[0], template)
    return (found[0], released) if released else None


@dataclasses.dataclass(frozen=True)
class Package:
    """An import package in a git repository: where to look for it at any commit."""

    top: Path  #: the repository's top directory
    prefix: str  #: the project's directory, relative to ``top`` ("." at the top)
    name: str  #: the import name

    @classmethod
    def of(cls, project: Project) -> Package:
        top = git.toplevel(project.root).resolve()
        prefix = project.root.relative_to(top).as_posix()
        return cls(top, prefix, project.settings.import_name)

    def candidates(self) -> list[str]:
        """Where the package may live, in the order a build looks: src layout first.

        A dotted name (``acme.demo``, in a namespace package) is a path of directories.
        """
        name, prefix = self.name.replace(".", "/"), PurePosixPath(self.prefix)
        return [str(prefix / p) for p in (f"src/{name}", f"src/{name}.py", name, f"{name}.py")]

    def at(self, rev: str) -> dict[str, str]:
        """Its path at ``rev`` (a commit or a tree) and its git object id; empty when absent.

        The first candidate that exists: a stray ``NAME.py`` beside ``src/NAME``
        is not the package the build ships.
        """
        out = git.git(self.top, "ls-tree", "--full-tree", rev, "--", *self.candidates())
        found = {}
        for line in out.splitlines():
            meta, _, path = line.partition("\t")
            found[path] = meta.split()[2]
        first = next((c for c in self.candidates() if c in found), None)
        return {first: found[first]} if first else {}

    def load(self, rev: str, paths: list[str], into: Path) -> Any:
        """griffe's model of the package at ``rev``, read from a ``git archive`` of ``paths``."""
        import griffe

        into.mkdir()
        tar_path = into / "api.tar"
        git.git(self.top, "archive", "--format=tar", f"--output={tar_path}", rev, "--", *paths)
        with tarfile.open(tar_path) as tf:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(into, filter="data")
            else:  # pragma: no cover - Python before 3.10.12
                tf.extractall(into)  # git's own archive of this repository
        # Warnings about what griffe cannot follow (an import from outside the
        # package) are not the user's to read here.
        logging.getLogger("griffe").setLevel(logging.ERROR)
        return griffe.load(
            self.name,
            # The directory above the top of a dotted name (src/ for src/acme/demo).
            search_paths=[into / PurePosixPath(paths[0]).parents[self.name.count(".")]],
            allow_inspection=False,  # never import (run) the project's code
            resolve_aliases=True,
        )

    def breakages(self, old_rev: str, new_rev: str, *, cache: bool = True) -> list[Breakage] | None:
        """What griffe finds broken from ``old_rev`` to ``new_rev``; None if absent at ``old_rev``.

        Nothing is read when the package's git objects are the same at both, and
        a pair of trees compared once is answered from the cache (the git
        objects name the contents: ``releasekit status`` over a fleet asks again
        and again).
        """
        old_paths = self.at(old_rev)
        if not old_paths:
            return None  # the package came after old_rev: nothing of it was released
        new_paths = self.at(new_rev)
        if not new_paths:
            msg = (
                f"cannot find the package {self.name} in {self.top / self.prefix} (src/NAME or "
                "NAME): set [tool.releasekit] package to its import name"
            )
            raise ReleaseError(msg)
        if old_paths == new_paths:  # the same git objects: the same API
            return []
        cached = _Cache(self.name, old_paths, new_paths) if cache else None
        found = cached.read() if cached else None
        if found is not None:
            return found
        import griffe

        try:
            with tempfile.TemporaryDirectory(prefix="releasekit-api-") as tmp:
                old = self.load(old_rev, sorted(old_paths), Path(tmp) / "old")
                new = self.load(new_rev, sorted(new_paths), Path(tmp) / "new")
                found = [_shown(b) for b in griffe.find_breaking_changes(old, new)]
        except (griffe.GriffeError, ImportError, SyntaxError, OSError) as exc:
            msg = (
                f"griffe cannot read the public API of {self.name} ({type(exc).__name__}: "
                f'{exc}): fix it, or set [tool.releasekit] api_check = "off"'
            )
            raise ReleaseError(msg.splitlines()[0]) from None
        if cached:
            cached.write(found)
        return found


class _Cache:
    """Breakages already found between two trees, in ``$XDG_CACHE_HOME/releasekit/api``.

    Keyed by the package's git object ids on both sides and griffe's version:
    the same trees always give the same answer. A file that cannot be read is
    a miss; one that cannot be written is no error.
    """

    def __init__(self, name: str, old: dict[str, str], new: dict[str, str]) -> None:
        key = json.dumps([_griffe_version(), name, sorted(old.items()),
                          sorted(new.items())])  # fmt: skip
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        digest = hashlib.sha256(key.encode()).hexdigest()
        self.path = Path(base) / "releasekit" / "api" / f"{digest}.json"

    def read(self) -> list[Breakage] | None:
        try:
            return [Breakage(**item) for item in json.loads(self.path.read_text())]
        except (OSError, ValueError, TypeError):
            return None

    def write(self, breakages: list[Breakage]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False) as f:
                json.dump([b.as_dict() for b in breakages], f)
            os.replace(f.name, self.path)
        except OSError:
            pass


def _griffe_version() -> str:
    """griffe's version: the griffelib distribution (2.x, Python 3.11+) or griffe (1.x)."""
    for dist in ("griffelib", "griffe"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "?"  # pragma: no cover - one of them is a dependency


def _shown(breakage: Any) -> Breakage:
    """griffe's own wording of one breakage, read from its public markdown explanation.

    The markdown style is the one without terminal colours:
    ``- `greet(name)`: *kind*: `old` -> `new```, the path relative to its module
    (``name(param)`` for a parameter), a value in backticks unless it is
    ``unset``. griffe 1.x and 2.x write it alike.
    """
    import griffe

    kind = str(breakage.kind.value)
    text = breakage.explain(style=griffe.ExplanationStyle.MARKDOWN)
    title, _, change = text.removeprefix("- `").partition(f"`: *{kind}*")
    name = str(breakage.obj.path)
    if "(" in title:  # a parameter: griffe names it after the function
        name += title[title.index("(") :]
    old, new = _values(change.removeprefix(": "))
    return Breakage(object=name, kind=kind, old=old, new=new)


#: griffe's markdown for a change of value: ``old -> new``, each quoted or ``unset``.
_CHANGE = re.compile(r"(`.*?`|unset) -> (`.*`|unset)", re.DOTALL)


def _values(change: str) -> tuple[str, str]:
    """The old and new values of griffe's markdown ``change`` (one alone is the old)."""
    found = _CHANGE.fullmatch(change)
    if found is None:
        return _unquoted(change), ""
    return _unquoted(found[1]), _unquoted(found[2])


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "`" else value


def compare(
    project: Project, *, rev: str | None = None, release: tuple[str, str] | None = None
) -> Comparison | None:
    """The breakages since the last release tag in ``rev`` (None: what ``git add -A`` would commit).

    None when there is no release tag yet, or the package is not in the tag.
    :param release: the last release tag and its version, when the caller knows them.
    """
    found = release or last_release(project)
    if found is None:
        return None
    tag, released = found
    package = Package.of(project)
    # The package alone is taken from the work tree: nothing else is stored in git.
    here = [c for c in package.candidates() if (package.top / c).exists()]
    new_rev = rev or git.work_tree_snapshot(project.root, here)
    breakages = package.breakages(tag, new_rev)
    return None if breakages is None else Comparison(tag, released, breakages)


def major_types(project: Project) -> list[str]:
    """The fragment types that map to a major bump (``removal`` by default)."""
    return sorted(t for t, part in project.settings.bump_map.items() if part == "major")


def fix(project: Project) -> str:
    """How to release a breaking change, in words for this project's version map."""
    types = major_types(project)
    if types:
        fragment = " or ".join(f"a `{t}` fragment" for t in types)
    else:
        fragment = 'a fragment of a type that [tool.releasekit] bump_map maps to "major"'
    return f"add {fragment}, or make the object private (a leading underscore)"


def problem(
    project: Project, comparison: Comparison, new: str, fragment_types: Sequence[str] = ()
) -> str | None:
    """Why ``new`` cannot carry the breakages of ``comparison`` (one line), or None.

    With the version from the fragments (``fragment_types``), a breakage needs a
    fragment whose type maps to a major bump, so that the changelog says what
    broke (under 0.x that bump moves the minor part, as the version map says);
    with ``--part``/``--new-version`` (no types), a version at least that high.
    """
    minimum = comparison.minimum(project.settings.zero_major_part)
    if minimum is None:
        return None
    if fragment_types:
        if any(t in major_types(project) for t in fragment_types):
            return None
        types = ", ".join(sorted(set(fragment_types)))
        why = f"none of the fragments ({types}) maps to a major bump"
    else:
        if covers(new, minimum):
            return None
        part = comparison.part(project.settings.zero_major_part)
        why = f"a breaking change needs {minimum} or above (a {part} release)"
    count = len(comparison.breakages)
    more = f" and {count - 1} more" if count > 1 else ""
    return (
        f"{project.name} {new} breaks the public API of {comparison.tag} "
        f"({comparison.breakages[0]}{more}) and {why}: {fix(project)}"
    )


def check_release(
    project: Project, new: str, *, fragment_types: Sequence[str] = (), rev: str = "HEAD"
) -> Comparison | None:
    """Refuse (``api_check = "error"``) or warn about a release that hides a breaking change.

    Every breakage is shown on its own line first when there are several; the
    refusal is one line (see :func:`problem`).
    """
    settings = project.settings
    if settings.api_check == "off":
        return None
    comparison = compare(project, rev=rev)
    if comparison is None:
        _console.info(f"{project.name}: no earlier release tag with the package: no API to compare")
        return None
    found = problem(project, comparison, new, fragment_types)
    count = len(comparison.breakages)
    if found is None:
        if count:
            _console.info(f"{project.name}: {count} breaking change(s) since {comparison.tag}, "
                          f"released as {new}")  # fmt: skip
        else:
            _console.info(f"{project.name}: the public API keeps everything of {comparison.tag}")
        return comparison
    if count > 1:
        for breakage in comparison.breakages:
            _console.warn(f"{project.name}: {breakage}")
    if settings.api_check == "warn":
        _console.warn(f'{found} (api_check = "warn": releasing all the same)')
        return comparison
    raise ReleaseError(found)
