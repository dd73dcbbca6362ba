"""PEP 440 arithmetic: packaging alone, no tool and no repository."""

from __future__ import annotations

import pytest

from releasekit import config
from releasekit._exceptions import ChangelogError, VersionError
from releasekit.versions import arithmetic
from releasekit.versions.source import BumpConfig

BUMP_MAP = dict(config.DEFAULT_BUMP_MAP)


def test_check_next_accepts_a_higher_valid_version() -> None:
    assert arithmetic.check_next("0.1.0", "0.2.0") == "0.2.0"
    assert arithmetic.check_next("0.2.0rc1", "0.2.0") == "0.2.0"


def test_check_next_refuses_invalid_pep440() -> None:
    with pytest.raises(VersionError, match=r"'1\.1\.0final1' is not a valid PEP 440 version"):
        arithmetic.check_next("1.0.0", "1.1.0final1")


@pytest.mark.parametrize("new", ["0.1.0", "0.0.9", "0.1.0rc1"])
def test_check_next_refuses_going_backwards(new: str) -> None:
    with pytest.raises(VersionError, match=r"is not above the current version 0\.1\.0"):
        arithmetic.check_next("0.1.0", new)


def test_tag_for_uses_bumpversion_tag_name() -> None:
    bump = BumpConfig(
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
    ("types", "current", "part"),
    [
        (["feature"], "1.2.3", "minor"),
        (["bugfix", "doc"], "1.2.3", "patch"),
        (["bugfix", "feature"], "1.2.3", "minor"),
        (["removal", "feature"], "1.2.3", "major"),
        (["removal"], "0.4.0", "minor"),
        (["misc"], "0.4.0", "patch"),
        (["unmapped"], "1.0.0", "patch"),
    ],
)
def test_infer_part(types: list[str], current: str, part: str) -> None:
    assert arithmetic.infer_part(types, BUMP_MAP, current) == part


def test_zero_major_part_is_configurable() -> None:
    assert arithmetic.infer_part(["removal"], BUMP_MAP, "0.4.0", zero_major_part="major") == "major"


def test_custom_map_to_a_custom_part() -> None:
    assert arithmetic.infer_part(["feature"], {"feature": "pre_n"}, "1.0.0rc1") == "pre_n"


def test_no_fragments_is_an_error() -> None:
    with pytest.raises(ChangelogError, match="no changelog fragments"):
        arithmetic.infer_part([], BUMP_MAP, "1.0.0")


def test_scm_versions_are_computed_with_packaging() -> None:
    assert arithmetic.bump_release("1.2.3", "major") == "2.0.0"
    assert arithmetic.bump_release("1.2.3", "minor") == "1.3.0"
    assert arithmetic.bump_release("1.2.3", "patch") == "1.2.4"
    assert arithmetic.bump_release("3.10", "minor") == "3.11"
    assert arithmetic.bump_release("3.10", "patch") == "3.10.1"
    assert arithmetic.bump_release("2.0.0rc1", "patch") == "2.0.1"
    with pytest.raises(VersionError, match="unknown version part 'pre_l'"):
        arithmetic.bump_release("1.0.0", "pre_l")


def test_version_of_a_tag() -> None:
    assert arithmetic.version_of_tag("v1.2.3", "v{new_version}") == "1.2.3"
    assert arithmetic.version_of_tag("1.2.3", "v{new_version}") is None
    assert arithmetic.version_of_tag("vnext", "v{new_version}") is None
    assert arithmetic.version_of_tag("release-2.0", "release-{new_version}") == "2.0"


def test_the_arithmetic_imports_no_tool() -> None:
    """packaging alone: the circle project -> version -> changelog -> project stays broken."""
    import subprocess
    import sys

    code = (
        "import sys, releasekit.versions; "
        "print(sorted(m for m in sys.modules if m.startswith(('releasekit', 'bumpversion'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    for tool in ("releasekit.git", "releasekit._runner", "releasekit.project",
                 "releasekit.changelog", "releasekit.config", "bumpversion"):  # fmt: skip
        assert f"'{tool}'" not in loaded
    assert "'releasekit.versions.arithmetic'" in loaded


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
    assert arithmetic.parts_note(current, new) == note
