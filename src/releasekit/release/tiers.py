"""The public steps of a release of N packages, tier by tier: check, publish, confirm; then push.

A workspace train's members go out in its tiers: from the second tier on,
each wheel first installs with its dependencies from the target index (the
earlier tiers' just-published versions), then each package is published and
confirmed installable from the index before the next tier. The journal
records each package as published and confirmed, and the push as done, so
``--resume`` does nothing twice. The push names the release commit and every
tag by SHA, in one atomic push, and only once the index lists what the
journal says is published.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from releasekit import _console, dists, git
from releasekit._exceptions import ReleaseError, ReleaseKitError
from releasekit.release import artifacts
from releasekit.release.journal import (
    STATE_DIR,
    STATE_FILE,
    Package,
    State,
    clear_state,
    kept_files,
    save_state,
    upload_progress,
)
from releasekit.release.steps import published


def install_check(
    package: Package, wheels: list[Path], index: str | None, *, what: str, refresh: bool = False
) -> None:
    """Install the wheels (the package's first) into a fresh environment and import it."""
    artifacts.install_and_import(wheels, package.import_name, index, refresh=refresh,
                                 subject=f"the wheel of {package.name} {package.version}",
                                 what=what)  # fmt: skip


def push(root: Path, state: State, timeout: float) -> None:
    """The release commit and every tag, by identity, in one atomic push."""
    git.push(root, state.remote, state.commit, state.branch, state.tags, timeout=timeout)
    moved = git.moved_past(root, state.commit)
    if moved:
        _console.warn(moved)


def _publish_tier(
    root: Path, state: State, packages: list[Package], *, first: bool, confirm: bool
) -> None:
    """One tier: each wheel against the index (after the first tier), published, confirmed."""
    target = state.target
    assert target is not None
    for package in packages:
        if package.published or first:
            continue  # the first tier's needs were all on the index already
        with _console.step(f"verify {package.name} against the index"):
            wheel = dists.find(package.kept_dir(root)).wheel
            install_check(package, [wheel], target.simple_url,
                          what=f"with its dependencies from {target.shown}",
                          refresh=True)  # fmt: skip
    for package in packages:
        if package.published:
            _console.info(f"publish {package.name}: already done")
            continue
        with _console.step(f"publish {package.name}"):
            files = kept_files(package.kept_dir(root), package.files)
            artifacts.upload(target, package.name, files, package.files,
                             started=lambda: upload_progress(root, state, "started"),
                             uploaded=lambda: upload_progress(root, state, "done"))  # fmt: skip
        package.published = True
        save_state(root, state)
    for package in packages:
        if package.confirmed or not confirm:
            continue
        with _console.step(f"confirm {package.name}"):
            files = kept_files(package.kept_dir(root), package.files)
            artifacts.confirm(target, package.name, package.version, files, siblings=True)
        package.confirmed = True
        save_state(root, state)


def finish_tiers(
    root: Path, state: State, *, push_wanted: bool, confirm: bool, timeout: float
) -> None:
    """Tier by tier: check against the index, publish, confirm; then push. Journaled.

    A failure is one line that says the release is recorded: ``--resume`` finishes it.
    """
    if state.target is not None:
        state.target = dataclasses.replace(state.target, timeout=timeout)
    try:
        if state.target is not None:
            for number, tier in enumerate(state.tiers):
                packages = [state.named(n) for n in tier]
                _publish_tier(root, state, packages, first=number == 0, confirm=confirm)
        if push_wanted and "push" not in state.done:
            with _console.step("push"):
                if state.target is not None:  # a tag only for what the index really has
                    for package in state.packages:
                        if package.published:
                            kept = kept_files(package.kept_dir(root), package.files)
                            published(state.target, package.name, kept)
                push(root, state, timeout)
            state.done.append("push")
            save_state(root, state)
    except ReleaseKitError as exc:
        msg = (
            f"{exc}; the train ({state.summary}) is recorded in {STATE_DIR}/{STATE_FILE}: "
            "fix the cause and run again with --resume"
        )
        raise ReleaseError(msg, details=exc.details) from None
    clear_state(root)
