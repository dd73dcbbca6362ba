"""Where a project's version lives: a static value, a file, or git tags."""

from __future__ import annotations

import ast
import configparser
import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from releasekit._exceptions import InitError

_VERSION_ASSIGN = re.compile(
    r"""^(?P<lhs>__version__\s*(?::\s*str\s*)?=\s*)(?P<q>['"])(?P<v>[^'"]+)(?P=q)""", re.M
)

#: What the backends' own version readers accept (hatchling's default pattern).
_ANY_VERSION_ASSIGN = re.compile(
    r"""^(?P<lhs>(?:__version__|VERSION)\s*(?::\s*str\s*)?=\s*)(?P<q>['"])(?P<v>[^'"]+)(?P=q)""",
    re.M,
)


@dataclasses.dataclass(frozen=True)
class VersionFile:
    """A file that carries the version, and bump-my-version's search pattern for it."""

    path: str
    search: str


@dataclasses.dataclass(frozen=True)
class Detected:
    """Where the version of a project lives."""

    source: str  # "bumpversion" or "scm"
    current: str  # the version as written ("" when no tag carries it yet)
    files: tuple[VersionFile, ...]
    how: str  # for the user: where it was found


def _setup_cfg(root: Path) -> configparser.ConfigParser | None:
    path = root / "setup.cfg"
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        msg = f"{path} cannot be read: {str(exc).splitlines()[0]}"
        raise InitError(msg) from None
    return parser


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def module_file(root: Path, dotted: str) -> Path | None:
    """The file of an importable module, in a src/ or a flat layout."""
    parts = dotted.split(".")
    for base in (root / "src", root):
        for candidate in (
            base.joinpath(*parts, "__init__.py"),
            base.joinpath(*parts[:-1], f"{parts[-1]}.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def _version_in(path: Path, *, follow: int = 2) -> tuple[Path, str, str] | None:
    """``(file, search pattern, version)`` of a ``__version__ = "X"``, following re-exports."""
    text = path.read_text(encoding="utf-8")
    match = _VERSION_ASSIGN.search(text)
    if match:
        search = f"{match['lhs']}{match['q']}{{current_version}}{match['q']}"
        return path, search, match["v"]
    if follow <= 0:
        return None
    # `from .about import __version__` (idna, many others): the literal lives there.
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        # `from .idnadata import __version__ as unicode_version` is another version.
        if isinstance(node, ast.ImportFrom) and any(
            a.name == "__version__" and a.asname in (None, "__version__") for a in node.names
        ):
            base = path.parent
            for _ in range(max(node.level - 1, 0)):
                base = base.parent
            parts = (node.module or "").split(".")
            for candidate in (
                base.joinpath(*parts).with_suffix(".py"),
                base.joinpath(*parts, "__init__.py"),
            ):
                if node.level and candidate.is_file():
                    return _version_in(candidate, follow=follow - 1)
    return None


def import_names(root: Path, project: str, pyproject: dict[str, Any]) -> list[str]:
    """Candidate import names of the project's top-level package.

    flit's module name first, then the project's name as an import name, then
    the packages in ``src/`` or at the root (test, docs and private ones left
    out): the likeliest first, each once.
    """
    names = []
    flit_module = pyproject.get("tool", {}).get("flit", {}).get("module", {}).get("name")
    if flit_module:
        names.append(str(flit_module))
    normalized = re.sub(r"[-_.]+", "_", project).lower()
    names += [normalized, project.replace("-", "_")]
    for base in (root / "src", root):
        if base.is_dir():
            names += sorted(
                p.name
                for p in base.iterdir()
                if p.is_dir()
                and (p / "__init__.py").is_file()
                and not p.name.startswith(("test", "_", "."))
                and p.name not in ("docs", "doc")
            )
    return list(dict.fromkeys(names))


def _extra_version_files(
    root: Path, names: list[str], current: str, seen: set[str]
) -> list[VersionFile]:
    """``__version__ = "CURRENT"`` literals in the package, beside the version's main home."""
    found = []
    for name in names[:3]:
        module = module_file(root, name)
        if module is None:
            continue
        candidates = [module]
        if module.name == "__init__.py":
            candidates += [module.parent / f for f in ("_version.py", "version.py", "__about__.py")]
        for path in candidates:
            if not path.is_file() or _rel(root, path) in seen:
                continue
            hit = _version_in(path, follow=1)
            if hit and hit[2] == current and _rel(root, hit[0]) not in seen:
                seen.add(_rel(root, hit[0]))
                found.append(VersionFile(_rel(root, hit[0]), hit[1]))
        break
    return found


def _scm_backend(pyproject: dict[str, Any]) -> str:
    """The tool that reads the version from git tags, or ``""``."""
    tool = pyproject.get("tool", {})
    hatch_source = tool.get("hatch", {}).get("version", {}).get("source")
    if hatch_source == "vcs":
        return "hatch-vcs"
    if tool.get("pdm", {}).get("version", {}).get("source") == "scm":
        return "pdm's scm backend"
    requires = pyproject.get("build-system", {}).get("requires", [])
    if "setuptools_scm" in tool or any(
        re.match(r"setuptools[-_]scm\b", str(r), re.I) for r in requires
    ):
        return "setuptools-scm"
    return ""


def _file_source(root: Path, path: Path, how: str) -> tuple[str, VersionFile, str]:
    if not path.is_file():
        msg = f"the version should be in {_rel(root, path)} ({how}), which does not exist"
        raise InitError(msg)
    if path.suffix == ".py":
        hit = _version_in(path)
        if hit is None:
            msg = f'no __version__ = "..." in {_rel(root, path)} ({how})'
            raise InitError(msg)
        return (
            hit[2],
            VersionFile(_rel(root, hit[0]), hit[1]),
            f"__version__ in {_rel(root, hit[0])}",
        )
    text = path.read_text(encoding="utf-8").strip()
    return text, VersionFile(_rel(root, path), "{current_version}"), f"the file {_rel(root, path)}"


def detect_version(root: Path, pyproject: dict[str, Any], project: str) -> Detected:
    """Find where the version lives: a static value, a file, or git tags."""
    meta = pyproject.get("project", {})
    tool = pyproject.get("tool", {})
    names = import_names(root, project, pyproject)
    dynamic = "version" in meta.get("dynamic", []) or "project" not in pyproject
    cfg = _setup_cfg(root)
    current = ""
    main: VersionFile | None = None
    how = ""
    if isinstance(meta.get("version"), str):
        current, how = meta["version"], "static [project].version in pyproject.toml"
        main = VersionFile("pyproject.toml", 'version = "{current_version}"')
    elif "project" not in pyproject and isinstance(tool.get("poetry", {}).get("version"), str):
        current, how = tool["poetry"]["version"], "[tool.poetry] version in pyproject.toml"
        main = VersionFile("pyproject.toml", 'version = "{current_version}"')
    elif dynamic and _scm_backend(pyproject):
        return Detected("scm", "", (), f"git tags, through {_scm_backend(pyproject)}")
    elif dynamic:
        hatch_path = tool.get("hatch", {}).get("version", {}).get("path")
        pdm = tool.get("pdm", {}).get("version", {})
        st_dynamic = tool.get("setuptools", {}).get("dynamic", {}).get("version", {})
        cfg_version = cfg.get("metadata", "version", fallback="").strip() if cfg else ""
        backend = str(pyproject.get("build-system", {}).get("build-backend", ""))
        if hatch_path:
            current, main, how = _file_source(root, root / hatch_path, "[tool.hatch.version] path")
        elif pdm.get("source") == "file" and pdm.get("path"):
            current, main, how = _file_source(root, root / pdm["path"], "[tool.pdm.version] path")
        elif isinstance(st_dynamic, dict) and (st_dynamic.get("attr") or st_dynamic.get("file")):
            current, main, how = _setuptools_dynamic(root, st_dynamic, "[tool.setuptools.dynamic]")
        elif cfg_version.startswith(("attr:", "file:")):
            kind, _, value = cfg_version.partition(":")
            current, main, how = _setuptools_dynamic(root, {kind: value.strip()}, "setup.cfg")
        elif cfg_version:
            current, how = cfg_version, "version in setup.cfg's [metadata]"
            line = re.search(r"^version\s*=\s*", (root / "setup.cfg").read_text(), re.M)
            prefix = line.group(0) if line else "version = "
            main = VersionFile("setup.cfg", prefix + "{current_version}")
        elif "flit" in backend:
            module = next((m for m in map(lambda n: module_file(root, n), names) if m), None)
            if module is None:
                msg = f"cannot find the module of {project} that flit reads __version__ from"
                raise InitError(msg)
            current, main, how = _file_source(root, module, "flit's dynamic version")
        elif (root / "VERSION").is_file():
            current, main, how = _file_source(root, root / "VERSION", "a VERSION file")
        else:
            for name in names:
                module = module_file(root, name)
                hit = _version_in(module) if module else None
                if hit:
                    current, main = hit[2], VersionFile(_rel(root, hit[0]), hit[1])
                    how = f"__version__ in {main.path}"
                    break
    if main is None:
        msg = (
            f"cannot tell where the version of {project} lives (no static version, "
            "__version__, VERSION file, setup.cfg version or git-tag backend)"
        )
        raise InitError(msg)
    try:
        Version(current)
    except InvalidVersion:
        msg = f"the version {current!r} ({how}) is not a valid PEP 440 version"
        raise InitError(msg) from None
    files = [main, *_extra_version_files(root, names, current, {main.path})]
    return Detected("bumpversion", current, tuple(files), how)


def _setuptools_dynamic(
    root: Path, spec: dict[str, Any], where: str
) -> tuple[str, VersionFile, str]:
    if spec.get("attr"):
        module_name = str(spec["attr"]).rsplit(".", 1)[0]
        module = module_file(root, module_name)
        if module is None:
            msg = f"cannot find the module {module_name} named by the version attr in {where}"
            raise InitError(msg)
        return _file_source(root, module, f"attr in {where}")
    file = spec["file"]
    name = file[0] if isinstance(file, list) else str(file)
    return _file_source(root, root / name.strip(), f"file in {where}")


def detect_tag_format(tags: Iterable[str]) -> str:
    """The format of the existing release tags: ``v1.2.3`` (the default) or ``1.2.3``."""
    tags = list(tags)
    if any(re.fullmatch(r"v\d+(\.\d+)*\S*", t) for t in tags):
        return "v{new_version}"
    if any(re.fullmatch(r"\d+(\.\d+)+\S*", t) for t in tags):
        return "{new_version}"
    return "v{new_version}"


def carriers(
    root: Path, current: str, names: list[str], pyproject: dict[str, Any]
) -> list[VersionFile]:
    """Every file that carries exactly the literal ``current`` as the project's version."""
    found: list[VersionFile] = []
    tool = pyproject.get("tool", {})
    if pyproject.get("project", {}).get("version") == current or (
        "project" not in pyproject and tool.get("poetry", {}).get("version") == current
    ):
        found.append(VersionFile("pyproject.toml", 'version = "{current_version}"'))
    cfg = _setup_cfg(root)
    if cfg is not None and cfg.get("metadata", "version", fallback="").strip() == current:
        line = re.search(r"^version\s*=\s*", (root / "setup.cfg").read_text(), re.M)
        found.append(
            VersionFile(
                "setup.cfg", (line.group(0) if line else "version = ") + "{current_version}"
            )
        )
    if (root / "VERSION").is_file() and (root / "VERSION").read_text().strip() == current:
        found.append(VersionFile("VERSION", "{current_version}"))
    preferred = ("_version.py", "__about__.py", "version.py", "package_data.py", "__init__.py")
    for name in names:
        module = module_file(root, name)
        if module is None:
            continue
        files = sorted(module.parent.rglob("*.py")) if module.name == "__init__.py" else [module]

        def rank(path: Path, base: Path = module.parent) -> tuple[int, int, str]:
            depth = len(path.relative_to(base).parts)
            return depth, preferred.index(path.name) if path.name in preferred else 99, path.name

        files.sort(key=rank)
        for path in files[:500]:
            text = path.read_text(encoding="utf-8", errors="replace")
            match = next((m for m in _ANY_VERSION_ASSIGN.finditer(text) if m["v"] == current), None)
            if match:
                search = f"{match['lhs']}{match['q']}{{current_version}}{match['q']}"
                found.append(VersionFile(_rel(root, path), search))
        break
    return found


def reconcile(
    root: Path,
    guess: Detected | InitError,
    backend_version: str,
    names: list[str],
    pyproject: dict[str, Any],
) -> tuple[Detected, str]:
    """Where the version the build backend reports lives; the backend wins over a guess.

    :returns: the detection, and a note for the user when the guess was overruled.
    """
    if isinstance(guess, Detected) and guess.source == "scm":
        return guess, ""
    if isinstance(guess, Detected) and guess.current == backend_version:
        return guess, ""
    found = carriers(root, backend_version, names, pyproject)
    if not found:
        if isinstance(guess, InitError):
            raise guess
        msg = (
            f"the build backend reports version {backend_version}, but {guess.how} says "
            f"{guess.current} and no file carries {backend_version} literally: "
            "configure [tool.bumpversion] by hand"
        )
        raise InitError(msg)
    main = found[0]
    how = f"{main.path} (it carries {backend_version}, the version the build backend reports)"
    if isinstance(guess, InitError):
        note = f"version: chose {main.path}: the build backend reports {backend_version} ({guess})"
    else:
        note = (
            f"version: chose {main.path}, not {guess.files[0].path}: the build backend reports "
            f"{backend_version}, {guess.how} says {guess.current}"
        )
    return Detected("bumpversion", backend_version, tuple(found), how), note
