from __future__ import annotations

from releasekit._exceptions import CommandError, ConfigError, ReleaseKitError


def test_messages_are_one_line_and_details_separate() -> None:
    exc = CommandError(["twine", "upload"], 2, "HTTPError: 403", shown="twine upload")
    assert str(exc) == "twine upload failed with exit status 2"
    assert exc.details == "HTTPError: 403"
    assert isinstance(exc, ReleaseKitError)


def test_every_error_is_a_releasekit_error() -> None:
    exc = ConfigError("bad key")
    assert isinstance(exc, ReleaseKitError)
    assert str(exc) == "bad key"
    assert exc.details == ""
