"""When PyPI's rules apply, and the calls the release's steps make.

The rules are on when ``pypi_rules`` says so, else exactly when the target
is PyPI or TestPyPI. The preflight holds the metadata the build backend
reports (read ahead, in the background) before the bump; verify holds the
built files; ``--resume`` the release's age; the pull-request check the work
tree. Each refuses with the first problem in one line.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit import _console
from releasekit._exceptions import PyPIRuleError, ReleaseKitError
from releasekit.pypi_rules.age import release_age
from releasekit.pypi_rules.files import file_problems, wheel_metadata
from releasekit.pypi_rules.metadata import Metadata, parse, problems

if TYPE_CHECKING:
    from typing import Protocol

    from releasekit.config import Settings
    from releasekit.index import Target
    from releasekit.project import Project

    class Request(Protocol):
        """What :func:`prefetch` reads of the release's request (the engine's, or any)."""

        @property
        def repository(self) -> str | None: ...
        @property
        def no_publish(self) -> bool: ...
        @property
        def no_cache(self) -> bool: ...


#: Hosts whose uploads follow PyPI's rules: PyPI and TestPyPI (one code base).
PYPI_HOSTS = frozenset({"upload.pypi.org", "pypi.org", "www.pypi.org", "test.pypi.org"})


def is_pypi(target: Target | None) -> bool:
    """Whether the target is PyPI or TestPyPI (or, with none, whether PyPI is assumed)."""
    if target is None:
        return True
    return urllib.parse.urlsplit(target.upload_url).hostname in PYPI_HOSTS


def enabled(settings: Settings, target: Target | None) -> bool:
    """``pypi_rules``: as set, else on exactly when the target is PyPI or TestPyPI.

    Without a target (``--no-publish``) and unset it is off: where the files go
    is then someone else's call (the template, whose CI publishes to PyPI,
    sets the key on).
    """
    if settings.pypi_rules is not None:
        return settings.pypi_rules
    return target is not None and is_pypi(target)


def _refuse(found: list[str], where: str, *, listed_by: str = "") -> None:
    """The first problem in one line, with how many more there are and where they are listed."""
    if not found:
        return
    more = ""
    if len(found) > 1:
        more = f" (and {len(found) - 1} more" + (f": {listed_by} lists them)" if listed_by else ")")
    raise PyPIRuleError(f"{found[0]}{more}{where}")


def _may_apply(settings: Settings, options: Request) -> bool:
    """Whether the rules may apply, known before the target is resolved (no question asked)."""
    if settings.pypi_rules is not None:
        return settings.pypi_rules
    if options.no_publish:
        return False
    from releasekit.index import environment_target

    choice = options.repository or settings.repository or environment_target()
    if "://" in choice:
        return urllib.parse.urlsplit(choice).hostname in PYPI_HOSTS
    return True  # PyPI by default, or a .pypirc section, which may name it


def prefetch(project: Project, options: Request) -> None:
    """Start reading the backend's metadata in the background, if the rules may apply.

    The backend's hooks take half a second or more; the preflight's other
    questions (the remote, the index) take as long, so :func:`preflight`
    finds the answer ready. A version from git tags is read when the new
    version is known, not ahead.
    """
    from releasekit import backend_metadata, git

    if not _may_apply(project.settings, options) or backend_metadata.from_tags(project):
        return
    backend_metadata.start(project, git.head(project.root), fresh=options.no_cache)


def project_metadata(
    project: Project, version: str, target: Target | None, *, commit: str = "",
    fresh: bool = False,
) -> Metadata:  # fmt: skip
    """The project's metadata as its backend reports it for ``commit`` (HEAD), at ``version``.

    Read before the bump: of the fields, only Version depends on the version
    (a version from git tags is handed over as the build does), so the
    planned one takes its place. License-File paths are looked up in the
    commit's tree, where the build will look for them.
    """
    from releasekit import backend_metadata, git

    text, backend, present = backend_metadata.read(project, commit or git.head(project.root),
                                                   version, fresh=fresh)  # fmt: skip
    meta = parse(text, f"the metadata {backend} reports", pypi=is_pypi(target),
                 has_file=present.__contains__, files_in="the project's tree")  # fmt: skip
    raw: Any = dict(meta.raw)
    raw["version"] = version
    return dataclasses.replace(meta, raw=raw)


def preflight(
    project: Project, version: str, target: Target | None, *, fresh: bool = False
) -> None:
    """Refuse, before anything changes, metadata that PyPI would refuse at upload.

    :param fresh: read it in a throwaway build environment (``--no-cache``).
    """
    if not enabled(project.settings, target):
        return
    meta = project_metadata(project, version, target, fresh=fresh)
    found = problems(meta)
    if found:  # read again next time: what the backend said may hang on more than the tree
        _forget(project, version)
    _refuse(found, " ([tool.releasekit] pypi_rules)",
            listed_by="`releasekit check --fragment`")  # fmt: skip


def _forget(project: Project, version: str) -> None:
    from releasekit import backend_metadata, git

    backend_metadata.forget(project, git.head(project.root), version)


def work_tree(project: Project, version: str) -> None:
    """The pull-request check: the work tree's metadata, at ``version``, against the rules.

    The target is what a release would resolve from the configuration and
    twine's environment (PyPI when none says otherwise, as in CI). Every
    problem is listed; the error names the first.
    """
    from releasekit import git
    from releasekit.index import resolve_target

    settings = project.settings
    try:
        target: Target | None = resolve_target(
            "", configured=settings.repository, index_url=settings.index_url
        )
    except ReleaseKitError:  # the release itself says what is wrong with it
        target = None
    if not enabled(settings, target):
        return
    snapshot = git.work_tree_snapshot(project.root)
    found = problems(project_metadata(project, version, target, commit=snapshot))
    if len(found) > 1:
        for problem in found:
            _console.error(problem)
        raise PyPIRuleError(f"{found[0]} (and {len(found) - 1} more, above)")
    _refuse(found, " ([tool.releasekit] pypi_rules)")


def verify(
    project: Project,
    files: Sequence[Path],
    target: Target | None,
    *,
    commit: str = "",
    fresh: bool = False,
) -> None:
    """The built files against the same rules, plus their names and one sdist per release.

    The wheel's metadata is then what the backend reports for the release
    commit's tree: kept, so that the next preflight (the same tree but for
    its fragments) asks no hook.

    :param commit: the commit the files were built from.
    :param fresh: built in a throwaway environment (nothing is kept).
    """
    if not enabled(project.settings, target):
        return
    _refuse(file_problems(files, pypi=is_pypi(target)), " ([tool.releasekit] pypi_rules)")
    wheels = [p for p in files if p.name.endswith(".whl")]
    from releasekit import backend_metadata

    if commit and wheels and not fresh and not backend_metadata.from_tags(project):
        from releasekit import dists

        text = wheel_metadata(wheels[0])[0]
        tree = backend_metadata.tree_of(project, commit, "")
        backend_metadata.remember(tree, text, dists.backend_name(project.pyproject))


def resume(
    settings: Settings,
    target: Target | None,
    releases: Sequence[tuple[str, str, Sequence[Path]]],
) -> None:
    """``--resume``: refuse to add files to a release PyPI closed (see :func:`release_age`)."""
    if target is not None and releases and enabled(settings, target):
        release_age(target, releases)
