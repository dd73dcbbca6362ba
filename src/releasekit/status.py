"""``releasekit status``: where each repository of a fleet stands, side by side.

Made for a hundred repositories at once, so it asks each one only what is
cheap: its tables (read once, in-process), three git commands, towncrier's own
fragment finder and bump-my-version's own version model (in-process, no
subprocess per repository). A broken repository is a row with its problems,
never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from releasekit import _runner, changelog, config, git, versions
from releasekit._exceptions import CommandError, GitError, ReleaseKitError
from releasekit.versions import gittags

if TYPE_CHECKING:
    from releasekit.project import Project

#: The journals of a release and of a train (release/, train.py).
JOURNALS = (".releasekit/state.json",)


@dataclasses.dataclass
class RepoStatus:
    """One row of ``releasekit status``; ``--json`` prints these fields."""

    path: str
    name: str = ""
    version: str | None = None
    last_tag: str | None = None
    last_tag_date: str | None = None
    commits_since_tag: int | None = None
    fragments: list[str] = dataclasses.field(default_factory=list)
    next_version: str | None = None
    in_progress: bool = False
    #: For a package with compiled code: what the index holds of the last
    #: release ("sdist only" until CI's platform wheels arrive); None otherwise.
    published: str | None = None
    #: The breaking changes to the public API since ``last_tag`` at HEAD
    #: (``api_check``), each ``object``, ``kind``, ``old``, ``new``; None when
    #: not compared (no tag, or ``api_check = "off"``).
    api_breakages: list[dict[str, str]] | None = None
    problems: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _git(root: Path, *args: str) -> str:
    try:
        return _runner.run(
            [*_runner.tool("git"), *args], cwd=root, mutates=False, quiet=True
        ).stdout.strip()
    except CommandError as exc:
        last = (exc.details.strip().splitlines() or ["git failed"])[-1]
        if "not a git repository" in exc.details:
            last = f"{root} is not inside a git repository (run git init first)"
        raise GitError(last) from None


def in_progress(root: Path) -> bool:
    """Whether a release (or a train) of ``root`` left its journal, in any worktree.

    The worktrees share the tags: a release left in one is in progress in all.
    """
    return bool(git.in_every_worktree(root, *JOURNALS))


def examine(project: Project, repository: str | None = None) -> RepoStatus:
    """The status of one repository; every problem becomes a line of ``problems``.

    :param project: read by the command layer; its configuration is read here,
        so that a broken one is a row's problem.
    :param repository: ``--repository``, the index asked about a compiled
        package's files (else the project's own target).
    """
    root = project.root
    row = RepoStatus(path=str(root), name=root.name)
    if not root.is_dir():  # one bad path in a fleet is a row, not the end of the command
        row.problems.append(f"{root} is not a directory: check the path")
        return row
    row.in_progress = in_progress(root)
    try:
        settings = project.settings
    except ReleaseKitError as exc:
        row.problems.append(str(exc))
        return row
    row.name = settings.project_name or root.name
    if not settings.project_name:
        row.problems.append(f"no [project] name in {settings.pyproject}")
    source = versions.source_for(project)
    try:
        tag_format = source.tag_template
        found = gittags.last_release_tag(root, tag_format)
        if found:
            row.last_tag, row.last_tag_date = found
        since = f"{row.last_tag}..HEAD" if row.last_tag else "HEAD"
        row.commits_since_tag = int(_git(root, "rev-list", "--count", since))
    except (ReleaseKitError, ValueError) as exc:
        row.problems.append(str(exc))
    try:
        if source.builds_in_place and row.last_tag:  # the version is the tag: no second look
            row.version = versions.version_of_tag(row.last_tag, source.tag_template)
        else:
            row.version = source.current()  # a missing tag or table says what to do
            versions.parse(row.version, what="current_version in [tool.bumpversion]")
    except ReleaseKitError as exc:
        row.problems.append(str(exc))
    types: list[str] = []
    try:
        towncrier = changelog.settings(root)
        if not towncrier.directory.is_dir():
            row.problems.append(
                f"the changelog fragment directory {towncrier.directory} does not exist "
                "(create it with a .gitkeep file)"
            )
        else:
            frags = changelog.fragments(root)
            row.fragments = [str(f.path.relative_to(root)) for f in frags]
            types = sorted({f.type for f in frags})
    except ReleaseKitError as exc:
        row.problems.append(str(exc))
    if row.version and (types or _is_pre(row.version)):
        try:
            choice = versions.choose(project, fragment_types=types, current=row.version,
                                     source=source)  # fmt: skip
            row.next_version = choice.new
        except ReleaseKitError as exc:
            row.problems.append(str(exc))
    if row.last_tag and row.version:
        row.published = published(root, settings, row.version, repository)
    released = versions.version_of_tag(row.last_tag, tag_format) if row.last_tag else None
    if row.last_tag and released and settings.api_check != "off":
        row.api_breakages = api_breakages(project, (row.last_tag, released), row.problems)
    return row


def api_breakages(
    project: Project, release: tuple[str, str], problems: list[str]
) -> list[dict[str, str]] | None:
    """The API check's breakages at HEAD; cheap when the package is as it was at the tag."""
    from releasekit import api_check

    try:
        comparison = api_check.compare(project, rev="HEAD", release=release)
    except ReleaseKitError as exc:
        problems.append(str(exc))
        return None
    return None if comparison is None else [b.as_dict() for b in comparison.breakages]


