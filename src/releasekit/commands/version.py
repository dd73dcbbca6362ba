"""``version``: the current version and the next ones, through its source."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import NoOptions, Verb, not_at_a_workspace_root, project


def show(root: Path, options: NoOptions) -> None:
    """The current version, the next one for each part, and the one the fragments call for."""
    from releasekit import _console, changelog, versions
    from releasekit._exceptions import VersionError

    not_at_a_workspace_root(root, "version")
    read = project(root, checked=False)
    source = versions.source_for(read)
    current, nexts = source.next_versions()
    # Files carry a version where anyone sees it; one from the tags says where it came from.
    print(
        f"current: {current}" + (f" (from {source.description})" if source.builds_in_place else "")
    )
    for part, new in nexts.items():
        print(f"{part}: {new}")
    frags = changelog.fragments(root)
    if not frags:
        _console.info("fragments: none pending")
        return
    types = sorted({f.type for f in frags})
    settings = read.settings
    part = versions.infer_part(types, settings.bump_map, current, settings.zero_major_part)
    try:  # what the release makes of them: after a .devN version too
        choice = versions.choose(read, fragment_types=types, current=current, source=source)
    except VersionError:
        _console.warn(f"the fragments ({', '.join(types)}) call for a {part} bump, which "
                      f"cannot move from {current}")  # fmt: skip
        return
    print(f"fragments: {choice.new} ({part}, from {len(frags)} fragment(s): {', '.join(types)})")


VERB = Verb(
    "version",
    NoOptions,
    show,
    "Show the current version and the next one for each part and for the fragments.",
    console=True,
    invoke="version",
    in_project=True,
)
