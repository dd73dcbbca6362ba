"""After an upload: the index lists every file with the local sha256, and the release installs."""

from __future__ import annotations

import dataclasses
import functools
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from releasekit import _console, _hashing, _secrets, _venv
from releasekit._exceptions import CommandError, PublishError
from releasekit.index._deadline import deadline
from releasekit.index.base import Index
from releasekit.index.credentials import Credentials
from releasekit.index.target import Target, credentials_for


def confirm_listed(index: Index, project: str, files: Sequence[Path]) -> None:
    """The index lists every file with the local sha256."""
    target = index.target
    listed = index.listing(project)
    for path in files:
        if path.name not in listed:
            msg = f"{path.name} is not listed on {target.shown} after the upload"
            raise PublishError(msg)
        if index.sha256(path.name, listed[path.name]) != _hashing.sha256(path):
            msg = f"{path.name} on {target.shown} does not have the local sha256"
            raise PublishError(msg)


def install_from_simple(
    target: Target,
    project: str,
    version: str,
    *,
    build_requires: Sequence[str] = (),
    with_dependencies: bool = False,
) -> None:
    """Install ``project==version`` from the simple index alone and check the version it reports.

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
    own login (see :func:`~releasekit.index.target.credentials_for`) may go,
    written into the index URL.
    """
    import requests
    from packaging.utils import canonicalize_name

    url = urllib.parse.urljoin(target.simple_url, canonicalize_name(project) + "/")
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
