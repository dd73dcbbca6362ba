"""A two-part version scheme (3.20): the plan and ``invoke bump --dry-run`` say which part moves."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import Index, add_fragment, commit_all, invoke, snapshot

TWO_PART_PARSE = '''parse = """(?x)
    (?P<major>0|[1-9]\\\\d*)\\\\.
    (?P<minor>0|[1-9]\\\\d*)
    (?:\\\\.(?P<patch>0|[1-9]\\\\d*))?
    (?:(?P<pre_l>a|b|rc)(?P<pre_n>0|[1-9]\\\\d*))?
"""
serialize = ["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}{pre_l}{pre_n}",
             "{major}.{minor}.{patch}", "{major}.{minor}"]
commit = true'''


def two_parts(repo: Path) -> None:
    """The stamped project at 3.20, its bump-my-version table reading versions of two parts."""
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    start = text.index("parse = ")
    text = text[:start] + TWO_PART_PARSE + text[text.index("\ncommit = true") + 14 :]
    text = text.replace('version = "0.1.0"', 'version = "3.20"')
    pyproject.write_text(text.replace('current_version = "0.1.0"', 'current_version = "3.20"'))
    init = repo / "src" / "demo_lib" / "__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', '"3.20"'))
    commit_all(repo, "Two-part versions")


def test_the_plan_says_which_part_of_a_two_part_version_moves(stamped: Path, index: Index) -> None:
    two_parts(stamped)
    add_fragment(stamped, "feature", "Greet anyone by name")
    before = snapshot(stamped)
    plan = invoke("release", "--dry-run", "--repository", index.url, cwd=stamped).stdout
    assert (
        "3.20 -> 3.21 (minor, from the fragments: feature; the minor part moves: "
        "this project's versions have two parts)"
    ) in plan
    minor = invoke("bump", "--part", "minor", "--dry-run", cwd=stamped).stdout
    assert (
        "would move 3.20 -> 3.21 (the minor part moves: this project's versions have two parts)"
    ) in minor
    patch = invoke("bump", "--part", "patch", "--dry-run", cwd=stamped).stdout
    assert "would move 3.20 -> 3.20.1 (the patch part moves: this project's versions have " in patch
    assert "two parts, this one three)" in patch
    assert snapshot(stamped) == before
    assert index.files() == []
