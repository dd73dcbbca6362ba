"""The whole plan: everything init would write, without writing anything."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packaging.version import Version

from releasekit import _console, config, git, versions
from releasekit._exceptions import InitError, ReleaseKitError
from releasekit.init import backend, legacy, testdeps, tree, trials
from releasekit.init.authoring import bumpversion_toml, edit_pyproject, table_toml
from releasekit.init.changelog_template import template_text
from releasekit.init.changelogs import find_changelog, plan_changelog, preview
from releasekit.init.trials import CANDIDATE_CHECKS, choose_checks
from releasekit.init.versions import (
    Detected,
    detect_tag_format,
    detect_version,
    import_names,
    module_file,
    reconcile,
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
    #: The first changelog section as towncrier will render it (from an example fragment).
    preview: str = ""

    def diff(self) -> str:
        chunks: list[str] = []
        for path, new in self.writes.items():
            rel = path.relative_to(self.root).as_posix()
            old = path.read_bytes().decode("utf-8") if path.is_file() else ""
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
    """Where bump-my-version's own loader finds a configuration, as the release will."""
    if "bumpversion" in pyproject.get("tool", {}):
        return "[tool.bumpversion] in pyproject.toml"
    found = config.bumpversion_file(root)
    if found is None:
        return ""
    where = found.relative_to(root).as_posix() if found.is_relative_to(root) else str(found)
    return f"[bumpversion] in {where}" if found.suffix == ".cfg" else where


def _existing_towncrier(root: Path, pyproject: dict[str, Any]) -> str:
    if "towncrier" in pyproject.get("tool", {}):
        return "[tool.towncrier] in pyproject.toml"
    if (root / "towncrier.toml").is_file():
        return "towncrier.toml"
    return ""


def _bump_map_for(types: list[str]) -> dict[str, str]:
    known = dict(config.DEFAULT_BUMP_MAP) | {"breaking": "major", "deprecation": "minor"}
    return {t: known.get(t, "patch") for t in types}


def _pyproject(root: Path) -> dict[str, Any]:
    """The project's pyproject.toml, or one line saying why init cannot start."""
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
    return pyproject


def _member_tag_format(tags: list[str], project: str) -> str:
    """A workspace member's tags carry its name (the train refuses two members' same tag)."""
    prefixes = (f"{project}-v", f"{project}-", f"{project}/v", f"{project}/")
    for prefix in prefixes:
        if any(re.fullmatch(re.escape(prefix) + r"\d+(\.\d+)*\S*", t) for t in tags):
            return prefix + "{new_version}"
    return f"{project}-v{{new_version}}"


def _plan_version(
    result: Plan, pyproject: dict[str, Any], project: str, backend_version: str, *, member: bool
) -> tuple[list[str], dict[str, Any]]:
    """Where the version lives, as the build backend confirms it; what to add for it."""
    root = result.root
    try:
        guess: Detected | InitError = detect_version(root, pyproject, project)
    except InitError as exc:
        guess = exc
    names = import_names(root, project, pyproject)
    detected, overruled = reconcile(root, guess, backend_version, names, pyproject)
    tags = git.tags(root) if git.has_commits(root) else []
    tag_format = _member_tag_format(tags, project) if member else detect_tag_format(tags)
    additions: list[str] = []
    releasekit: dict[str, Any] = {}
    result.notes.append(
        f"version: {detected.how}" + (f" ({detected.current})" if detected.current else "")
    )
    if overruled:
        result.notes.append(overruled)
    if detected.source == "scm":
        releasekit["version_source"] = "scm"
        releasekit["tag_format"] = tag_format
        known = [v for v in (versions.version_of_tag(t, tag_format) for t in tags) if v]
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
        return additions, releasekit
    existing = _existing_bumpversion(root, pyproject)
    found = config.bumpversion_file(root) if existing else None
    why = legacy.problem(found) if found is not None and found.suffix == ".cfg" else ""
    if found is not None and why:
        if not found.is_relative_to(root):
            msg = (f"bump-my-version cannot read the [bumpversion] configuration in {found} "
                   f"({why}): move it to [tool.bumpversion] by hand")  # fmt: skip
            raise InitError(msg)
        toml, old_text = legacy.migrate(found, why)
        additions.append(toml)
        result.writes[found] = old_text
        where = found.relative_to(root).as_posix()
        result.notes.append(
            f"bump-my-version cannot read the [bumpversion] configuration in {where} ({why}): "
            f"moved to [tool.bumpversion] in pyproject.toml, same files and patterns; its "
            f"sections leave {where} (bump-my-version would read them first)"
        )
    elif existing:
        result.notes.append(f"bump-my-version: kept the configuration in {existing}")
    else:
        additions.append(bumpversion_toml(detected, tag_format))
        files = ", ".join(f.path for f in detected.files)
        result.notes.append(f"bump-my-version: moves the version in {files}; tags {tag_format}")
    return additions, releasekit


