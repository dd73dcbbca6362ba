"""Where a release goes, resolved once: the :class:`Target` and the login for it.

The target is ``--repository NAME|URL``, else ``[tool.releasekit] repository``,
else twine's own environment (``TWINE_REPOSITORY_URL``, ``TWINE_REPOSITORY``),
else PyPI; a name is a section of ``~/.pypirc``, the only file twine 7 reads.
:func:`resolve_target` and :func:`upload_credentials` are the one resolution
that the preflight, the upload and ``--resume`` share; the target records
where it came from. The credentials are twine's (the URL's userinfo, else
``TWINE_USERNAME`` and ``TWINE_PASSWORD``, else the ``.pypirc`` section) and
releasekit hands twine exactly the ones it resolved; it never prints or
stores them, and they go only to the upload host (:func:`credentials_for`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse

from releasekit import _console, _secrets
from releasekit._exceptions import PublishError
from releasekit.index._deadline import deadline
from releasekit.index.credentials import (
    Credentials,
    mask_pypirc,
    origin,
    pypirc,
    pypirc_section,
    split_userinfo,
    trusted_publishing,
    written_login,
)

PUBLIC_HOSTS = {"upload.pypi.org", "pypi.org", "www.pypi.org"}
#: Indexes that take no upload without a login (PyPI and TestPyPI).
_LOGIN_HOSTS = PUBLIC_HOSTS | {"test.pypi.org"}
#: Where a target came from, in the order that decides.
SOURCES = ("command line", "config", "environment", "default")
#: The total deadline of one network step, seconds (``network_timeout``).
DEFAULT_TIMEOUT = 300.0


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a release goes: a ``.pypirc`` name and/or an upload URL.

    The URLs never carry userinfo; credentials given in a URL live in the
    process's memory (see :func:`~releasekit.index.credentials.split_userinfo`),
    never written anywhere.
    """

    upload_url: str
    simple_url: str
    name: str = ""
    #: One of :data:`SOURCES`; a journal keeps it so that ``--resume`` knows
    #: whether twine's environment may retarget.
    source: str = ""
    #: Seconds that one network step may take in all (``network_timeout``).
    timeout: float = dataclasses.field(default=DEFAULT_TIMEOUT, compare=False)

    @property
    def url_credentials(self) -> Credentials | None:
        """The login written in the upload URL, if one was (kept in memory only)."""
        return written_login(self.upload_url)

    @property
    def is_public_pypi(self) -> bool:
        return urllib.parse.urlsplit(self.upload_url).hostname in PUBLIC_HOSTS

    @property
    def shown(self) -> str:
        url = _secrets.mask(self.upload_url)
        return f"{self.name} ({url})" if self.name else url

    def twine_args(self) -> list[str]:
        # A name lets twine take the credentials from its .pypirc section.
        return ["--repository", self.name] if self.name else ["--repository-url", self.upload_url]

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.upload_url).hostname or self.upload_url


def _is_url(value: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I))


def _valid_url(url: str, source: str) -> str:
    """``url`` (its userinfo already taken out) if it parses; else one line that says why."""
    try:
        urllib.parse.urlsplit(url).port  # noqa: B018 - parsing is the check
    except ValueError as exc:
        msg = f"the repository {url!r} ({source}) is not a valid URL ({exc}): fix it"
        raise PublishError(msg) from None
    return url


def simple_url_for(upload_url: str) -> str:
    """The simple index that belongs to an upload URL (PEP 503)."""
    parts = urllib.parse.urlsplit(split_userinfo(upload_url)[0])
    if parts.hostname in PUBLIC_HOSTS:
        return "https://pypi.org/simple/"
    if parts.hostname == "test.pypi.org":
        return "https://test.pypi.org/simple/"
    path = parts.path.rstrip("/")
    path = path.removesuffix("/legacy")
    if not path.endswith("/simple"):
        path += "/simple"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def environment_target() -> str:
    """The target twine's own environment names, ``""`` when none."""
    return os.environ.get("TWINE_REPOSITORY_URL", "") or os.environ.get("TWINE_REPOSITORY", "")


