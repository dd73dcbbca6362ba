"""The API check: the public API at the last release tag against the release, through griffe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from releasekit import api_check
from releasekit.project import Project
from releasekit.versions import bumpmyversion
from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_fragment,
    commit_all,
    invoke,
    run,
    snapshot,
)
from tests.integration.test_train import fragment, make_workspace

GREET = '''

def greet(name: str = "world") -> str:
    """Return a greeting for ``name``."""
    return f"Hello, {name}!"
'''


def package(repo: Path) -> Path:
    return repo / "src/demo_lib/__init__.py"


def released(repo: Path, at: str = "0.1.0") -> Path:
    """The stamped project as released at ``at``: its tag (and version files) in place."""
    if at == "0.1.0":
        git(repo, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    else:  # bump-my-version moves the files, commits and tags, as the template says
        bumpmyversion.bump(repo, at)
    git(repo, "push", "-q", "--follow-tags", "origin", "main")
    return repo


def edit(repo: Path, old: str, new: str, message: str = "Change the API") -> None:
    path = package(repo)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    commit_all(repo, message)


def remove_greet(repo: Path) -> None:
    """The template's one public function, gone (from the module and its ``__all__``)."""
    edit(repo, GREET, "\n")
    edit(repo, '__all__ = ["__version__", "greet"]', '__all__ = ["__version__"]')


def release(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = invoke("release", "--yes", "--no-checks", *args, cwd=repo, check=False, env=env)
    return proc.returncode, proc.stdout + proc.stderr


def error_line(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, output
    return errors[0]


@pytest.mark.parametrize(("at", "fragment"), [("0.1.0", "feature"), ("1.0.0", "feature")])
def test_a_removed_public_function_without_a_removal_fragment_is_refused_by_name(
    stamped: Path, index: Index, at: str, fragment: str
) -> None:
    released(stamped, at)
    remove_greet(stamped)
    add_fragment(stamped, fragment, "Say hello differently")
    before, remote = snapshot(stamped), git(stamped, "ls-remote", "origin")
    code, output = release(stamped, "--repository", index.url, env=index.twine_env())
    assert code == 1, output
    assert error_line(output).startswith(
        f"ERROR demo-lib {'0.2.0' if at == '0.1.0' else '1.1.0'} breaks the public API of "
        f"v{at} (demo_lib.greet: Public object was removed) and none of the fragments "
        "(feature) maps to a major bump: add a `removal` fragment, or make the object private"
    )
    assert snapshot(stamped) == before
    assert git(stamped, "ls-remote", "origin") == remote
    assert index.files() == []
    # griffe read archives of the two trees: no worktree or branch of its own was made.
    assert git(stamped, "worktree", "list").count("\n") == 0
    assert git(stamped, "branch", "--list") == "* main"


@pytest.mark.parametrize(("at", "expected"), [("0.1.0", "0.2.0"), ("1.0.0", "2.0.0")])
def test_with_a_removal_fragment_it_releases(
    stamped: Path, index: Index, at: str, expected: str
) -> None:
    released(stamped, at)
    remove_greet(stamped)
    add_fragment(stamped, "removal", "greet() is gone")
    code, output = release(stamped, "--repository", index.url, env=index.twine_env())
    assert code == 0, output
    assert f"demo-lib: 1 breaking change(s) since v{at}, released as {expected}" in output
    assert index.files() == [
        f"demo_lib-{expected}-py3-none-any.whl",
        f"demo_lib-{expected}.tar.gz",
    ]
    assert git(stamped, "ls-remote", "origin", f"refs/tags/v{expected}") != ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A parameter made required.
        (('def greet(name: str = "world")', "def greet(name: str)"),
         ["demo_lib.greet(name): Parameter is now required"]),
        # A required parameter added.
        (('def greet(name: str = "world")', 'def greet(greeting: str, name: str = "world")'),
         ["demo_lib.greet(name): Positional parameter was moved",
          "demo_lib.greet(greeting): Parameter was added as required"]),
        # A default changed.
        (('name: str = "world"', 'name: str = "you"'),
         ["demo_lib.greet(name): Parameter default was changed: 'world' -> 'you'"]),
        # A parameter made keyword-only is no breakage of a call by keyword, but of one by position.
        (("def greet(name", "def greet(*, name"),
         ["demo_lib.greet(name): Parameter kind was changed: "
          "positional or keyword -> keyword-only"]),
        # A new optional parameter and a new function break nothing.
        (('def greet(name: str = "world")', 'def greet(name: str = "world", loud: bool = False)'),
         []),
    ],
)  # fmt: skip
def test_what_griffe_calls_a_breakage(
    stamped: Path, change: tuple[str, str], expected: list[str]
) -> None:
    released(stamped)
    edit(stamped, *change)
    comparison = api_check.compare(Project(stamped), rev="HEAD")
    assert comparison is not None
    assert comparison.tag == "v0.1.0"
    assert [str(b) for b in comparison.breakages] == expected


