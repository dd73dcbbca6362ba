from __future__ import annotations

import pytest

from releasekit import version
from releasekit._exceptions import VersionError


def test_check_next_accepts_a_higher_valid_version() -> None:
    assert version.check_next("0.1.0", "0.2.0") == "0.2.0"
    assert version.check_next("0.2.0rc1", "0.2.0") == "0.2.0"


def test_check_next_refuses_invalid_pep440() -> None:
    with pytest.raises(VersionError, match=r"'1\.1\.0final1' is not a valid PEP 440 version"):
        version.check_next("1.0.0", "1.1.0final1")


@pytest.mark.parametrize("new", ["0.1.0", "0.0.9", "0.1.0rc1"])
def test_check_next_refuses_going_backwards(new: str) -> None:
    with pytest.raises(VersionError, match=r"is not above the current version 0\.1\.0"):
        version.check_next("0.1.0", new)


def test_tag_for_uses_bumpversion_tag_name() -> None:
    bump = version.BumpConfig(
        current_version="1.0.0",
        parts=["major"],
        files=[],
        tag_name="release-{new_version}",
        tag_message="",
        message="",
        sign_tags=False,
        commit=True,
        tag=True,
    )
    assert bump.tag_for("1.1.0") == "release-1.1.0"
