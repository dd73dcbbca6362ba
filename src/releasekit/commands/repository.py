"""``check``, ``init`` and ``new``: a repository's configuration, adopted or stamped."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from releasekit import _console
from releasekit._exceptions import ConfigError, ReleaseKitError, TemplateError
from releasekit.commands import CheckOptions, InitOptions, NewOptions, StatusOptions
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
    from releasekit import git, versions
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
    return _check_problems(Project(root))


def check(root: Path, options: CheckOptions) -> None:
    root = (root / options.root).resolve()
    if options.fragment:
        from releasekit import prcheck

        print(prcheck.report(prcheck.check(root, options.base)))
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


def init(root: Path, options: InitOptions) -> None:
    from releasekit import init as engine

    engine.run((root / options.root).resolve(), yes=options.yes, dry_run=options.dry_run)


def template_keys() -> dict[str, str]:
    """The template's keys and their defaults, as a stamp would use them (Jinja rendered)."""
    from releasekit import new as engine

    raw = json.loads((engine.template_dir() / "cookiecutter.json").read_text())
    rendered = engine.defaults()
    keys = {}
    for key, value in raw.items():
        if isinstance(value, list):  # a choice: the first is the default
            keys[key] = ", ".join(map(str, value))
        elif "{" in value:  # computed from the keys before it
            keys[key] = f"{rendered[key]} (from the keys above)"
        else:
            keys[key] = value
    # Not cookiecutter's: releasekit stamps a uv workspace of two members with it.
    return {"layout": "package, workspace", **keys}


def new(root: Path, options: NewOptions) -> Path:
    from releasekit import new as engine

    context = engine.parse_extra_context(list(options.extra_context))
    keys = template_keys()
    keys.pop("layout")
    stamp: Callable[..., Path] = engine.stamp
    if context.get("layout", "package") != "package":  # layout=workspace: a uv workspace
        from releasekit import layouts

        stamp = layouts.stamp_workspace
        # Each member is stamped with these: the project_name is the members' to check.
        engine.check_context({k: v for k, v in context.items()
                              if k not in ("layout", "project_name")}, keys)  # fmt: skip
    else:
        context.pop("layout", None)
        engine.check_context(context, keys)
    created = stamp(
        root / options.output_dir,
        extra_context=context,
        no_input=options.no_input,
        overwrite=options.overwrite,
    )
    print(created)
    return created


__all__ = ["TemplateError", "check", "check_repository", "init", "new", "template_keys"]


def status(root: Path, options: StatusOptions) -> None:
    """One row per repository; problems are rows, and make the exit status 1.

    A workspace root is its members, one row each, whether it is here or a
    ``DIR`` (``status``, ``status .`` and ``status DIR`` agree).
    """
    from releasekit import status as engine
    from releasekit import workspace

    paths: list[Path] = []
    trains: dict[Path, Path] = {}  # a member's path -> its workspace root

    def is_train(path: Path) -> bool:
        try:
            return path.is_dir() and workspace.is_workspace(path)
        except ReleaseKitError:  # a broken pyproject.toml: its row says so
            return False

    for given in [root / d for d in options.dirs] or [root]:
        if is_train(given):
            for member in workspace.member_roots(given):
                trains[member] = given
                paths.append(member)
        else:
            paths.append(given)
    rows = engine.collect(paths, repository=options.repository)
    in_progress = {r: engine.in_progress(r) for r in set(trains.values())}
    for path, row in zip(paths, rows, strict=True):
        if path in trains and in_progress[trains[path]]:  # the train's journal is the root's
            row.in_progress = True
    if options.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        engine.render_table(rows)
    broken = [row for row in rows if row.problems]
    if broken:
        msg = f"{len(broken)} of {len(rows)} repositories have problems (listed above)"
        raise ConfigError(msg)
