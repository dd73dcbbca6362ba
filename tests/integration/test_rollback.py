"""The rollback undoes only what the release made, by identity, and proves it.

Each test injects one situation with real parts (a project in a subdirectory
of its repository, a tag that cannot be signed, a colleague's tag fetched
while the release waits, two worktrees, an error that is not releasekit's)
and asserts HEAD, the tags, the files, ``git status`` and the remote after.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    snapshot,
    stamp,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs

LOCAL = ("--yes", "--no-checks", "--no-push", "--no-publish")


def monorepo(parent: Path, top_name: str = "mono", sub: str = "libs") -> Path:
    """A project in ``sub/`` of a larger repository ``top_name``, pushed to a bare remote."""
    remote = parent / "remote.git"
    git(parent, "init", "-q", "--bare", "-b", "main", str(remote))
    top = parent / top_name
    top.mkdir()
    (top / "README.md").write_text("Many projects live here.\n")
    project = stamp(top / sub)
    git(top, "init", "-q", "-b", "main")
    commit_all(top, "Start the monorepo")
    git(top, "remote", "add", "origin", str(remote))
    git(top, "push", "-q", "-u", "origin", "main")
    return project


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A project in ``libs/`` of a larger repository (a monorepo), pushed to a bare remote."""
    return monorepo(tmp_path)


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one ERROR line; no traceback of releasekit's (a tool's own output may follow it)."""
    lines = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1, proc.stderr
    assert "src/releasekit/" not in proc.stdout + proc.stderr
    return lines[0]


def _unchanged(repo: Path, before: dict[str, object], remote_before: str) -> None:
    """The repository and the remote are as they were, and nothing is staged or stray."""
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert remote_refs(repo) == remote_before


def test_a_failed_release_in_a_subdirectory_restores_its_files(nested: Path) -> None:
    top = nested.parents[1]
    add_build_hook(nested)
    add_fragment(nested)
    before, remote_before = snapshot(top), remote_refs(top)
    proc = invoke("release", *LOCAL, cwd=nested, check=False, env={"RK_TEST_HOOK": "fail"})
    assert proc.returncode == 1
    line = _one_error_line(proc)
    assert line.startswith("ERROR build failed:")
    assert line.endswith("the repository is back as it was")
    _unchanged(top, before, remote_before)
    assert (nested / "pyproject.toml").is_file()
    assert (nested / "changelog.d/+test.feature.md").is_file()


def test_abort_in_a_subdirectory_after_kill_9(nested: Path, index: Index, tmp_path: Path) -> None:
    top = nested.parents[1]
    add_build_hook(nested)
    add_fragment(nested)
    before, remote_before = snapshot(top), remote_refs(top)
    gate = tmp_path / "gate"
    proc = start_release(nested, index, gate)
    wait_for(gate / "started", proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert git(top, "tag", "-l") == "v0.2.0"
    aborted = invoke("release", "--abort", cwd=nested)
    assert "the repository is back at" in aborted.stderr
    _unchanged(top, before, remote_before)
    assert index.files() == []


def test_a_fragment_named_in_unicode_with_a_space_rolls_back_then_releases(
    tmp_path: Path, index: Index
) -> None:
    # git quotes such names ("\\303\\274"): towncrier read its own `git ls-files` as no
    # tracked fragment, deleted the file without `git rm`, and every release stopped.
    (tmp_path / "ün i cödé").mkdir()
    project = monorepo(tmp_path / "ün i cödé", "wörk tree", "pâckages")
    top = project.parents[1]
    fragment = project / "changelog.d" / "+ümlaut frag.feature.md"
    fragment.write_text("Grüße an alle\n")
    commit_all(top, "A fragment named in unicode")
    hook = top / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before, remote_before = snapshot(top), remote_refs(top)
    release = ("release", "--yes", "--no-checks", "--repository", index.url)
    failed = invoke(*release, cwd=project, check=False, env=index.twine_env())
    assert failed.returncode == 1
    line = _one_error_line(failed)
    assert line.startswith("ERROR commit and tag failed:")
    assert line.endswith("the repository is back as it was")
    _unchanged(top, before, remote_before)
    assert fragment.read_text() == "Grüße an alle\n"
    assert index.files() == []

    hook.unlink()
    invoke(*release, cwd=project, env=index.twine_env())

    assert git(top, "status", "--porcelain", "--untracked-files=all") == ""
    assert not fragment.exists()
    tree = git(top, "ls-tree", "-r", "-z", "--name-only", "HEAD").split("\0")
    assert "pâckages/demo-lib/changelog.d/+ümlaut frag.feature.md" not in tree
    assert "- Grüße an alle" in (project / "CHANGELOG.md").read_text()
    head = git(top, "rev-parse", "HEAD")
    assert git(top, "rev-parse", "v0.2.0^{commit}") == head
    assert f"{head}\trefs/heads/main" in remote_refs(top)
    assert f"{head}\trefs/tags/v0.2.0^{{}}" in remote_refs(top)
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]


def test_a_tag_that_cannot_be_signed_takes_its_commit_back(stamped: Path) -> None:
    git(stamped, "config", "tag.gpgSign", "true")
    git(stamped, "config", "user.signingkey", "0xDEADBEEFDEADBEEF")
    add_fragment(stamped)
    before, remote_before = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", *LOCAL, cwd=stamped, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc)
    assert "commit and tag failed:" in line
    assert "unable to sign the tag" in line
    assert line.endswith("the repository is back as it was")
    _unchanged(stamped, before, remote_before)
    assert git(stamped, "log", "-1", "--format=%s") == "Add a feature fragment"


def test_a_commit_that_leaves_a_file_behind_is_taken_back(stamped: Path) -> None:
    """A file appearing as the release commits (an in-place build's ``.so``) stops it.

    The release commit is undone, not left on the branch, and "back as it was"
    is said because it is; the stray file is not the release's to delete.
    """
    add_fragment(stamped)
    hook = stamped / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ntouch src/demo_lib/_core.so\n")
    hook.chmod(0o755)
    before, remote_before = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", *LOCAL, cwd=stamped, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc)
    assert "the release commit left changes behind" in line
    assert line.endswith("the repository is back as it was")
    assert (
        git(stamped, "status", "--porcelain", "--untracked-files=all") == "?? src/demo_lib/_core.so"
    )
    (stamped / "src/demo_lib/_core.so").unlink()
    _unchanged(stamped, before, remote_before)
    assert git(stamped, "log", "-1", "--format=%s") == "Add a feature fragment"


def _colleagues_tag(stamped: Path, tmp_path: Path) -> str:
    """A colleague's v0.2.0 on a commit of theirs, pushed to the shared remote."""
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "-q", str(stamped / "../../remote.git"), str(other))
    (other / "THEIRS.md").write_text("their work\n")
    commit_all(other, "Their work")
    git(other, "tag", "-a", "v0.2.0", "-m", "their 0.2.0")
    git(other, "push", "-q", "origin", "refs/tags/v0.2.0")
    return git(other, "rev-parse", "HEAD")


