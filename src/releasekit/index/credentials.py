"""Logins: taken out of URLs, read from ``.pypirc``, made secrets before anything prints.

A login written in a URL lives in this process's memory only, by origin
(scheme, host, port), so that no :class:`~releasekit.index.target.Target`,
journal or log line ever holds it. The ``.pypirc`` is twine's own,
``~/.pypirc``: twine 7 reads no ``TWINE_CONFIG_FILE``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from releasekit import _secrets

# Logins taken out of URLs, by (scheme, host, port): in memory, for this
# process only, so that no Target, state file or log line ever holds them.
_LOGINS: dict[tuple[str, str, int | None], Credentials] = {}
_URL_PARTS = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<netloc>[^/?#]*)(?P<rest>.*)$", re.I)


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A username and password for one host; the password is never shown."""

    username: str
    password: str = dataclasses.field(repr=False)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port filled in: what a login belongs to."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a malformed URL (``[::1``) has no origin; the target refuses it
        return "", url, None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def written_login(url: str) -> Credentials | None:
    """The login that was written in a URL for the origin of ``url``, if one was."""
    return _LOGINS.get(origin(url))


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """The URL without its userinfo, and the credentials it carried.

    Parsed by hand up to the host, so that a password with no port after the
    host (``http://user:pw@host/``) is never mistaken for one and echoed in a
    parser's error; the password becomes a secret the runner masks.
    """
    match = _URL_PARTS.match(url)
    if match is None or "@" not in match["netloc"]:
        return url, None
    userinfo, _, host = match["netloc"].rpartition("@")
    user, _, password = userinfo.partition(":")
    user, password = urllib.parse.unquote(user), urllib.parse.unquote(password)
    _secrets.add(password)  # a username alone is not a secret
    clean = f"{match['scheme']}{host}{match['rest']}"
    if not (user or password):
        return clean, None
    creds = Credentials(user, password)
    _LOGINS[origin(clean)] = creds
    return clean, creds


def pypirc() -> str:
    """The .pypirc that twine reads: ``~/.pypirc`` (``--config-file``'s default).

    twine 7 reads no ``TWINE_CONFIG_FILE`` (its settings take the file from
    ``--config-file`` only), so releasekit does not either: a target that
    resolved from another file would pass the preflight and fail the upload.
    """
    from twine import utils as twine_utils

    return twine_utils.DEFAULT_CONFIG_FILE


def pypirc_section(name: str) -> Mapping[str, Any]:
    """The ``.pypirc`` section ``name``; empty when there is none or the file is unreadable."""
    from twine import utils as twine_utils

    try:
        return twine_utils.get_config(pypirc()).get(name, {})
    except Exception:  # an unreadable .pypirc gives no credentials
        return {}


def mask_pypirc(config_file: str) -> None:
    """Make every password in ``.pypirc`` a secret that the runner masks."""
    from twine import utils as twine_utils

    try:
        sections = twine_utils.get_config(config_file)
    except Exception:  # an unreadable .pypirc: twine itself will say why
        return
    for section in sections.values():
        _secrets.add(str(section.get("password") or ""))


def mask_known_logins(*urls: str) -> None:
    """Make every login releasekit could use a secret now, before any child prints a line.

    The check sessions start before the target is resolved and run project
    code, which may print ``.pypirc``: its passwords, and those of the URLs
    given (``--repository``, the configuration), are masked from the first line.
    """
    mask_pypirc(pypirc())
    for url in urls:
        if url:
            split_userinfo(url)


def trusted_publishing() -> bool:
    """An OIDC identity twine can trade for a PyPI token (GitHub Actions, GitLab CI)."""
    return bool(os.environ.get("ACTIONS_ID_TOKEN_REQUEST_URL") or os.environ.get("PYPI_ID_TOKEN"))
