"""Back to development after a release (``post_release_dev``)."""

from __future__ import annotations

from pathlib import Path

from releasekit import _console, config, git
from releasekit._exceptions import ReleaseKitError, VersionError
from releasekit.versions.arithmetic import dev_after
from releasekit.versions.source import VersionSource

DEV_MESSAGE = "Back to development: {new_version}"


def post_release(
    source: VersionSource, root: Path, settings: config.Settings, released: str, *,
    branch: str, push: bool, base: str,
) -> str | None:  # fmt: skip
    """Commit (and push) the next development version after ``released``; return it.

    Its own commit, no tag, so that builds from the branch never carry a
    released version number. Nothing to do after a pre-release (the series
    goes on) or when the version comes from git tags (their builds between
    releases already carry a ``.devN`` version). The dev commit is pushed by
    SHA, and only when it sits right on ``base`` (what the release pushed):
    a commit someone made meanwhile is never pushed with it.
    """
    if dev_after(released) is None:
        _console.info(f"{released} is a pre-release: the branch keeps it until the final release")
        return None
    dev = source.development_after(released)
    if dev is None:
        _console.info("the version comes from git tags: builds after the tag are .devN already")
        return None
    try:
        source.commit_development(dev, DEV_MESSAGE)
        if push:
            push_if_on(
                root, git.head(root), base, remote=settings.remote, branch=branch,
                timeout=settings.network_timeout,
                committed=f"the development version {dev} is", ran="the release",
            )  # fmt: skip
    except ReleaseKitError as exc:
        msg = (
            f"{released} is released, but the development version {dev} could not be "
            f"committed and pushed: {exc}"
        )
        raise VersionError(msg, details=exc.details) from None
    _console.info(f"back to development: {dev}")
    return dev


def push_if_on(
    root: Path, commit: str, base: str, *, remote: str, branch: str, timeout: float,
    committed: str, ran: str,
) -> None:  # fmt: skip
    """Push the development ``commit`` by SHA, only when it sits right on ``base`` (released).

    A commit someone made while ``ran`` (the release, the train) is never
    pushed with it: then both stay local, and that is said.

    :param committed: what was committed, for the message ("the development version 1.2.1.dev0 is").
    """
    if git.git(root, "rev-parse", f"{commit}^") == base:
        git.push_branch(root, remote, commit, branch, timeout=timeout)
        return
    _console.warn(
        f"{committed} committed on top of a commit made while {ran} ran: both stay local, "
        "push the branch when it is ready"
    )
