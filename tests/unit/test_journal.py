"""The one journal (a release of one package or a train of N) is read field by field.

Anything off is one line, and nothing is done.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from releasekit import release as engine
from releasekit._exceptions import ReleaseError
from releasekit.index import Target
from releasekit.release.journal import PUBLIC, WRITING, subject
from releasekit.release.steps import STEPS

PACKAGE = {
    "name": "a", "path": "packages/a", "version": "0.2.0", "tag": "a-v0.2.0",
    "import_name": "a", "files": {"a-0.2.0.tar.gz": "0" * 64}, "siblings": True,
    "published": False, "confirmed": False,
}  # fmt: skip
TARGET = {"upload_url": "http://127.0.0.1:1/", "simple_url": "http://127.0.0.1:1/simple/",
          "name": "", "source": "command line"}  # fmt: skip
JOURNAL = {
    "packages": [PACKAGE], "tiers": [["a"]], "branch": "main", "remote": "origin",
    "head_before": "1" * 40, "commit": "2" * 40, "phase": "public", "target": TARGET,
    "touched": {"packages/a/CHANGELOG.md": None, "uv.lock": "3" * 64}, "train": True,
}  # fmt: skip


def _load(tmp_path: Path, data: Any) -> engine.State | None:
    (tmp_path / ".releasekit").mkdir()
    (tmp_path / ".releasekit/state.json").write_text(json.dumps(data))
    return engine.load_state(tmp_path)


def test_a_journal_as_the_train_writes_it_round_trips(tmp_path: Path) -> None:
    state = _load(tmp_path, JOURNAL)
    assert state is not None and state.named("a").files == PACKAGE["files"]
    assert state.train and state.named("a").siblings  # a train of one is worded as a train
    assert subject(state) == "the train (a 0.2.0)"
    assert state.target == Target(TARGET["upload_url"], TARGET["simple_url"], "",
                                          "command line")  # fmt: skip
    engine.save_state(tmp_path, state)
    assert engine.load_state(tmp_path) == state
    assert json.loads((tmp_path / ".releasekit/state.json").read_text())["target"] == TARGET


@pytest.mark.parametrize(
    ("tag", "branch", "remote", "import_name"),
    [("v1.0", "main", "origin", "a"), ("a-v0.2.0", "release/1.x", "up-stream", "a.b_c"),
     ("a@b", "feature/ü", "origin2", "_a.b2"),
     ("v1", "main", "origin", "3d_tools")],  # not importable, but --abort must read it
)  # fmt: skip
def test_the_names_git_and_python_accept_are_read_back(
    tmp_path: Path, tag: str, branch: str, remote: str, import_name: str
) -> None:
    package = {**PACKAGE, "tag": tag, "import_name": import_name}
    state = _load(tmp_path, {**JOURNAL, "packages": [package], "branch": branch,
                             "remote": remote})  # fmt: skip
    assert state is not None and (state.branch, state.remote) == (branch, remote)
    assert (state.package.tag, state.package.import_name) == (tag, import_name)


def test_a_journal_with_nothing_uploaded_may_have_no_target(tmp_path: Path) -> None:
    state = _load(tmp_path, {**JOURNAL, "target": None, "upload": ""})
    assert state is not None and state.target is None


def test_a_single_release_journals_one_package_and_its_target_as_one_object(
    tmp_path: Path,
) -> None:
    package = engine.Package("demo-lib", ".", "0.2.0", "v0.2.0", "demo_lib")
    state = engine.State(packages=[package], tiers=[["demo-lib"]], branch="main",
                         remote="origin", head_before="1" * 40, done=["publish"],
                         touched={"../uv.lock": None})  # fmt: skip
    engine.save_state(tmp_path, state)
    data = json.loads((tmp_path / ".releasekit/state.json").read_text())
    assert data["target"] is None and data["packages"][0]["path"] == "."
    assert engine.load_state(tmp_path) == state


def test_the_journal_names_the_steps_as_the_steps_do() -> None:
    assert tuple(s.name for s in STEPS if s.public) == PUBLIC
    assert tuple(s.name for s in STEPS if s.writes) == WRITING


@pytest.mark.parametrize(
    ("edit", "package_edit", "problem"),
    [
        ({}, {"published": "no"}, "packages[0].'published' must be true or false"),
        ({}, {"files": {"a.whl": "00"}}, "packages[0].'files' must map file names to sha256"),
        ({}, {"files": {"../a.whl": "0" * 64}}, "packages[0].'files' must map file names"),
        ({}, {"files": ["a.whl"]}, "packages[0].'files' must be a map of file names to sha256"),
        ({}, {"path": "/etc"}, "packages[0].'path' must be a path inside the workspace"),
        ({}, {"name": "../a"}, "packages[0].'name' must be a normalized project name"),
        ({}, {"confirmed": True}, "packages[0] is 'confirmed' but not 'published'"),
        ({}, {"siblings": "yes"}, "packages[0].'siblings' must be true or false"),
        ({"train": 1}, {}, "'train' must be true or false"),
        ({}, {"colour": "red"}, "unknown field packages[0].'colour'"),
        ({"packages": [3]}, {}, "packages[0] is not a JSON object"),
        ({"packages": "a"}, {}, "'packages' must be a list of packages"),
        ({"packages": []}, {}, "'packages' must be a list of packages"),
        ({"tiers": [["a", "b"]]}, {}, "'tiers' must name every package exactly once"),
        ({"phase": "banana"}, {}, "'phase' must be one of local, public"),
        ({"done": "publish"}, {}, "'done' must be a list of steps among publish, push"),
        ({"done": ["build"]}, {}, "'done' must be a list of steps among publish, push"),
        ({"upload": "maybe"}, {}, "'upload' must be empty, 'started' or 'done'"),
        ({"writing": "build"}, {}, "'writing' must be empty or one of changelog, commit and tag"),
        ({"commit": 5}, {}, "'commit' must be a string"),
        ({"source_date_epoch": "yesterday"}, {}, "'source_date_epoch' must be an integer"),
        ({"target": "http://x/"}, {}, "'target' must be null or an object of upload_url"),
        ({"target": {**TARGET, "password": "x"}}, {}, "'target' must be null or an object"),
        ({"upload_url": "http://x/"}, {}, "unknown field 'upload_url'"),
        ({"touched": {"../x": None}}, {}, "'touched' must hold paths inside the workspace"),
        ({"touched": {"/etc/uv.lock": None}}, {}, "'touched' must hold paths inside"),
        # what git would take as an option, or refuse as a name
        ({}, {"tag": "--force"}, "packages[0].'tag' must be a valid git ref name (not '--force')"),
        ({}, {"tag": ""}, "packages[0].'tag' must be a valid git ref name"),
        ({}, {"tag": "a..b"}, "packages[0].'tag' must be a valid git ref name"),
        ({}, {"tag": "v1 0"}, "packages[0].'tag' must be a valid git ref name"),
        ({"branch": "--delete"}, {}, "'branch' must be a valid git ref name (not '--delete')"),
        ({"branch": "main.lock"}, {}, "'branch' must be a valid git ref name"),
        ({"remote": "/tmp"}, {}, "'remote' must be a valid git remote name (not '/tmp')"),
        ({"remote": "-v"}, {}, "'remote' must be a valid git remote name"),
        # it ends up in `python -c "import <import_name>"`
        (
            {},
            {"import_name": "os; import sys"},
            "packages[0].'import_name' must be a dotted Python",
        ),
        ({}, {"import_name": "a..b"}, "packages[0].'import_name' must be a dotted Python name"),
        ({}, {"import_name": ""}, "packages[0].'import_name' must be a dotted Python name"),
        # what was uploaded, and to where, would be unknown
        ({"target": None}, {"published": True}, "'target' is null, but an upload started"),
        ({"target": None, "upload": "started"}, {}, "'target' is null, but an upload started"),
    ],
)
def test_a_hand_edited_journal_is_one_line(
    tmp_path: Path, edit: dict[str, Any], package_edit: dict[str, Any], problem: str
) -> None:
    data = {**JOURNAL, "packages": [{**PACKAGE, **package_edit}], **edit}
    with pytest.raises(ReleaseError) as caught:
        _load(tmp_path, data)
    message = str(caught.value)
    assert f"is not a release state that this releasekit can read ({problem}" in message
    assert "\n" not in message
    assert json.loads((tmp_path / ".releasekit/state.json").read_text()) == data  # untouched


def test_a_journal_that_is_a_directory_is_one_line_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / ".releasekit/state.json").mkdir(parents=True)
    with pytest.raises(ReleaseError, match=r"state\.json is not a release state .*\(it is not a"):
        engine.load_state(tmp_path)
    state = engine.State(packages=[engine.Package("a", ".", "0.2.0", "v0.2.0", "a")],
                         tiers=[["a"]], branch="main", remote="origin",
                         head_before="1" * 40)  # fmt: skip
    with pytest.raises(ReleaseError) as caught:
        engine.save_state(tmp_path, state)
    message = str(caught.value)
    assert message.startswith(f"cannot write {tmp_path}/.releasekit/state.json (Is a directory)")
    assert "\n" not in message
    # the temp file of the failed write is gone: only the directory's own files are left
    assert sorted(p.name for p in (tmp_path / ".releasekit").iterdir()) == [
        ".gitignore", "state.json"]  # fmt: skip


@pytest.mark.parametrize("touched", ["ext/precious.txt", "ext", "packages/a/CHANGELOG.md"])
def test_a_touched_path_through_a_symlink_is_refused_when_read_back(
    tmp_path: Path, touched: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious\n")
    root = tmp_path / "repo"
    (root / "packages").mkdir(parents=True)
    (root / "ext").symlink_to(outside)
    (root / "packages/a").symlink_to(outside)
    with pytest.raises(ReleaseError) as caught:
        _load(root, {**JOURNAL, "touched": {touched: None}})
    link = touched if touched == "ext" else touched.rsplit("/", 1)[0]
    assert f"('touched' holds {touched}, through the symlink {link})" in str(caught.value)
    assert (outside / "precious.txt").read_text() == "precious\n"


@pytest.mark.parametrize("phase", ["public", "local"])
def test_a_train_is_never_resumed_as_a_single_release(tmp_path: Path, phase: str) -> None:
    second = {**PACKAGE, "name": "b", "path": "packages/b", "tag": "b-v0.1.1", "version": "0.1.1",
              "import_name": "b", "files": {}}  # fmt: skip
    data = {**JOURNAL, "packages": [PACKAGE, second], "tiers": [["a"], ["b"]], "phase": phase}
    (tmp_path / ".releasekit").mkdir()
    (tmp_path / ".releasekit/state.json").write_text(json.dumps(data))
    with pytest.raises(ReleaseError) as caught:
        engine.recorded_release(tmp_path)
    assert str(caught.value).startswith(
        "the release in progress is a train of 2 packages (a 0.2.0, b 0.1.1), recorded at the "
        f"root of their workspace, which {tmp_path} is no longer: restore its [tool.uv.workspace]"
    )
