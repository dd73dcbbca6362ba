"""Where a project's version lives: the :class:`VersionSource` every caller asks.

One implementation per ``[tool.releasekit] version_source`` (a backend module
each); callers never test the setting's string or a backend's class again.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class BumpConfig:
    """What bump-my-version reports about a repository's configuration."""

    current_version: str
    parts: list[str]
    files: list[str]
    tag_name: str
    tag_message: str
    message: str
    sign_tags: bool
    commit: bool
    tag: bool
    #: Extra arguments for ``git commit`` (``--no-verify``, ``--signoff``), as given.
    commit_args: str = ""

    def tag_for(self, version: str) -> str:
        return self.tag_name.replace("{new_version}", version)


class VersionSource(Protocol):
    """Where a project's version lives; chosen once per project (``version_source``)."""

    #: Shown to the user: where the version comes from.
    description: str
    #: Build from the work tree itself: the version is only known with ``.git`` at hand.
    builds_in_place: bool

    @property
    def tag_template(self) -> str:
        """The release tag's name with ``{new_version}`` unrendered (no subprocess)."""

    def current(self) -> str:
        """The current version."""

    def config(self) -> BumpConfig:
        """What a release needs to know: parts, files, tag and commit formats."""

    def next(self, part: str, current: str | None = None) -> str:
        """The checked version that bumping ``part`` of a final version gives."""

    def next_versions(self) -> tuple[str, dict[str, str]]:
        """The current version and the next one for every part that can move from it."""

    def check_representable(self, new: str, *, typed: bool = False) -> None:
        """Refuse a version this source could not write as it is.

        :param typed: ``new`` came from ``--new-version`` (the message says how to type it).
        """

    def development_after(self, released: str) -> str | None:
        """The version the branch goes on with after ``released`` (``post_release_dev``)."""

    def check_post_release(self, new: str) -> None:
        """Refuse, in preflight, a development version after ``new`` this source cannot write."""

    def render(self, template: str, current: str, new: str) -> str:
        """A commit or tag message for ``new``, as the source's own tool would write it."""

    def write(self, new: str) -> None:
        """Move the files that carry the version, no commit and no tag (the release commits)."""

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        """Move the files that carry the version (committing and tagging as configured)."""
