"""Pre-releases and development versions: arithmetic, and what bump-my-version can write."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit._exceptions import VersionError
from releasekit.versions import arithmetic, bumpmyversion

TEMPLATE_TABLE = {
    "current_version": "1.4.2",
    "parse": r"""(?x)
    (?P<major>0|[1-9]\d*)\.
    (?P<minor>0|[1-9]\d*)\.
    (?P<patch>0|[1-9]\d*)
    (?:(?P<pre_l>a|b|rc)(?P<pre_n>0|[1-9]\d*))?
""",
    "serialize": ["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}.{patch}"],
    "parts": {
        "pre_l": {"values": ["a", "b", "rc", "final"], "optional_value": "final",
                  "first_value": "final"},
        "pre_n": {"first_value": "1"},
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("current", "part", "label", "new"),
    [
        ("1.4.2", "minor", "rc", "1.5.0rc1"),
        ("1.4.2", "patch", "a", "1.4.3a1"),
        ("1.4.2", "major", "b", "2.0.0b1"),
        ("1.5.0rc1", None, "rc", "1.5.0rc2"),
        ("1.5.0rc1", "minor", "rc", "1.5.0rc2"),  # a new feature fragment: same series
        ("1.5.0rc1", "patch", "rc", "1.5.0rc2"),
        ("1.5.0a3", None, "b", "1.5.0b1"),
        ("1.5.0b2", "minor", "rc", "1.5.0rc1"),
        ("1.5.0rc2", "major", "a", "2.0.0a1"),  # a removal fragment: a new series
        ("2.0.0rc1", "major", "rc", "2.0.0rc2"),
        ("1.4.3rc1", "minor", "rc", "1.5.0rc1"),
        ("1.5rc1", None, "rc", "1.5rc2"),
    ],
)
def test_next_pre(current: str, part: str | None, label: str, new: str) -> None:
    assert arithmetic.next_pre(current, part, label) == new


def test_going_back_is_refused() -> None:
    with pytest.raises(VersionError, match=r"^--pre b after 1.5.0rc1 goes back"):
        arithmetic.next_pre("1.5.0rc1", None, "b")


def test_a_first_pre_release_needs_a_part() -> None:
    with pytest.raises(VersionError, match="needs a version part: add a changelog fragment"):
        arithmetic.next_pre("1.4.2", None, "rc")


def test_unknown_label() -> None:
    with pytest.raises(VersionError, match="unknown pre-release label 'c'"):
        arithmetic.next_pre("1.4.2", "minor", "c")


@pytest.mark.parametrize(
    ("current", "part", "new"),
    [
        ("1.5.0rc2", None, "1.5.0"),
        ("1.5.0rc2", "minor", "1.5.0"),
        ("1.5.0rc2", "patch", "1.5.0"),
        ("1.5.0rc2", "major", "2.0.0"),
        ("2.0.0b1", "major", "2.0.0"),
        ("0.2.0a1", None, "0.2.0"),
    ],
)
def test_finalize(current: str, part: str | None, new: str) -> None:
    assert arithmetic.finalize(current, part) == new


@pytest.mark.parametrize(
    ("current", "part", "new"),
    [("1.4.2", "minor", "1.5.0"), ("1.4.2", "major", "2.0.0"), ("1.5.0rc1", "minor", "1.5.0")],
)
def test_release_bump(current: str, part: str, new: str) -> None:
    assert arithmetic.release_bump(current, part) == new


def test_the_template_table_represents_pre_releases() -> None:
    for new in ("1.5.0rc1", "1.5.0a12", "1.5.0"):
        bumpmyversion.check_representable(TEMPLATE_TABLE, "1.4.2", new)


def test_a_table_without_pre_parts_is_refused() -> None:
    table = {"current_version": "1.4.2"}  # bump-my-version's default parse: X.Y.Z only
    with pytest.raises(VersionError, match=r"cannot represent 1.5.0rc1 .* add the pre_l and pre_n"):
        bumpmyversion.check_representable(table, "1.4.2", "1.5.0rc1")


def test_in_process_bump_uses_the_configured_parts() -> None:
    assert bumpmyversion.next_in_process(TEMPLATE_TABLE, "1.4.2", "minor") == "1.5.0"
    assert bumpmyversion.next_in_process(TEMPLATE_TABLE, "1.5.0rc1", "pre_n") == "1.5.0rc2"
    with pytest.raises(VersionError, match="unknown version part 'micro'"):
        bumpmyversion.next_in_process(TEMPLATE_TABLE, "1.4.2", "micro")


@pytest.mark.parametrize(
    ("released", "dev"),
    [("1.5.0", "1.5.1.dev0"), ("0.2.0", "0.2.1.dev0"), ("2.0", "2.0.1.dev0"),
     ("1.5.0rc1", None), ("1.5.1.dev0", None)],
)  # fmt: skip
def test_dev_after(released: str, dev: str | None) -> None:
    assert arithmetic.dev_after(released) == dev


@pytest.mark.parametrize(
    ("current", "part", "new"),
    [("1.5.1.dev0", "patch", "1.5.1"), ("1.5.1.dev0", "minor", "1.6.0"),
     ("1.5.1.dev0", "major", "2.0.0")],
)  # fmt: skip
def test_a_release_from_a_development_version(current: str, part: str, new: str) -> None:
    assert arithmetic.finalize(current, part) == new
    assert arithmetic.next_pre(current, part, "rc") == f"{new}rc1"


@pytest.mark.parametrize(
    ("files", "found"),
    [
        ({"pyproject.toml": '[tool.bumpversion]\ncurrent_version = "1.0.0"\n'}, "pyproject.toml"),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, None),
        ({"pyproject.toml": "[tool.bumpversion\nbroken = \n"}, None),
        ({"pyproject.toml": "[tool]\nbumpversion = 1\n"}, None),
        ({"pyproject.toml": '[tool.bumpversion]\ncurrent_version = "1.0.0"\n',
          "setup.cfg": "[bumpversion]\ncurrent_version = 1.0.0\n"}, "setup.cfg"),
        ({"pyproject.toml": '[tool.bumpversion]\ncurrent_version = "1.0.0"\n',
          ".bumpversion.toml": '[tool.bumpversion]\ncurrent_version = "1.0.0"\n'},
         ".bumpversion.toml"),
        ({"setup.cfg": "[metadata]\nname = x\n",
          ".bumpversion.cfg": "[bumpversion]\ncurrent_version = 1.0.0\n"}, ".bumpversion.cfg"),
    ],
)  # fmt: skip
def test_config_file_is_the_one_bump_my_version_reads(
    tmp_path: Path, files: dict[str, str], found: str | None
) -> None:
    """The file chosen (parsed with tomllib) is the one bump-my-version's own test picks."""
    from bumpversion.config.files import CONFIG_FILE_SEARCH_ORDER, _has_bumpversion_config

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    theirs = next((tmp_path / n for n in CONFIG_FILE_SEARCH_ORDER
                   if (tmp_path / n).is_file() and _has_bumpversion_config(tmp_path / n)),
                  None)  # fmt: skip
    expected = tmp_path / found if found else None
    assert theirs == expected
    assert bumpmyversion.config_file(tmp_path) == expected
