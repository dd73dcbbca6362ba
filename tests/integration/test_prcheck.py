"""``releasekit check --fragment``: the pull-request check, on real branches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from releasekit import prcheck
from tests.conftest import git
from tests.integration.conftest import commit_all, run


def check(repo: Path, *args: str) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "releasekit", "check", "--fragment", *args], repo,
               check=False)  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def topic(stamped: Path) -> Path:
    git(stamped, "checkout", "-q", "-b", "topic")
    init = stamped / "src/demo_lib/__init__.py"
    init.write_text(init.read_text() + "\n\ndef greet(name: str) -> str:\n    return name\n")
    commit_all(stamped, "Greet")
    return stamped


def test_a_change_to_the_package_without_a_fragment_fails(topic: Path) -> None:
    code, out, err = check(topic)  # default base: origin/main
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "ERROR the change since origin/main touches the package (src/demo_lib/__init__.py) "
        "but adds no changelog fragment: add one in changelog.d/ (invoke fragment TYPE TEXT, "
        "or towncrier create)"
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("12.feture.md", "unknown fragment type 'feture' (valid types: feature, bugfix, doc, "
                         "removal, misc)"),
        ("greeting.md", "malformed fragment name: name it +NAME.TYPE.md or ISSUE.TYPE.md, "
                        "TYPE one of feature, bugfix, doc, removal, misc"),
    ],
)  # fmt: skip
def test_a_bad_fragment_name_fails(topic: Path, name: str, problem: str) -> None:
    (topic / "changelog.d" / name).write_text("Greet anyone\n")
    commit_all(topic, "A fragment")
    code, _, err = check(topic)
    assert code == 1
    assert err.strip() == f"ERROR changelog.d/{name}: {problem}"


def test_a_fragment_passes_and_shows_the_next_version_and_notes(topic: Path) -> None:
    (topic / "changelog.d" / "+greet.feature.md").write_text("Greet anyone by name\n")
    commit_all(topic, "A fragment")
    code, out, err = check(topic, "--base", "main")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:3] == [
        "changelog fragments since main: changelog.d/+greet.feature.md",
        "next version: 0.2.0",
        "",
    ]
    assert lines[3].startswith("## 0.2.0 (")
    assert "- Greet anyone by name" in out
    assert git(topic, "status", "--porcelain") == ""  # a check changes nothing


def test_a_change_outside_the_package_needs_no_fragment(stamped: Path) -> None:
    git(stamped, "checkout", "-q", "-b", "docs")
    (stamped / "README.md").write_text("Better words\n")
    commit_all(stamped, "Docs")
    code, out, _ = check(stamped)
    assert code == 0
    assert "no changelog fragment needed" in out


def test_the_default_base_follows_the_remote_head(stamped: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(stamped.parent.parent / "remote.git"), str(clone))
    assert prcheck.default_base(clone) == "origin/main"
    code, _, err = check(stamped, "--base", "nope")
    assert code == 1
    assert err.startswith("ERROR cannot compare with nope: no such ref")


def test_a_project_under_a_unicode_directory_is_checked_by_its_own_paths(tmp_path: Path) -> None:
    from tests.integration.test_rollback import monorepo

    project = monorepo(tmp_path, "wörk tree", "pâckages")
    top = project.parents[1]
    git(top, "checkout", "-q", "-b", "topic")
    init = project / "src/demo_lib/__init__.py"
    init.write_text(init.read_text() + "\nX = 1\n")
    commit_all(top, "A change to the package")
    head = git(top, "rev-parse", "HEAD")

    code, out, err = check(project, "--base", "main")

    assert code == 1, out
    assert err.splitlines() == [
        "ERROR the change since main touches the package (src/demo_lib/__init__.py) "
        "but adds no changelog fragment: add one in changelog.d/ (invoke fragment TYPE TEXT, "
        "or towncrier create)"
    ]
    (project / "changelog.d" / "+grüße an alle.feature.md").write_text("Grüße an alle\n")
    git(top, "add", "-A")  # staged, not committed: the check reads the index
    code, out, err = check(project, "--base", "main")
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "changelog fragments since main: changelog.d/+grüße an alle.feature.md",
        "next version: 0.2.0",
    ]
    assert "- Grüße an alle" in out
    # A check changes nothing: the same commit, the fragment staged and nothing else.
    assert git(top, "rev-parse", "HEAD") == head
    assert git(top, "-c", "core.quotePath=false", "status", "--porcelain") == (
        'A  "pâckages/demo-lib/changelog.d/+grüße an alle.feature.md"'
    )
