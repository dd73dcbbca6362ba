"""``changelog``: the next section of the changelog, shown or built from the fragments."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import (
    ChangelogOptions,
    NoxSession,
    Verb,
    not_at_a_workspace_root,
    project,
)


def changelog(root: Path, options: ChangelogOptions) -> None:
    """Show (``--draft``) or build the next section; no fragment is news, not an error."""
    from releasekit import _console, versions
    from releasekit import changelog as engine

    not_at_a_workspace_root(root, "changelog")
    read = project(root)
    if options.version:
        new = versions.typed(options.version)
    else:
        if not engine.fragments(root):
            directory = engine.settings(read.root).directory
            _console.info(
                f"no changelog fragment in {directory.relative_to(root)}/: nothing would be "
                "added (add one with `invoke fragment TYPE TEXT`)"
            )
            return
        types = [f.type for f in engine.fragments(root)]
        new = versions.choose(read, fragment_types=types).new
    if options.draft:
        print(engine.draft(root, new))
    else:
        engine.build(root, new)
        print(f"added the {new} section to the changelog")


VERB = Verb(
    "changelog",
    ChangelogOptions,
    changelog,
    "Build the changelog section from the fragments (towncrier build).",
    console=True,
    invoke="changelog",
    nox=NoxSession("changelog"),
    in_project=True,
)
