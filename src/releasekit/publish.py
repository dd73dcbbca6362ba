"""Publishing, through twine; the index itself is asked what it already has.

The target is ``--repository NAME|URL``, else ``[tool.releasekit] repository``,
else twine's own environment (``TWINE_REPOSITORY_URL``, ``TWINE_REPOSITORY``),
else PyPI. Credentials stay with twine (its environment variables and
``.pypirc``); releasekit never prints or stores them. A URL's userinfo is
taken out of the URL at once and serves as the credentials (handed to twine
in its environment, never in argv). The index is asked its questions through
one HTTP client, requests (twine's own), and credentials go only to the
upload host: never across a redirect to another host, never to an
``index_url`` on another host.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shlex
import sys
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit import _console, _runner, _venv
from releasekit._exceptions import CommandError, PublishError

if TYPE_CHECKING:
    import requests

PUBLIC_HOSTS = {"upload.pypi.org", "pypi.org", "www.pypi.org"}
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

    @property
    def url_credentials(self) -> Credentials | None:
        """The login written in the upload URL, if one was (kept in memory only)."""
        return _LOGINS.get(_origin(self.upload_url))

    @property
    def is_public_pypi(self) -> bool:
        return urllib.parse.urlsplit(self.upload_url).hostname in PUBLIC_HOSTS

    @property
    def shown(self) -> str:
        url = _runner.mask(self.upload_url)
        return f"{self.name} ({url})" if self.name else url

    def twine_args(self) -> list[str]:
        # A name lets twine take the credentials from its .pypirc section.
        return ["--repository", self.name] if self.name else ["--repository-url", self.upload_url]

    def twine_env(self) -> dict[str, str | None]:
        """Credentials from the URL, for twine's environment (argv is logged)."""
        creds = self.url_credentials
        if creds is None:
            return {}
        return {"TWINE_USERNAME": creds.username, "TWINE_PASSWORD": creds.password}


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
    _runner.add_secret(password)
    _runner.add_secret(userinfo)
    clean = f"{match['scheme']}{host}{match['rest']}"
    if not (user or password):
        return clean, None
    creds = Credentials(user, password)
    _LOGINS[_origin(clean)] = creds
    return clean, creds


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
    from twine import utils as twine_utils

    return os.environ.get("TWINE_CONFIG_FILE", twine_utils.DEFAULT_CONFIG_FILE)


def mask_pypirc(config_file: str) -> None:
    """Make every password in ``.pypirc`` a secret that the runner masks."""
    from twine import utils as twine_utils

    try:
        sections = twine_utils.get_config(config_file)
    except Exception:  # an unreadable .pypirc: twine itself will say why
        return
    for section in sections.values():
        _runner.add_secret(str(section.get("password") or ""))


def resolve_target(repository: str = "", *, index_url: str = "") -> Target:
    """Resolve the target index; see the module docstring for the order."""
    from twine import exceptions as twine_exceptions
    from twine import utils as twine_utils

    config_file = _pypirc()
    mask_pypirc(config_file)
    index_url = split_userinfo(index_url)[0]
    choice = repository or os.environ.get("TWINE_REPOSITORY_URL", "")
    choice = choice or os.environ.get("TWINE_REPOSITORY", "") or "pypi"
    if _is_url(choice):
        url = split_userinfo(choice)[0]
        return Target(upload_url=url, simple_url=index_url or simple_url_for(url))
    try:
        section = twine_utils.get_repository_from_config(config_file, choice)
    except twine_exceptions.InvalidConfiguration:
        msg = (
            f"repository {choice!r} is not defined in {config_file}: "
            "give an upload URL or add the section to .pypirc"
        )
        raise PublishError(msg) from None
    url = split_userinfo(str(section["repository"]))[0]
    return Target(upload_url=url, simple_url=index_url or simple_url_for(url), name=choice)


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
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _pypirc_credentials(name: str) -> Credentials | None:
    from twine import utils as twine_utils

    try:
        section = twine_utils.get_config(_pypirc()).get(name, {})
    except Exception:  # an unreadable .pypirc gives no credentials
        return None
    user, password = section.get("username"), section.get("password")
    return Credentials(str(user), str(password)) if user and password else None


