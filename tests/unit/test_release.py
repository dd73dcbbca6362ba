"""The release's options, its journal and the question whether a version is on the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from releasekit import _options
from releasekit import release as engine
from releasekit.commands import ReleaseOptions


def test_version_on_index_compares_pep440_versions() -> None:
    files = {"demo_lib-0.2.0-py3-none-any.whl": "", "demo_lib-0.10.0.tar.gz": "", "junk": ""}
    assert engine.version_on_index(files, "0.2")
    assert engine.version_on_index(files, "0.10.0")
    assert not engine.version_on_index(files, "0.1.0")


def test_release_options_parse_like_the_invoke_task() -> None:
    options = _options.parse(
        ReleaseOptions,
        ["--part", "minor", "--dry-run", "--repository", "testpypi", "--no-push", "--yes"],
        prog="nox -s release --",
        description="",
    )
    assert options == ReleaseOptions(
        part="minor", dry_run=True, repository="testpypi", no_push=True, yes=True
    )


def test_state_round_trips_atomically(tmp_path: Path) -> None:
    package = engine.Package("demo-lib", ".", "0.2.0", "v0.2.0", "demo_lib",
                             files={"a.whl": "0" * 64})  # fmt: skip
    state = engine.State(
        packages=[package], tiers=[["demo-lib"]], commit="abc", branch="main",
        remote="origin", head_before="def", source_date_epoch=1, done=["publish"],
    )  # fmt: skip
    engine.save_state(tmp_path, state)
    assert (tmp_path / ".releasekit/.gitignore").read_text() == "*\n"
    assert engine.load_state(tmp_path) == state
    engine.clear_state(tmp_path)
    assert not (tmp_path / ".releasekit").exists()
    assert engine.load_state(tmp_path) is None


def test_unreadable_state_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".releasekit").mkdir()
    (tmp_path / ".releasekit/state.json").write_text("{not json")
    with pytest.raises(engine.ReleaseError, match="is not a release state"):
        engine.load_state(tmp_path)


@pytest.mark.parametrize(
    ("train", "what"), [(True, "a release train"), (False, "a release of a 0.2.0")]
)
def test_another_worktree_names_a_train_of_one_member_as_a_train(
    tmp_path: Path, train: bool, what: str
) -> None:
    from releasekit._exceptions import ReleaseError
    from releasekit.release.driver import unfinished_elsewhere
    from tests.conftest import git

    main, linked = tmp_path / "main", tmp_path / "linked"
    main.mkdir()
    git(main, "init", "-q", "-b", "main")
    git(main, "commit", "-q", "--allow-empty", "-m", "Start")
    git(main, "worktree", "add", "-q", str(linked))
    (linked / ".releasekit").mkdir()
    journal = {"packages": [{"name": "a", "version": "0.2.0"}], "phase": "public", "train": train}
    (linked / ".releasekit/state.json").write_text(json.dumps(journal))
    with pytest.raises(ReleaseError) as caught:
        unfinished_elsewhere(main)
    assert str(caught.value) == (
        f"{what} is unfinished in another worktree of this repository, {linked.resolve()}: "
        "finish it there with --resume; nothing was changed"
    )