def test_a_colleagues_tag_fetched_meanwhile_is_not_deleted(stamped: Path, tmp_path: Path) -> None:
    add_fragment(stamped)
    before = snapshot(stamped)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "invoke", "release", "--no-checks", "--no-publish"],
        cwd=stamped, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    shown = b""
    while b"[y/N]" not in shown:  # the preflight passed: no v0.2.0 anywhere yet
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, shown.decode()
        shown += chunk
    theirs = _colleagues_tag(stamped, tmp_path)
    git(stamped, "fetch", "-q", "--tags", "origin")
    tag_object = git(stamped, "rev-parse", "refs/tags/v0.2.0")
    remote_before = remote_refs(stamped)
    os.write(controller, b"y\n")
    _, err_bytes = proc.communicate(timeout=300)
    os.close(terminal)
    os.close(controller)
    err = err_bytes.decode()
    assert proc.returncode == 1
    assert "commit and tag failed:" in err
    assert "the repository is back as it was" in err
    # Their tag is theirs: still there, the same object, on their commit, here and on the remote.
    assert git(stamped, "rev-parse", "refs/tags/v0.2.0") == tag_object
    assert git(stamped, "rev-parse", "v0.2.0^{commit}") == theirs
    assert remote_refs(stamped) == remote_before
    assert git(stamped, "rev-parse", "HEAD") == before["head"]
    assert git(stamped, "status", "--porcelain", "--untracked-files=all") == ""
    assert {k: v for k, v in snapshot(stamped).items() if k != "tags"} == {
        k: v for k, v in before.items() if k != "tags"
    }


def test_two_worktrees_share_one_lock(stamped: Path, index: Index, tmp_path: Path) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    second = tmp_path / "second"
    git(stamped, "worktree", "add", "-q", "-b", "master", str(second))  # a release branch too
    second_before = snapshot(second)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate, "--no-publish")
    wait_for(gate / "started", proc)
    refused = invoke("release", *LOCAL, cwd=second, check=False)
    assert refused.returncode == 1
    assert (
        f"ERROR another release is running in this repository (pid {proc.pid}): wait for it "
        "to finish; nothing was changed" in refused.stderr
    )
    (gate / "go").touch()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    # The refused one took nothing from the first: its tag is here and on the remote.
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert f"{git(stamped, 'rev-parse', 'v0.2.0')}\trefs/tags/v0.2.0" in remote_refs(stamped)
    # The other worktree is as it was (the tags are the repository's, so they are shared).
    assert {**snapshot(second), "tags": ""} == second_before


