"""``build``, ``check-dists``, ``clean`` and ``publish``: the files in dist/."""

from __future__ import annotations

import shutil
from pathlib import Path

from releasekit import dists, wheels
from releasekit import publish as engine
from releasekit.commands import DistCheckOptions, NoOptions, PublishOptions
from releasekit.project import Project


def build(root: Path, options: NoOptions) -> dists.Dists:
    """A fresh sdist and wheel in dist/, the wheel built from the sdist."""
    Project(root).validated()  # a syntax error is one line here, not the backend's traceback
    dists.clean(root / "dist")
    dists.build(root, root / "dist")
    built = dists.find(root / "dist")
    print(f"built {built.sdist.name} and {built.wheel.name}")
    return built


def check(root: Path, options: DistCheckOptions) -> None:
    from releasekit.commands import audit

    if not options.audit_only:
        built = dists.find(root / "dist")
        dists.check(built)
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
    wheels.refuse_bare(built.files)  # before anything is asked of the index
    target = engine.resolve_target(
        options.repository or settings.repository, index_url=settings.index_url
    )
    engine.publish(target, settings.project_name, built.files)
    print(f"{', '.join(p.name for p in built.files)} on {target.shown}")