def test_a_private_name_or_one_left_out_of_all_removed_is_not_a_breakage(stamped: Path) -> None:
    edit(stamped, GREET, GREET + "\n\ndef _helper() -> int:\n    return 1\n\n\n"
         "def internal() -> int:\n    return 2\n")  # fmt: skip
    released(stamped)
    edit(stamped, "\n\ndef _helper() -> int:\n    return 1\n", "")
    edit(stamped, "\n\ndef internal() -> int:\n    return 2\n", "")
    comparison = api_check.compare(Project(stamped), rev="HEAD")
    assert comparison is not None
    assert comparison.breakages == []
    # The same check sees a public name go: the two above were left alone, not missed.
    remove_greet(stamped)
    comparison = api_check.compare(Project(stamped), rev="HEAD")
    assert comparison is not None
    assert [b.object for b in comparison.breakages] == ["demo_lib.greet"]


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (("--part", "patch"), "0.1.1"),
        (("--new-version", "0.1.5"), "0.1.5"),
        (("--part", "minor"), None),
        (("--new-version", "1.0.0rc1"), None),
    ],
)
def test_a_part_or_version_below_what_the_api_calls_for_is_refused(
    stamped: Path, args: tuple[str, ...], refused: str | None
) -> None:
    released(stamped)
    remove_greet(stamped)
    add_fragment(stamped, "removal", "greet() is gone")
    before = snapshot(stamped)
    code, output = release(stamped, "--dry-run", "--no-push", "--no-publish", *args)
    assert snapshot(stamped) == before
    if refused is None:
        assert code == 0, output
        return
    assert code == 1, output
    assert error_line(output) == (
        f"ERROR demo-lib {refused} breaks the public API of v0.1.0 (demo_lib.greet: Public "
        "object was removed) and a breaking change needs 0.2.0 or above (a minor release): "
        "add a `removal` fragment, or make the object private (a leading underscore)"
    )


def test_every_breakage_is_listed_and_warn_releases_all_the_same(stamped: Path) -> None:
    released(stamped)
    edit(stamped, GREET, "\n\ndef greet(name: str, *, loud: bool) -> str:\n    return name\n")
    add_fragment(stamped, "bugfix", "Greet as asked")
    code, output = release(stamped, "--dry-run", "--no-push", "--no-publish")
    assert code == 1
    assert "WARNING demo-lib: demo_lib.greet(name): Parameter is now required" in output
    assert "WARNING demo-lib: demo_lib.greet(loud): Parameter was added as required" in output
    assert "and 1 more) and none of the fragments (bugfix)" in error_line(output)

    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('api_check = "error"', 'api_check = "warn"'))
    commit_all(stamped, "Only warn")
    code, output = release(stamped, "--dry-run", "--no-push", "--no-publish")
    assert code == 0, output
    assert '(api_check = "warn": releasing all the same)' in output
    assert "version:   0.1.0 -> 0.1.1 (patch, from the fragments: bugfix)" in output

    code, output = release(stamped, "--dry-run", "--no-push", "--no-publish",
                           env={"RELEASEKIT_API_CHECK": "off"})  # fmt: skip
    assert code == 0, output
    assert "public API" not in output and "demo_lib.greet" not in output


def test_before_the_first_release_tag_there_is_nothing_to_compare(stamped: Path) -> None:
    add_fragment(stamped)
    code, output = release(stamped, "--dry-run", "--no-push", "--no-publish")
    assert code == 0, output
    assert output.count("no earlier release tag with the package: no API to compare") == 1


def test_the_pull_request_check_lists_the_breakage(stamped: Path) -> None:
    released(stamped)
    git(stamped, "checkout", "-q", "-b", "topic")
    remove_greet(stamped)
    add_fragment(stamped, "feature", "Say hello differently")
    check = [sys.executable, "-m", "releasekit", "check", "--fragment"]
    proc = run(check, stamped, check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "ERROR demo-lib 0.2.0 breaks the public API of v0.1.0 (demo_lib.greet: Public object "
        "was removed) and none of the fragments (feature) maps to a major bump: add a "
        "`removal` fragment, or make the object private (a leading underscore)",
        "demo_lib.greet: Public object was removed",
    ]
    git(stamped, "mv", "changelog.d/+test.feature.md", "changelog.d/+test.removal.md")
    commit_all(stamped, "It is a removal")
    proc = run(check, stamped)
    assert proc.stdout.splitlines()[:4] == [
        "changelog fragments since origin/main: changelog.d/+test.removal.md",
        "next version: 0.2.0",
        "public API since v0.1.0: 1 breaking change(s), calling for 0.2.0 or above",
        "  demo_lib.greet: Public object was removed",
    ]
    assert git(stamped, "status", "--porcelain") == ""
    # With api_check = "warn", what the release would refuse passes with a warning.
    git(stamped, "mv", "changelog.d/+test.removal.md", "changelog.d/+test.feature.md")
    commit_all(stamped, "A feature after all")
    proc = run(check, stamped, env={"RELEASEKIT_API_CHECK": "warn"})
    assert proc.stdout.splitlines()[3:5] == [
        "  demo_lib.greet: Public object was removed",
        'warning (api_check = "warn"): demo-lib 0.2.0 breaks the public API of v0.1.0 '
        "(demo_lib.greet: Public object was removed) and none of the fragments (feature) maps "
        "to a major bump: add a `removal` fragment, or make the object private (a leading "
        "underscore)",
    ]


