"""The whole plan: everything init would write, without writing anything."""

from __future__ import annotations

import dataclasses
import difflib
import re
from pathlib import Path
from typing import Any

from packaging.version import Version

from releasekit import _console, config, git, version
from releasekit._exceptions import InitError
from releasekit.init.authoring import _table_toml, bumpversion_toml, edit_pyproject
from releasekit.init.changelogs import find_changelog, plan_changelog
from releasekit.init.trials import CANDIDATE_CHECKS, choose_checks
from releasekit.init.versions import (
    _import_names,
    _module_file,
    _setup_cfg,
    detect_tag_format,
    detect_version,
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
