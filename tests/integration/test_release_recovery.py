"""The release under faults: a second release, signals, kill -9, a moved remote, a new target.

Everything real: a bare remote, pypiserver on loopback, real signals sent to
the release's process group.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    refused_each_time,
    run,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs

RELEASED = ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]


def _paused(repo: Path, index: Index, tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    add_build_hook(repo)
    add_fragment(repo)
    gate = tmp_path / "gate"
    proc = start_release(repo, index, gate)
    wait_for(gate / "started", proc)
    return proc, gate


def test_a_second_release_is_refused_while_the_first_runs(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    proc, gate = _paused(stamped, index, tmp_path)
    second = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                    cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert second.returncode == 1
    assert (
        f"ERROR another release is running in this repository (pid {proc.pid}): wait for it "
        "to finish; nothing was changed" in second.stderr
    )
    assert "Traceback" not in second.stdout + second.stderr
    (gate / "go").touch()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    # The refused one took nothing away from the first: both files, the tag on the remote.
    assert index.files() == RELEASED
    assert "refs/tags/v0.2.0" in remote_refs(stamped)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_rolls_back_only_what_the_release_did(
    stamped: Path, index: Index, tmp_path: Path, sig: signal.Signals
) -> None:
    proc, _ = _paused(stamped, index, tmp_path)
    # Meanwhile, someone works in the same checkout.
    (stamped / "README.md").write_text((stamped / "README.md").read_text() + "\nMy edit.\n")
    (stamped / "notes.txt").write_text("staged while the release was building\n")
    git(stamped, "add", "notes.txt")
    changelog = stamped / "CHANGELOG.md"
    changelog.write_text(changelog.read_text() + "\nA line of mine.\n")
    os.killpg(proc.pid, sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in out + err
    assert f"stopped by {sig.name} during build: the repository is back as it was" in err
    assert [line for line in err.splitlines() if "ERROR" in line] == [
        f"ERROR stopped by {sig.name} during build: the repository is back as it was"
    ], err  # said once, by the front end
    assert "kept CHANGELOG.md as it is now" in err
    assert git(stamped, "log", "-1", "--format=%s") == "Add a feature fragment"
    assert git(stamped, "tag", "-l") == ""
    assert "My edit." in (stamped / "README.md").read_text()
    assert "notes.txt" in git(stamped, "diff", "--cached", "--name-only")
    assert "A line of mine." in changelog.read_text()
    assert (stamped / "changelog.d/+test.feature.md").is_file()  # the fragment is back
    assert 'version = "0.1.0"' in (stamped / "pyproject.toml").read_text()
    assert not (stamped / ".releasekit").exists()
    assert index.files() == []


def test_kill_9_is_detected_and_abort_undoes_it(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    before = snapshot(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate)
    wait_for(gate / "started", proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert git(stamped, "tag", "-l") == "v0.2.0"  # stranded, as a power loss would leave it

    again = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                   cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert again.returncode == 1
    assert (
        "ERROR a release of demo-lib 0.2.0 was interrupted before publishing: undo it with "
        "--abort" in again.stderr
    )
    resumed = invoke("release", "--resume", cwd=stamped, check=False)
    assert "undo it with --abort and release again" in resumed.stderr
    dry = invoke("release", "--abort", "--dry-run", cwd=stamped)
    assert "Would undo the release of demo-lib 0.2.0" in dry.stdout
    # A git killed with it leaves its index.lock: named, and nothing is touched.
    lock = stamped / ".git" / "index.lock"
    lock.touch()
    stranded = snapshot(stamped)
    locked = invoke("release", "--abort", cwd=stamped, check=False)
    assert locked.returncode == 1 and "Traceback" not in locked.stderr
    assert f"ERROR {lock} exists: a git command was killed mid-way" in locked.stderr
    assert snapshot(stamped) == stranded
    lock.unlink()
    aborted = invoke("release", "--abort", cwd=stamped)
    assert "undid the release of demo-lib 0.2.0" in aborted.stderr
    assert snapshot(stamped) == before
    assert index.files() == []
    # And the release goes through now.
    invoke("release", "--yes", "--no-checks", "--repository", index.url,
           cwd=stamped, env=index.twine_env())  # fmt: skip
    assert index.files() == RELEASED


def killed_in_a_linked_worktree(
    repo: Path, index: Index, tmp_path: Path, hooked: Path
) -> tuple[Path, dict[str, object]]:
    """Kill -9 a release in a linked worktree of ``repo`` on main; ``repo`` moves to master.

    ``hooked`` (``repo`` or a member of it) gets the build hook that pauses the
    build. Returns the linked worktree and ``repo``'s snapshot from before.
    """
    add_build_hook(hooked)
    git(repo, "checkout", "-q", "-b", "master")  # a release branch too
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked), "main")
    before = snapshot(repo)
    gate = tmp_path / "gate"
    proc = start_release(linked, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert git(repo, "tag", "-l") != ""  # stranded, the tags shared by both worktrees
    return linked.resolve(), before


def in_progress(repo: Path) -> list[bool]:
    """``in_progress`` of each row of ``releasekit status --json`` in ``repo``."""
    rows = json.loads(run([sys.executable, "-m", "releasekit", "status", "--json"], repo).stdout)
    return [row["in_progress"] for row in rows]


def refused_for_the_other_worktree(repo: Path, index: Index, expected: str) -> None:
    """Every verb of the release says where the unfinished one is, and changes nothing."""
    runs = [["--yes", "--no-checks", "--repository", index.url], ["--abort"],
            ["--resume", "--yes"], ["--abort", "--dry-run"]]  # fmt: skip
    refused_each_time(repo, repo, index, expected, runs)
    assert set(in_progress(repo)) == {True}  # a workspace: each member's row


def test_kill_9_in_a_linked_worktree_is_named_from_the_other_one(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(stamped)
    remote_before = remote_refs(stamped)
    linked, before = killed_in_a_linked_worktree(stamped, index, tmp_path, stamped)

    refused_for_the_other_worktree(stamped, index, (
        f"a release of demo-lib 0.2.0 is unfinished in another worktree of this repository, "
        f"{linked}: undo it there with --abort; nothing was changed"
    ))  # fmt: skip
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert remote_refs(stamped) == remote_before
    assert index.files() == []

    aborted = invoke("release", "--abort", cwd=linked)
    assert "undid the release of demo-lib 0.2.0" in aborted.stderr
    assert snapshot(stamped) == before  # the tag is gone for both
    assert git(linked, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (linked / ".releasekit").exists()
    assert in_progress(stamped) == [False]
    plan = invoke("release", "--dry-run", "--no-checks", "--repository", index.url,
                  cwd=stamped, env=index.twine_env())  # fmt: skip
    assert "0.1.0 -> 0.2.0" in plan.stdout
    assert remote_refs(stamped) == remote_before
    assert index.files() == []


def _reject_pushes(repo: Path) -> Path:
    hook = repo / "../../remote.git/hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'remote: pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook


def _published_not_pushed(repo: Path, index: Index) -> subprocess.CompletedProcess[str]:
    """A release whose push the remote refused once: published, journaled, pushes open again."""
    add_fragment(repo)
    hook = _reject_pushes(repo)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=repo, check=False, env=index.twine_env())  # fmt: skip
    hook.unlink()
    return proc


def _other_clone(repo: Path, tmp_path: Path) -> Path:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repo / "../../remote.git"), str(other))
    git(other, "config", "user.email", "other@example.com")
    git(other, "config", "user.name", "Other")
    return other


def test_abort_after_publish_refuses_and_points_to_resume(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    _reject_pushes(stamped)
    invoke("release", "--yes", "--no-checks", "--repository", index.url,
           cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    proc = invoke("release", "--abort", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert (
        "ERROR the release of demo-lib 0.2.0 cannot be undone (demo-lib is published): "
        "finish it with --resume" in proc.stderr
    )
    assert git(stamped, "tag", "-l") == "v0.2.0"


def test_resume_merges_into_a_remote_branch_that_moved(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    proc = _published_not_pushed(stamped, index)
    assert "push failed" in proc.stderr
    other = _other_clone(stamped, tmp_path)
    (other / "docs.txt").write_text("someone else's work\n")
    commit_all(other, "Someone else's commit")
    git(other, "push", "-q", "origin", "main")
    release_commit = git(stamped, "rev-parse", "HEAD")

    proc = invoke("release", "--resume", "--yes", cwd=stamped, env=index.twine_env())
    assert "pushed the tag v0.2.0" in proc.stderr
    assert "origin/main had moved: merged the release commit into it and pushed" in proc.stderr
    refs = remote_refs(stamped)
    assert "refs/tags/v0.2.0" in refs
    git(stamped, "fetch", "-q", "origin")
    git(stamped, "merge-base", "--is-ancestor", release_commit, "origin/main")
    assert (stamped / "docs.txt").is_file()
    assert not (stamped / ".releasekit").exists()


def test_resume_into_a_moved_branch_refuses_staged_work_until_it_is_stashed(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    _published_not_pushed(stamped, index)
    other = _other_clone(stamped, tmp_path)
    (other / "docs.txt").write_text("someone else's work\n")
    commit_all(other, "Someone else's commit")
    git(other, "push", "-q", "origin", "main")
    (stamped / ".env.local").write_text("SECRET_TOKEN=half-done\n")
    readme = stamped / "README.md"
    readme.write_text(readme.read_text() + "WIP: unreviewed\n")
    git(stamped, "add", ".env.local", "README.md")
    before, remote_before = snapshot(stamped), remote_refs(stamped)

    proc = invoke("release", "--resume", "--yes", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    assert line.startswith(
        "ERROR push failed: origin/main moved since the release, and merging the release "
        "commit into it needs a clean work tree (2 changed or untracked, e.g. .env.local): "
        "commit or stash first; nothing was pushed;"
    )
    assert snapshot(stamped) == before  # the staged work is staged as it was, HEAD unmoved
    assert remote_refs(stamped) == remote_before  # not even the tag
    assert index.files() == RELEASED

    git(stamped, "stash", "-q")
    invoke("release", "--resume", "--yes", cwd=stamped, env=index.twine_env())
    git(stamped, "stash", "pop", "--index", "-q")
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    pushed = git(stamped, "ls-remote", "origin", "refs/heads/main").split()[0]
    files = git(stamped, "ls-tree", "-r", "--name-only", pushed).splitlines()
    assert "docs.txt" in files and ".env.local" not in files
    assert "WIP" not in git(stamped, "show", f"{pushed}:README.md")
    # The work is back, staged, on top of the merge; none of it went out.
    assert git(stamped, "status", "--porcelain") == "A  .env.local\nM  README.md"
    assert readme.read_text().endswith("WIP: unreviewed\n")
    assert not (stamped / ".releasekit").exists()


def test_resume_says_what_to_run_when_the_moved_branch_conflicts(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    _published_not_pushed(stamped, index)
    other = _other_clone(stamped, tmp_path)
    pyproject = other / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.5"'))
    commit_all(other, "A conflicting version")
    git(other, "push", "-q", "origin", "main")
    head = git(stamped, "rev-parse", "HEAD")

    proc = invoke("release", "--resume", "--yes", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert (
        "origin/main moved since the release and does not merge cleanly with the release "
        "commit: run `git pull origin main`, resolve, then `git push origin main` "
        "(the tag v0.2.0 is already pushed)" in proc.stderr
    )
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    assert git(stamped, "rev-parse", "HEAD") == head  # the failed merge left nothing behind
    assert git(stamped, "status", "--porcelain") == ""


def test_resume_publishes_to_the_target_given_now(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(stamped)
    dead = "http://127.0.0.1:9/"
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", dead,
                  cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    # The index is asked in preflight: a dead one is refused before any change.
    assert "is unreachable" in proc.stderr
    assert git(stamped, "tag", "-l") == ""

    # Dead only at publish: the recorded target, then a new one given to --resume.
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False,
                  env={**index.twine_env(), "TWINE_PASSWORD": "wrong-wrong-wrong"})  # fmt: skip
    assert proc.returncode == 1
    state = json.loads((stamped / ".releasekit/state.json").read_text())
    assert state["target"]["upload_url"] == index.url
    with Index(tmp_path / "second") as second:
        proc = invoke("release", "--resume", "--yes", "--no-push", "--repository", second.url,
                      cwd=stamped, env=index.twine_env())  # fmt: skip
        assert (
            f"publishing to {second.url} (given now) instead of the recorded {index.url}"
            in proc.stderr
        )
        assert second.files() == RELEASED
        assert index.files() == []


@pytest.mark.parametrize(
    ("edit", "package_edit", "problem"),
    [
        ({"done": "publish"}, {}, "'done' must be a list of steps among publish, push"),
        (
            {},
            {"files": ["a.whl"]},
            "packages[0].'files' must be a map of file names to sha256 digests",
        ),
        ({"source_date_epoch": "yesterday"}, {}, "'source_date_epoch' must be an integer"),
        ({"phase": "banana"}, {}, "'phase' must be one of local, public"),
        ({"upload": "maybe"}, {}, "'upload' must be empty, 'started' or 'done'"),
    ],
)
def test_a_hand_edited_journal_is_one_line_and_no_action(
    stamped: Path,
    index: Index,
    edit: dict[str, object],
    package_edit: dict[str, object],
    problem: str,
) -> None:
    _published_not_pushed(stamped, index)
    path = stamped / ".releasekit/state.json"
    data = json.loads(path.read_text())
    data["packages"][0].update(package_edit)
    path.write_text(json.dumps({**data, **edit}))
    proc = invoke("release", "--resume", "--yes", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert f"is not a release state that this releasekit can read ({problem})" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "v0.2.0" not in remote_refs(stamped)


def test_no_push_still_checks_the_remote_tags(stamped: Path, index: Index, tmp_path: Path) -> None:
    add_fragment(stamped)
    other = _other_clone(stamped, tmp_path)
    git(other, "tag", "-a", "v0.2.0", "-m", "someone else's 0.2.0")
    git(other, "push", "-q", "origin", "v0.2.0")
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "the tag v0.2.0 already exists on the remote 'origin'" in proc.stderr
    assert index.files() == []


def test_help_only_ever_helps(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    before = snapshot(stamped)
    refs = remote_refs(stamped)
    env = {**index.twine_env(), "TWINE_REPOSITORY_URL": index.url}
    for args in (
        [sys.executable, "-m", "invoke", "release", "-h"],
        [sys.executable, "-m", "invoke", "release", "--help"],
        [sys.executable, "-m", "nox", "-s", "release", "--", "--help"],
        [sys.executable, "-m", "nox", "-s", "audit", "--", "--help"],
    ):
        proc = run(args, stamped, env=env)
        assert "--dry-run" in proc.stdout or "--backend" in proc.stdout, args
        assert "Traceback" not in proc.stdout + proc.stderr
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def test_on_a_terminal_the_release_shows_its_plan_and_asks_once(
    stamped: Path, index: Index
) -> None:
    import pty

    add_fragment(stamped)
    before = snapshot(stamped)
    controller, terminal = pty.openpty()
    os.write(controller, b"n\n")  # the answer waits in the terminal's input
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "release", "--no-checks", "--repository", index.url],
        cwd=stamped, stdin=terminal, capture_output=True, text=True, timeout=300,
        env={**os.environ, **index.twine_env()},
    )  # fmt: skip
    os.close(terminal)
    os.close(controller)
    assert proc.returncode == 1
    assert "Release plan for demo-lib" in proc.stdout
    assert "0.1.0 -> 0.2.0" in proc.stdout
    assert proc.stderr.count("[y/N]") + proc.stdout.count("[y/N]") == 1
    assert "ERROR the release was declined: nothing was changed" in proc.stderr
    assert snapshot(stamped) == before
    assert index.files() == []
