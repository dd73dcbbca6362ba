"""sha256 of files: what a journal records, and what an index is compared against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_or_empty(path: Path) -> str:
    """sha256 of a work-tree file, ``""`` when it does not exist (a removed file)."""
    return sha256(path) if path.is_file() else ""


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """File name -> sha256: what a journal records of the files it publishes."""
    return {p.name: sha256(p) for p in paths}
