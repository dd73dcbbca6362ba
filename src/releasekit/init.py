"""``releasekit init``: adopt releasekit in an existing repository.

Reads the project as it is and writes only what is missing: a
``[tool.bumpversion]`` for exactly the files that carry the version (none when
git tags carry it), a ``[tool.towncrier]`` that matches the existing
changelog, ``changelog.d/``, ``[tool.releasekit]`` with the checks that pass on
the repository as it is, and a noxfile and tasks.py when there are none.
``pyproject.toml`` is edited with tomlkit, so its comments and layout stay.
Nothing is written before the diff is shown and confirmed; a failure while
writing puts back every file as it was.
"""

from __future__ import annotations

import ast
import configparser
import dataclasses
import difflib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from releasekit import _console, _runner, config, git, version
from releasekit._exceptions import CommandError, InitError

MD_MARKER = "<!-- towncrier release notes start -->"
RST_MARKER = ".. towncrier release notes start"
CHANGELOG_NAMES = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")
CHANGELOG_SUFFIXES = (".md", ".rst", ".txt", "")
#: Checks that init tries on the repository; ``build`` is always kept, since
#: the release's own build and verify steps serve it.
CANDIDATE_CHECKS = ("tests", "style", "typecheck", "docs")
SCM_REQUIRES = re.compile(r"^(setuptools[-_]scm|hatch[-_]vcs|pdm[-_]backend)\b", re.I)
_VERSION_ASSIGN = re.compile(
    r"""^(?P<lhs>__version__\s*(?::\s*str\s*)?=\s*)(?P<q>['"])(?P<v>[^'"]+)(?P=q)""", re.M
)

NOXFILE = '''# /// script
# dependencies = ["nox>=2025.2.9", "releasekit"]
# ///
"""Sessions from releasekit: `nox -l` lists them; `nox -s release` cuts a release."""

import releasekit.nox  # noqa: F401  (registers the sessions)
'''
TASKS = '''"""Tasks from releasekit: `invoke --list` lists them."""

from releasekit.tasks import namespace

ns = namespace
'''
NOX_LINE = "import releasekit.nox  # noqa: F401  (registers releasekit's sessions)"
TASKS_LINE = "from releasekit.tasks import namespace as ns  (or ns.add_collection(namespace))"

# The scratch noxfile of the trial runs lives outside the repository (init
# writes nothing before it is confirmed), and nox runs sessions in the
# directory of its noxfile: each session goes back to the project first.
_TRIAL_NOXFILE = """import functools
import os

import releasekit.nox as rk

ROOT = {root!r}


def _in_root(func):
    @functools.wraps(func)
    def run(session):
        os.chdir(ROOT)
        func(session)

    return run


rk.register(wrap=_in_root)
"""


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


