"""Publishing, through twine; the index itself is asked what it already has.

The target is ``--repository NAME|URL``, else ``[tool.releasekit] repository``,
else twine's own environment (``TWINE_REPOSITORY_URL``, ``TWINE_REPOSITORY``),
else PyPI. Credentials stay with twine (its environment variables and
``.pypirc``); releasekit never reads, prints or stores them, except to read
an index page that requires the same login.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from releasekit import _runner, _venv
from releasekit._exceptions import CommandError, PublishError

PUBLIC_HOSTS = {"upload.pypi.org", "pypi.org", "www.pypi.org"}
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a release goes: a ``.pypirc`` name and/or an upload URL."""

    upload_url: str
    simple_url: str
    name: str = ""

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


def _is_url(value: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I))


def simple_url_for(upload_url: str) -> str:
    """The simple index that belongs to an upload URL (PEP 503)."""
    parts = urllib.parse.urlsplit(upload_url)
    if parts.hostname in PUBLIC_HOSTS:
        return "https://pypi.org/simple/"
    if parts.hostname == "test.pypi.org":
        return "https://test.pypi.org/simple/"
    path = parts.path.rstrip("/")
    path = path.removesuffix("/legacy")
    if not path.endswith("/simple"):
        path += "/simple"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def resolve_target(repository: str = "", *, index_url: str = "") -> Target:
    """Resolve the target index; see the module docstring for the order."""
    from twine import exceptions as twine_exceptions
    from twine import utils as twine_utils

    choice = repository or os.environ.get("TWINE_REPOSITORY_URL", "")
    choice = choice or os.environ.get("TWINE_REPOSITORY", "") or "pypi"
    if _is_url(choice):
        return Target(upload_url=choice, simple_url=index_url or simple_url_for(choice))
    config_file = os.environ.get("TWINE_CONFIG_FILE", twine_utils.DEFAULT_CONFIG_FILE)
    try:
        section = twine_utils.get_repository_from_config(config_file, choice)
    except twine_exceptions.InvalidConfiguration:
        msg = (
            f"repository {choice!r} is not defined in {config_file}: "
            "give an upload URL or add the section to .pypirc"
        )
        raise PublishError(msg) from None
    url = str(section["repository"])
    return Target(upload_url=url, simple_url=index_url or simple_url_for(url), name=choice)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, str] = {}
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
        self.files[filename] = digest if algo == "sha256" else ""


def _auth_header() -> dict[str, str]:
    user = os.environ.get("TWINE_USERNAME")
    password = os.environ.get("TWINE_PASSWORD")
    if not (user and password):
        return {}
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def index_files(target: Target, project: str, *, timeout: float = 15) -> dict[str, str]:
    """The files the index lists for ``project``, by name, with their sha256.

    An unknown project is an empty listing; an unreachable index is an error.
    """
    url = urllib.parse.urljoin(target.simple_url, normalize(project) + "/")
    headers = {"Accept": f"{_SIMPLE_JSON}, text/html;q=0.1"}
    for attempt_headers in (headers, {**headers, **_auth_header()}):
        request = urllib.request.Request(url, headers=attempt_headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                content_type = response.headers.get("Content-Type", "")
            break
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return {}
            if exc.code == 401 and "Authorization" not in attempt_headers and _auth_header():
                continue
            msg = f"the index {_runner.mask(target.simple_url)} answered {exc.code} for {project}"
            raise PublishError(msg) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = f"the index {_runner.mask(target.simple_url)} is unreachable ({reason})"
            raise PublishError(msg) from None
    if content_type.startswith(_SIMPLE_JSON):
        data = json.loads(body)
        return {f["filename"]: f.get("hashes", {}).get("sha256", "") for f in data["files"]}
    parser = _Links()
    parser.feed(body)
    return parser.files


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pending(target: Target, project: str, files: list[Path]) -> list[Path]:
    """The files still to upload: absent from the index.

    A file the index already has with the same sha256 is done; one with a
    different sha256 is an error naming it, never a silent skip.
    """
    listed = index_files(target, project)
    todo = []
    for path in files:
        remote = listed.get(path.name)
        if remote is None:
            todo.append(path)
        elif remote and remote != sha256(path):
            msg = (
                f"{path.name} is already on {target.shown} with a different sha256 "
                f"({remote[:12]}... vs local {sha256(path)[:12]}...): refusing to continue"
            )
            raise PublishError(msg)
    return todo


def upload(target: Target, files: list[Path], *, dry_run: bool = False) -> None:
    args = [*_runner.tool("twine"), "--no-color", "upload", "--non-interactive"]
    args.append("--disable-progress-bar")
    args += target.twine_args()
    try:
        _runner.run([*args, *map(str, files)], dry_run=dry_run)
    except CommandError as exc:
        msg = f"twine could not upload to {target.shown}"
        raise PublishError(msg, details=exc.details) from None


def publish(target: Target, project: str, files: list[Path]) -> None:
    """Upload what the index lacks, then confirm it lists every file with the local sha256."""
    from releasekit import _console

    todo = pending(target, project, files)
    for path in files:
        if path not in todo:
            _console.info(f"{path.name} is already on the index with the same sha256: skipped")
    if todo:
        upload(target, todo)
    confirm_listed(target, project, files)


def confirm_listed(target: Target, project: str, files: list[Path]) -> None:
    """The index lists every file with the local sha256."""
    listed = index_files(target, project)
    for path in files:
        if path.name not in listed:
            msg = f"{path.name} is not listed on {target.shown} after the upload"
            raise PublishError(msg)
        if listed[path.name] and listed[path.name] != sha256(path):
            msg = f"{path.name} on {target.shown} does not have the local sha256"
            raise PublishError(msg)


def confirm_install(target: Target, project: str, version: str) -> str:
    """Install ``project==version`` from the index alone; return the version it reports."""
    with _venv.fresh() as python:
        try:
            _venv.install(
                python,
                ["--no-deps", "--index-url", target.simple_url, f"{project}=={version}"],
                refresh=True,
            )
        except CommandError as exc:
            msg = f"{project} {version} does not install from {target.shown}"
            raise PublishError(msg, details=exc.details) from None
        code = f"import importlib.metadata as m; print(m.version({project!r}))"
        return _venv.python_c(python, code)


def ask(question: str) -> bool:
    """Ask yes/no on a terminal; without one the answer is yes (``--yes`` implied)."""
    if not sys.stdin.isatty():
        return True
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")