def credentials_for(target: Target, url: str) -> Credentials | None:
    """The credentials that may go to ``url``: only the upload host's own.

    For the upload host, as twine would find them: the URL's userinfo, else
    ``TWINE_USERNAME``/``TWINE_PASSWORD``, else the ``.pypirc`` section. An
    ``index_url`` on another host gets only the userinfo written in it.
    """
    origin = _origin(url)
    if origin not in (_origin(target.upload_url), _origin(target.simple_url)):
        return None
    if origin in _LOGINS:  # written in the upload URL or the index_url for this very host
        return _LOGINS[origin]
    if origin == _origin(target.upload_url):
        user = os.environ.get("TWINE_USERNAME")
        password = os.environ.get("TWINE_PASSWORD")
        if user and password:
            return Credentials(user, password)
        return _pypirc_credentials(target.name) if target.name else None
    return None


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
            msg = f"the index {_runner.mask(url)} is unreachable ({type(exc).__name__})"
            raise PublishError(msg) from None

    with requests.Session() as session:
        session.headers["Accept"] = accept
        for _ in range(_MAX_REDIRECTS):
            response = once(url, None)
            creds = credentials_for(target, url) if response.status_code == 401 else None
            if creds is not None:
                response = once(url, creds)
            if not response.is_redirect:
                return response
            url = urllib.parse.urljoin(url, response.headers["Location"])
    where = _runner.mask(target.simple_url)
    msg = f"the index {where} redirects more than {_MAX_REDIRECTS} times: check the URL"
    raise PublishError(msg)


@dataclasses.dataclass(frozen=True)
class Listed:
    """One file on the index: its sha256 if the index gives one, and its URL."""

    sha256: str
    url: str


def index_listing(target: Target, project: str, *, timeout: float = 15) -> dict[str, Listed]:
    """The files the index lists for ``project``, by name.

    An unknown project is an empty listing; an unreachable index, or one that
    answers what no index answers, is an error.
    """
    url = urllib.parse.urljoin(target.simple_url, normalize(project) + "/")
    response = _get(target, url, accept=f"{_SIMPLE_JSON}, text/html;q=0.1", timeout=timeout)
    where = _runner.mask(target.simple_url)
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
    args += map(str, files)
    env = {k: v for k, v in target.twine_env().items() if v is not None}
    _console.command(_runner.mask(shlex.join(["twine", "upload", *args])), dry_run=dry_run)
    if dry_run:
        return
    failed, output = inprocess.twine_upload(args, env)
    output = _runner.mask(output, {**os.environ, **env})
    if _console.is_verbose() and output.strip():
        _console.output(output)
    if failed:
        reason, details = twine_failure(output)
        msg = f"twine could not upload to {target.shown}" + (f": {reason}" if reason else "")
        raise PublishError(msg, details=details)


def publish(
    target: Target, project: str, files: list[Path], *, recorded: Mapping[str, str]
) -> None:
    """Upload what the index lacks, then confirm it lists every file with the local sha256.

    :param recorded: file name -> sha256 of what was verified; a file that is
        no longer those bytes is refused by name right before the upload.
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

    with _venv.fresh() as python:
        try:
            no_isolation = []
            if build_requires:
                _venv.install(python, list(build_requires))
                no_isolation = ["--no-build-isolation"]
            no_deps = [] if with_dependencies else ["--no-deps"]
            _venv.install(
                python,
                [*no_isolation, *no_deps, "--index-url", target.simple_url,
                 f"{project}=={version}"],
                refresh=True,
            )  # fmt: skip
        except CommandError as exc:
            msg = f"{project} {version} does not install from {target.shown}"
            raise PublishError(msg, details=exc.details) from None
        code = f"import importlib.metadata as m; print(m.version({project!r}))"
        installed = _venv.python_c(python, code)
    if Version(installed) != Version(version):
        raise PublishError(f"installing from the index gave {project} {installed}, not {version}")
    _console.info(f"{project} {installed} installs from {target.shown}")


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
