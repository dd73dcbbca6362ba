"""``releasekit status`` over real repositories, side by side."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from releasekit import config, status
from releasekit._exceptions import VersionError
from releasekit.project import Project
from releasekit.versions import arithmetic
from releasekit.versions.bumpmyversion import next_in_process
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, bmv_next, commit_all, invoke, run


def releasekit(*args: str, cwd: Path, check: bool = True) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "releasekit", *args], cwd, check=check)
    return proc.returncode, proc.stdout, proc.stderr


def second_repo(stamped: Path) -> Path:
    """A copy of ``stamped``, released once as 0.1.0 and changed since."""
    other = stamped.parent.parent / "other"
    shutil.copytree(stamped, other)
    git(other, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    add_fragment(other, "removal", "Drop Python 3.9")
    (other / "changelog.d" / "12.bugfix.md").write_text("Fix a crash\n")
    commit_all(other, "A bugfix")
    return other


def test_status_json_over_two_repositories(stamped: Path, tmp_path: Path) -> None:
    other = second_repo(stamped)
    (other / ".releasekit").mkdir()
    (other / ".releasekit" / "state.json").write_text("{}")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[tool.releasekit]\ntag_fromat = 'x'\n")

    missing = tmp_path / "gone"  # one bad path in a fleet is a row of its own

    code, out, err = releasekit("status", "--json", str(stamped), str(other), str(broken),
                                str(missing), cwd=tmp_path, check=False)  # fmt: skip
    assert code == 1, err
    assert "Traceback" not in err
    first, second, third, fourth = json.loads(out)
    assert fourth["problems"] == [f"{missing} is not a directory: check the path"]
    assert first == {
        "path": str(stamped.resolve()),
        "name": "demo-lib",
        "version": "0.1.0",
        "last_tag": None,
        "last_tag_date": None,
        "commits_since_tag": 1,
        "fragments": [],
        "next_version": None,
        "in_progress": False,
        "published": None,
        "api_breakages": None,  # no release tag: no API to compare
        "problems": [],
    }
    assert second["last_tag"] == "v0.1.0"
    assert second["last_tag_date"].startswith(git(other, "log", "-1", "--format=%cs", "v0.1.0"))
    assert second["commits_since_tag"] == 2
    assert second["fragments"] == ["changelog.d/+test.removal.md", "changelog.d/12.bugfix.md"]
    assert second["next_version"] == "0.2.0"  # removal on 0.x: zero_major_part = minor
    assert second["in_progress"] is True
    assert second["api_breakages"] == []  # the package is as it was at v0.1.0
    assert second["problems"] == []
    assert third["name"] == "broken"
    assert third["version"] is None
    assert len(third["problems"]) == 1
    assert "unknown key 'tag_fromat'" in third["problems"][0]


def test_status_table_and_invoke(stamped: Path) -> None:
    add_fragment(stamped, "feature")
    code, out, _ = releasekit("status", cwd=stamped)
    assert code == 0
    assert "demo-lib" in out and "0.2.0" in out
    proc = invoke("status", "--json", cwd=stamped)
    (row,) = json.loads(proc.stdout)
    assert row["next_version"] == "0.2.0"
    assert row["fragments"] == ["changelog.d/+test.feature.md"]


@pytest.mark.parametrize("current", ["0.1.0", "1.4.2", "2.0.0rc1", "1.5.0b3"])
@pytest.mark.parametrize("part", ["major", "minor", "patch", "pre_l", "pre_n"])
def test_in_process_next_version_agrees_with_bump_my_version(
    stamped: Path, current: str, part: str
) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'current_version = "0.1.0"', f'current_version = "{current}"'))  # fmt: skip
    table = config.tool_table(stamped, "bumpversion")
    assert table is not None
    try:  # what its command line answers, checked as releasekit checks every version
        expected: str | Exception = arithmetic.check_next(current, bmv_next(stamped, part))
    except (AssertionError, VersionError) as exc:
        expected = exc
    if isinstance(expected, Exception):
        with pytest.raises(VersionError):
            next_in_process(table, current, part)
    else:
        assert next_in_process(table, current, part) == expected


def test_scm_repository(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'version_source = "bumpversion"', 'version_source = "scm"'))  # fmt: skip
    commit_all(stamped, "scm")
    row = status.examine(Project(stamped))
    assert row.version is None
    assert row.problems and "no release tag like v1.0.0" in row.problems[0]
    git(stamped, "tag", "-a", "v1.4.2", "-m", "1.4.2")
    add_fragment(stamped, "feature")
    row = status.examine(Project(stamped))
    assert (row.version, row.last_tag, row.next_version) == ("1.4.2", "v1.4.2", "1.5.0")
    assert row.problems == []


def test_a_compiled_package_is_sdist_only_until_the_wheels_arrive(
    tmp_path: Path, index: Index
) -> None:
    from releasekit import new

    repo = new.stamp(tmp_path, extra_context={"project_name": "Ext Lib", "kind": "extension"})
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start")
    git(repo, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    env = {"RELEASEKIT_REPOSITORY": index.url}

    def row() -> dict[str, object]:
        proc = run([sys.executable, "-m", "releasekit", "status", "--json"], repo, env=env)
        (found,) = json.loads(proc.stdout)
        return dict(found)

    assert row()["published"] == "not on the index"
    (index.packages / "ext_lib-0.1.0.tar.gz").write_bytes(b"the sdist the release uploaded")
    assert row()["published"] == "sdist only"
    wheel = "ext_lib-0.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    (index.packages / wheel).write_bytes(b"a wheel from CI")
    assert row()["published"] == "sdist and 1 wheel(s)"
    wide = {**env, "COLUMNS": "200"}
    table = run([sys.executable, "-m", "releasekit", "status"], repo, env=wide).stdout
    assert "v0.1.0: sdist and 1 wheel(s)" in table


def test_a_pure_package_asks_no_index(stamped: Path) -> None:
    git(stamped, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    proc = run([sys.executable, "-m", "releasekit", "status", "--json"], stamped,
               env={"RELEASEKIT_REPOSITORY": "http://127.0.0.1:9/"})  # fmt: skip
    (found,) = json.loads(proc.stdout)
    assert found["published"] is None  # a dead index, never asked
