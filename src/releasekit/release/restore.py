"""Giving the repository back: the snapshot before a release, the undo, the comparison.

Before its first change a release takes a :class:`Before` (HEAD, its tags, the
files it touches); :func:`rollback` undoes exactly what is the release's own,
by identity (:func:`undo`), and compares with the snapshot, so "back as it
was" is said only when it is. ``--abort`` after kill -9 rebuilds the snapshot
from the journal (:func:`recorded`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

from releasekit import _console, _hashing, _runner, dists, git
from releasekit.release.journal import State, clear_state, own_dir


@dataclasses.dataclass(frozen=True)
class Before:
    """The repository before a release's first change: what its rollback must give back.

    ``tags`` maps each of the release's tag names to what its ref held ("" when
    absent: a colleague's tag fetched meanwhile is not the release's to delete);
    ``files`` maps each touched path (relative to the project) to its blob id
    ("" when the file did not exist).
    """

    head: str
    tags: dict[str, str]
    files: dict[str, str]


@dataclasses.dataclass
class Copies:
    """What ``--abort`` copied away before restoring it: content its journal does not record.

    After kill -9 in a writing step, what a touched file holds may be the
    release's or an edit made since; either way it is not lost. The copies go
    to ``directory`` (in the repository's git directory, never the work tree),
    made on the first one, each under its path from the repository's top.
    """

    directory: Path
    #: The journal's record of each touched file: sha256 of what the release last wrote.
    recorded: dict[str, str | None]
    made: list[str] = dataclasses.field(default_factory=list)

    def keep(self, root: Path, path: str, restoring: str) -> None:
        """Copy ``path`` when it holds neither what the journal records nor ``restoring``."""
        here = root / path
        if not here.is_file() or _hashing.sha256(here) == self.recorded.get(path):
            return
        if _blobs(root, [path])[path] == restoring:
            return
        prefix = git.git(root, "rev-parse", "--show-prefix")
        copy = self.directory / os.path.normpath(prefix + path)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(here, copy)
        self.made.append(path)
        _console.warn(
            f"{path} held what the journal does not record (an edit since the release "
            f"stopped?): copied to {copy} before restoring it"
        )


def copies_for(root: Path, state: State) -> Copies:
    """The :class:`Copies` of an ``--abort`` now: a new directory under ``.git/releasekit/``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    directory = git.common_dir(root) / "releasekit" / f"abort-{stamp}-{os.getpid()}"
    return Copies(directory, dict(state.touched))


def ref(root: Path, name: str) -> str:
    """What the ref ``name`` holds now, or ``""`` when it does not exist."""
    result = _runner.run([*_runner.tool("git"), "rev-parse", "--verify", "--quiet", name],
                         cwd=root, mutates=False, check=False, quiet=True)  # fmt: skip
    return result.stdout.strip() if result.returncode == 0 else ""


def _blobs(root: Path, paths: list[str]) -> dict[str, str]:
    """The blob id git would store for each file in the work tree now ("" when absent)."""
    found = dict.fromkeys(paths, "")
    present = [p for p in paths if (root / p).is_file()]
    if present:
        found.update(
            zip(present, git.git(root, "hash-object", "--", *present).splitlines(), strict=True)
        )
    return found


def _tree_blobs(root: Path, rev: str, paths: list[str]) -> dict[str, str]:
    """The blob id of each path (relative to ``root``) in the tree of ``rev`` ("" when absent)."""
    found = dict.fromkeys(paths, "")
    if paths:
        listing = git.git(root, "ls-tree", "-z", rev, "--", *(f":(literal){p}" for p in paths))
        for entry in listing.split("\0"):
            if "\t" in entry:
                meta, path = entry.split("\t", 1)
                found[path] = meta.split()[2]
    return found


def snapshot(root: Path, tags: list[str], paths: list[str]) -> Before:
    """Take the snapshot before the first change (HEAD, the tags, the touched files)."""
    return Before(git.head(root), {t: ref(root, f"refs/tags/{t}") for t in tags},
                  _blobs(root, paths))  # fmt: skip


def recorded(
    root: Path, head_before: str, commit: str, tags: list[str], paths: list[str]
) -> Before:
    """The snapshot a journal implies (``--abort`` after kill -9): ``head_before``'s files.

    A tag that is there now and does not point at the release's commit was
    someone else's before the release too.
    """
    now = {t: ref(root, f"refs/tags/{t}") for t in tags}
    theirs = {t: v if v and not tags_commit(root, v, commit) else "" for t, v in now.items()}
    return Before(head_before, theirs, _tree_blobs(root, head_before, paths))


def tags_commit(root: Path, value: str, commit: str) -> bool:
    """Whether the tag object (or commit) ``value`` names ``commit``."""
    return bool(commit) and ref(root, f"{value}^{{commit}}") == commit


def release_commit(root: Path, head_before: str, commit: str, paths: list[str]) -> str:
    """The commit the release made, or ``""``: recorded, or recognised when its step died halfway.

    A commit the journal does not name yet (the tag could not be made, kill -9
    inside the step) is the release's when it is HEAD, its only parent is
    ``head_before`` and it changes nothing but the files the release touches.
    """
    if commit:
        return commit
    head = git.head(root)
    if head == head_before:
        return ""
    parents = git.git(root, "rev-list", "--parents", "-n", "1", head).split()[1:]
    if parents != [head_before]:
        return ""
    return "" if git.changed_outside(root, paths, head_before, head) else head


def unfit_head_before(root: Path, head_before: str, commit: str) -> str:
    """Why the journal's ``head_before`` cannot be where ``--abort`` moves back to, or ``""``.

    The release's commit has ``head_before`` as its only parent; before there is
    one, HEAD is ``head_before`` or a descendant of it. Otherwise the journal is
    not this history's (hand-edited, another clone's) and moving the branch back
    would drop commits that are not the release's.
    """
    if commit:
        found = ref(root, f"{commit}^{{commit}}")
        parents = (
            git.git(root, "rev-list", "--parents", "-n", "1", found).split()[1:] if found else []
        )
        if parents != [head_before]:
            return (
                f"its release commit {commit[:12]} is not a child of its head_before "
                f"{head_before[:12]} here"
            )
    elif not _is_ancestor(root, head_before, "HEAD"):
        return f"its head_before {head_before[:12]} is not under HEAD"
    return ""


def _is_ancestor(root: Path, commit: str, head: str) -> bool:
    result = _runner.run([*_runner.tool("git"), "merge-base", "--is-ancestor", commit, head],
                         cwd=root, mutates=False, check=False, quiet=True)  # fmt: skip
    return result.returncode == 0


def drop_tag(root: Path, tag: str, commit: str) -> None:
    """Delete ``tag`` only if it points at ``commit``, by identity (``update-ref -d REF OLD``)."""
    name = f"refs/tags/{tag}"
    value = ref(root, name)
    if value and tags_commit(root, value, commit):
        git.git(root, "update-ref", "-d", name, value, mutates=True)


def _drop_tag_locks(root: Path, tags: list[str]) -> None:
    """Remove the lock file git leaves when it is stopped while it writes a release tag.

    Under the release's lock no one else makes the release's own tags; left
    there, the lock would refuse the next release's tag after its checks.
    """
    refs = git.common_dir(root) / "refs" / "tags"
    for tag in tags:
        lock = refs / f"{tag}.lock"
        if lock.is_file():
            lock.unlink()
            _console.info(f"removed {lock}, left by git when it was stopped making the tag {tag}")


def undo(root: Path, state: State, copies: Copies | None = None) -> list[str]:
    """Undo exactly what a local release did; return the files kept as someone else left them.

    Only what is the release's own, by identity: a tag is deleted only if it
    points at the release's commit, HEAD moves back only from that commit.
    Each file goes back to its content at ``head_before`` (or is removed when
    it did not exist), with the index matching for that path only, unless it
    changed again since the release wrote it: then that version stays, and
    only the release's staging is undone. Paths are the project's, wherever
    it sits in the git repository. With ``copies`` (``--abort``), what a file
    holds that the journal does not record is copied away before it is restored.
    """
    paths = sorted(state.touched)
    commit = release_commit(root, state.head_before, state.commit, paths)
    for tag in state.tags:
        drop_tag(root, tag, commit)
    _drop_tag_locks(root, state.tags)
    head = git.head(root)
    if head != state.head_before:
        if commit and head == commit:
            git.git(root, "update-ref", "-m", "releasekit: undo the release commit", "HEAD",
                    state.head_before, commit, mutates=True)  # fmt: skip
        else:
            _console.warn(
                f"HEAD moved past the release commit ({head[:12]}): it stays; the release "
                f"started from {state.head_before[:12]}"
            )
            if commit and _is_ancestor(root, commit, head):
                # The release's changes are in the history under HEAD now: restoring
                # the files would stage their inverse on top of someone's commit.
                return []
    before = _tree_blobs(root, state.head_before, paths)
    kept = []
    for path, written in sorted(state.touched.items()):
        spec = f":(literal){path}"
        if written is not None and _hashing.sha256_or_empty(root / path) != written:
            kept.append(path)
        else:
            if copies is not None:
                copies.keep(root, path, before[path])
            if before[path]:
                git.git(root, "checkout", "--quiet", state.head_before, "--", spec, mutates=True)
                continue
            (root / path).unlink(missing_ok=True)
        git.git(root, "reset", "--quiet", state.head_before, "--", spec, mutates=True)
    return kept


def differences(root: Path, before: Before, kept: list[str]) -> list[str]:
    """What differs from the snapshot after a rollback (the kept files aside), in words."""
    found = []
    head = git.head(root)
    if head != before.head:
        found.append(f"HEAD is {head[:12]}, not {before.head[:12]}")
    for tag, value in sorted(before.tags.items()):
        now = ref(root, f"refs/tags/{tag}")
        if now != value:
            found.append(f"the tag {tag} is {'still there' if not value else 'not as it was'}")
    paths = sorted(p for p in before.files if p not in kept)
    now_files = _blobs(root, paths)
    found += [f"{p} differs" for p in paths if now_files[p] != before.files[p]]
    if paths:
        # Named from the top (not --relative): a member's lock sits outside its directory.
        prefix = git.git(root, "rev-parse", "--show-prefix")
        staged = set(git.git(root, "diff", "--cached", "--name-only", "-z", before.head, "--",
                             *(f":(literal){p}" for p in paths)).split("\0"))  # fmt: skip
        ours = [p for p in paths if os.path.normpath(prefix + p) in staged]
        found += [f"{p} is staged" for p in ours if f"{p} differs" not in found]
    return found


def outcome(found: list[str]) -> str:
    """The end of the message of a rollback: "back as it was" only when it compared equal."""
    if not found:
        return "the repository is back as it was"
    return f"the repository is NOT back as it was ({', '.join(found)}): check it"


def rollback(root: Path, state: State, before: Before, copies: Copies | None = None) -> str:
    """Undo a release of one package or N, compare with ``before``, and say how it went.

    Each package's ``dist/`` that holds its built files is emptied too: those
    copies are of a version that now does not exist (anything else there,
    or a ``dist`` that is not a directory, is left alone).
    """
    what = "train" if state.train else "release"
    if state.writing:  # a writing step's files not recorded yet: what is in them is its own
        state.touched = dict.fromkeys(state.touched)
    kept = undo(root, state, copies)
    for package in state.packages:
        dist = package.dist_dir(root)
        if package.files and dist.is_dir() and set(package.files) <= set(os.listdir(dist)):
            dists.clean(own_dir(root, os.path.relpath(dist, root)))
    clear_state(root)
    for path in kept:
        _console.warn(
            f"kept {path} as it is now: it changed after the {what} wrote it "
            f"(the {what}'s own change to it may be in it; check it)"
        )
    return outcome(differences(root, before, kept))
