"""The engine's modules against the real tools, in a stamped repository."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from releasekit import changelog, dists, git
from releasekit._exceptions import ChangelogError, DistError, VersionError
from releasekit.project import Project
from releasekit.versions.bumpmyversion import BumpMyVersionFiles, bump, load
from tests.conftest import git as run_git


def test_version_reads_config_and_computes_without_changing(stamped: Path) -> None:
    source = BumpMyVersionFiles(Project(stamped))
    for bump_config in (load(stamped), source.config()):  # its command line, and in-process
        assert bump_config.current_version == "0.1.0"
        parts = sorted(
            bump_config.parts
        )  # its command line sorts them; its model keeps parse's order
        assert parts == ["dev_l", "dev_n", "major", "minor", "patch", "pre_l", "pre_n"]
        assert bump_config.files == ["pyproject.toml", "src/demo_lib/__init__.py"]
        assert bump_config.tag_for("0.2.0") == "v0.2.0"
    assert source.next("minor") == "0.2.0"
    assert source.next("major") == "1.0.0"
    assert git.status(stamped) == []


def test_invalid_versions_from_bumpversion_are_refused(stamped: Path) -> None:
    source = BumpMyVersionFiles(Project(stamped))
    with pytest.raises(VersionError, match="'0.1.0final2' is not a valid PEP 440"):
        source.next("pre_n")
    with pytest.raises(VersionError, match="cannot bump pre_l from 0.1.0: The part has already"):
        source.next("pre_l")


def test_bump_dry_run_changes_nothing_and_bump_moves_files(stamped: Path) -> None:
    head = git.head(stamped)
    bump(stamped, "0.2.0", dry_run=True)
    assert git.status(stamped) == [] and git.head(stamped) == head
    bump(stamped, "0.2.0", commit=False, tag=False)
    changed = sorted(line[3:] for line in git.status(stamped))
    assert changed == ["pyproject.toml", "src/demo_lib/__init__.py"]
    assert load(stamped).current_version == "0.2.0"


def test_fragments_create_draft_build(stamped: Path) -> None:
    created = changelog.create(stamped, "feature", "Add a greeting", issue="12")
    assert created == stamped / "changelog.d/12.feature.md"
    assert run_git(stamped, "ls-files", "--stage", "changelog.d/12.feature.md").startswith("100644")
    changelog.create(stamped, "bugfix", "Fix a typo")
    types = sorted(f.type for f in changelog.fragments(stamped))
    assert types == ["bugfix", "feature"]
    text = changelog.draft(stamped, "0.2.0")
    assert "## 0.2.0" in text and "Add a greeting" in text and "/issues/12" in text
    assert git.status(stamped) != []  # the draft left the fragments alone
    run_git(stamped, "add", "-A")
    changelog.build(stamped, "0.2.0")
    assert changelog.fragments(stamped) == []
    assert "Add a greeting" in (stamped / "CHANGELOG.md").read_text()


def test_unknown_fragment_type_names_the_valid_ones(stamped: Path) -> None:
    with pytest.raises(ChangelogError, match="unknown fragment type 'feat' .*feature"):
        changelog.create(stamped, "feat", "x")


def _digests(dist_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dist_dir.iterdir()}


def test_build_is_checked_and_reproducible(stamped: Path, tmp_path: Path) -> None:
    epoch = git.commit_timestamp(stamped)
    dists.build(stamped, tmp_path / "a", source_date_epoch=epoch)
    # releasekit's own state must not leak into what it builds.
    state = stamped / ".releasekit"
    state.mkdir()
    (state / ".gitignore").write_text("*\n")
    (state / "state.json").write_text("{}")
    dists.build(stamped, tmp_path / "b", source_date_epoch=epoch)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    built = dists.find(tmp_path / "a")
    dists.check(built)
    assert dists.wheel_metadata(built.wheel) == ("demo-lib", "0.1.0")


def test_build_failure_carries_the_backend_output(stamped: Path, tmp_path: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "demo-lib"', 'name = "demo lib!"'))
    with pytest.raises(DistError, match="building the sdist and wheel failed") as info:
        dists.build(stamped, tmp_path / "dist")
    assert "project.name" in info.value.details


def test_find_requires_one_sdist_and_one_wheel(tmp_path: Path) -> None:
    with pytest.raises(DistError, match="found nothing"):
        dists.find(tmp_path)
