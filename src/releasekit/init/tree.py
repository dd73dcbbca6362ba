"""A scratch copy of the project, to try things on without touching the repository.

The build backend's metadata hook and the trial checks run here: setuptools
writes ``*.egg-info`` next to the sources, Sphinx writes ``_build/``, and the
checks must see the tree as it will be after init (its noxfile and tasks.py
included). The copy is a ``git clone --shared`` of the repository (tags and
history for setuptools-scm and hatch-vcs, nothing written into the original)
with the work tree's current files, tracked or not yet, laid over it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from releasekit import _runner, git


def copy_project(root: Path, dest: Path) -> Path:
    """Copy the project at ``root`` into ``dest``; return the project's directory there."""
    top = git.toplevel(root)
    dest.mkdir(parents=True, exist_ok=True)
    clone = dest / "repo"
    if git.has_commits(top):
        args = ["clone", "-q", "--shared", "--no-checkout", str(top), str(clone)]
        _runner.run([*_runner.tool("git"), *args], cwd=dest, mutates=False, quiet=True)
    else:
        _runner.run(
            [*_runner.tool("git"), "init", "-q", str(clone)], cwd=dest, mutates=False, quiet=True
        )
    listed = _runner.run(
        [*_runner.tool("git"), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=top,
        mutates=False,
        quiet=True,
    ).stdout
    for name in dict.fromkeys(n for n in listed.split("\0") if n):
        source = top / name
        if not source.is_file() and not source.is_symlink():
            continue  # deleted in the work tree, or a submodule
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    if git.has_commits(top):
        # The index of HEAD, so that the copy's `git status` is the original's.
        _runner.run([*_runner.tool("git"), "reset", "-q"], cwd=clone, mutates=False, quiet=True)
    return clone / root.resolve().relative_to(top)


def apply(copy: Path, root: Path, writes: Mapping[Path, str]) -> None:
    """Write init's files (paths under ``root``) into the copy, as init would write them."""
    for path, text in writes.items():
        target = copy / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")


def follow_lint(copy: Path, root: Path, writes: dict[Path, str], names: list[str]) -> list[str]:
    """Let ruff fix and format init's own files in the copy, under the project's configuration.

    The project's ``style`` check then judges the project, not init's
    noxfile.py and tasks.py (an import order, a quote style). Best effort: no
    ruff, or a rule it cannot fix (a copyright header), leaves the files as
    they were written. Returns the files that changed.
    """
    from releasekit._exceptions import ReleaseKitError

    paths = [root / n for n in names if root / n in writes]
    if not paths:
        return []
    try:
        ruff = _runner.tool("ruff")
    except ReleaseKitError:
        return []
    rel = [str(p.relative_to(root)) for p in paths]
    for args in (["check", "--fix-only", "--quiet", *rel], ["format", "--quiet", *rel]):
        try:
            _runner.run([*ruff, *args], cwd=copy, mutates=False, quiet=True)
        except ReleaseKitError:
            return []
    changed = []
    for path, name in zip(paths, rel, strict=True):
        text = (copy / name).read_text(encoding="utf-8")
        if text != writes[path]:
            writes[path] = text
            changed.append(name)
    return changed