@dataclasses.dataclass
class Plan:
    """What init would write: the new text of each file, and what to tell the user."""

    root: Path
    writes: dict[Path, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    def diff(self) -> str:
        chunks: list[str] = []
        for path, new in self.writes.items():
            rel = path.relative_to(self.root).as_posix()
            old = path.read_text(encoding="utf-8") if path.is_file() else ""
            if not new and not path.exists():
                chunks.append(f"new empty file {rel}\n")
                continue
            chunks += difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{rel}" if path.exists() else "/dev/null",
                tofile=f"b/{rel}",
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


# --- reading the project ---------------------------------------------------------


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


def _module_file(root: Path, dotted: str) -> Path | None:
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
        if isinstance(node, ast.ImportFrom) and any(a.name == "__version__" for a in node.names):
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


def _import_names(root: Path, project: str, pyproject: dict[str, Any]) -> list[str]:
    """Candidate import names of the project's top-level package."""
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
        module = _module_file(root, name)
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
    names = _import_names(root, project, pyproject)
    dynamic = "version" in meta.get("dynamic", []) or "project" not in pyproject
    cfg = _setup_cfg(root)
    current = ""
    main: VersionFile | None = None
    how = ""
    if isinstance(meta.get("version"), str):
        current, how = meta["version"], "static [project].version in pyproject.toml"
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
            module = next((m for m in map(lambda n: _module_file(root, n), names) if m), None)
            if module is None:
                msg = f"cannot find the module of {project} that flit reads __version__ from"
                raise InitError(msg)
            current, main, how = _file_source(root, module, "flit's dynamic version")
        elif (root / "VERSION").is_file():
            current, main, how = _file_source(root, root / "VERSION", "a VERSION file")
        else:
            for name in names:
                module = _module_file(root, name)
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
        module = _module_file(root, module_name)
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


# --- the changelog ---------------------------------------------------------------


def find_changelog(root: Path) -> Path | None:
    for name in CHANGELOG_NAMES:
        for suffix in CHANGELOG_SUFFIXES:
            for variant in (name, name.capitalize(), name.lower()):
                path = root / f"{variant}{suffix}"
                if path.is_file():
                    return path
    return None


_VERSIONISH = re.compile(r"\d+\.\d+")
_RST_UNDERLINE = re.compile(r"^([=\-~^+*#\"'`:.])\1{2,}\s*$")


def _md_heading(lines: list[str]) -> tuple[int, str] | None:
    """Index and title format of the first release heading (``## 1.2.3 (date)``)."""
    for i, line in enumerate(lines):
        match = re.match(r"^(#{1,4})\s+(.*)$", line)
        if match and _VERSIONISH.search(match[2]):
            prefix = match[2][: _VERSIONISH.search(match[2]).start()]  # type: ignore[union-attr]
            prefix = prefix.rstrip("[v") if prefix.endswith(("[", "v")) else prefix
            return i, f"{match[1]} {prefix}{{version}} ({{project_date}})"
    return None


def _rst_heading(lines: list[str]) -> tuple[int, str, str] | None:
    """Index, underline character and title format of the first release heading."""
    for i in range(len(lines) - 1):
        underline = _RST_UNDERLINE.match(lines[i + 1])
        title = lines[i].strip()
        if underline and title and not _RST_UNDERLINE.match(lines[i]) and _VERSIONISH.search(title):
            start = (
                i - 1
                if i > 0 and lines[i - 1].strip() and _RST_UNDERLINE.match(lines[i - 1])
                else i
            )
            prefix = title[: _VERSIONISH.search(title).start()]  # type: ignore[union-attr]
            prefix = prefix[:-1] if prefix.endswith("v") else prefix
            return start, underline[1], f"{prefix}{{version}} ({{project_date}})"
    return None


def plan_changelog(root: Path, path: Path | None) -> tuple[Path, str, dict[str, Any], str]:
    """The changelog file, its new text (with towncrier's start marker) and towncrier's table."""
    table: dict[str, Any] = {"directory": "changelog.d"}
    if path is None:
        path = root / "CHANGELOG.md"
        text = f"# Changelog\n\n{MD_MARKER}\n"
        table.update(filename="CHANGELOG.md", title_format="## {version} ({project_date})")
        return path, text, table, "created CHANGELOG.md (there was none)"
    old = path.read_text(encoding="utf-8")
    lines = old.splitlines()
    table["filename"] = _rel(root, path)
    if path.suffix == ".md":
        table["start_string"] = f"{MD_MARKER}\n"
        found = _md_heading(lines)
        marker, title = MD_MARKER, "## {version} ({project_date})"
        if found:
            index, title = found
        table["title_format"] = title
    else:
        if path.suffix != ".rst":
            table["start_string"] = f"{RST_MARKER}\n"
        found_rst = _rst_heading(lines)
        marker = RST_MARKER
        used = {m[1] for line in lines if (m := _RST_UNDERLINE.match(line))}
        title_char = "="
        if found_rst:
            index, title_char, title = found_rst
            table["title_format"] = title
        else:
            table["title_format"] = "{version} ({project_date})"
        rest = [c for c in "=-~^*+" if c != title_char and c not in used]
        table["underlines"] = [title_char, *rest[:2]]
        found = (index, title) if found_rst else None
    if marker in old:
        return path, old, table, f"kept {table['filename']} (it has towncrier's start marker)"
    if found:
        at = found[0]
        new_lines = [*lines[:at], marker, "", *lines[at:]]
        where = f"above its newest release ({lines[at].strip() or lines[at + 1].strip()})"
    else:
        new_lines = [*lines, "", marker] if lines else [marker]
        where = "at its end (no release heading found)"
    text = "\n".join(new_lines) + "\n"
    return path, text, table, f"kept {table['filename']}; towncrier's start marker goes {where}"


# --- the checks -------------------------------------------------------------------


def _reason(exc: CommandError) -> str:
    """The tool's last words, not nox's own summary lines."""
    lines = [line.strip() for line in exc.details.splitlines() if line.strip()]
    failed = next((ln for ln in reversed(lines) if re.search(r"Command .* failed", ln)), "")
    tool_lines = [ln for ln in lines if not ln.startswith("nox >")]
    last = tool_lines[-1].strip("= ") if tool_lines else ""  # pytest's "=== 1 failed ==="
    failed = re.sub(r"^nox > ", "", failed)
    return "; ".join(part for part in (failed, last[:160]) if part) or "failed"


def choose_checks(root: Path, docs_dir: str) -> tuple[list[str], list[str]]:
    """Run each candidate session once; return the checks to keep and why others were left out."""
    left_out = []
    todo = []
    for name in CANDIDATE_CHECKS:
        if name == "docs" and not (root / docs_dir / "conf.py").is_file():
            left_out.append(f"docs: no Sphinx project ({docs_dir}/conf.py)")
        else:
            todo.append(name)
    with tempfile.TemporaryDirectory(prefix="releasekit-init-") as scratch:
        noxfile = Path(scratch, "noxfile.py")
        noxfile.write_text(_TRIAL_NOXFILE.format(root=str(root)))
        # The tools' caches go to the scratch directory too: nothing lands in the repository.
        env = _runner.child_env(
            {
                "NOX_SCRIPT_MODE": "none",
                "MYPY_CACHE_DIR": str(Path(scratch, "mypy")),
                "RUFF_CACHE_DIR": str(Path(scratch, "ruff")),
                "PYTEST_ADDOPTS": "-p no:cacheprovider",
            }
        )

        def trial(session: str) -> tuple[str, str | None]:
            args = [*_runner.tool("nox"), "--no-color", "-f", str(noxfile),
                    "--envdir", str(Path(scratch, "envs")), "-s", session]  # fmt: skip
            try:
                result = _runner.run(args, cwd=root, env=env, mutates=False)
            except CommandError as exc:
                return session, _reason(exc)
            if re.search(r"Session \S+ was skipped", result.output):
                return session, "skipped by the session"
            return session, None

        workers = max(1, min(len(todo), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(trial, todo))
    kept = [name for name, reason in results if reason is None]
    left_out += [f"{name}: {reason}" for name, reason in results if reason is not None]
    return [*kept, "build"], left_out


# --- pyproject.toml ------------------------------------------------------------------


def _toml_str(value: str) -> str:
    import tomlkit

    literal = "'" not in value and "\n" not in value
    return tomlkit.string(value, literal=literal).as_string()


def bumpversion_toml(detected: Detected, tag_format: str) -> str:
    two_parts = len(Version(detected.current).release) == 2
    serialize = (
        '["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}{pre_l}{pre_n}", '
        '"{major}.{minor}.{patch}", "{major}.{minor}"]'
        if two_parts
        else '["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}.{patch}"]'
    )
    patch = "(?:\\\\.(?P<patch>0|[1-9]\\\\d*))?" if two_parts else "\\\\.(?P<patch>0|[1-9]\\\\d*)"
    lines = [
        "# bump-my-version moves the version in every file that carries it (releasekit init).",
        "[tool.bumpversion]",
        f"current_version = {_toml_str(detected.current)}",
        'parse = """(?x)',
        "    (?P<major>0|[1-9]\\\\d*)\\\\.",
        "    (?P<minor>0|[1-9]\\\\d*)",
        f"    {patch}",
        "    (?:(?P<pre_l>a|b|rc)(?P<pre_n>0|[1-9]\\\\d*))?",
        '"""',
        f"serialize = {serialize}",
        "commit = true",
        "tag = true",
        "sign_tags = false",
        f"tag_name = {_toml_str(tag_format)}",
        'tag_message = "Release {new_version}"',
        'message = "Release {new_version}"',
        "",
        "[tool.bumpversion.parts.pre_l]",
        'values = ["a", "b", "rc", "final"]',
        'optional_value = "final"',
        'first_value = "final"',
        "",
        "[tool.bumpversion.parts.pre_n]",
        'first_value = "1"',
    ]
    for file in detected.files:
        lines += [
            "",
            "[[tool.bumpversion.files]]",
            f"filename = {_toml_str(file.path)}",
            f"search = {_toml_str(file.search)}",
            f"replace = {_toml_str(file.search.replace('{current_version}', '{new_version}'))}",
        ]
    return "\n".join(lines) + "\n"


def _table_toml(name: str, values: dict[str, Any], comment: str) -> str:
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            value = inline
        table[key] = value
    doc = tomlkit.document()
    doc.append("tool", tomlkit.table(is_super_table=True))
    doc["tool"].append(name, table)
    return f"# {comment}\n" + tomlkit.dumps(doc).lstrip("\n")


def edit_pyproject(old: str, additions: list[str]) -> str:
    """Append TOML tables to pyproject.toml's text, keeping everything it had, byte for byte."""
    import tomlkit

    doc = tomlkit.parse(old)
    text = tomlkit.dumps(doc)
    if text != old:  # tomlkit's promise: an unchanged document is unchanged text
        msg = "tomlkit cannot round-trip pyproject.toml unchanged: edit it by hand"
        raise InitError(msg)
    for addition in additions:
        text = text.rstrip("\n") + "\n\n" + addition.strip("\n") + "\n"
    merged = tomlkit.parse(text)  # raises on a duplicate table: never write a broken file
    return tomlkit.dumps(merged)


# --- the whole plan ---------------------------------------------------------------------


def _existing_bumpversion(root: Path, pyproject: dict[str, Any]) -> str:
    if "bumpversion" in pyproject.get("tool", {}):
        return "[tool.bumpversion] in pyproject.toml"
    for name in (*config.BUMPVERSION_FILES, ".bumpversion.cfg"):
        if (root / name).is_file():
            return name
    cfg = _setup_cfg(root)
    if cfg is not None and cfg.has_section("bumpversion"):
        return "[bumpversion] in setup.cfg"
    return ""


def _existing_towncrier(root: Path, pyproject: dict[str, Any]) -> str:
    if "towncrier" in pyproject.get("tool", {}):
        return "[tool.towncrier] in pyproject.toml"
    if (root / "towncrier.toml").is_file():
        return "towncrier.toml"
    return ""


def _bump_map_for(types: list[str]) -> dict[str, str]:
    known = dict(config.DEFAULT_BUMP_MAP) | {"breaking": "major", "deprecation": "minor"}
    return {t: known.get(t, "patch") for t in types}


def plan(root: Path, *, run_checks: bool = True) -> Plan:
    """Work out everything init would write, without writing anything."""
    root = root.resolve()
    git.toplevel(root)  # one line when this is not a git repository
    pyproject_path = root / config.PYPROJECT
    if not pyproject_path.is_file():
        if (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
            msg = (
                f"no pyproject.toml in {root}: releasekit keeps its configuration there; add one "
                'with [build-system] requires = ["setuptools"] first'
            )
        else:
            msg = (
                f"no Python project metadata in {root} (no pyproject.toml, setup.cfg or "
                "setup.py): run releasekit init at the root of a Python project"
            )
        raise InitError(msg)
    pyproject = config.read_pyproject(root)
    if "releasekit" in pyproject.get("tool", {}):
        msg = f"{pyproject_path} already has [tool.releasekit]: this repository is configured"
        raise InitError(msg)
    project = str(pyproject.get("project", {}).get("name", "")) or config.setup_cfg_name(root)
    if not project:
        msg = f"no project name in {pyproject_path} ([project] name) or setup.cfg"
        raise InitError(msg)

    result = Plan(root)
    detected = detect_version(root, pyproject, project)
    tags = git.tags(root) if git.has_commits(root) else []
    tag_format = detect_tag_format(tags)
    additions: list[str] = []
    releasekit: dict[str, Any] = {}
    result.notes.append(
        f"version: {detected.how}" + (f" ({detected.current})" if detected.current else "")
    )
    if detected.source == "scm":
        releasekit["version_source"] = "scm"
        releasekit["tag_format"] = tag_format
        known = [v for v in (version.version_of_tag(t, tag_format) for t in tags) if v]
        if known:
            result.notes.append(
                f"current version {max(known, key=Version)}, from the tags ({tag_format})"
            )
        else:
            example = tag_format.replace("{new_version}", "1.0.0")
            result.notes.append(
                f"no release tag yet: tag the current version before the first release "
                f"(git tag -a {example} -m {example})"
            )
    else:
        existing = _existing_bumpversion(root, pyproject)
        if existing:
            result.notes.append(f"bump-my-version: kept the configuration in {existing}")
        else:
            additions.append(bumpversion_toml(detected, tag_format))
            files = ", ".join(f.path for f in detected.files)
            result.notes.append(f"bump-my-version: moves the version in {files}; tags {tag_format}")

    existing_towncrier = _existing_towncrier(root, pyproject)
    if existing_towncrier:
        from releasekit import changelog

        towncrier = changelog.settings(root)
        result.notes.append(f"towncrier: kept the configuration in {existing_towncrier}")
        fragments_dir = towncrier.directory
        bump_map = _bump_map_for(towncrier.types)
        if bump_map != dict(config.DEFAULT_BUMP_MAP):
            releasekit["bump_map"] = bump_map
    else:
        path, text, table, note = plan_changelog(root, find_changelog(root))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            result.writes[path] = text
        additions.append(
            _table_toml(
                "towncrier",
                table,
                "towncrier writes the changelog from changelog.d/ (releasekit init).",
            )
        )
        result.notes.append(f"towncrier: {note}")
        fragments_dir = root / "changelog.d"
    if not fragments_dir.is_dir():
        result.writes[fragments_dir / ".gitkeep"] = ""

    docs_dir = next((d for d in ("docs", "doc") if (root / d / "conf.py").is_file()), "docs")
    if docs_dir != "docs":
        releasekit["docs_dir"] = docs_dir
    if run_checks:
        _console.info(f"trying the checks {', '.join(CANDIDATE_CHECKS)} on the repository as it is")
        checks, left_out = choose_checks(root, docs_dir)
        result.notes.append(f"checks: {', '.join(checks)} (build is served by the release itself)")
        result.notes += [f"left out {line}" for line in left_out]
    else:
        checks = ["build"]
        result.notes.append(
            f"checks: not tried in a dry run; init runs nox -s {' '.join(CANDIDATE_CHECKS)} "
            "once and keeps those that pass"
        )
    releasekit = {"checks": checks, **releasekit}
    # The release imports the installed wheel's top-level package, by default
    # named after the project: say which one when that name is not a module here.
    if _module_file(root, re.sub(r"[-.]", "_", project).lower()) is None:
        found = [n for n in _import_names(root, project, pyproject) if _module_file(root, n)]
        if found:
            releasekit["package"] = found[0]
    additions.append(
        _table_toml("releasekit", releasekit, "releasekit: nox -s release (releasekit init).")
    )
    old = pyproject_path.read_text(encoding="utf-8")
    result.writes[pyproject_path] = edit_pyproject(old, additions)

    for name, content, line in (("noxfile.py", NOXFILE, NOX_LINE), ("tasks.py", TASKS, TASKS_LINE)):
        if (root / name).exists():
            result.notes.append(f"{name} exists: add this line to it: {line}")
        else:
            result.writes[root / name] = content
    ignored = [
        p
        for p in (".nox/", "dist/", ".mypy_cache/")
        if not git.is_ignored(root, p.rstrip("/") + "/x")
    ]
    if ignored:
        gitignore = root / ".gitignore"
        old_ignore = gitignore.read_text(encoding="utf-8") if gitignore.is_file() else ""
        sep = "" if not old_ignore or old_ignore.endswith("\n") else "\n"
        result.writes[gitignore] = old_ignore + sep + "".join(f"{p}\n" for p in ignored)
    return result


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


def run(
    root: Path,
    *,
    yes: bool = False,
    dry_run: bool = False,
    ask: Callable[[str], bool] | None = None,
) -> Plan:
    """``releasekit init``: plan, show the diff, ask, write."""
    interactive = sys.stdin.isatty()
    if not (yes or dry_run or interactive):
        msg = "no terminal to confirm the changes on: pass --yes to write them (or --dry-run)"
        raise InitError(msg)
    result = plan(root, run_checks=not dry_run)
    print(result.diff(), end="", flush=True)
    for note in result.notes:
        print(f"  {note}")
    if dry_run:
        print("dry run: nothing was written")
        return result
    if not yes and not (ask or _ask)("Write these changes?"):
        msg = "nothing was written (declined)"
        raise InitError(msg)
    write(result)
    print(
        "releasekit is set up: commit these files, add a changelog fragment "
        '(invoke fragment feature "..."), then nox -s release -- --dry-run'
    )
    return result


def _ask(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
