"""``init``: releasekit adopted in an existing repository."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import InitOptions, Verb


def init(root: Path, options: InitOptions) -> None:
    from releasekit import init as engine

    engine.run((root / options.root).resolve(), yes=options.yes, dry_run=options.dry_run)


VERB = Verb(
    "init",
    InitOptions,
    init,
    "Adopt releasekit in an existing repository.",
    console=True,
    invoke="init",
)
