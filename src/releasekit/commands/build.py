"""``build``: a fresh sdist and wheel in dist/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.commands import NoOptions, NoxSession, Verb, project

if TYPE_CHECKING:
    from releasekit import dists


def build(root: Path, options: NoOptions) -> dists.Dists:
    """A fresh sdist and wheel in dist/, the wheel built from the sdist.

    From a clean export of the work tree as git would commit it, so that a
    file git ignores never reaches dist/ (``invoke publish`` uploads it); a
    project whose version comes from git tags, or outside git, builds in place.
    """
    from releasekit import dists, git, versions
    from releasekit._exceptions import GitError

    read = project(root)  # a syntax error is one line, not a traceback
    dist_dir = root / "dist"
    dists.clean(dist_dir)
    in_git = True
    try:
        git.toplevel(root)
    except GitError:
        in_git = False
    if in_git and not versions.source_for(read).builds_in_place:
        built = dists.build_work_tree(root, dist_dir)
        how = "from what git tracks in the work tree (ignored files left out)"
    else:
        dists.build(root, dist_dir)
        built = dists.find(dist_dir)
        how = "from the work tree"
    print(f"built {built.sdist.name} and {built.wheel.name} {how}")
    return built


VERB = Verb(
    "build",
    NoOptions,
    build,
    "Build a fresh sdist and wheel into dist/.",
    console=True,
    invoke="build",
    nox=NoxSession("build", default=True),
    in_project=True,
)
