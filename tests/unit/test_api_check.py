"""The API check's arithmetic: which version a breakage calls for, and what covers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import api_check, config
from releasekit._exceptions import ConfigError
from releasekit.api_check import Breakage, Comparison
from releasekit.project import Project

REMOVED = Breakage("demo_lib.greet", "Public object was removed")


@pytest.mark.parametrize(
    ("released", "zero_major_part", "minimum"),
    [
        ("1.4.2", "minor", "2.0.0"),
        ("0.3.1", "minor", "0.4.0"),
        ("0.3.1", "major", "1.0.0"),
        ("2.0.0rc1", "minor", "2.0.0"),  # the series the pre-release began already is major
        ("1.5.1.dev0", "minor", "2.0.0"),
    ],
)
def test_a_breakage_calls_for_a_major_bump_or_the_zero_major_part(
    released: str, zero_major_part: str, minimum: str
) -> None:
    comparison = Comparison(f"v{released}", released, [REMOVED])
    assert comparison.minimum(zero_major_part) == minimum
    assert Comparison(f"v{released}", released, []).minimum(zero_major_part) is None


@pytest.mark.parametrize(
    ("new", "minimum", "covered"),
    [
        ("2.0.0", "2.0.0", True),
        ("2.0.0rc1", "2.0.0", True),  # a pre-release of the release that may break
        ("2.1", "2.0.0", True),
        ("1.9.9", "2.0.0", False),
        ("0.3.2", "0.4.0", False),
        ("0.4.0b1", "0.4.0", True),
    ],
)
def test_what_covers_the_minimum(new: str, minimum: str, covered: bool) -> None:
    assert api_check.covers(new, minimum) is covered


def test_a_breakage_shows_object_kind_and_old_to_new() -> None:
    assert str(REMOVED) == "demo_lib.greet: Public object was removed"
    changed = Breakage("demo_lib.greet(name)", "Parameter default was changed", "'a'", "'b'")
    assert str(changed) == "demo_lib.greet(name): Parameter default was changed: 'a' -> 'b'"
    assert changed.as_dict() == {
        "object": "demo_lib.greet(name)",
        "kind": "Parameter default was changed",
        "old": "'a'",
        "new": "'b'",
    }


def project(tmp_path: Path, table: str = "") -> Project:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "demo-lib"\n[tool.releasekit]\n{table}'
    )
    return Project(tmp_path)


def test_the_fix_names_the_types_that_map_to_major(tmp_path: Path) -> None:
    comparison = Comparison("v1.0.0", "1.0.0", [REMOVED])
    plain = project(tmp_path)
    assert api_check.problem(plain, comparison, "1.1.0", ["removal", "feature"]) is None
    assert api_check.problem(plain, comparison, "1.1.0", ["feature"]) == (
        "demo-lib 1.1.0 breaks the public API of v1.0.0 (demo_lib.greet: Public object was "
        "removed) and none of the fragments (feature) maps to a major bump: add a `removal` "
        "fragment, or make the object private (a leading underscore)"
    )
    (tmp_path / "custom").mkdir()
    custom = project(tmp_path / "custom", 'bump_map = { breaking = "major", feature = "minor" }\n')
    assert api_check.problem(custom, comparison, "1.1.0", ["breaking"]) is None
    assert "add a `breaking` fragment" in (
        api_check.problem(custom, comparison, "1.1.0", ["feature"]) or ""
    )
    # --part / --new-version: the version itself must be high enough.
    assert api_check.problem(plain, comparison, "2.0.0") is None
    assert "needs 2.0.0 or above (a major release)" in (
        api_check.problem(plain, comparison, "1.1.0") or ""
    )


def test_api_check_takes_one_of_three_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert project(tmp_path).settings.api_check == "error"
    assert project(tmp_path, 'api_check = "warn"\n').settings.api_check == "warn"
    with pytest.raises(ConfigError, match=r"api_check 'strict' in \[tool.releasekit\] of .*"):
        config.load(project(tmp_path, 'api_check = "strict"\n').root)
    project(tmp_path)
    monkeypatch.setenv("RELEASEKIT_API_CHECK", "none")
    with pytest.raises(ConfigError, match="api_check 'none' in RELEASEKIT_API_CHECK"):
        config.load(tmp_path)
    monkeypatch.setenv("RELEASEKIT_API_CHECK", "off")
    assert config.load(tmp_path).api_check == "off"
