"""The version from git tags (``version_source = "scm"``).

The build backend's setuptools-scm, hatch-vcs or pdm reads it, so no file
carries it: the current version is the highest release tag that HEAD
contains, the next one is computed with packaging (bump-my-version cannot
answer without a configuration), and the release tag itself is the bump.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import Version

from releasekit import git
from releasekit._exceptions import VersionError
from releasekit.versions.arithmetic import SCM_PARTS, bump_release, version_of_tag
from releasekit.versions.source import BumpConfig

if TYPE_CHECKING:
    from releasekit.project import Project

SCM_MESSAGE = "Release {new_version}"


def current_from_tags(root: Path, tag_format: str) -> str:
    """The highest version among the release tags that HEAD contains."""
    glob = tag_format.replace("{new_version}", "*")
    found = [v for v in (version_of_tag(t, tag_format) for t in git.merged_tags(root, glob)) if v]
    if not found:
        example = tag_format.replace("{new_version}", "1.0.0")
        msg = (
            f"no release tag like {example} in the history of HEAD: the version comes from git "
            f'tags (version_source = "scm"); tag the current release first '
            f"(git tag -a {example} -m {example})"
        )
        raise VersionError(msg)
    return max(found, key=Version)


def last_release_tag(root: Path, tag_format: str) -> tuple[str, str] | None:
    """The highest release tag that HEAD contains, and its date (ISO 8601)."""
    glob = tag_format.replace("{new_version}", "*")
    out = git.git(
        root,
        "for-each-ref",
        "--merged=HEAD",
        "--format=%(refname:strip=2)%00%(creatordate:iso-strict)",
        f"refs/tags/{glob}",
    )
    best: tuple[Version, str, str] | None = None
    for line in out.splitlines():
        tag, _, date = line.partition("\0")
        found = version_of_tag(tag, tag_format)
        if found is not None and (best is None or Version(found) > best[0]):
            best = (Version(found), tag, date)
    return (best[1], best[2]) if best else None


class GitTags:
    """The version is the highest release tag (setuptools-scm, hatch-vcs, pdm read it)."""

    description = "git tags"
    #: The backend reads the version from ``.git``, which a clean export lacks.
    builds_in_place = True

    def __init__(self, project: Project) -> None:
        self.project = project

    @property
    def tag_template(self) -> str:
        return self.project.settings.tag_format

    def current(self) -> str:
        return current_from_tags(self.project.root, self.tag_template)

    def config(self) -> BumpConfig:
        """What a release needs to know, as bump-my-version would report it, from git tags."""
        return BumpConfig(
            current_version=self.current(),
            parts=list(SCM_PARTS),
            files=[],
            tag_name=self.tag_template,
            tag_message=SCM_MESSAGE,
            message=SCM_MESSAGE,
            sign_tags=self.project.settings.sign_tags,
            commit=True,
            tag=True,
        )

    def next(self, part: str, current: str | None = None) -> str:
        return bump_release(current or self.current(), part)

    def next_versions(self) -> tuple[str, dict[str, str]]:
        current = self.current()
        return current, {part: bump_release(current, part) for part in SCM_PARTS}

    def check_representable(self, new: str, *, typed: bool = False) -> None:
        """Any PEP 440 version can be a tag."""

    def development_after(self, released: str) -> str | None:
        """None: builds after the tag carry a ``.devN`` version already."""
        return None

    def check_post_release(self, new: str) -> None:
        """Nothing to write: the build backend derives the development version."""

    def render(self, template: str, current: str, new: str) -> str:
        try:
            return template.format(current_version=current, new_version=new)
        except (KeyError, IndexError, ValueError) as exc:
            msg = f"cannot write the message {template!r} for {new}: {exc!r} is not known"
            raise VersionError(msg) from None

    def write(self, new: str) -> None:
        """Nothing to move: the tag is the version."""

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        msg = 'the version comes from git tags (version_source = "scm"): the release tags it'
        raise VersionError(msg)
