"""``changelog`` and ``fragment``: towncrier's fragments and sections."""

from __future__ import annotations

from pathlib import Path

from releasekit import _console, changelog
from releasekit.commands import ChangelogOptions, FragmentOptions, NotesOptions
from releasekit.project import Project


def changelog_(root: Path, options: ChangelogOptions) -> None:
    """Show (``--draft``) or build the next section; no fragment is news, not an error."""
    from releasekit import versions

    project = Project(root).validated()
    if options.version:
        new = versions.typed(options.version)
    else:
        if not changelog.fragments(root):
            directory = project.towncrier.directory
            _console.info(
                f"no changelog fragment in {directory.relative_to(root)}/: nothing would be "
                "added (add one with `invoke fragment TYPE TEXT`)"
            )
            return
        types = [f.type for f in changelog.fragments(root)]
        new = versions.choose(project, fragment_types=types).new
    if options.draft:
        print(changelog.draft(root, new))
    else:
        changelog.build(root, new)
        print(f"added the {new} section to the changelog")


def fragment(root: Path, options: FragmentOptions) -> None:
    path = changelog.create(root, options.type, options.text, issue=options.issue or "")
    print(f"created {path.relative_to(root)}")


def notes(root: Path, options: NotesOptions) -> None:
    """The section the release wrote for one version, without its heading."""
    from releasekit import notes as engine

    print(engine.notes((root / options.root).resolve(), options.version), end="")
