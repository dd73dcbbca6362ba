"""The one HTTP client that asks an index anything: requests (twine's own).

A login is sent only when a host asks for one (401), and only the login that
may go to that host (:func:`~releasekit.index.target.credentials_for`); a
redirect to another host drops it (requests strips ``Authorization`` across
hosts, and the login is judged again by the new host). At most
:data:`MAX_REDIRECTS` redirects are followed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasekit import _secrets
from releasekit._exceptions import PublishError
from releasekit.index.target import Target, credentials_for

if TYPE_CHECKING:
    import requests

MAX_REDIRECTS = 10


def session(target: Target) -> requests.Session:
    """A session for ``target``'s hosts: a login only when asked, only where it belongs."""
    import requests
    from requests.auth import AuthBase, HTTPBasicAuth

    class LoginWhenAsked(AuthBase):
        """Send nothing; after a 401, send that host's own login once, if it has one."""

        def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
            request.register_hook("response", self.answer_challenge)
            return request

        def answer_challenge(self, response: requests.Response, **kwargs: Any) -> Any:
            if response.status_code != 401 or "Authorization" in response.request.headers:
                return response
            login = credentials_for(target, response.url)
            if login is None or response.connection is None:
                return response
            response.close()
            again = response.request.copy()
            HTTPBasicAuth(login.username, login.password)(again)
            answer = response.connection.send(again, **kwargs)
            answer.history.append(response)
            answer.request = again
            return answer

    client = requests.Session()
    client.auth = LoginWhenAsked()
    client.max_redirects = MAX_REDIRECTS
    return client


def unreachable(exc: Exception, url: str, target: Target) -> PublishError:
    """One line for a request that got no answer an index gives (or too many redirects)."""
    import requests

    if isinstance(exc, requests.TooManyRedirects):
        where = _secrets.mask(target.simple_url)
        return PublishError(f"the index {where} redirects more than {MAX_REDIRECTS} times: "
                            "check the URL")  # fmt: skip
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None) or url
    return PublishError(f"the index {_secrets.mask(url)} is unreachable ({type(exc).__name__})")
