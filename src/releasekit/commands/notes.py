"""``notes``: the changelog section of one version."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import NotesOptions, Verb


def notes(root: Path, options: NotesOptions) -> None:
    """The section the release wrote for one version, without its heading."""
    from releasekit import notes as engine

    print(engine.notes((root / options.root).resolve(), options.version), end="")


VERB = Verb(
    "notes",
    NotesOptions,
    notes,
    "Print the changelog section of one version (default: the latest).",
    console=True,
)