def _absolute_symlink(repo: Path) -> None:
    package = next((repo / "src").glob("*/__init__.py")).parent
    (package / "hostname").symlink_to("/etc/hostname")
    commit_all(repo, "An absolute symlink in the package")


def _dist_is_a_file(repo: Path) -> None:
    with (repo / ".git/info/exclude").open("a") as f:
        f.write("/dist\n")
    (repo / "dist").write_text("not a directory\n")


@pytest.mark.parametrize(
    ("inject", "what", "outcome"),
    [
        # The preflight exports the commit to read its metadata (pypi_rules): refused there.
        (_absolute_symlink, "preflight failed: AbsoluteLinkError: ", "nothing was changed"),
        (_dist_is_a_file, "build failed: NotADirectoryError: ",
         "the repository is back as it was"),
    ],
)  # fmt: skip
def test_an_error_that_is_not_releasekits_rolls_back_in_one_line(
    stamped: Path, inject: object, what: str, outcome: str
) -> None:
    assert callable(inject)
    inject(stamped)
    add_fragment(stamped)
    before, remote_before = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", *LOCAL, cwd=stamped, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc)
    assert what in line
    assert line.endswith(outcome)
    assert "Traceback" not in proc.stdout + proc.stderr
    _unchanged(stamped, before, remote_before)
    # Under -v the traceback is there for whoever debugs it.
    verbose = invoke("release", *LOCAL, "--verbose", cwd=stamped, check=False)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stdout + verbose.stderr
    _unchanged(stamped, before, remote_before)


def test_a_train_rolls_back_an_error_that_is_not_releasekits(tmp_path: Path, index: Index) -> None:
    from tests.integration.test_train import fragment, make_workspace, release, remote_tags

    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    _absolute_symlink(root / "packages/b")
    fragment(root, "a", "feature")
    before, remote_before = snapshot(root), remote_refs(root)
    # With PyPI's rules on, the preflight exports the tree and refuses it in one line.
    proc = release(root, index, check=False)
    assert proc.returncode != 0
    assert "preflight failed: AbsoluteLinkError: 'packages/b/src/b/hostname'" in proc.stderr
    assert "nothing was changed" in proc.stderr and "Traceback" not in proc.stderr
    _unchanged(root, before, remote_before)
    # Without them, the link reaches the build, and the whole train is rolled back.
    proc = release(root, index, check=False, env={"RELEASEKIT_PYPI_RULES": "false"})
    assert proc.returncode != 0
    # b's link is in the release commit, which every member's build exports.
    assert "build a failed: AbsoluteLinkError: 'packages/b/src/b/hostname'" in proc.stderr
    assert "the whole train is rolled back, nothing was uploaded" in proc.stderr
    assert "the repository is back as it was" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    _unchanged(root, before, remote_before)
    assert remote_tags(root) == [] and index.files() == []


