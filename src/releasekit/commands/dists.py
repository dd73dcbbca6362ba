"""``build``, ``check-dists``, ``clean`` and ``publish``: the files in dist/."""

from __future__ import annotations

import shutil
from pathlib import Path

from releasekit import _hashing, dists, wheels
from releasekit import publish as engine
from releasekit.commands import DistCheckOptions, NoOptions, PublishOptions
from releasekit.index import require_credentials, resolve_target
from releasekit.project import Project


def build(root: Path, options: NoOptions) -> dists.Dists:
    """A fresh sdist and wheel in dist/, the wheel built from the sdist.

    From a clean export of the work tree as git would commit it, so that a
    file git ignores never reaches dist/ (``invoke publish`` uploads it); a
    project whose version comes from git tags, or outside git, builds in place.
    """
    from releasekit import git
    from releasekit._exceptions import GitError

    project = Project(root).validated()  # a syntax error is one line, not a traceback
    dist_dir = root / "dist"
    dists.clean(dist_dir)
    in_git = True
    try:
        git.toplevel(root)
    except GitError:
        in_git = False
    from releasekit import versions

    if in_git and not versions.source_for(project).builds_in_place:
        built = dists.build_work_tree(root, dist_dir)
        how = "from what git tracks in the work tree (ignored files left out)"
    else:
        dists.build(root, dist_dir)
        built = dists.find(dist_dir)
        how = "from the work tree"
    print(f"built {built.sdist.name} and {built.wheel.name} {how}")
    return built


def check(root: Path, options: DistCheckOptions) -> None:
    from releasekit.commands import audit

    if not options.audit_only:
        built = dists.find(root / "dist")
        dists.check(built, root)
        print(f"{built.sdist.name} and {built.wheel.name} passed")
    if options.audit or options.audit_only:
        audit.in_session(root)


def clean(root: Path, options: NoOptions) -> None:
    for name in ("dist", "build"):
        if (root / name).exists():
            shutil.rmtree(root / name)
            print(f"removed {name}/")


def publish(root: Path, options: PublishOptions) -> None:
    settings = Project(root).settings
    built = dists.find(root / "dist")
    recorded = _hashing.digests(built.files)  # the bytes found now are the bytes uploaded
    wheels.refuse_bare(built.files)  # before anything is asked of the index
    target = resolve_target(options.repository, configured=settings.repository,
                            index_url=settings.index_url,
                            timeout=settings.network_timeout)  # fmt: skip
    require_credentials(target)
    engine.publish(target, settings.project_name, built.files, recorded=recorded)
    print(f"{', '.join(p.name for p in built.files)} on {target.shown}")
