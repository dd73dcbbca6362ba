"""Back to development after a release: ``post_release_dev`` of each released package.

For one package and a train's N alike: each released package whose own
``[tool.releasekit]`` sets ``post_release_dev`` moves to its next ``.dev0``
(``VersionSource.development_after``, written by bump-my-version), all in
**one** commit of their own, no tag, so that builds from the branch never
carry a released version number. The commit is pushed by SHA right after
the release commit, and only when it sits right on what the release pushed:
a commit someone made meanwhile is never pushed with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from releasekit import _console, git, versions
from releasekit._exceptions import ReleaseKitError, VersionError
from releasekit.project import Project


def planned(packages: Iterable[tuple[str, Project, str]], *, train: bool) -> list[str]:
    """``[NAME ]DEV`` for each package that moves to a development version after the release."""
    found = []
    for name, project, new in packages:
        if not project.settings.post_release_dev:
            continue
        dev = versions.source_for(project).development_after(new)
        if dev is not None:
            found.append(f"{name} {dev}" if train else dev)
    return found


def back_to_development(
    root: Path,
    packages: Iterable[tuple[str, Project, str]],
    *,
    train: bool,
    release_commit: str,
    remote: str,
    branch: str,
    push: bool,
    timeout: float,
) -> str | None:
    """Move the packages to their development versions in one commit (pushed); return it.

    The work tree must be as the release left it; otherwise nothing is moved.

    :param packages: each released package's name, project and the version it released.
    :param train: name each package in the output (a train's), not the version alone.
    :param release_commit: what the release's push left on the branch: the
        release commit, or its merge into a branch that moved (``--resume``).
    """
    moves = []
    for name, project, released in packages:
        if not project.settings.post_release_dev:
            continue
        named = f"{name} " if train else ""
        source = versions.source_for(project)
        dev = source.development_after(released)
        if versions.dev_after(released) is None:
            _console.info(f"{named}{released} is a pre-release: the branch keeps it until the "
                          "final release")  # fmt: skip
        elif dev is None:
            _console.info(f"{named}the version comes from {source.description}: builds after "
                          "the tag are .devN already")  # fmt: skip
        else:
            moves.append((source, project, f"{named}{dev}", dev))
    if not moves:
        return None
    shown = ", ".join(each for _, _, each, _ in moves)
    dirt = git.unclean(root)
    if dirt:
        _console.warn(
            f"the work tree changed since the release ({dirt}): the development version "
            f"{shown} is not committed; move it with `invoke bump --new-version`"
        )
        return None
    try:
        for source, _, _, dev in moves:
            source.write(dev)
        paths = [str(project.root) for _, project, _, _ in moves]
        git.git(root, "add", "--update", "--", *paths, mutates=True)
        made = git.commit(root, f"Back to development: {shown}", what="the development commit")
        if push:
            _push_if_on(root, made, release_commit, remote=remote, branch=branch,
                        timeout=timeout, shown=shown)  # fmt: skip
    except ReleaseKitError as exc:
        msg = (
            f"the release is done, but the development version {shown} could not be "
            f"committed and pushed: {exc}"
        )
        raise VersionError(msg, details=exc.details) from None
    _console.info(f"back to development: {shown}")
    return made


def _push_if_on(
    root: Path, commit: str, base: str, *, remote: str, branch: str, timeout: float, shown: str
) -> None:
    """Push the development ``commit`` by SHA, only when it sits right on ``base`` (released).

    A commit someone made while the release ran is never pushed with it:
    then both stay local, and that is said.
    """
    if git.git(root, "rev-parse", f"{commit}^") == base:
        git.push_branch(root, remote, commit, branch, timeout=timeout)
        return
    _console.warn(
        f"the development version {shown} is committed on top of a commit made while the "
        "release ran: both stay local, push the branch when it is ready"
    )
