"""Credentials: masked where text is shown, kept out of children that run project code.

Data is never masked: a password that happens to occur in a path or in a
command's output must not change what releasekit reads. Masking happens at
the display points only: the console, error messages and details, and the log
records of the libraries releasekit runs in its process (twine, requests,
urllib3), all of which pass through :func:`mask`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping

MASK = "********"

#: Names of variables that hold a secret (a username alone is not one).
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|API_KEY|_KEY$", re.IGNORECASE)
#: Installers' own index logins: a build needs them to fetch its backend.
_INSTALLER_LOGIN = re.compile(r"^(PIP|UV)_(?!PUBLISH_)", re.IGNORECASE)
#: The upload's settings, which only the upload (twine, in this process) reads:
#: ``TWINE_REPOSITORY_URL`` may carry the login in its userinfo.
_UPLOAD_LOGIN = re.compile(r"^TWINE_", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.I)
#: ``user:password@host`` without a scheme (``//user:pw@host``, ``user:pw@host:port/``):
#: the password goes, the user stays (``git@host:path`` has no password to hide).
_BARE_USERINFO = re.compile(r"(?<![^\s'\"(<=/])(?P<user>[^\s/@:'\"]+):(?P<password>[^\s/@'\"]+)@")
#: What a git credential helper may read on the network commands: git's own
#: variables and the git host's token (``gh auth git-credential`` reads GH_TOKEN).
_GIT_LOGIN = re.compile(
    r"^(GIT_\w+|GH_TOKEN|GITHUB_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_ENTERPRISE_TOKEN)$"
)

# Secrets that live outside the environment: .pypirc passwords, a URL's
# password. Module state on purpose: whoever learns a secret registers it
# once, and everything shown later is masked with it.
_KNOWN: set[str] = set()


def add(value: str) -> None:
    """Mask ``value`` in everything shown from now on (short values would mask noise)."""
    if len(value) >= 4:
        _KNOWN.add(value)


def _values(env: Mapping[str, str]) -> list[str]:
    found = {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= 4}
    return sorted(found | _KNOWN, key=len, reverse=True)


def mask(text: str, env: Mapping[str, str] | None = None) -> str:
    """Hide credentials in text that is shown: URL userinfo, secret variables, known secrets."""
    for secret in _values(env if env is not None else os.environ):
        text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _BARE_USERINFO.sub(lambda m: f"{m['user']}:{MASK}@", text)


def without_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a child that may run project code: no twine setting, no secret variable.

    Build backends, their hooks and the check sessions run the project's code;
    the upload runs in releasekit's own process and is the only step that
    needs the login. An installer's own index login (``PIP_*``, ``UV_*``)
    stays: installing a build backend from a private mirror needs it.
    """
    return {
        k: v
        for k, v in env.items()
        if not _UPLOAD_LOGIN.match(k)
        and not (SECRET_NAME.search(k) and not _INSTALLER_LOGIN.match(k))
    }


def _git_never_needs(name: str) -> bool:
    """twine's variables and every secret-named one: git and its hooks get none of them."""
    return name.upper().startswith("TWINE_") or bool(SECRET_NAME.search(name))


def for_git(env: Mapping[str, str], *, network: bool) -> dict[str, str]:
    """``env`` for git, which runs the repository's hooks: never the upload's login.

    Only the commands that talk to a remote (``network``) keep what a credential
    helper may read (``GIT_*``, ``GH_TOKEN``, ``GITHUB_TOKEN``): a pre-push hook
    then sees the git host's token, which it could ask the helper for anyway.
    """
    return {
        k: v
        for k, v in env.items()
        if not _git_never_needs(k)
        or (network and not k.upper().startswith("TWINE_") and _GIT_LOGIN.match(k.upper()))
    }


_WITHHOLDING = threading.RLock()


@contextlib.contextmanager
def withheld() -> Iterator[None]:
    """Take the secrets out of ``os.environ`` while a library in this process runs git.

    bump-my-version and towncrier start git (and through it the repository's
    hooks, and bump-my-version its own hook commands) with this process's
    environment: what a build backend may not see goes (an installer's login
    stays, for the re-lock that runs inside the bump). The values stay masked
    meanwhile; one lock serialises the windows, so that nested or concurrent
    ones put back exactly what they took, and a value set meanwhile is kept.
    """
    with _WITHHOLDING:
        kept = without_secrets(os.environ)
        taken = {k: os.environ.pop(k) for k in list(os.environ)
                 if k not in kept or k.upper().startswith("TWINE_")}  # fmt: skip
        for key, value in taken.items():
            if SECRET_NAME.search(key):
                add(value)
        try:
            yield
        finally:
            for key, value in taken.items():
                os.environ.setdefault(key, value)


class _MaskingFilter(logging.Filter):
    """Masks a log record's text once, as it is made, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = mask(text)
        if masked != text:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = _MaskingFilter()
_previous_factory = logging.getLogRecordFactory()


def _masked_record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    _FILTER.filter(record)
    return record


def mask_log_records() -> None:
    """Mask every log record of this process where it is made (twine, requests, urllib3).

    A handler filter would miss the handlers that libraries and front ends
    (nox, invoke, pytest) add later; the record factory is the one place every
    record passes through, whichever logger emits it and wherever it propagates.
    """
    if logging.getLogRecordFactory() is not _masked_record:
        logging.setLogRecordFactory(_masked_record)
