"""``publish``: dist/ uploaded with twine."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import PublishOptions, Verb, project


def publish(root: Path, options: PublishOptions) -> None:
    from releasekit import _hashing, dists, wheels
    from releasekit import publish as engine
    from releasekit.index import require_credentials, resolve_target

    settings = project(root, checked=False).settings
    built = dists.find(root / "dist")
    recorded = _hashing.digests(built.files)  # the bytes found now are the bytes uploaded
    wheels.refuse_bare(built.files)  # before anything is asked of the index
    target = resolve_target(options.repository, configured=settings.repository,
                            index_url=settings.index_url,
                            timeout=settings.network_timeout)  # fmt: skip
    require_credentials(target)
    engine.publish(target, settings.project_name, built.files, recorded=recorded)
    print(f"{', '.join(p.name for p in built.files)} on {target.shown}")


VERB = Verb(
    "publish",
    PublishOptions,
    publish,
    "Upload dist/ with twine, skipping files the index already has (same sha256).",
    console=True,
    invoke="publish",
    in_project=True,
)
