"""``status``: where each repository stands, one row each."""

from __future__ import annotations

import json
from pathlib import Path

from releasekit.commands import StatusOptions, Verb, project


def status(root: Path, options: StatusOptions) -> None:
    """One row per repository; problems are rows, and make the exit status 1.

    A workspace root is its members, one row each, whether it is here or a
    ``DIR`` (``status``, ``status .`` and ``status DIR`` agree).
    """
    from releasekit import status as engine
    from releasekit import workspace
    from releasekit._exceptions import ConfigError, ReleaseKitError

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
    # Read once each; a broken configuration is its row's problem, not the end of the command.
    projects = [project(path, checked=False) for path in paths]
    rows = engine.collect(projects, repository=options.repository)
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


VERB = Verb(
    "status",
    StatusOptions,
    status,
    "Show where each repository stands: version, last tag, fragments, next version.",
    console=True,
    invoke="status",
)
