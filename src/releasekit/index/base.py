"""What every index type offers: the :class:`Index` protocol and a :class:`Listed` file.

One implementation per kind of index, picked once per target by
:func:`releasekit.index.index_for`; callers never test a URL or a class again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from releasekit.index.target import Target


@dataclasses.dataclass(frozen=True)
class Listed:
    """One file on the index: its sha256 if the index gives one, and its URL."""

    sha256: str
    url: str
    #: When it was uploaded (PEP 700 ``upload-time``, ISO 8601), if the index says.
    upload_time: str = ""
    #: Yanked (PEP 592): still there, and still the file of that name.
    yanked: bool = False


class Index(Protocol):
    """A package index a release publishes to and asks what it holds."""

    @property
    def target(self) -> Target: ...

    def listing(self, project: str) -> dict[str, Listed]:
        """The files the index lists for ``project``, by name; ``{}`` for an unknown project.

        An unreachable index, or one that answers what no index answers, is an error.
        """
        ...

    def sha256(self, name: str, listed: Listed) -> str:
        """The sha256 of a listed file: the one the index gives, else of the bytes it serves.

        A missing hash is never taken as a match.
        """
        ...

    def upload(self, files: Sequence[Path], *, dry_run: bool = False) -> None:
        """Upload ``files``; a failure is one line, the tool's output its details."""
        ...

    def confirm_install(
        self,
        project: str,
        version: str,
        *,
        build_requires: Sequence[str] = (),
        with_dependencies: bool = False,
    ) -> None:
        """Install ``project==version`` from this index alone and check the version it reports.

        :param build_requires: for a release that published only its sdist:
            the build backend, installed first from the usual index.
        :param with_dependencies: install its dependencies too, from this index
            alone (a train's tier: they were published before it).
        """
        ...
