"""A repository stamped from the template passes its own sessions and tasks."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.integration.conftest import invoke, nox, run, stamp

EXPECTED_FILES = [
    "noxfile.py",
    "tasks.py",
    "pyproject.toml",
    "changelog.d/.gitkeep",
    "src/demo_lib/__init__.py",
    "tests/test_demo_lib.py",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
]


def test_stamp_makes_the_documented_layout(tmp_path: Path) -> None:
    repo = stamp(tmp_path)
    assert repo.name == "demo-lib"
    for name in EXPECTED_FILES:
        assert (repo / name).is_file(), name
    pyproject = (repo / "pyproject.toml").read_text()
    for table in ("[tool.releasekit]", "[tool.bumpversion]", "[tool.towncrier]"):
        assert table in pyproject
    assert "# /// script" in (repo / "noxfile.py").read_text()
    assert "{{" not in pyproject
    # cookiecutter's replay file must not land in the (test) home directory.
    assert not (Path.home() / ".cookiecutter_replay").exists()


def test_console_script_stamps_with_extra_context(tmp_path: Path) -> None:
    proc = run(
        [
            sys.executable,
            "-m",
            "releasekit",
            "new",
            "--no-input",
            "-o",
            str(tmp_path),
            "project_name=Other Thing",
        ],
        tmp_path,
    )
    assert Path(proc.stdout.strip()) == tmp_path / "other-thing"
    assert (tmp_path / "other-thing/src/other_thing/__init__.py").is_file()


def test_listing_shows_one_line_descriptions(stamped: Path) -> None:
    listing = nox("-l", cwd=stamped).stdout
    for name in ("tests", "style", "typecheck", "docs", "build", "changelog"):
        assert re.search(rf"^[*-] {name} -> \S", listing, re.M), name
    tasks = invoke("--list", cwd=stamped).stdout
    for name in ("bump", "fragment", "changelog", "version", "build", "check", "clean"):
        assert re.search(rf"^\s+{name}\s+\S", tasks, re.M), name


def test_stamped_repository_passes_its_own_sessions(stamped: Path) -> None:
    proc = nox("-s", "tests", "style", "typecheck", "docs", "build", cwd=stamped)
    summary = proc.stderr
    for name in ("tests", "style", "typecheck", "docs", "build"):
        assert f"* {name}: success" in summary, summary
    assert sorted(p.name for p in (stamped / "dist").iterdir()) == [
        "demo_lib-0.1.0-py3-none-any.whl",
        "demo_lib-0.1.0.tar.gz",
    ]
    assert (stamped / "docs/_build/html/index.html").is_file()


def test_releasekit_check_accepts_a_fresh_stamp(stamped: Path) -> None:
    proc = run([sys.executable, "-m", "releasekit", "check"], stamped)
    assert "configuration is valid" in proc.stdout


def test_invoke_bump_minor_moves_every_file(stamped: Path) -> None:
    proc = invoke("bump", "--part", "minor", cwd=stamped)
    assert "0.1.0 -> 0.2.0" in proc.stdout
    pyproject = (stamped / "pyproject.toml").read_text()
    assert 'version = "0.2.0"' in pyproject
    assert 'current_version = "0.2.0"' in pyproject
    assert '__version__ = "0.2.0"' in (stamped / "src/demo_lib/__init__.py").read_text()
    assert "0.1.0" not in pyproject
    tags = run(["git", "tag", "-l"], stamped).stdout.split()
    assert tags == ["v0.2.0"]


def test_invoke_bump_banana_is_refused_in_one_line(stamped: Path) -> None:
    before = (stamped / "pyproject.toml").read_text()
    proc = invoke("bump", "--part", "banana", cwd=stamped, check=False)
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert err.splitlines() == [
        "ERROR unknown version part 'banana' "
        "(valid parts: major, minor, patch, pre_l, pre_n, dev_l, dev_n)"
    ]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (stamped / "pyproject.toml").read_text() == before


def test_bad_releasekit_key_is_one_line_in_every_front_end(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("remote = ", "remot = "))
    cli = run([sys.executable, "-m", "releasekit", "check"], stamped, check=False)
    assert cli.returncode == 1
    assert "unknown key 'remot'" in cli.stderr and "did you mean 'remote'" in cli.stderr
    session = nox("-s", "changelog", cwd=stamped, check=False)
    assert session.returncode == 1
    assert "unknown key 'remot' in [tool.releasekit]" in session.stderr
    assert "Traceback" not in session.stderr


def test_missing_bumpversion_table_says_what_to_add(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[tool.bumpversion]")
    end = text.index("# towncrier owns")
    pyproject.write_text(text[:start] + text[end:])
    proc = invoke("version", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert "no [tool.bumpversion]" in proc.stderr
    assert "Traceback" not in proc.stderr
