"""The public steps of a release of N packages (one for a single release): tiers, then push.

One code path for a single release (one tier of one package) and a
workspace train: tier by tier, from the second tier on each wheel first
installs with its dependencies from the target index (the earlier tiers'
just-published versions), then each package is published and confirmed
installable from the index before the next tier. The journal records each
package as published and confirmed, so ``--resume`` does nothing twice. The
push names the release commit and every tag by SHA, in one atomic push, and
on ``--resume`` only once the index lists what the journal says is published;
a remote branch that moved meanwhile gets the tags, then a merge.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from releasekit import _console, _runner, dists, git
from releasekit._exceptions import ReleaseError, ReleaseKitError
from releasekit.index import Target, confirm_listed, index_for
from releasekit.release import artifacts
from releasekit.release.journal import (
    Package,
    State,
    kept_files,
    refuse,
    save_state,
    upload_progress,
)


def install_check(
    package: Package, wheels: list[Path], index: str | None, *, what: str, refresh: bool = False
) -> None:
    """Install the wheels (the package's first) into a fresh environment and import it."""
    artifacts.install_and_import(wheels, package.import_name, index, refresh=refresh,
                                 subject=f"the wheel of {package.name} {package.version}",
                                 what=what)  # fmt: skip


@contextlib.contextmanager
def _step(state: State, action: str, package: Package) -> Iterator[None]:
    """A train names each package's part of a step; a single release's is the step itself."""
    if not state.train:
        yield
        return
    with _console.step(f"{action} {package.name}"):
        yield


def _label(state: State, action: str, package: Package) -> str:
    return f"{action} {package.name}" if state.train else action


def publish(root: Path, state: State, *, confirm: bool, timeout: float) -> None:
    """Tier by tier: check against the index, publish, confirm. Each package journaled."""
    assert state.target is not None
    target = dataclasses.replace(state.target, timeout=timeout)
    for number, tier in enumerate(state.tiers):
        packages = [state.named(n) for n in tier]
        _publish_tier(root, state, target, packages, first=number == 0, confirm=confirm)


def _publish_tier(
    root: Path,
    state: State,
    target: Target,
    packages: list[Package],
    *,
    first: bool,
    confirm: bool,
) -> None:
    """One tier: each wheel against the index (after the first tier), published, confirmed."""
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
            _console.info(f"{_label(state, 'publish', package)}: already done")
            continue
        with _step(state, "publish", package):
            files = kept_files(package.kept_dir(root), package.files)
            artifacts.upload(target, package.name, files, package.files,
                             started=lambda: upload_progress(root, state, "started"),
                             uploaded=lambda: upload_progress(root, state, "done"))  # fmt: skip
        package.published = True
        save_state(root, state)
    for package in packages:
        if package.confirmed or not confirm:
            continue
        with _step(state, "confirm", package):
            files = kept_files(package.kept_dir(root), package.files)
            # Its dependencies from the index exactly when some are its workspace's members
            # (there, and only there, by now); any other comes from wherever users get it.
            artifacts.confirm(target, package.name, package.version, files,
                              siblings=package.siblings)  # fmt: skip
        package.confirmed = True
        save_state(root, state)


def push(root: Path, state: State, *, resumed: bool, timeout: float) -> str:
    """The release commit and every tag, by SHA, atomically; return what the branch got.

    :param resumed: the journal was read from disk (``--resume``): what it says is
        published is asked of the index first, and a remote branch that moved since
        gets the tags, then a merge (the first run stops instead: nothing to merge yet).
    """
    if resumed and state.target is not None:  # a tag only for what the index really has
        target = dataclasses.replace(state.target, timeout=timeout)
        for package in state.packages:
            if package.published:
                published(target, package.name, kept_files(package.kept_dir(root), package.files))
    try:
        git.push(root, state.remote, state.commit, state.branch, state.tags, timeout=timeout)
    except ReleaseKitError:
        if not resumed:  # the first run: say so; --resume will bring it in
            raise
        if git.head(root) != state.commit:  # a merge now would carry the newer commits
            msg = (
                f"{state.remote}/{state.branch} moved since the release and HEAD moved past the "
                f"release commit: check out {state.commit[:12]} and run --resume again"
            )
            raise ReleaseError(msg) from None
        return _push_into_moved_branch(root, state, timeout)
    moved = git.moved_past(root, state.commit)
    if moved:
        _console.warn(moved)
    return state.commit


def published(target: Target, project: str, files: list[Path]) -> None:
    """Before a tag goes out for what a journal read from disk says is published: ask the index."""
    try:
        confirm_listed(index_for(target), project, files)
    except ReleaseKitError as exc:
        msg = (
            f"the journal says {project} is published, but {exc}: nothing is pushed; check "
            "the index and the journal"
        )
        raise ReleaseError(msg) from None


def _push_into_moved_branch(root: Path, state: State, timeout: float) -> str:
    """The remote branch moved: push the tags, then merge the release into the branch.

    Returns the merge commit, pushed by SHA. The merge is made in the work
    tree, so it must hold nothing else: git refuses to merge over staged work,
    which would have read as a conflict, and a started operation would take it.
    """
    remote, branch, tags = state.remote, state.branch, state.tags
    git.check_no_operation(root)
    dirt = git.unclean(root)
    if dirt:
        refuse(
            f"{remote}/{branch} moved since the release, and merging the release commit into "
            f"it needs a clean work tree ({dirt}): commit or stash first; nothing was pushed"
        )
    refs = [f"{git.tag_object(root, tag, state.commit)}:refs/tags/{tag}" for tag in tags]
    git.git(root, "push", "--atomic", remote, *refs, mutates=True, timeout=timeout)
    one = len(tags) == 1
    the_tags = f"the tag {tags[0]}" if one else f"the tags {' '.join(tags)}"
    _console.info(f"pushed {the_tags}: {'it names' if one else 'they name'} what was published")
    git.git(root, "fetch", "--quiet", "--no-tags", remote, branch, mutates=True, timeout=timeout)
    theirs = f"refs/remotes/{remote}/{branch}"
    release = f"train ({state.summary})" if state.train else state.package.version
    merged = _runner.run(
        [*_runner.tool("git"), "merge", "--no-edit", "-m",
         f"Merge the release {release} into {branch}", theirs],
        cwd=root, check=False,
    )  # fmt: skip
    if merged.returncode != 0:
        _runner.run([*_runner.tool("git"), "merge", "--abort"], cwd=root, check=False)
        msg = (
            f"{remote}/{branch} moved since the release and does not merge cleanly with the "
            f"release commit: run `git pull {remote} {branch}`, resolve, then "
            f"`git push {remote} {branch}` ({the_tags} {'is' if one else 'are'} already pushed)"
        )
        raise ReleaseError(msg, details=merged.output)
    merge = git.head(root)
    git.git(root, "push", remote, f"{merge}:refs/heads/{branch}", mutates=True, timeout=timeout)
    _console.info(f"{remote}/{branch} had moved: merged the release commit into it and pushed")
    return merge
