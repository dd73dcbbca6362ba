"""The train's journal is read field by field: anything off is one line, and nothing is done."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from releasekit import train_journal as train
from releasekit._exceptions import ReleaseError

CAR = {
    "name": "a", "path": "packages/a", "version": "0.2.0", "tag": "a-v0.2.0",
    "import_name": "a", "files": {"a-0.2.0.tar.gz": "0" * 64}, "published": False,
    "confirmed": False,
}  # fmt: skip
JOURNAL = {
    "cars": [CAR], "tiers": [["a"]], "branch": "main", "remote": "origin",
    "head_before": "1" * 40, "commit": "2" * 40, "phase": "public",
    "touched": {"packages/a/CHANGELOG.md": None},
}  # fmt: skip


def _load(tmp_path: Path, data: Any) -> train.TrainState | None:
    (tmp_path / ".releasekit").mkdir()
    (tmp_path / ".releasekit/train.json").write_text(json.dumps(data))
    return train.load_state(tmp_path)


def test_a_journal_as_the_train_writes_it_round_trips(tmp_path: Path) -> None:
    state = _load(tmp_path, JOURNAL)
    assert state is not None and state.car("a").files == CAR["files"]
    train.save_state(tmp_path, state)
    assert train.load_state(tmp_path) == state


@pytest.mark.parametrize(
    ("edit", "car_edit", "problem"),
    [
        ({}, {"published": "no"}, "cars[0].'published' must be true or false"),
        ({}, {"files": {"a.whl": "00"}}, "cars[0].'files' must map file names to sha256"),
        ({}, {"files": {"../a.whl": "0" * 64}}, "cars[0].'files' must map file names"),
        ({}, {"path": "/etc"}, "cars[0].'path' must be a path inside the workspace"),
        ({}, {"name": "../a"}, "cars[0].'name' must be a normalized project name"),
        ({}, {"confirmed": True}, "cars[0] is 'confirmed' but not 'published'"),
        ({}, {"colour": "red"}, "unknown field cars[0].'colour'"),
        ({"cars": [3]}, {}, "cars[0] is not a JSON object"),
        ({"cars": "a"}, {}, "'cars' must be a list of members"),
        ({"tiers": [["a", "b"]]}, {}, "'tiers' must name every car exactly once"),
        ({"phase": "banana"}, {}, "'phase' must be one of local, public"),
        ({"pushed": "yes"}, {}, "'pushed' must be true or false"),
        ({"upload": "maybe"}, {}, "'upload' must be empty, 'started' or 'done'"),
        ({"commit": 5}, {}, "'commit' must be a string"),
        ({"touched": {"../x": None}}, {}, "'touched' must hold paths inside the workspace"),
    ],
)
def test_a_hand_edited_journal_is_one_line(
    tmp_path: Path, edit: dict[str, Any], car_edit: dict[str, Any], problem: str
) -> None:
    data = {**JOURNAL, "cars": [{**CAR, **car_edit}], **edit}
    with pytest.raises(ReleaseError) as caught:
        _load(tmp_path, data)
    message = str(caught.value)
    assert f"is not a release train journal that this releasekit can read ({problem}" in message
    assert "\n" not in message
    assert json.loads((tmp_path / ".releasekit/train.json").read_text()) == data  # untouched
