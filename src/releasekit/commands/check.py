"""``check``: a repository's release configuration validated (or a pull request's fragments)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.commands import CheckOptions, Verb, project

if TYPE_CHECKING:
    from releasekit.project import Project


def _bumpversion_problems(project: Project) -> list[str]:
    from releasekit import versions
    from releasekit.versions.bumpmyversion import load

    settings = project.settings
    problems = []
    bump = load(project.root)
    versions.parse(bump.current_version, what="current_version in [tool.bumpversion]")
    if not bump.files:
        problems.append(
            f"[tool.bumpversion] in {settings.pyproject} lists no files: add a "
            "[[tool.bumpversion.files]] entry for each file that carries the version"
        )
    for part in sorted(set(settings.bump_map.values()) | {settings.zero_major_part}):
        if part not in bump.parts:
            problems.append(
                f"[tool.releasekit] names the version part {part!r}, which "
                f"[tool.bumpversion] does not define (parts: {', '.join(bump.parts)})"
            )
    return problems


def _nox_sessions(root: Path) -> list[str] | None:
    """The sessions the repository's noxfile really has, or None without a noxfile."""
    from releasekit import _runner

    if not (root / "noxfile.py").is_file():
        return None
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    result = _runner.run(
        [*_runner.tool("nox"), "--list", "--json"], cwd=root, env=env, mutates=False, quiet=True
    )
    return [str(s["session"]) for s in json.loads(result.stdout or "[]")]


def _check_problems(project: Project) -> list[str]:
    from releasekit import _console, git, versions
    from releasekit._exceptions import ReleaseKitError
    from releasekit.config import unknown_env

    root = project.root
    problems: list[str] = []
    try:
        settings = project.settings
    except ReleaseKitError as exc:
        return [str(exc)]
    for name in unknown_env():
        _console.warn(f"{name} is set but names no [tool.releasekit] key: it has no effect")
    if not settings.project_name:
        problems.append(f"no [project] name in {settings.pyproject}")
    try:
        git.toplevel(root)
    except ReleaseKitError as exc:
        problems.append(str(exc))
    try:
        source = versions.source_for(project)
        if source.builds_in_place:  # the tags are the whole configuration
            source.current()
        else:
            problems += _bumpversion_problems(project)
    except ReleaseKitError as exc:
        problems.append(str(exc))
    try:
        from releasekit import changelog

        towncrier = changelog.settings(project.root)
        if not towncrier.directory.is_dir():
            problems.append(
                f"the changelog fragment directory {towncrier.directory} does not exist "
                "(create it with a .gitkeep file)"
            )
        unknown = sorted(set(settings.bump_map) - set(towncrier.types))
        if unknown:
            problems.append(
                f"[tool.releasekit] bump_map names fragment types towncrier does not "
                f"define: {', '.join(unknown)}"
            )
    except ReleaseKitError as exc:
        problems.append(str(exc))
    try:
        sessions = _nox_sessions(root)
    except ReleaseKitError as exc:
        problems.append(f"cannot list the noxfile's sessions: {exc}")
        sessions = None
    if sessions is not None:
        for check in settings.checks:
            if check not in sessions:
                problems.append(
                    f"[tool.releasekit] checks names {check!r}, which the noxfile does not "
                    f"have (sessions: {', '.join(sessions)})"
                )
    return problems


def check_repository(root: Path) -> list[str]:
    """Validate a repository's configuration; return one line per problem."""
    return _check_problems(project(root, checked=False))


def check(root: Path, options: CheckOptions) -> None:
    from releasekit import _console
    from releasekit._exceptions import ConfigError

    root = (root / options.root).resolve()
    if options.fragment:
        from releasekit import prcheck

        print(prcheck.report(prcheck.check(project(root), options.base)))
        return
    problems = check_repository(root)
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        for problem in problems:
            _console.error(problem)
        msg = f"{len(problems)} problems in the release configuration of {root}: see above"
        raise ConfigError(msg)
    print(f"{root}: releasekit configuration is valid")
    if options.audit:
        from releasekit.commands import audit

        audit.in_session(root)


VERB = Verb(
    "check",
    CheckOptions,
    check,
    "Validate a repository's release configuration.",
    console=True,
)
