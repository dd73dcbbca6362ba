"""``bump`` and ``version``: the version, through its source (files or git tags)."""

from __future__ import annotations

from pathlib import Path

from releasekit import _console, git, version
from releasekit._exceptions import UsageError
from releasekit.commands import BumpOptions, NoOptions
from releasekit.project import Project


def bump(root: Path, options: BumpOptions) -> None:
    """Move the version; say which files, commit and tag that made, all local."""
    if options.part and options.new_version:
        msg = "give either --part or --new-version, not both"
        raise UsageError(msg)
    project = Project(root)
    source = project.version_source
    if isinstance(source, version.GitTags):
        source.bump_files("", dry_run=options.dry_run)  # refuses, naming the source
    if options.pre:
        from releasekit import changelog

        cycle = version.choose_cycle(
            root, project.settings, part=options.part, new_version=options.new_version,
            pre=options.pre, fragment_types=[f.type for f in changelog.fragments(root)],
        )  # fmt: skip
        assert cycle is not None  # with --pre, never the ordinary path
        bump_config, new, _ = cycle
    else:
        bump_config, new = source.choose(part=options.part, new_version=options.new_version)
    tag = bump_config.tag_for(new)
    note = version.parts_note(bump_config.current_version, new)
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


def show(root: Path, options: NoOptions) -> None:
    """The current version, the next one for each part, and the one the fragments call for."""
    from releasekit import changelog
    from releasekit.commands.changes import not_at_a_workspace_root

    not_at_a_workspace_root(root, "version")
    project = Project(root)
    settings = project.settings
    if isinstance(project.version_source, version.GitTags):
        current = project.version_source.current()
        nexts = {part: version.scm_next(current, part) for part in version.SCM_PARTS}
        print(f"current: {current} (from git tags)")
    else:
        current, nexts = version.next_versions(root)
        print(f"current: {current}")
    for part, new in nexts.items():
        print(f"{part}: {new}")
    frags = changelog.fragments(root)
    if not frags:
        _console.info("fragments: none pending")
        return
    types = sorted({f.type for f in frags})
    part = changelog.infer_part(types, settings.bump_map, current, settings.zero_major_part)
    following = nexts.get(part)
    if following is None:
        _console.warn(f"the fragments ({', '.join(types)}) call for a {part} bump, which "
                      f"cannot move from {current}")  # fmt: skip
        return
    print(f"fragments: {following} ({part}, from {len(frags)} fragment(s): {', '.join(types)})")
