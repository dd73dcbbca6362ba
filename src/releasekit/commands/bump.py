"""``bump``: move the version through its source (files or git tags), all of it local."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.commands import BumpOptions, Verb, project

if TYPE_CHECKING:
    from releasekit import versions


def bump(root: Path, options: BumpOptions) -> None:
    """Move the version; say which files, commit and tag that made, all local."""
    from releasekit import git, versions
    from releasekit._exceptions import UsageError

    if options.part and options.new_version:
        msg = "give either --part or --new-version, not both"
        raise UsageError(msg)
    read = project(root, checked=False)
    source = versions.source_for(read)
    if source.builds_in_place:
        source.bump_files("", dry_run=options.dry_run)  # refuses, naming the source
    if options.pre:
        from releasekit import changelog

        new = versions.choose(
            read, part=options.part, new_version=options.new_version, pre=options.pre,
            fragment_types=[f.type for f in changelog.fragments(root)], source=source,
        ).new  # fmt: skip
    else:
        new = _bumped(source, options.part, options.new_version)
    bump_config = source.config()
    tag = bump_config.tag_for(new)
    note = versions.parts_note(bump_config.current_version, new)
    move = f"{bump_config.current_version} -> {new}" + (f" ({note})" if note else "")
    if options.dry_run:
        source.bump_files(new, dry_run=True)
        print(f"would move {move} in {', '.join(bump_config.files)}")
        if bump_config.commit:
            message = _filled(bump_config.message, bump_config.current_version, new)
            print(f"would commit {message or 'the change'!r} locally")
        if bump_config.tag:
            print(f"would tag {tag} locally")
        print("nothing would be pushed or published")
        return
    head = git.head(root) if git.has_commits(root) else ""
    tags_before = set(git.tags(root)) if head else set()
    files = source.bump_files(new, dry_run=False)
    print(f"moved {move} in {', '.join(files)}")
    if head and git.head(root) != head:
        print(f"committed {git.git(root, 'log', '-1', '--format=%s')!r} ({git.head(root)[:12]})")
    new_tags = sorted(set(git.tags(root)) - tags_before) if head else []
    for name in new_tags:
        print(f"tagged {name}")
    print("all of it local: nothing was pushed or published (nox -s release does that)")


def _filled(template: str, current: str, new: str) -> str:
    """bump-my-version's commit message as it will write it (``str.format``, as it does).

    A field this preview does not know (``{now:%Y}``, ``{current_major}``)
    is left as written.
    """

    class Known(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return template.format_map(Known(current_version=current, new_version=new))
    except (ValueError, IndexError, AttributeError):
        return template


def _bumped(source: versions.VersionSource, part: str | None, new_version: str | None) -> str:
    """What ``--part`` or ``--new-version`` gives through the source's own parts (pre_l too)."""
    from releasekit import versions

    versions.part_or_version(part, new_version)
    if new_version:
        new = versions.typed(new_version)
        source.check_representable(new, typed=True)
        return versions.check_next(source.current(), new)
    return source.next(part or "")


VERB = Verb(
    "bump",
    BumpOptions,
    bump,
    "Bump the version in every configured file (bump-my-version).",
    console=True,
    invoke="bump",
    in_project=True,
)
