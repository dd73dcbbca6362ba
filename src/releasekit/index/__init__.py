"""The index a release goes to: its target, its login, what it lists, the upload, the confirmation.

- :mod:`~releasekit.index.target`: the frozen :class:`Target`, resolved once
  (:func:`resolve_target`), and the login for it;
  :mod:`~releasekit.index.credentials`: logins out of URLs and ``.pypirc``,
  masked before anything prints;
- :class:`Index` (:mod:`~releasekit.index.base`): what every index type
  offers (list a project's files, the sha256 of one, upload, confirm an
  install); :func:`index_for` picks the type once per target;
- :class:`~releasekit.index.simple.SimpleIndex`, the one type so far: twine
  (:mod:`~releasekit.index.upload`) and the simple API through pypi-simple
  (:mod:`~releasekit.index.listing`), confirmed by an install
  (:mod:`~releasekit.index.confirm`).

A new index type is a class that implements :class:`Index`, and a line in
:func:`index_for`.
"""

from __future__ import annotations

from releasekit.index.base import Index, Listed
from releasekit.index.confirm import confirm_listed
from releasekit.index.credentials import Credentials, mask_known_logins
from releasekit.index.simple import SimpleIndex
from releasekit.index.target import (
    SOURCES,
    Target,
    environment_target,
    require_credentials,
    resolve_target,
    simple_url_for,
)

__all__ = [
    "SOURCES",
    "Credentials",
    "Index",
    "Listed",
    "Target",
    "confirm_listed",
    "environment_target",
    "index_for",
    "mask_known_logins",
    "require_credentials",
    "resolve_target",
    "simple_url_for",
]


def index_for(target: Target) -> Index:
    """The index behind ``target``: the one place that picks an index type."""
    return SimpleIndex(target)
