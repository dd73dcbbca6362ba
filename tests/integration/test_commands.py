"""The front door: every verb checks its input first and answers in one line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_fragment,
    commit_all,
    invoke,
    nox,
    run,
    snapshot,
)


def releasekit(*args: str, cwd: Path, check: bool = True) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "releasekit", *args], cwd, check=check)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_typed_version_means_the_version(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    proc = invoke("release", "--dry-run", "--new-version", " v0.3.0 ", "--repository", index.url,
                  cwd=stamped)  # fmt: skip
    assert "taking --new-version ' v0.3.0 ' as 0.3.0" in proc.stderr
    assert "0.1.0 -> 0.3.0 (--new-version)" in proc.stdout
    assert "vv0.3.0" not in proc.stdout + proc.stderr


def test_a_version_the_configuration_cannot_write_is_refused_first(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    before = snapshot(stamped)
    proc = nox("-s", "release", "--", "--yes", "--new-version", "1.1", "--repository", index.url,
               cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "version 1.1 does not match [tool.bumpversion] parse" in proc.stderr
    assert "give every part (e.g. 1.1.0)" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert snapshot(stamped) == before
    assert index.files() == []


def test_a_toml_error_is_one_line_in_every_session(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.releasekit\n")
    for session in ("tests", "style", "docs", "build", "changelog", "release", "audit"):
        proc = nox("-s", session, cwd=stamped, check=False)
        assert proc.returncode == 1, session
        output = proc.stdout + proc.stderr
        assert "Traceback" not in output, session
        assert f"{pyproject} is not valid TOML" in output, session
        assert "(at line" in output, session


def test_a_typo_is_refused_before_a_slow_test_suite_finishes(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    """The index already has the version: refused while the 40 s tests still run, and they stop."""
    marker = tmp_path / "slow-test"
    (stamped / "tests/test_slow.py").write_text(
        "import os, pathlib, time\n\n\n"
        "def test_slow():\n"
        f"    marker = pathlib.Path({str(marker)!r})\n"
        "    marker.write_text(str(os.getpid()))\n"
        "    time.sleep(40)\n"
        "    marker.write_text('finished')\n"
    )
    commit_all(stamped, "A slow test")
    add_fragment(stamped)
    (index.packages / "demo_lib-0.2.0.tar.gz").write_bytes(b"someone else's 0.2.0")
    proc = nox("-s", "release", "--", "--yes", "--no-cache", "--repository", index.url,
               cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert f"demo-lib 0.2.0 is already on {index.url}" in proc.stderr
    text = marker.read_text() if marker.exists() else ""
    assert text != "finished"
    if text:  # the test had started: its process must be gone, not left running
        pid = int(text)
        try:
            os.kill(pid, 0)
            alive = Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except ProcessLookupError:
            alive = False
        assert not alive, "the check session was left running after the refusal"


def test_changelog_without_fragments_is_news_not_an_error(stamped: Path) -> None:
    proc = nox("-s", "changelog", cwd=stamped)
    assert "no changelog fragment in changelog.d/: nothing would be added" in proc.stderr
    task = invoke("changelog", "--draft", cwd=stamped)
    assert "nothing would be added" in task.stderr


def test_bump_says_what_it_did_and_that_nothing_left_the_machine(stamped: Path) -> None:
    dry = invoke("bump", "--part", "minor", "--dry-run", cwd=stamped)
    assert "would move 0.1.0 -> 0.2.0 in pyproject.toml, src/demo_lib/__init__.py" in dry.stdout
    assert "would tag v0.2.0 locally" in dry.stdout
    assert "nothing would be pushed or published" in dry.stdout
    assert git(stamped, "tag", "-l") == ""
    proc = invoke("bump", "--part", "minor", cwd=stamped)
    assert "moved 0.1.0 -> 0.2.0 in pyproject.toml, src/demo_lib/__init__.py" in proc.stdout
    assert "committed 'Release 0.2.0'" in proc.stdout
    assert "tagged v0.2.0" in proc.stdout
    assert "nothing was pushed or published" in proc.stdout
    assert git(stamped, "tag", "-l") == "v0.2.0"


def test_version_shows_every_part_and_the_fragments_choice(stamped: Path) -> None:
    add_fragment(stamped, "bugfix", "Fix it")
    proc = invoke("version", cwd=stamped)
    lines = proc.stdout.splitlines()
    assert lines[0] == "current: 0.1.0"
    assert "minor: 0.2.0" in lines and "patch: 0.1.1" in lines
    assert "fragments: 0.1.1 (patch, from 1 fragment(s): bugfix)" in lines
    assert "cannot" not in proc.stdout + proc.stderr  # parts that cannot move are left out


def test_new_refuses_unknown_keys_and_bad_names(tmp_path: Path) -> None:
    code, _, err = releasekit("new", "--no-input", "-o", str(tmp_path), "project_nmae=X",
                              cwd=tmp_path, check=False)  # fmt: skip
    assert code == 1
    assert "the template has no key 'project_nmae' (did you mean 'project_name'?)" in err
    code, _, err = releasekit("new", "--no-input", "-o", str(tmp_path), "project_name=1 Bad!",
                              cwd=tmp_path, check=False)  # fmt: skip
    assert code == 1
    assert "project_name '1 Bad!' gives no valid distribution and import name" in err
    assert list(tmp_path.iterdir()) == []
    code, out, _ = releasekit("new", "--help", cwd=tmp_path)
    assert code == 0
    assert "template keys (key=value) and their defaults:" in out
    assert "project_name" in out and "Demo Lib" in out


def test_check_names_a_check_the_noxfile_lacks_and_unknown_variables(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('"tests", "style", "build"', '"tests", "styel", "build"'))
    proc = run([sys.executable, "-m", "releasekit", "check"], stamped, check=False,
               env={"RELEASEKIT_REMOTTE": "x"})  # fmt: skip
    assert proc.returncode == 1
    assert "checks names 'styel', which the noxfile does not have" in proc.stderr
    assert "RELEASEKIT_REMOTTE is set but names no [tool.releasekit] key" in proc.stderr


def test_bump_cuts_a_pre_release(stamped: Path) -> None:
    dry = invoke("bump", "--part", "minor", "--pre", "rc", "--dry-run", cwd=stamped)
    assert "would move 0.1.0 -> 0.2.0rc1" in dry.stdout
    proc = invoke("bump", "--pre", "b", "--part", "minor", cwd=stamped)
    assert "moved 0.1.0 -> 0.2.0b1" in proc.stdout
    again = invoke("bump", "--pre", "a", cwd=stamped, check=False)
    assert again.returncode == 1
    assert "--pre a after 0.2.0b1 goes back" in again.stderr


def test_fragment_takes_its_type_and_text_as_positional_arguments(stamped: Path) -> None:
    proc = invoke("fragment", "feature", "Greet anyone", "--issue", "7", cwd=stamped)
    assert "created changelog.d/7.feature.md" in proc.stdout
    assert (stamped / "changelog.d/7.feature.md").read_text().strip() == "Greet anyone"
    missing = invoke("fragment", "feature", cwd=stamped, check=False)
    assert missing.returncode != 0
    assert "did not receive required positional arguments: 'text'" in missing.stderr