def published(
    root: Path, settings: config.Settings, released: str, repository: str | None = None
) -> str | None:
    """What the target index holds of ``released``, for a project that builds platform wheels.

    The local release of such a project uploads the sdist; CI adds the wheels.
    Only those projects ask the index (one request), so a fleet of pure
    packages costs nothing here.
    """
    from packaging.utils import parse_sdist_filename, parse_wheel_filename

    from releasekit import wheels
    from releasekit.index import index_for, resolve_target

    try:
        if not wheels.expects_compiled(root, git.tracked(root)):
            return None
        target = resolve_target(repository, configured=settings.repository,
                                index_url=settings.index_url,
                                timeout=settings.network_timeout)  # fmt: skip
        listed = index_for(target).listing(settings.project_name)
    except ReleaseKitError as exc:
        return f"unknown ({exc})"
    wanted = Version(released)
    sdists = wheels_found = 0
    for name in listed:
        try:
            if name.endswith(".whl"):
                wheels_found += parse_wheel_filename(name)[1] == wanted
            else:
                sdists += parse_sdist_filename(name)[1] == wanted
        except ValueError:
            continue
    if not sdists and not wheels_found:
        return "not on the index"
    if not wheels_found:
        return "sdist only"
    return f"sdist and {wheels_found} wheel(s)" if sdists else f"{wheels_found} wheel(s)"


def _is_pre(text: str) -> bool:
    try:
        return versions.is_prerelease(text)
    except ReleaseKitError:
        return False


def collect(
    projects: Sequence[Project], *, workers: int | None = None, repository: str | None = None
) -> list[RepoStatus]:
    """Examine every repository side by side; rows come back in the order given.

    Threads suffice: most of the time goes to git subprocesses, which run
    in parallel, and the in-process part is a few milliseconds a repository.
    """
    if not projects:
        return []
    workers = workers or min(len(projects), 4 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(functools.partial(examine, repository=repository), projects))


def render_table(rows: Sequence[RepoStatus]) -> None:
    """A rich table, one row per repository; the problems, one line each, below it.

    Every text from a repository is shown literally (rich would take "[...]"
    for markup and drop it). Piped, nothing is cut: the table is as wide as
    its longest cells, as a script reading names needs.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    whole = not console.is_terminal
    if whole:
        console = Console(width=100_000, soft_wrap=True)
    table = Table(title="releasekit status")
    for heading in ("name", "version", "last tag", "tagged", "commits", "fragments", "next"):
        table.add_column(heading, no_wrap=whole)
    table.add_column("state", no_wrap=whole)
    for row in rows:
        state = []
        if row.in_progress:
            state.append("[bold yellow]release in progress[/]")
        if row.problems:
            state.append(f"[red]{len(row.problems)} problem(s)[/]")
        if row.published:
            state.append(escape(f"{row.last_tag}: {row.published}"))
        if row.api_breakages:
            since = escape(f"since {row.last_tag}")
            state.append(f"[yellow]{len(row.api_breakages)} API break(s) {since}[/]")
        table.add_row(
            escape(row.name),
            escape(row.version or "?"),
            escape(row.last_tag or "-"),
            (row.last_tag_date or "")[:10] or "-",
            "?" if row.commits_since_tag is None else str(row.commits_since_tag),
            str(len(row.fragments)),
            escape(row.next_version or "-"),
            ", ".join(state) or "ok",
        )
    console.print(table)
    for row in rows:
        for problem in row.problems:
            console.print(
                f"[red]ERROR[/] {escape(row.path)}: {escape(problem)}",
                highlight=False,
                soft_wrap=True,
            )
