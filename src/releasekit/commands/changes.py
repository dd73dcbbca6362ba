"""``changelog`` and ``fragment``: towncrier's fragments and sections."""

from __future__ import annotations

from pathlib import Path

from releasekit import _console, changelog
from releasekit._exceptions import ConfigError, UsageError
from releasekit.commands import ChangelogOptions, FragmentOptions, NotesOptions
from releasekit.project import Project


def changelog_(root: Path, options: ChangelogOptions) -> None:
    """Show (``--draft``) or build the next section; no fragment is news, not an error."""
    from releasekit import versions

    not_at_a_workspace_root(root, "changelog")
    project = Project(root).validated()
    if options.version:
        new = versions.typed(options.version)
    else:
        if not changelog.fragments(root):
            directory = changelog.settings(project.root).directory
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


def not_at_a_workspace_root(root: Path, command: str) -> None:
    """Refuse a one-project verb at a workspace root that has no changelog of its own.

    Its members each have their own [tool.towncrier]; "add [tool.towncrier]"
    would send the user the wrong way.
    """
    from releasekit import config, workspace

    if not workspace.is_workspace(root):
        return
    if "towncrier" in config.read_pyproject(root).get("tool", {}):
        return
    members = ", ".join(str(m.relative_to(root)) for m in workspace.member_roots(root))
    msg = f"{root} is a workspace root: run {command} in a member ({members})"
    raise ConfigError(msg)


def fragment(root: Path, options: FragmentOptions) -> None:
    issue = (options.issue or "").strip()
    if issue and not issue.isdigit():
        msg = f"--issue {options.issue!r} is not an issue number: give its digits, e.g. --issue 42"
        raise UsageError(msg)
    not_at_a_workspace_root(root, "fragment")
    path = changelog.create(root, options.type, options.text, issue=issue)
    print(f"created {path.relative_to(root)}")


def notes(root: Path, options: NotesOptions) -> None:
    """The section the release wrote for one version, without its heading."""
    from releasekit import notes as engine

    print(engine.notes((root / options.root).resolve(), options.version), end="")
