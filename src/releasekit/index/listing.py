"""What a simple index (PEP 503 HTML, PEP 691 JSON) lists for a project, through pypi-simple.

pypi-simple reads both formats, the hashes, yanked files and upload times;
the requests are releasekit's own session (:mod:`releasekit.index._http`:
a login only when asked, only to its own host, at most 10 redirects) under a
total deadline (:func:`~releasekit.index._deadline.deadline`), which
pypi-simple's per-read ``timeout`` cannot give.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import warnings
from typing import TYPE_CHECKING

from releasekit import _secrets
from releasekit._exceptions import PublishError
from releasekit.index import _http
from releasekit.index._deadline import deadline
from releasekit.index.base import Listed
from releasekit.index.target import Target

if TYPE_CHECKING:
    from pypi_simple import DistributionPackage

#: Seconds one read may take (the whole step has the target's deadline).
READ_TIMEOUT = 15.0


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or url


def _listed(package: DistributionPackage) -> Listed:
    when = package.upload_time
    return Listed(
        package.digests.get("sha256", ""),
        package.url,
        when.isoformat() if when is not None else "",
        package.is_yanked,
    )


def preload() -> None:
    """Import pypi-simple in a thread now: the listing comes late in a preflight.

    Its imports (pydantic, Beautiful Soup) take half a second of CPU; the
    preflight's git and tool processes leave the interpreter idle meanwhile.
    Not a daemon: an exit mid-import would be a frozen thread holding an
    import lock.
    """
    import threading

    def load() -> None:
        try:
            import pypi_simple  # noqa: F401
        except Exception:
            return

    threading.Thread(target=load, name="releasekit-preload").start()


def project_files(target: Target, project: str) -> dict[str, Listed]:
    """The files the simple index of ``target`` lists for ``project``, by name.

    An unknown project (404) is an empty listing; an unreachable index, or
    one that answers what no index answers, is one line naming it.
    """
    import requests
    from pypi_simple import (
        ACCEPT_JSON_PREFERRED,
        NoSuchProjectError,
        PyPISimple,
        UnexpectedRepoVersionWarning,
        UnsupportedContentTypeError,
        UnsupportedRepoVersionError,
    )

    where = _secrets.mask(target.simple_url)
    with PyPISimple(target.simple_url, session=_http.session(target)) as client:
        url = client.get_project_url(project)
        try:
            with deadline(target.timeout, _host(url)), warnings.catch_warnings():
                # A newer minor version of the API reads as the one pypi-simple
                # knows (PEP 629): a warning would be a stray line in the release.
                warnings.simplefilter("ignore", UnexpectedRepoVersionWarning)
                page = client.get_project_page(
                    project, timeout=READ_TIMEOUT, accept=ACCEPT_JSON_PREFERRED
                )
        except NoSuchProjectError:
            return {}
        except requests.HTTPError as exc:
            code = exc.response.status_code if exc.response is not None else "an error"
            raise PublishError(f"the index {where} answered {code} for {project}") from None
        except UnsupportedContentTypeError as exc:
            msg = (
                f"the index {where} answered {exc.content_type!r} for {project}: "
                "is it a simple index (PEP 503 or PEP 691)?"
            )
            raise PublishError(msg) from None
        except UnsupportedRepoVersionError as exc:
            msg = (
                f"the index {where} speaks simple API {exc.declared_version}, which releasekit "
                f"cannot read (up to {exc.supported_version})"
            )
            raise PublishError(msg) from None
        except ValueError as exc:  # JSON or HTML that does not read as PEP 691 or 503 says
            reason = _secrets.mask(next(iter(str(exc).splitlines()), type(exc).__name__))
            msg = (
                f"the index {where} answered a malformed page for {project} ({reason}): "
                "is it a simple index (PEP 503 or PEP 691)?"
            )
            raise PublishError(msg) from None
        except requests.RequestException as exc:
            raise _http.unreachable(exc, url, target) from None
    return {package.filename: _listed(package) for package in page.packages}


def download_sha256(target: Target, name: str, listed: Listed) -> str:
    """The sha256 the index gives for a file, or else of the bytes it serves.

    A missing hash is never taken as a match: the file is downloaded.
    """
    import requests

    if listed.sha256:
        return listed.sha256
    with _http.session(target) as client, deadline(target.timeout, _host(listed.url)):
        try:
            response = client.get(listed.url, timeout=READ_TIMEOUT)
        except requests.RequestException as exc:
            raise _http.unreachable(exc, listed.url, target) from None
    if not response.ok:
        msg = (
            f"{name} is listed on {target.shown} without a hash and its download answered "
            f"{response.status_code}: cannot tell whether it is the local file"
        )
        raise PublishError(msg)
    return hashlib.sha256(response.content).hexdigest()