def _plan_changelog(result: Plan, pyproject: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Keep towncrier's configuration, or write one that matches the existing changelog."""
    root = result.root
    releasekit: dict[str, Any] = {}
    additions: list[str] = []
    existing_towncrier = _existing_towncrier(root, pyproject)
    if existing_towncrier:
        from releasekit import changelog
        from releasekit._exceptions import ConfigError

        result.notes.append(f"towncrier: kept the configuration in {existing_towncrier}")
        table: dict[str, Any] = {}
        try:
            towncrier = changelog.settings(root)
        except ConfigError as exc:
            # Say what the release will trip on, and adopt the rest as it is.
            result.notes.append(f"towncrier: fix this before the first release: {exc}")
            table = config.towncrier_table(root)
            fragments_dir = root / str(table.get("directory", "newsfragments"))
            types = [str(t.get("directory", "")) for t in table.get("type", [])]
        else:
            fragments_dir, types = towncrier.directory, towncrier.types
        if types:
            kind = next((k for k in ("feature", "change", "bugfix") if k in types), types[0])
            news = str(table.get("filename", "")) if table else towncrier.filename.name
            suffix = Path(news).suffix if Path(news).suffix in (".md", ".rst") else ""
            example = fragments_dir.relative_to(root) / f"+name.{kind}{suffix}"
            result.notes.append(
                f"towncrier: fragment types: {', '.join(types)} (a fragment of another "
                f"type is not part of the changelog; name them like {example.as_posix()})"
            )
        bump_map = _bump_map_for(types) if types else dict(config.DEFAULT_BUMP_MAP)
        if bump_map != dict(config.DEFAULT_BUMP_MAP):
            releasekit["bump_map"] = bump_map
    else:
        path, text, table, note = plan_changelog(root, find_changelog(root))
        if not path.is_file() or path.read_bytes().decode("utf-8") != text:
            result.writes[path] = text
        if "template" in table:
            result.writes[root / table["template"]] = template_text(path)
        additions.append(
            table_toml(
                "towncrier",
                table,
                "towncrier writes the changelog from changelog.d/ (releasekit init).",
            )
        )
        result.notes.append(f"towncrier: {note}")
        fragments_dir = root / "changelog.d"
    if not fragments_dir.is_dir():
        result.writes[fragments_dir / ".gitkeep"] = ""
    return additions, releasekit


def plan_front_ends(result: Plan) -> None:
    """A noxfile and tasks.py when there are none, or the line to add to each."""
    root = result.root
    for name, content, line in (("noxfile.py", NOXFILE, NOX_LINE), ("tasks.py", TASKS, TASKS_LINE)):
        if (root / name).exists():
            result.notes.append(f"{name} exists: add this line to it: {line}")
        else:
            result.writes[root / name] = content


def plan_ignores(result: Plan, *, setuptools: bool, compiled: bool) -> None:
    """What the sessions and builds leave in the tree, added to ``.gitignore`` unless ignored."""
    root = result.root
    wanted = [".nox/", "dist/", ".mypy_cache/"]
    if setuptools:  # an editable install (the tests session) writes NAME.egg-info/
        wanted += ["*.egg-info/", "build/"]
    if compiled:  # an in-place build (the tests session's) leaves its modules in the tree
        wanted += ["*.so", "*.pyd"]
    ignored = [p for p in wanted if not git.is_ignored(root, _example_path(p))]
    if ignored:
        gitignore = root / ".gitignore"
        old_ignore = gitignore.read_text(encoding="utf-8") if gitignore.is_file() else ""
        sep = "" if not old_ignore or old_ignore.endswith("\n") else "\n"
        result.writes[gitignore] = old_ignore + sep + "".join(f"{p}\n" for p in ignored)


def _example_path(pattern: str) -> str:
    """A path the ignore pattern covers: ``build/`` covers ``build/x``, ``*.so`` covers ``x.so``."""
    if pattern.endswith("/"):
        return pattern.replace("*", "x") + "x"
    return pattern.replace("*", "x")


def _plan_checks(result: Plan, copy: Path, docs_dir: str, run_checks: bool) -> list[str]:
    """The checks that pass on the copy of the tree as it will be after init."""
    if not run_checks:
        result.notes.append(
            f"checks: not tried in a dry run; init runs nox -s {' '.join(CANDIDATE_CHECKS)} "
            "once and keeps those that pass"
        )
        return ["build"]
    _console.info(
        f"trying the checks {', '.join(CANDIDATE_CHECKS)} on a copy of the repository "
        "as it will be after init"
    )
    checks, left_out = choose_checks(copy, docs_dir)
    result.notes.append(f"checks: {', '.join(checks)} (build is served by the release itself)")
    result.notes += [f"left out {line}" for line in left_out]
    return checks


def uses_setuptools(root: Path) -> bool:
    """Whether setuptools builds the project (its editable install writes egg-info and build/)."""
    backend_name = config.read_pyproject(root).get("build-system", {}).get("build-backend", "")
    return str(backend_name).startswith("setuptools") or not backend_name


def is_compiled(root: Path) -> bool:
    """Whether the project has compiled code (an in-place build leaves modules beside it)."""
    from releasekit import wheels

    return bool(wheels.expects_compiled(root, git.tracked(root)))


def plan(
    root: Path, *, run_checks: bool = True, member: bool = False, siblings: bool = False
) -> Plan:
    """Work out everything init would write, without writing anything.

    :param member: a workspace member: its tags carry its name; the root has the ignores.
    :param siblings: it needs other members, which the train installs beside it:
        init's trial cannot install its wheel alone.
    """
    root = root.resolve()
    pyproject = _pyproject(root)
    pyproject_path = root / config.PYPROJECT
    result = Plan(root)
    with tempfile.TemporaryDirectory(prefix="releasekit-init-") as scratch:
        # The backend and the checks run on a copy: setuptools' egg-info, Sphinx's
        # _build/ and the tools' caches never land in the repository.
        copy = tree.copy_project(root, Path(scratch))
        _console.info("asking the build backend for the project's name and version")
        meta = backend.metadata(copy)
        project = (
            str(pyproject.get("project", {}).get("name", ""))
            or config.setup_cfg_name(root)
            or meta.name
        )
        additions, releasekit = _plan_version(
            result, pyproject, project, meta.version, member=member
        )
        more, changelog_keys = _plan_changelog(result, pyproject)
        additions += more
        releasekit |= changelog_keys
        requires = testdeps.test_requires(root, pyproject)
        if requires:
            releasekit["test_requires"] = requires
            result.notes.append(f"tests install: {', '.join(requires)} (test_requires)")
        docs_dir = next((d for d in ("docs", "doc") if (root / d / "conf.py").is_file()), "docs")
        if docs_dir != "docs":
            releasekit["docs_dir"] = docs_dir
        # The release imports the installed wheel's top-level package, by default
        # named after the project: say which one when that name is not a module here.
        if module_file(root, re.sub(r"[-.]", "_", project).lower()) is None:
            found = [n for n in import_names(root, project, pyproject) if module_file(root, n)]
            if found:
                releasekit["package"] = found[0]
        # An adopted project's API was never held to its versions: its breakages
        # are shown at each release, not refused, until the maintainer says so.
        releasekit["api_check"] = "warn"
        result.notes.append(
            'api_check: "warn" (a breaking change to the public API is shown at release, '
            'not refused; set "error" once the versions follow the API)'
        )
        plan_front_ends(result)
        if not member:  # a workspace's root takes its members' ignores
            plan_ignores(result, setuptools=uses_setuptools(root), compiled=is_compiled(root))
        # The checks see pyproject.toml as init leaves it: try them with a first
        # guess, then write the table with the checks that passed.
        table = table_toml("releasekit", {"checks": ["build"], **releasekit}, _RK_COMMENT)
        old = pyproject_path.read_text(encoding="utf-8")
        result.writes[pyproject_path] = edit_pyproject(old, [*additions, table])
        tree.apply(copy, root, result.writes)
        fixed = tree.follow_lint(copy, root, result.writes, ["noxfile.py", "tasks.py"])
        if fixed:
            result.notes.append(f"{' and '.join(fixed)}: fixed and formatted by ruff, as the "
                                "project's configuration asks")  # fmt: skip
        result.preview = preview(copy, _next_version(meta.version))
        if run_checks:
            import_name = str(releasekit.get("package") or re.sub(r"[-.]", "_", project).lower())

            def configure(toml: str) -> None:
                """Add the check-wheel-contents table, in the plan and in the copy."""
                additions.append(toml)
                result.writes[pyproject_path] = edit_pyproject(old, [*additions, table])
                tree.apply(copy, root, {pyproject_path: result.writes[pyproject_path]})

            _plan_verify(
                result, copy, Path(scratch, "dist"), import_name, configure, install=not siblings
            )
        checks = _plan_checks(result, copy, docs_dir, run_checks)
    table = table_toml("releasekit", {"checks": checks, **releasekit}, _RK_COMMENT)
    result.writes[pyproject_path] = edit_pyproject(old, [*additions, table])
    return result


_RK_COMMENT = "releasekit: nox -s release (releasekit init)."


def _verify_note(result: Plan, problem: str) -> None:
    if problem:
        result.notes.append(f"verify: the first release will stop here until fixed: {problem}")
    else:
        result.notes.append("verify: the current tree's build passes the release's verify")


def _wheel_config_elsewhere(root: Path, pyproject: dict[str, Any]) -> str:
    """Where the project configures check-wheel-contents already, if it does."""
    import configparser

    if "check-wheel-contents" in pyproject.get("tool", {}):
        return "[tool.check-wheel-contents] in pyproject.toml"
    for name, section in (("tox.ini", "check-wheel-contents"),
                          ("setup.cfg", "tool:check-wheel-contents")):  # fmt: skip
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_section(section):
            return f"[{section}] in {name}"
    return ""


def _plan_verify(
    result: Plan,
    copy: Path,
    dist_dir: Path,
    import_name: str,
    configure: Callable[[str], None],
    *,
    install: bool = True,
) -> None:
    """Run the release's verify on a build of the tree as init leaves it.

    A check-wheel-contents rule the project's wheel already breaks would stop
    every release at verify: it goes into check-wheel-contents' own
    configuration (``configure`` adds the TOML), with its reason, and the user
    is told; then verify runs as the release will run it.
    """
    _console.info("building the project as it is, to run the release's verify on it")
    built, rules, problem = trials.build_for_verify(copy, dist_dir)
    if built is None or problem:
        _verify_note(result, problem)
        return
    if rules:
        listed = ", ".join(sorted(rules))
        where = _wheel_config_elsewhere(copy, config.read_pyproject(copy))
        if where:
            _verify_note(result, f"check-wheel-contents: the wheel breaks {listed}: "
                                 f"add them to ignore in {where}")  # fmt: skip
            return
        for code, reason in sorted(rules.items()):
            result.notes.append(f"check-wheel-contents: the wheel already breaks {code} "
                                f"({reason}): ignored in [tool.check-wheel-contents]")  # fmt: skip
        comment = "".join(f"# {code}: {reason}\n" for code, reason in sorted(rules.items()))
        codes = ", ".join(f'"{code}"' for code in sorted(rules))
        configure(
            "# check-wheel-contents: rules the project's wheel broke when it was adopted "
            f"(releasekit init):\n{comment}[tool.check-wheel-contents]\nignore = [{codes}]\n"
        )
    if not install:
        result.notes.append(
            "verify: the wheel's contents pass; it is installed at release time beside the "
            "workspace members it needs"
        )
        return
    _verify_note(result, trials.verify_build(built, import_name, copy))


def _next_version(current: str) -> str:
    """A plausible next version for the preview (the fragments decide the real one)."""
    try:
        return versions.bump_release(Version(current).base_version, "minor")
    except (ValueError, ReleaseKitError):
        return "1.0.0"