def resolve_target(
    given: str | None = "",
    *,
    configured: str = "",
    index_url: str = "",
    timeout: float = DEFAULT_TIMEOUT,
) -> Target:
    """Resolve the target index; see the module docstring for the order.

    :param given: ``--repository`` on the command line.
    :param configured: ``[tool.releasekit] repository``, which beats twine's
        environment (a stale ``TWINE_REPOSITORY_URL`` in a shell must not
        move a configured release).
    :param timeout: ``network_timeout``, the deadline of each network step.
    """
    from twine import exceptions as twine_exceptions
    from twine import utils as twine_utils

    config_file = pypirc()
    if os.environ.get("TWINE_CONFIG_FILE"):
        _console.warn(
            f"TWINE_CONFIG_FILE is ignored: twine reads {config_file} only, "
            "so move its sections there or give --repository URL"
        )
    mask_pypirc(config_file)
    index_url = split_userinfo(index_url)[0]
    choices = (given or "", configured, environment_target(), "pypi")
    source, choice = next((s, c) for s, c in zip(SOURCES, choices, strict=True) if c)
    if _is_url(choice):
        url = _valid_url(split_userinfo(choice)[0], source)
        simple = index_url or simple_url_for(url)
        return Target(upload_url=url, simple_url=simple, source=source, timeout=timeout)
    if re.search(r"[/@]", choice):  # a URL without its scheme: no .pypirc section looks so
        split_userinfo("http://" + choice.lstrip("/"))  # its password becomes a secret
        msg = (
            f"the repository {choice!r} ({source}) has no scheme: write it as http://… or https://…"
        )
        raise PublishError(msg)
    try:
        section = twine_utils.get_repository_from_config(config_file, choice)
    except twine_exceptions.InvalidConfiguration:
        msg = (
            f"repository {choice!r} is not defined in {config_file}: "
            "give an upload URL or add the section to .pypirc"
        )
        raise PublishError(msg) from None
    url = split_userinfo(str(section["repository"]))[0]
    simple = index_url or simple_url_for(url)
    return Target(upload_url=url, simple_url=simple, name=choice, source=source, timeout=timeout)


def upload_credentials(target: Target) -> Credentials | None:
    """The login for the upload host, resolved as twine resolves it, or None.

    The URL's userinfo, else per field ``TWINE_USERNAME``/``TWINE_PASSWORD``
    over the ``.pypirc`` section of a named target (twine reads no section
    for a URL), and ``__token__`` as PyPI's username. The upload hands twine
    exactly this login, so the preflight's verdict is the upload's.
    """
    written = target.url_credentials
    if written is not None and written.password:
        return written
    section = pypirc_section(target.name) if target.name else {}
    user = written.username if written is not None else ""  # a URL may name only the user
    user = user or os.environ.get("TWINE_USERNAME") or str(section.get("username") or "")
    password = os.environ.get("TWINE_PASSWORD") or str(section.get("password") or "")
    if not user and urllib.parse.urlsplit(target.upload_url).hostname in _LOGIN_HOSTS:
        user = "__token__"
    return Credentials(user, password) if user and password else None


def credentials_for(target: Target, url: str) -> Credentials | None:
    """The credentials that may go to ``url``: only the upload host's own.

    For the upload host, :func:`upload_credentials`; an ``index_url`` on
    another host gets only the userinfo written in it.
    """
    where = origin(url)
    if where not in (origin(target.upload_url), origin(target.simple_url)):
        return None
    written = written_login(url)
    if written is not None:  # written in the upload URL or the index_url for this very host
        return written
    if where == origin(target.upload_url):
        return upload_credentials(target)
    return None


def needs_login(target: Target) -> bool:
    """Whether the index takes no upload without a login.

    PyPI and TestPyPI never do. Any other index is asked: an upload request
    without credentials and without a file, which changes nothing; pypiserver,
    devpi and the hosted registries answer 401 or 403 when they want a login
    (measured: pypiserver with ``-a update`` answers 401, without it 400).
    """
    import requests

    if urllib.parse.urlsplit(target.upload_url).hostname in _LOGIN_HOSTS:
        return True
    with deadline(target.timeout, target.host):
        try:
            answer = requests.post(target.upload_url, data={":action": "file_upload"},
                                   allow_redirects=False, timeout=15)  # fmt: skip
        except requests.RequestException as exc:
            msg = f"the index {target.shown} is unreachable ({type(exc).__name__})"
            raise PublishError(msg) from None
    return answer.status_code in (401, 403)


def require_credentials(target: Target, *, dry_run: bool = False) -> None:
    """Refuse, before anything changes, a target that needs a login releasekit cannot find.

    :param dry_run: only warn: a plan is shown wherever it is asked for,
        also where the login lives only in CI.
    """
    if upload_credentials(target) is not None:
        return
    if target.is_public_pypi and trusted_publishing():
        return  # twine asks the CI for a token itself
    if not needs_login(target):
        return
    section = f"the [{target.name}] section of" if target.name else "a section in"
    msg = (
        f"no credentials for {target.shown}: set TWINE_USERNAME and TWINE_PASSWORD, "
        f"or put username and password in {section} {pypirc()}"
    )
    if dry_run:
        _console.warn(f"{msg} (the release would be refused)")
        return
    raise PublishError(msg)
