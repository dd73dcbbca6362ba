"""Publishing, through twine; the index itself is asked what it already has.

The target is ``--repository NAME|URL``, else ``[tool.releasekit] repository``,
else twine's own environment (``TWINE_REPOSITORY_URL``, ``TWINE_REPOSITORY``),
else PyPI; a name is a section of ``~/.pypirc``, the only file twine 7 reads
(it has no ``TWINE_CONFIG_FILE``). :func:`resolve_target` and
:func:`upload_credentials` are the one resolution that the preflight, the
upload and ``--resume`` share; the target records where it came from. The
credentials are twine's (the URL's userinfo, else ``TWINE_USERNAME`` and
``TWINE_PASSWORD``, else the ``.pypirc`` section) and releasekit hands twine
exactly the ones it resolved; it never prints or stores them. The index is
asked its questions through one HTTP client, requests (twine's own), and
credentials go only to the upload host: never across a redirect to another
host, never to an ``index_url`` on another host. Every network step has a
total deadline (a server that sends a byte every few seconds defeats a
per-read timeout), ``network_timeout``, whose error names the host.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import shlex
import signal
import sys
import threading
import types
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit import _console, _secrets, _venv
from releasekit._exceptions import CommandError, PublishError

if TYPE_CHECKING:
    import requests

PUBLIC_HOSTS = {"upload.pypi.org", "pypi.org", "www.pypi.org"}
#: Indexes that take no upload without a login (PyPI and TestPyPI).
_LOGIN_HOSTS = PUBLIC_HOSTS | {"test.pypi.org"}
#: Where a target came from, in the order that decides.
SOURCES = ("command line", "config", "environment", "default")
#: The total deadline of one network step, seconds (``network_timeout``).
DEFAULT_TIMEOUT = 300.0
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
_MAX_REDIRECTS = 10
# Logins taken out of URLs, by (scheme, host, port): in memory, for this
# process only, so that no Target, state file or log line ever holds them.
_LOGINS: dict[tuple[str, str, int | None], Credentials] = {}
_URL_PARTS = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<netloc>[^/?#]*)(?P<rest>.*)$", re.I)


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A username and password for one host; the password is never shown."""

    username: str
    password: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a release goes: a ``.pypirc`` name and/or an upload URL.

    The URLs never carry userinfo; credentials given in a URL live in the
    process's memory (see :func:`split_userinfo`), never written anywhere.
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
        return _LOGINS.get(_origin(self.upload_url))

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
    _LOGINS[_origin(clean)] = creds
    return clean, creds


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


