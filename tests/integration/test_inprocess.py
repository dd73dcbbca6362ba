"""bump-my-version, towncrier and twine in-process: their work, and failures in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import dists, inprocess
from releasekit._exceptions import ChangelogError, DistError, VersionError
from releasekit.project import Project
from releasekit.versions.bumpmyversion import BumpMyVersionFiles
from tests.conftest import git
from tests.integration.conftest import add_fragment, bmv_next, commit_all


def test_bump_commits_and_tags_through_the_api(stamped: Path) -> None:
    path = stamped / "pyproject.toml"
    inprocess.bump(stamped, path, "0.2.0", commit=True, tag=True)
    assert 'version = "0.2.0"' in path.read_text()
    assert '__version__ = "0.2.0"' in (stamped / "src/demo_lib/__init__.py").read_text()
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert git(stamped, "log", "-1", "--format=%s") == "Release 0.2.0"
    assert git(stamped, "status", "--porcelain") == ""


def test_a_bump_that_fails_is_one_line_and_leaves_no_commit(stamped: Path) -> None:
    init = stamped / "src/demo_lib/__init__.py"
    init.write_text('__version__ = "9.9.9"\n')  # not the current version: nothing to replace
    commit_all(stamped, "A version out of step")
    head = git(stamped, "rev-parse", "HEAD")
    with pytest.raises(VersionError) as caught:
        inprocess.bump(stamped, stamped / "pyproject.toml", "0.2.0", commit=True, tag=True)
    assert str(caught.value).startswith("bump-my-version could not move the version to 0.2.0")
    assert "\n" not in str(caught.value)
    assert git(stamped, "rev-parse", "HEAD") == head
    assert git(stamped, "tag", "-l") == ""


def test_the_plan_matches_the_command_line(stamped: Path) -> None:
    source = BumpMyVersionFiles(Project(stamped))
    bump, new = source.config(), source.next("minor")
    assert (bump.current_version, new, bump.tag_for(new)) == ("0.1.0", "0.2.0", "v0.2.0")
    assert new == bmv_next(stamped, "minor")
    with pytest.raises(VersionError, match="unknown version part 'huge'"):
        source.next("huge")


def test_towncrier_builds_stages_and_removes_in_process(stamped: Path) -> None:
    add_fragment(stamped, text="Greet in process")
    inprocess.towncrier_build(stamped, "0.2.0")
    assert "Greet in process" in (stamped / "CHANGELOG.md").read_text()
    assert not (stamped / "changelog.d/+test.feature.md").exists()
    staged = git(stamped, "diff", "--cached", "--name-only").splitlines()
    assert set(staged) == {"CHANGELOG.md", "changelog.d/+test.feature.md"}


def test_a_towncrier_failure_is_one_line(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.towncrier]", '[tool.towncrier]\ntemplate = "gone.j2"')
    )
    commit_all(stamped, "A template that is not there")
    add_fragment(stamped)
    with pytest.raises(ChangelogError) as caught:
        inprocess.towncrier_build(stamped, "0.2.0")
    assert str(caught.value).startswith("towncrier build failed")
    assert "\n" not in str(caught.value)


def test_twine_check_in_process_passes_and_fails(stamped: Path, tmp_path: Path) -> None:
    dists.build(stamped, tmp_path / "good")
    inprocess.twine_check(sorted((tmp_path / "good").iterdir()))
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('readme = "README.md"\n', ""))
    dists.build(stamped, tmp_path / "bad")
    with pytest.raises(DistError) as caught:
        inprocess.twine_check(sorted((tmp_path / "bad").iterdir()))
    assert str(caught.value) == "twine check --strict found problems in the distributions"
    assert "long_description" in caught.value.details


def test_towncrier_keeps_the_fragments_when_asked(stamped: Path) -> None:
    add_fragment(stamped, text="Kept for the final release")
    inprocess.towncrier_build(stamped, "0.2.0a1", keep=True)
    assert "Kept for the final release" in (stamped / "CHANGELOG.md").read_text()
    assert (stamped / "changelog.d/+test.feature.md").is_file()


def test_bump_takes_a_commit_message(stamped: Path) -> None:
    inprocess.bump(
        stamped,
        stamped / "pyproject.toml",
        "0.2.0",
        commit=True,
        tag=True,
        message="Ship {new_version}",
    )
    assert git(stamped, "log", "-1", "--format=%s") == "Ship 0.2.0"


def test_check_wheel_contents_in_process_reports_as_its_command_line(
    stamped: Path, tmp_path: Path
) -> None:
    """Its verdict, its report and the project's configuration, as ``check-wheel-contents``."""
    import subprocess
    import sys

    (stamped / "src/demo_lib/plug-in.py").write_text("")  # W004: not an importable path
    dists.build(stamped, tmp_path / "bad")
    wheel = next((tmp_path / "bad").glob("*.whl")).resolve()
    with pytest.raises(DistError) as caught:
        dists.wheel_contents_check(wheel, stamped)
    assert str(caught.value) == f"check-wheel-contents found problems in {wheel.name}"
    cli = subprocess.run([sys.executable, "-m", "check_wheel_contents", str(wheel)],
                         cwd=stamped, capture_output=True, text=True, check=False)  # fmt: skip
    assert cli.returncode == 1
    assert "W004" in caught.value.details
    assert caught.value.details == cli.stdout.strip()
    # The project's own configuration, found from its directory, not from here.
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.check-wheel-contents]\nignore = ["W004"]\n'
    )
    dists.wheel_contents_check(wheel, stamped)
    (stamped / "tox.ini").write_text("[tox]\n")  # the first directory with a file of its decides
    dists.wheel_contents_check(wheel, stamped / "src")
    with pytest.raises(DistError):
        dists.wheel_contents_check(wheel, tmp_path)


def test_the_installed_version_is_what_importlib_metadata_says(
    stamped: Path, tmp_path: Path
) -> None:
    """Read from the fresh environment's files: the answer its interpreter would give."""
    from releasekit import _venv

    dists.build(stamped, tmp_path / "dist")
    wheel = next((tmp_path / "dist").glob("*.whl"))
    with _venv.fresh() as python:
        assert _venv.installed_version(python, "demo-lib") is None
        _venv.install(python, [str(wheel)])
        code = "import importlib.metadata as m; print(m.version('demo-lib'))"
        assert _venv.python_c(python, code) == "0.1.0"
        for name in ("demo-lib", "Demo_Lib", "demo.lib"):
            assert _venv.installed_version(python, name) == "0.1.0"
        assert _venv.installed_version(python, "demo") is None


@pytest.mark.parametrize("signal_name", ["", "SIGTERM"])
def test_an_interrupt_inside_towncrier_stays_an_interrupt(
    stamped: Path, monkeypatch: pytest.MonkeyPatch, signal_name: str
) -> None:
    """click turns Ctrl-C into its Abort (exit 1): the release must see the interrupt (130)."""
    from towncrier.build import _main

    from releasekit.release.interrupts import SIGNALS

    add_fragment(stamped)

    def interrupted(*args: object, **kwargs: object) -> None:
        if signal_name:  # what the release's handler raises for SIGTERM
            SIGNALS.handler(15, None)
        raise KeyboardInterrupt

    monkeypatch.setattr(_main, "callback", interrupted)
    with pytest.raises(KeyboardInterrupt) as caught:
        inprocess.towncrier_build(stamped, "0.2.0")
    assert str(caught.value) == signal_name
    SIGNALS.received.clear()
