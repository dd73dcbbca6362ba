"""A journal above a project or in a workspace's member: the other release waits for it.

A member released alone and the workspace's train share the branch: either
would push the other's unpublished release commit. Everything real: kill -9
of a release paused in its build, then the other one, refused in one line.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.integration.conftest import (
    Index,
    add_build_hook,
    invoke,
    refused_each_time,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs
from tests.integration.test_train import fragment, make_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})


def _killed(where: Path, index: Index, gate: Path) -> None:
    proc = start_release(where, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def _refused(root: Path, where: Path, index: Index, expected: str) -> None:
    """A cut and a --resume at ``where`` (in ``root``) say ``expected`` and change nothing."""
    runs = [["--yes", "--no-checks", "--repository", index.url], ["--resume", "--yes"]]
    refused_each_time(root, where, index, expected, runs)


def test_a_member_alone_waits_for_the_trains_unfinished_journal(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    add_build_hook(root / "packages" / "b")
    fragment(root, "a", "feature")
    before, remote_before = snapshot(root), remote_refs(root)
    _killed(root, index, tmp_path / "gate")
    member = root / "packages" / "a"
    _refused(root, member, index, (
        f"a release train is unfinished above this project, {root.resolve()}: undo it there "
        "with --abort; nothing was changed"
    ))  # fmt: skip
    assert remote_refs(root) == remote_before and index.files() == []
    invoke("release", "--abort", cwd=root)
    assert snapshot(root) == before


def test_a_train_waits_for_a_members_unfinished_journal(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    member = root / "packages" / "a"
    add_build_hook(member)
    fragment(root, "a", "feature")
    before, remote_before = snapshot(root), remote_refs(root)
    _killed(member, index, tmp_path / "gate")
    _refused(root, root, index, (
        f"a release of a 0.2.0 is unfinished in a member of this workspace, {member.resolve()}: "
        "undo it there with --abort; nothing was changed"
    ))  # fmt: skip
    assert remote_refs(root) == remote_before and index.files() == []
    invoke("release", "--abort", cwd=member)
    assert snapshot(root) == before