def _pypirc() -> str:
    """The .pypirc that twine reads: ``~/.pypirc`` (``--config-file``'s default).

    twine 7 reads no ``TWINE_CONFIG_FILE`` (its settings take the file from
    ``--config-file`` only), so releasekit does not either: a target that
    resolved from another file would pass the preflight and fail the upload.
    """
    from twine import utils as twine_utils

    return twine_utils.DEFAULT_CONFIG_FILE


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
    mask_pypirc(_pypirc())
    for url in urls:
        if url:
            split_userinfo(url)


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

    config_file = _pypirc()
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


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Links(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.files: dict[str, Listed] = {}
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        self._href = None if tag == "a" else self._href

    def handle_data(self, data: str) -> None:
        if self._href is None:
            return
        path, _, fragment = self._href.partition("#")
        filename = urllib.parse.unquote(path.rsplit("/", 1)[-1]) or data.strip()
        algo, _, digest = fragment.partition("=")
        url = urllib.parse.urljoin(self.page, path)
        self.files[filename] = Listed(digest if algo == "sha256" else "", url)


def _origin(url: str) -> tuple[str, str, int | None]:
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


def _pypirc_section(name: str) -> Mapping[str, Any]:
    from twine import utils as twine_utils

    try:
        return twine_utils.get_config(_pypirc()).get(name, {})
    except Exception:  # an unreadable .pypirc gives no credentials
        return {}


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
    section = _pypirc_section(target.name) if target.name else {}
    user = written.username if written is not None else ""  # a URL may name only the user
    user = user or os.environ.get("TWINE_USERNAME") or str(section.get("username") or "")
    password = os.environ.get("TWINE_PASSWORD") or str(section.get("password") or "")
    if not user and urllib.parse.urlsplit(target.upload_url).hostname in _LOGIN_HOSTS:
        user = "__token__"
    return Credentials(user, password) if user and password else None


def _trusted_publishing() -> bool:
    """An OIDC identity twine can trade for a PyPI token (GitHub Actions, GitLab CI)."""
    return bool(os.environ.get("ACTIONS_ID_TOKEN_REQUEST_URL") or os.environ.get("PYPI_ID_TOKEN"))


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
    if target.is_public_pypi and _trusted_publishing():
        return  # twine asks the CI for a token itself
    if not needs_login(target):
        return
    section = f"the [{target.name}] section of" if target.name else "a section in"
    msg = (
        f"no credentials for {target.shown}: set TWINE_USERNAME and TWINE_PASSWORD, "
        f"or put username and password in {section} {_pypirc()}"
    )
    if dry_run:
        _console.warn(f"{msg} (the release would be refused)")
        return
    raise PublishError(msg)


def credentials_for(target: Target, url: str) -> Credentials | None:
    """The credentials that may go to ``url``: only the upload host's own.

    For the upload host, :func:`upload_credentials`; an ``index_url`` on
    another host gets only the userinfo written in it.
    """
    origin = _origin(url)
    if origin not in (_origin(target.upload_url), _origin(target.simple_url)):
        return None
    if origin in _LOGINS:  # written in the upload URL or the index_url for this very host
        return _LOGINS[origin]
    if origin == _origin(target.upload_url):
        return upload_credentials(target)
    return None


class _Overdue(BaseException):
    """A network step's deadline passed (a BaseException: no library's ``except`` eats it)."""


@contextlib.contextmanager
def deadline(seconds: float, host: str) -> Iterator[None]:
    """A total deadline for one network step, in this process; the error names the host.

    requests' timeout bounds each read, so a server that sends one byte every
    few seconds holds it forever; a real-time timer bounds the whole step,
    twine's upload included. Timers are for the main thread (where the release
    runs); elsewhere only the per-read timeouts hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: types.FrameType | None) -> None:
        raise _Overdue

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Overdue:
        msg = f"{host} did not answer within {seconds:.0f}s: check the index and try again"
        raise PublishError(msg) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _get(
    target: Target, url: str, *, accept: str = "*/*", timeout: float = 15
) -> requests.Response:
    """GET ``url``, following redirects by hand so credentials never change hosts.

    The first try goes without credentials; after a 401 the host's own
    credentials (see :func:`credentials_for`) are sent, and each redirect is
    judged again by its own host. Non-2xx answers are returned, not raised.
    """
    import requests

    def once(url: str, creds: Credentials | None) -> requests.Response:
        auth = (creds.username, creds.password) if creds is not None else None
        try:
            return session.get(url, auth=auth, allow_redirects=False, timeout=timeout)
        except requests.RequestException as exc:
            msg = f"the index {_secrets.mask(url)} is unreachable ({type(exc).__name__})"
            raise PublishError(msg) from None

    host = urllib.parse.urlsplit(url).hostname or url
    with requests.Session() as session, deadline(target.timeout, host):
        session.headers["Accept"] = accept
        for _ in range(_MAX_REDIRECTS):
            response = once(url, None)
            creds = credentials_for(target, url) if response.status_code == 401 else None
            if creds is not None:
                response = once(url, creds)
            if not response.is_redirect:
                return response
            url = urllib.parse.urljoin(url, response.headers["Location"])
    where = _secrets.mask(target.simple_url)
    msg = f"the index {where} redirects more than {_MAX_REDIRECTS} times: check the URL"
    raise PublishError(msg)


@dataclasses.dataclass(frozen=True)
class Listed:
    """One file on the index: its sha256 if the index gives one, and its URL."""

    sha256: str
    url: str
    #: When it was uploaded (PEP 700 ``upload-time``, ISO 8601), if the index says.
    upload_time: str = ""


def index_listing(target: Target, project: str, *, timeout: float = 15) -> dict[str, Listed]:
    """The files the index lists for ``project``, by name.

    An unknown project is an empty listing; an unreachable index, or one that
    answers what no index answers, is an error.
    """
    url = urllib.parse.urljoin(target.simple_url, normalize(project) + "/")
    response = _get(target, url, accept=f"{_SIMPLE_JSON}, text/html;q=0.1", timeout=timeout)
    where = _secrets.mask(target.simple_url)
    if response.status_code == 404:
        return {}
    if not response.ok:
        msg = f"the index {where} answered {response.status_code} for {project}"
        raise PublishError(msg)
    page = response.url or url
    if response.headers.get("Content-Type", "").startswith(_SIMPLE_JSON):
        try:
            data: Any = json.loads(response.text)
            files = data["files"]
            return {
                str(f["filename"]): Listed(
                    str((f.get("hashes") or {}).get("sha256", "")),
                    urllib.parse.urljoin(page, str(f["url"])),
                    str(f.get("upload-time") or ""),
                )
                for f in files
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            msg = (
                f"the index {where} answered malformed JSON for {project}: "
                "is it a PEP 691 simple index?"
            )
            raise PublishError(msg) from None
    parser = _Links(page)
    parser.feed(response.text)
    return parser.files


def index_files(target: Target, project: str, *, timeout: float = 15) -> dict[str, str]:
    """The files the index lists for ``project``, by name, with their sha256 (or "")."""
    return {name: f.sha256 for name, f in index_listing(target, project, timeout=timeout).items()}


def remote_sha256(target: Target, name: str, listed: Listed) -> str:
    """The sha256 the index gives for a file, or else of the bytes it serves.

    A missing hash is never taken as a match: the file is downloaded.
    """
    if listed.sha256:
        return listed.sha256
    response = _get(target, listed.url)
    if not response.ok:
        msg = (
            f"{name} is listed on {target.shown} without a hash and its download answered "
            f"{response.status_code}: cannot tell whether it is the local file"
        )
        raise PublishError(msg)
    return hashlib.sha256(response.content).hexdigest()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_or_empty(path: Path) -> str:
    """sha256 of a work-tree file, ``""`` when it does not exist (a removed file)."""
    return sha256(path) if path.is_file() else ""


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """File name -> sha256: what a journal records of the files it publishes."""
    return {p.name: sha256(p) for p in paths}


def pending(target: Target, project: str, files: list[Path]) -> list[Path]:
    """The files still to upload: absent from the index.

    A file the index already has with the same sha256 is done; one with a
    different sha256 is an error naming it, never a silent skip.
    """
    listed = index_listing(target, project)
    todo = []
    for path in files:
        entry = listed.get(path.name)
        if entry is None:
            todo.append(path)
            continue
        remote = remote_sha256(target, path.name, entry)
        if remote != sha256(path):
            msg = (
                f"{path.name} is already on {target.shown} with a different sha256 "
                f"({remote[:12]}... vs local {sha256(path)[:12]}...): refusing to continue"
            )
            raise PublishError(msg)
    return todo


_FRAME = re.compile(r'^\s+File "')


def _without_tracebacks(lines: list[str]) -> list[str]:
    """Drop Python's traceback blocks; the exception line that ends each one stays."""
    kept: list[str] = []
    # The tail of the output may start inside a traceback, its first lines cut.
    inside = bool(lines) and lines[0][:1].isspace()
    for line in lines:
        if line.startswith("Traceback (most recent call last)") or _FRAME.match(line):
            inside = True
            continue
        if inside and (line.startswith(" ") or not line.strip()):
            continue
        inside = False
        if line.startswith("During handling of the above exception"):
            continue
        kept.append(line)
    return kept


def twine_failure(output: str) -> tuple[str, str]:
    """twine's reason for failing, in one line, and its output without tracebacks.

    twine logs ``ERROR <reason>`` for the failures it knows; anything else
    (an index that is down) ends its run with a Python traceback, whose last
    line is the reason. The traceback itself is for ``-v``, which shows the
    whole output as the command runs.
    """
    kept = _without_tracebacks(output.splitlines())
    reason = ""
    for line in kept:
        if line.startswith("ERROR"):
            reason = line.removeprefix("ERROR").strip()
    if not reason and kept:
        reason = kept[-1].strip()
        errno = re.search(r"\[Errno -?\d+\] [^\"')]+", reason)
        name = reason.split(":", 1)[0].rsplit(".", 1)[-1]
        if errno:
            reason = f"{name} ({errno.group(0).strip()})"
        elif len(reason) > 200:
            reason = name
    return reason, "\n".join(kept)


def upload(target: Target, files: list[Path], *, dry_run: bool = False) -> None:
    """``twine upload`` of ``files`` to ``target``, in this process (twine is imported anyway)."""
    from releasekit import inprocess

    args = ["--non-interactive", "--disable-progress-bar", *target.twine_args()]
    args += ["--verbose"] if _console.is_verbose() else []  # the index's answer, at -v
    args += map(str, files)
    _console.command(shlex.join(["twine", "upload", *args]), dry_run=dry_run)
    if dry_run:
        return
    with deadline(target.timeout, target.host):
        failed, output = inprocess.twine_upload(args, upload_credentials(target))
    if _console.is_verbose() and output.strip():
        _console.output(output)
    if failed:
        reason, details = twine_failure(output)
        msg = f"twine could not upload to {target.shown}" + (f": {reason}" if reason else "")
        raise PublishError(msg, details=details)


def publish(
    target: Target,
    project: str,
    files: list[Path],
    *,
    recorded: Mapping[str, str],
    uploaded: Callable[[], None] | None = None,
) -> None:
    """Upload what the index lacks, then confirm it lists every file with the local sha256.

    :param recorded: file name -> sha256 of what was verified; a file that is
        no longer those bytes is refused by name right before the upload.
    :param uploaded: called as soon as the upload succeeded, before the index is
        asked to list the files (its listing may lag behind).
    """
    todo = pending(target, project, files)
    for path in files:
        if path not in todo:
            _console.info(f"{path.name} is already on the index with the same sha256: skipped")
    for path in todo:
        if recorded.get(path.name) != sha256(path):
            msg = f"{path.name} is not the file that was verified: nothing more is uploaded"
            raise PublishError(msg)
    if todo:
        upload(target, todo)
    if uploaded is not None:
        uploaded()
    confirm_listed(target, project, files)


def confirm_listed(target: Target, project: str, files: list[Path]) -> None:
    """The index lists every file with the local sha256."""
    listed = index_listing(target, project)
    for path in files:
        if path.name not in listed:
            msg = f"{path.name} is not listed on {target.shown} after the upload"
            raise PublishError(msg)
        if remote_sha256(target, path.name, listed[path.name]) != sha256(path):
            msg = f"{path.name} on {target.shown} does not have the local sha256"
            raise PublishError(msg)


def confirm_install(
    target: Target,
    project: str,
    version: str,
    *,
    build_requires: Sequence[str] = (),
    with_dependencies: bool = False,
) -> None:
    """Install ``project==version`` from the index alone and check the version it reports.

    :param build_requires: for a release that published only its sdist: the
        build backend, installed first from the usual index, so that the sdist
        (from the target alone) compiles without build isolation, which would
        look for the backend on the target too.
    :param with_dependencies: install its dependencies too, from the target
        alone (a train's tier: they were published before it).
    """
    from packaging.version import Version

    index, env = ["--index-url", target.simple_url], {}
    read = _read_login(target, project)
    if read is not None:
        if build_requires or read.login is None:
            raise PublishError(read.refusal(project, version, sdist=bool(build_requires)))
        # Wheels only: no build backend runs, so none sees the login (in the
        # installer's environment, never its argv, which is logged).
        index = ["--only-binary", ":all:"]
        env = {"UV_INDEX_URL": read.url, "PIP_INDEX_URL": read.url}
    with _venv.fresh() as python:
        try:
            no_isolation = []
            if build_requires:
                _venv.install(python, list(build_requires))
                no_isolation = ["--no-build-isolation"]
            no_deps = [] if with_dependencies else ["--no-deps"]
            _venv.install(
                python,
                [*no_isolation, *no_deps, *index, f"{project}=={version}"],
                refresh=True,
                timeout=target.timeout,
                host=urllib.parse.urlsplit(target.simple_url).hostname or "",
                env=env,
            )  # fmt: skip
        except CommandError as exc:
            msg = f"{project} {version} does not install from {target.shown}"
            raise PublishError(msg, details=f"{exc}\n{exc.details}".strip()) from None
        installed = _venv.installed_version(python, project)  # no interpreter to start
    if installed is None or Version(installed) != Version(version):
        got = installed or "nothing"
        raise PublishError(f"installing from the index gave {project} {got}, not {version}")
    _console.info(f"{project} {installed} installs from {target.shown}")


@dataclasses.dataclass(frozen=True)
class _ReadLogin:
    """An index that refuses anonymous reads, and the login the installer may have for it."""

    where: str
    login: Credentials | None
    url: str = ""

    def refusal(self, project: str, version: str, *, sdist: bool) -> str:
        why = (
            "installing the sdist would hand its login to the build backend"
            if sdist
            else "releasekit has no login for that host"
        )
        return (
            f"{self.where} wants a login to read {project}, and {why}: install "
            f"{project}=={version} from it by hand, then run --resume --no-confirm"
        )


def _read_login(target: Target, project: str) -> _ReadLogin | None:
    """Whether the index refuses to read without a login (401/403), and the login for it.

    Most private registries want one for reads as well; the installer that
    confirms the release asks anonymously otherwise. Only the upload host's
    own login (see :func:`credentials_for`) may go, written into the index URL.
    """
    import requests

    url = urllib.parse.urljoin(target.simple_url, normalize(project) + "/")
    host = urllib.parse.urlsplit(url).hostname or url
    try:
        with requests.Session() as session, deadline(target.timeout, host):
            answer = session.get(url, allow_redirects=False, timeout=15)
    except (requests.RequestException, PublishError):
        return None  # the install itself says which host did not answer
    if answer.status_code not in (401, 403):
        return None
    where = f"the index {_secrets.mask(target.simple_url)}"
    login = credentials_for(target, url)
    if login is None:
        return _ReadLogin(where, None)
    quote = functools.partial(urllib.parse.quote, safe="")
    parts = urllib.parse.urlsplit(target.simple_url)
    netloc = f"{quote(login.username)}:{quote(login.password)}@{parts.netloc.rpartition('@')[2]}"
    return _ReadLogin(where, login, urllib.parse.urlunsplit(parts._replace(netloc=netloc)))


def ask(question: str) -> bool:
    """Ask yes/no on a terminal; without one the answer is yes (``--yes`` implied).

    Every front end's question (the release, the train, ``init``) is asked
    here. Ctrl-D is "no", like an empty answer: the caller's refusal is then
    one line, on a line of its own, instead of an ``EOFError`` traceback.
    """
    if not sys.stdin.isatty():
        return True
    try:
        answer = input(f"{question} [y/N] ").strip().lower()
    except EOFError:
        print(flush=True)  # the terminal echoed no newline after the question
        return False
    return answer in ("y", "yes")
