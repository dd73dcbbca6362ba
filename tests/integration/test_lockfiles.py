"""Projects with a committed uv.lock, and workspace members released alone.

uv records the project's own version in uv.lock: a release re-locks after the
bump and commits the lock with it, and refuses a lock that is stale already.
Everything real: uv, git with a bare remote, pypiserver on loopback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from releasekit import _runner
from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    run,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs
from tests.integration.test_train import (
    fragment,
    make_workspace,
    release,
    remote_tags,
    upload_as_is,
)

RELEASED = ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]


def uv(*args: str, cwd: Path, check: bool = True) -> str:
    found = _runner.uv()
    assert found is not None
    proc = run([found, *args], cwd, check=check)
    return proc.stdout + proc.stderr if check else str(proc.returncode)


def lock(root: Path) -> None:
    """Lock the project (or the workspace) as uv would, and commit the lock."""
    uv("lock", cwd=root)
    commit_all(root, "Lock the dependencies")


def locked_version(root: Path, name: str, rev: str = "HEAD") -> str:
    text = git(root, "show", f"{rev}:uv.lock")
    entry = text.split(f'[[package]]\nname = "{name}"\n', 1)[1]
    return entry.split('version = "', 1)[1].split('"', 1)[0]


# A CI's UV_LOCKED=1 makes `uv lock` fail, UV_FROZEN=1 makes it do nothing and succeed.
@pytest.mark.parametrize("ci_setting", ["UV_LOCKED", "UV_FROZEN"])
def test_a_locked_project_commits_its_new_lock_with_the_release(
    stamped: Path, index: Index, ci_setting: str
) -> None:
    lock(stamped)
    add_fragment(stamped)
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=stamped)
    assert "uv.lock (re-locked with uv)" in dry.stdout
    assert git(stamped, "status", "--porcelain") == "" and index.files() == []

    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped,
                  env={**index.twine_env(), ci_setting: "1"})  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr
    assert index.files() == RELEASED
    # The lock is in the release commit, names the new version, and only that moved in it.
    assert "uv.lock" in git(stamped, "show", "--name-only", "--format=", "v0.2.0").splitlines()
    assert locked_version(stamped, "demo-lib", "v0.2.0") == "0.2.0"
    assert git(stamped, "diff", "--numstat", "v0.2.0^", "v0.2.0", "--", "uv.lock") == (
        "1\t1\tuv.lock"
    )
    # Pushed: the remote's branch and tag are the release commit, whose lock is current.
    tagged = git(stamped, "rev-parse", "v0.2.0^{commit}")
    assert f"{tagged}\trefs/heads/main" in remote_refs(stamped)
    assert git(stamped, "rev-parse", "HEAD") == tagged
    assert git(stamped, "status", "--porcelain") == ""
    uv("lock", "--locked", "--offline", cwd=stamped)


def test_a_stale_lock_is_refused_before_anything_changes(stamped: Path, index: Index) -> None:
    lock(stamped)
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pytest>=8"', '"pytest>=8.1"'))
    commit_all(stamped, "Require a newer pytest, forgetting the lock")
    add_fragment(stamped)
    before = snapshot(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped,
                  check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, proc.stderr
    assert "uv.lock is stale already (uv lock --check fails): run `uv lock` in" in errors[0]
    assert "and commit uv.lock, then release" in errors[0]
    assert snapshot(stamped) == before
    assert index.files() == [] and "refs/tags/" not in remote_refs(stamped)


def _failing_commit_hook(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by the pre-commit hook' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("where", ["commit", "build"])
def test_a_failure_after_the_relock_restores_the_lock_byte_for_byte(
    stamped: Path, index: Index, where: str
) -> None:
    lock(stamped)
    if where == "build":
        add_build_hook(stamped)
    add_fragment(stamped)
    if where == "commit":  # the lock is re-locked and staged when git refuses the commit
        _failing_commit_hook(stamped)
    before = snapshot(stamped)
    locked = (stamped / "uv.lock").read_bytes()
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped,
                  check=False, env={**index.twine_env(), "RK_TEST_HOOK": "fail"})  # fmt: skip
    assert proc.returncode == 1
    failed = "commit and tag failed" if where == "commit" else "build failed"
    assert failed in proc.stderr and "the repository is back as it was" in proc.stderr
    if where == "commit":  # one line; the build's own traceback is the tool's output
        assert "refused by the pre-commit hook" in proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    else:
        assert "injected build failure" in proc.stdout + proc.stderr
    assert (stamped / "uv.lock").read_bytes() == locked
    assert snapshot(stamped) == before
    assert index.files() == []


def test_a_locked_workspace_train_commits_one_new_lock(tmp_path: Path, index: Index) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    lock(root)
    fragment(root, "a", "feature", "Greet in French")
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=root)
    assert "lock:      uv.lock, re-locked with uv once every member moved" in dry.stdout

    release(root, index)
    assert remote_tags(root) == ["a-v0.2.0", "b-v0.1.1"]
    assert len(index.files()) == 4
    assert "uv.lock" in git(root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert locked_version(root, "a") == "0.2.0" and locked_version(root, "b") == "0.1.1"
    # uv records a workspace source, not the widened specifier: the two versions moved, no more.
    assert git(root, "diff", "--numstat", "HEAD^", "HEAD", "--", "uv.lock") == "2\t2\tuv.lock"
    assert git(root, "rev-parse", "HEAD") == git(root, "rev-parse", "origin/main")
    assert git(root, "status", "--porcelain") == ""
    uv("lock", "--locked", "--offline", cwd=root)


def test_a_member_released_alone_takes_its_sibling_from_the_target_index(
    tmp_path: Path, index: Index
) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    lock(root)
    a_files = upload_as_is(root, "a", index)  # a 0.1.0, released before: only on this index
    fragment(root, "b", "bugfix", "Fix the greeting")
    member = root / "packages" / "b"
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=member)
    assert "../../uv.lock (re-locked with uv)" in dry.stdout

    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=member,
                  env=index.twine_env())  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr
    assert index.files() == sorted([*a_files, "b-0.1.1-py3-none-any.whl", "b-0.1.1.tar.gz"])
    assert remote_tags(root) == ["b-v0.1.1"]
    # The workspace's lock, at the root, moved with b and went into b's release commit.
    changed = git(root, "show", "--name-only", "--format=", "b-v0.1.1").splitlines()
    assert "uv.lock" in changed and "packages/b/pyproject.toml" in changed
    assert locked_version(root, "b", "b-v0.1.1") == "0.1.1"
    assert git(root, "status", "--porcelain") == ""
    uv("lock", "--locked", "--offline", cwd=root)


def _locked_member_with_a_hook(tmp_path: Path) -> tuple[Path, Path, dict[str, object], bytes]:
    """A locked workspace whose member b (a build hook, a bugfix) is released alone.

    Returns the root, b, the root's snapshot and the lock's bytes, as they were.
    """
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    lock(root)
    member = root / "packages" / "b"
    add_build_hook(member)
    fragment(root, "b", "bugfix")
    return root, member, snapshot(root), (root / "uv.lock").read_bytes()


def test_a_failed_member_release_restores_the_workspace_lock(tmp_path: Path, index: Index) -> None:
    root, member, before, locked = _locked_member_with_a_hook(tmp_path)
    env = {**index.twine_env(), "RK_TEST_HOOK": "fail"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=member, check=False, env=env)  # fmt: skip
    assert proc.returncode == 1
    assert "build failed" in proc.stderr and "the repository is back as it was" in proc.stderr
    assert (root / "uv.lock").read_bytes() == locked
    assert snapshot(root) == before
    assert index.files() == []


def test_a_killed_member_release_is_aborted_with_the_workspace_lock(
    tmp_path: Path, index: Index
) -> None:
    root, member, before, locked = _locked_member_with_a_hook(tmp_path)
    gate = tmp_path / "gate"
    proc = start_release(member, index, gate)
    wait_for(gate / "started", proc)
    assert locked_version(root, "b") == "0.1.1"  # committed with the release, outside b/
    os.killpg(proc.pid, 9)  # the release's own process group, started above
    proc.communicate()
    invoke("release", "--abort", cwd=member)
    assert (root / "uv.lock").read_bytes() == locked
    assert snapshot(root) == before
    assert index.files() == []