def test_status_counts_the_breakages_and_json_lists_them(stamped: Path, tmp_path: Path) -> None:
    untagged = tmp_path / "untagged"
    git(tmp_path, "clone", "-q", str(stamped), str(untagged))
    released(stamped)
    remove_greet(stamped)
    proc = run([sys.executable, "-m", "releasekit", "status", "--json", str(stamped),
                str(untagged)], tmp_path)  # fmt: skip
    rows = json.loads(proc.stdout)
    assert rows[0]["api_breakages"] == [
        {"object": "demo_lib.greet", "kind": "Public object was removed", "old": "", "new": ""}
    ]
    assert rows[1]["api_breakages"] is None  # no release tag: nothing to compare
    table = run([sys.executable, "-m", "releasekit", "status", str(stamped)], tmp_path,
                env={"COLUMNS": "200"}).stdout  # fmt: skip
    assert "1 API break(s) since v0.1.0" in table


def test_the_train_refuses_a_member_whose_api_broke_and_changes_nothing(
    tmp_path: Path, index: Index
) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    git(root, "tag", "-a", "a-v0.1.0", "-m", "Release a 0.1.0")
    init = root / "packages/a/src/a/__init__.py"
    init.write_text(init.read_text().replace('name: str = "world"', "name: str"))
    fragment(root, "a", "feature", "Greet whom you name")
    before, remote = snapshot(root), git(root, "ls-remote", "origin")
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=root,
                  check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert error_line(proc.stdout + proc.stderr) == (
        "ERROR a 0.2.0 breaks the public API of a-v0.1.0 (a.greet(name): Parameter is now "
        "required) and none of the fragments (feature) maps to a major bump: add a `removal` "
        "fragment, or make the object private (a leading underscore)"
    )
    assert snapshot(root) == before and git(root, "ls-remote", "origin") == remote
    assert index.files() == []


def test_two_trees_compared_once_are_answered_from_the_cache(
    stamped: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(isolated_home / "cache"))
    released(stamped)
    remove_greet(stamped)
    project = Project(stamped)
    first = api_check.compare(project, rev="HEAD")
    assert first is not None and [b.object for b in first.breakages] == ["demo_lib.greet"]
    (entry,) = (isolated_home / "cache/releasekit/api").iterdir()
    # An answer that griffe could not give shows that the cache answered.
    entry.write_text(json.dumps([{"object": "demo_lib.cached", "kind": "k", "old": "", "new": ""}]))
    again = api_check.compare(project, rev="HEAD")
    assert again is not None and [b.object for b in again.breakages] == ["demo_lib.cached"]
    entry.write_text("not json")  # a damaged entry is a miss, and is written anew
    again = api_check.compare(project, rev="HEAD")
    assert again is not None and [b.object for b in again.breakages] == ["demo_lib.greet"]
    assert json.loads(entry.read_text())[0]["object"] == "demo_lib.greet"


def test_the_package_is_read_where_the_build_finds_it(stamped: Path) -> None:
    """A stray NAME.py at the root is not the package; a dotted name is a path of directories."""
    (stamped / "demo_lib.py").write_text('"""A stray script, not the package."""\n')
    commit_all(stamped, "A script named like the package")
    released(stamped)
    original = package(stamped).read_text()
    remove_greet(stamped)
    comparison = api_check.compare(Project(stamped), rev="HEAD")
    assert comparison is not None
    assert [b.object for b in comparison.breakages] == ["demo_lib.greet"]

    (stamped / "src/acme").mkdir()
    git(stamped, "mv", "src/demo_lib", "src/acme/demo")
    inside = stamped / "src/acme/demo/__init__.py"
    inside.write_text(original)  # greet is back, in the acme namespace
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    assert 'package = ""' in text
    pyproject.write_text(text.replace('package = ""', 'package = "acme.demo"', 1))
    commit_all(stamped, "Into the acme namespace")
    git(stamped, "tag", "-a", "v0.2.0", "-m", "Release 0.2.0")
    inside.write_text(original.replace(GREET, "\n"))
    commit_all(stamped, "greet is gone from the namespace package")
    comparison = api_check.compare(Project(stamped), rev="HEAD")
    assert comparison is not None and comparison.tag == "v0.2.0"
    assert [b.object for b in comparison.breakages] == ["acme.demo.greet"]


def test_the_work_trees_api_is_read_without_storing_other_untracked_files(stamped: Path) -> None:
    released(stamped)
    remove_greet(stamped)
    data = stamped / "data.bin"
    data.write_bytes(os.urandom(1 << 20))  # untracked, beside the package
    blob = git(stamped, "hash-object", str(data))  # its id, not written
    comparison = api_check.compare(Project(stamped))  # the work tree, as check --fragment asks
    assert comparison is not None
    assert [b.object for b in comparison.breakages] == ["demo_lib.greet"]
    found = subprocess.run(["git", "cat-file", "-e", blob], cwd=stamped, check=False)
    assert found.returncode != 0, "the untracked file was stored in .git/objects"
