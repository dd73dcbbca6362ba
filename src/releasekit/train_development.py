"""Back to development after a train: ``post_release_dev`` of each released member.

A single release moves its project to the next ``.dev0`` version in a commit
of its own (``versions.development``). A train does the same for every
released member whose own ``[tool.releasekit]`` sets ``post_release_dev``,
through the same version arithmetic (``VersionSource.development_after``) and the same
bump-my-version, but in **one** commit for all of them, pushed by SHA right
after the release commit, as the train's release commit is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from releasekit import _console, git, versions
from releasekit._exceptions import ReleaseKitError, VersionError
from releasekit.project import Project
from releasekit.versions.development import push_if_on


def check(members: Iterable[tuple[Project, str]]) -> None:
    """Refuse, in preflight, a member whose development version bump-my-version cannot write.

    :param members: each releasing member's project and its new version.
    """
    for project, new in members:
        if project.settings.post_release_dev:
            versions.source_for(project).check_post_release(new)


def planned(members: Iterable[tuple[Project, str]]) -> list[str]:
    """``NAME DEV`` for each member that moves to a development version after the train."""
    found = []
    for project, new in members:
        if not project.settings.post_release_dev:
            continue
        dev = versions.source_for(project).development_after(new)
        if dev is not None:
            found.append(f"{project.name} {dev}")
    return found


def commit(
    root: Path,
    members: Iterable[tuple[Project, str]],
    *,
    release_commit: str,
    remote: str,
    branch: str,
    push: bool,
    timeout: float,
) -> str | None:
    """Move the members to their development versions in one commit (pushed); return it.

    Pushed by SHA only when it sits right on ``release_commit``, which the
    train pushed: a commit someone made meanwhile is never pushed with it.
    The work tree must be as the train left it; otherwise nothing is moved.

    :param members: each released member's project and the version it released.
    :param release_commit: what the train's push left on the branch: the release
        commit, or its merge into a branch that moved (``--resume``).
    """
    moves = []
    for project, released in members:
        if not project.settings.post_release_dev:
            continue
        source = versions.source_for(project)
        dev = source.development_after(released)
        if versions.dev_after(released) is None:
            _console.info(f"{project.name} {released} is a pre-release: it keeps its version")
        elif dev is None:
            _console.info(
                f"{project.name}: the version comes from {source.description}, .devN already"
            )
        else:
            moves.append((source, project, dev))
    if not moves:
        return None
    shown = ", ".join(f"{p.name} {dev}" for _, p, dev in moves)
    dirt = git.unclean(root)
    if dirt:
        _console.warn(
            f"the work tree changed since the release ({dirt}): the development versions "
            f"({shown}) are not committed; move them with `invoke bump --new-version`"
        )
        return None
    try:
        for source, _, dev in moves:
            source.write(dev)
        paths = [str(project.root) for _, project, _ in moves]
        git.git(root, "add", "--update", "--", *paths, mutates=True)
        git.git(root, "commit", "--quiet", "--message", f"Back to development: {shown}",
                mutates=True)  # fmt: skip
        made = git.head(root)
        if push:
            push_if_on(root, made, release_commit, remote=remote, branch=branch, timeout=timeout,
                       committed="the development versions are", ran="the train")  # fmt: skip
    except ReleaseKitError as exc:
        msg = (
            f"the train is released, but the development versions ({shown}) could not be "
            f"committed and pushed: {exc}"
        )
        raise VersionError(msg, details=exc.details) from None
    _console.info(f"back to development: {shown}")
    return made
