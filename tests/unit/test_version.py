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


@pytest.mark.parametrize(
    ("current", "new", "note"),
    [
        ("3.20", "3.21", "the minor part moves: this project's versions have two parts"),
        ("3.20", "4.0", "the major part moves: this project's versions have two parts"),
        (
            "3.20",
            "3.20.1",
            "the patch part moves: this project's versions have two parts, this one three",
        ),
        ("3.21rc1", "3.21", "this project's versions have two parts"),
        ("1.2.3", "1.3.0", ""),  # three parts: the plan's part says it already
    ],
)
def test_parts_note_says_which_part_of_a_two_part_version_moves(
    current: str, new: str, note: str
) -> None:
    assert version.parts_note(current, new) == note
