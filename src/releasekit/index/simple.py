"""The index type releasekit knows: uploads through twine, reads through the simple API."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from releasekit.index import confirm, listing, upload
from releasekit.index.base import Listed
from releasekit.index.target import Target


@dataclasses.dataclass(frozen=True)
class SimpleIndex:
    """An index with twine's upload API and a simple API (PyPI, TestPyPI, pypiserver, devpi...)."""

    target: Target

    def listing(self, project: str) -> dict[str, Listed]:
        return listing.project_files(self.target, project)

    def sha256(self, name: str, listed: Listed) -> str:
        return listing.download_sha256(self.target, name, listed)

    def upload(self, files: Sequence[Path], *, dry_run: bool = False) -> None:
        upload.twine_upload(self.target, files, dry_run=dry_run)

    def confirm_install(
        self,
        project: str,
        version: str,
        *,
        build_requires: Sequence[str] = (),
        with_dependencies: bool = False,
    ) -> None:
        confirm.install_from_simple(self.target, project, version, build_requires=build_requires,
                                    with_dependencies=with_dependencies)  # fmt: skip