def test_what_the_rollback_cannot_give_back_is_named(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    started_from = git(stamped, "rev-parse", "HEAD")
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate)
    wait_for(gate / "started", proc)
    release_commit = git(stamped, "rev-parse", "HEAD")
    git(stamped, "commit", "-q", "--allow-empty", "-m", "Someone's commit on top")
    theirs = git(stamped, "rev-parse", "HEAD")
    os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert (
        f"stopped by SIGTERM during build: the repository is NOT back as it was (HEAD is "
        f"{theirs[:12]}, not {started_from[:12]}, CHANGELOG.md differs, " in err
    )
    assert "the repository is back as it was" not in err
    # Their commit stays, on top of the release commit, and no inverse of the release is
    # staged on it; the release's own tag is gone.
    assert git(stamped, "rev-parse", "HEAD") == theirs
    assert git(stamped, "rev-parse", "HEAD^") == release_commit
    assert git(stamped, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(stamped, "tag", "-l") == ""
    assert not (stamped / ".releasekit").exists()
    assert "refs/tags/" not in remote_refs(stamped)


GATED_GIT_HOOK = """#!/bin/sh
# git's pre-commit hook, as slow as the test wants; it exits with what the test writes to go.
touch {gate}/started
i=0
while [ ! -e {gate}/go ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done
touch {gate}/finished
exit "$(cat {gate}/go 2>/dev/null || echo 1)"
"""

EDIT = '\n[tool.maintainer-edit]\nkeep = "typed while the release made its commit"\n'


def _gate_commits(repo: Path, gate: Path) -> None:
    """Make ``git commit`` in ``repo`` wait in its pre-commit hook for ``gate/go``."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(GATED_GIT_HOOK.format(gate=gate))
    hook.chmod(0o755)


def _wait_for_git(repo: Path, gate: Path) -> None:
    """The orphaned ``git commit`` (its releasekit killed) is done: its hook and its index lock."""
    deadline = time.monotonic() + 120
    while not (gate / "finished").exists() or (repo / ".git" / "index.lock").exists():
        assert time.monotonic() < deadline, "git commit never finished"
        time.sleep(0.05)


def _without(snap: dict[str, object], path: str) -> dict[str, object]:
    files = snap["files"]
    assert isinstance(files, dict)
    return {**snap, "files": {k: v for k, v in files.items() if k != path}}


@pytest.mark.parametrize("how", ["the hook fails", "SIGTERM", "kill -9, then --abort"])
def test_an_edit_saved_while_the_commit_is_made_survives_the_rollback(
    stamped: Path, index: Index, tmp_path: Path, how: str
) -> None:
    """bump-my-version wrote pyproject.toml; a slow pre-commit hook runs; the user saves an edit.

    The release's writes are recorded before its commit: from there on an edit
    to a file it wrote is someone else's, kept and named, whatever ends it.
    """
    gate = tmp_path / "gate"
    add_fragment(stamped)
    _gate_commits(stamped, gate)
    before, remote_before = snapshot(stamped), remote_refs(stamped)
    proc = start_release(stamped, index, gate, "--no-push")
    try:
        wait_for(gate / "started", proc)
        pyproject = stamped / "pyproject.toml"
        edited = pyproject.read_text() + EDIT  # the release's 0.2.0 is in it already
        assert 'version = "0.2.0"' in edited
        pyproject.write_text(edited)
        if how == "the hook fails":
            (gate / "go").write_text("1")
            _, err = proc.communicate(timeout=300)
        elif how == "SIGTERM":
            os.killpg(proc.pid, signal.SIGTERM)
            _, err = proc.communicate(timeout=120)
        else:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=60)
            (gate / "go").write_text("1")
            _wait_for_git(stamped, gate)
            err = invoke("release", "--abort", cwd=stamped).stderr
    finally:
        if not (gate / "go").exists():
            (gate / "go").write_text("1")
    assert proc.returncode != 0
    assert "WARNING kept pyproject.toml as it is now: it changed after the release wrote it" in err
    assert pyproject.read_text() == edited  # the edit survives, as it was saved
    # Everything else is as it was: HEAD, the tags, CHANGELOG.md, the fragment, the index.
    after = snapshot(stamped)
    assert _without(after, "pyproject.toml") == {**_without(before, "pyproject.toml"),
                                                 "status": "M pyproject.toml"}  # fmt: skip
    assert remote_refs(stamped) == remote_before
    assert index.files() == []


def test_a_trains_abort_after_kill_9_in_its_commit_keeps_an_edit_saved_meanwhile(
    tmp_path: Path, index: Index
) -> None:
    """The train records its writes before its commit too: --abort restores by content."""
    from tests.integration.test_train import fragment, make_workspace

    root = make_workspace(tmp_path, {"a": ""})
    fragment(root, "a")
    gate = tmp_path / "gate"
    _gate_commits(root, gate)
    before, remote_before = snapshot(root), remote_refs(root)
    proc = start_release(root, index, gate, "--no-push")
    try:
        wait_for(gate / "started", proc)
        pyproject = root / "packages" / "a" / "pyproject.toml"
        edited = pyproject.read_text() + EDIT
        pyproject.write_text(edited)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        (gate / "go").write_text("1")
    _wait_for_git(root, gate)

    err = invoke("release", "--abort", cwd=root).stderr

    assert "kept packages/a/pyproject.toml as it is now: it changed after the train wrote it" in err
    assert pyproject.read_text() == edited
    theirs = "packages/a/pyproject.toml"
    expected = {**_without(before, theirs), "status": f"M {theirs}"}
    assert _without(snapshot(root), theirs) == expected
    assert remote_refs(root) == remote_before
    assert index.files() == []


def test_bumpversions_own_configuration_is_restored_when_it_is_not_a_version_file(
    stamped: Path,
) -> None:
    """current_version lives in pyproject.toml, which [tool.bumpversion] does not list here."""
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    listed = (
        '[[tool.bumpversion.files]]\nfilename = "pyproject.toml"\n'
        "search = 'version = \"{current_version}\"'\nreplace = 'version = \"{new_version}\"'\n\n"
    )
    assert listed in text
    pyproject.write_text(text.replace(listed, ""))
    commit_all(stamped, "pyproject.toml is not a version file")
    add_build_hook(stamped)
    add_fragment(stamped)
    before, remote_before = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", *LOCAL, cwd=stamped, check=False, env={"RK_TEST_HOOK": "fail"})
    assert proc.returncode == 1
    line = _one_error_line(proc)
    assert line.startswith("ERROR build failed:")
    assert line.endswith("the repository is back as it was")
    assert 'current_version = "0.1.0"' in pyproject.read_text()
    _unchanged(stamped, before, remote_before)
