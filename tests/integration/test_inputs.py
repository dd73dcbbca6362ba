"""Inputs are checked once, before anything changes.

A changelog fragment is a regular file git tracks: a symlink or an ignored
file is refused by name and never read. No release starts while a merge,
cherry-pick, revert, rebase or bisect waits to be finished. A submodule inside
the package (whose files git archive leaves out) is refused. Each situation is
made with real git, a bare remote and a real pypiserver, and the repository,
the remote and the index are compared afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit import commands
from releasekit._exceptions import ReleaseKitError
from releasekit.commands import ReleaseOptions
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, run, snapshot
from tests.integration.test_train import make_workspace

SECRET = "private-note-not-for-publishing-4f1c"


def _world(repo: Path, index: Index) -> dict[str, object]:
    """The repository, its remote and the index: what a refusal must leave as it was."""
    return {
        **snapshot(repo),
        "remote": git(repo, "ls-remote", "origin"),
        "index": index.files(),
    }


def _refused(repo: Path, index: Index, *extra: str) -> str:
    """``invoke release`` that must be refused in one line; that line (the credentials set)."""
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, *extra,
                  cwd=repo, check=False, env=index.twine_env())  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert index.PASSWORD not in output
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    return line.removeprefix("ERROR ")


def _releasekit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "releasekit", *args], repo, check=False)


# --- fragments -----------------------------------------------------------------------------


def test_two_fragments_for_one_issue_and_type_are_one_line(stamped: Path, index: Index) -> None:
    # towncrier reads both as 7.feature with counter 0 and raises a ValueError of its own.
    (stamped / "changelog.d" / "7.feature.md").write_text("One thing\n")
    (stamped / "changelog.d" / "7.feature.notes.md").write_text("Another thing\n")
    commit_all(stamped, "Two fragments for one issue")
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert "multiple files for 7.feature" in line
    assert "(7.feature.1.md, 7.feature.2.md)" in line
    assert _world(stamped, index) == before


@pytest.mark.parametrize("target", ["outside", "environ"])
def test_a_symlinked_fragment_is_refused_by_name_and_never_read(
    stamped: Path, index: Index, tmp_path: Path, target: str
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n")
    # /proc/self/environ is the environment of whoever reads it: the release's,
    # TWINE_PASSWORD included.
    pointee = str(outside) if target == "outside" else "/proc/self/environ"
    add_fragment(stamped, "bugfix")  # a good one too: only the link stands in the way
    link = stamped / "changelog.d" / "+leak.feature.md"
    link.symlink_to(pointee)
    commit_all(stamped, "A fragment that is a symlink")
    assert git(stamped, "ls-files", "-s", "changelog.d/+leak.feature.md").startswith("120000")
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert line == (
        "changelog.d/+leak.feature.md is a symlink: a changelog fragment must be a regular "
        "file tracked by git; replace it with a regular file holding the text"
    )
    assert _world(stamped, index) == before  # CHANGELOG.md, HEAD, tags, remote, index
    assert os.readlink(link) == pointee

    # The pull-request check, the draft and the status refuse it the same way, unread.
    for args in (["check", "--fragment"], ["status", "--json"], ["invoke", "changelog", "-d"]):
        if args[0] == "invoke":
            proc = invoke(*args[1:], cwd=stamped, check=False)
        else:
            proc = _releasekit(stamped, *args)
        output = proc.stdout + proc.stderr
        assert SECRET not in output and "PATH=" not in output, args
        assert "Traceback" not in output
        assert "changelog.d/+leak.feature.md is a symlink" in output, args
    (row,) = json.loads(_releasekit(stamped, "status", "--json").stdout)
    assert row["fragments"] == []
    assert _world(stamped, index) == before


def test_an_ignored_fragment_is_refused_and_left_where_it_is(stamped: Path, index: Index) -> None:
    add_fragment(stamped, "bugfix")
    # Ignored through .git/info/exclude: git status stays clean.
    with (stamped / ".git" / "info" / "exclude").open("a") as f:
        f.write("changelog.d/+private.feature.md\n")
    private = stamped / "changelog.d" / "+private.feature.md"
    private.write_text(f"{SECRET}\n")
    assert git(stamped, "status", "--porcelain", "--untracked-files=all") == ""
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert line == (
        "changelog.d/+private.feature.md is ignored by git: a changelog fragment must be a "
        "regular file tracked by git; git add --force it, or move it out of changelog.d/"
    )
    assert _world(stamped, index) == before
    assert private.read_text() == f"{SECRET}\n"
    assert SECRET not in (stamped / "CHANGELOG.md").read_text()
    proc = invoke("changelog", "--draft", cwd=stamped, check=False)
    assert proc.returncode == 1 and SECRET not in proc.stdout + proc.stderr


def test_an_untracked_fragment_is_named_in_the_pull_request_check(stamped: Path) -> None:
    git(stamped, "checkout", "-q", "-b", "topic")
    fragment = stamped / "changelog.d" / "+new.feature.md"
    fragment.write_text(f"{SECRET}\n")

    proc = _releasekit(stamped, "check", "--fragment")

    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "ERROR changelog.d/+new.feature.md is not tracked by git: a changelog fragment must be "
        "a regular file tracked by git; git add it, or remove it"
    )
    assert SECRET not in proc.stdout
    git(stamped, "add", str(fragment))  # staged is tracked: the check reads it now
    proc = _releasekit(stamped, "check", "--fragment")
    assert proc.returncode == 0, proc.stderr
    assert SECRET in proc.stdout


def test_an_empty_orphan_fragment_is_refused(stamped: Path, index: Index) -> None:
    # It would move the version (a feature: 0.1.0 -> 0.2.0) under an empty section.
    git(stamped, "checkout", "-q", "-b", "topic")
    (stamped / "src" / "demo_lib" / "__init__.py").write_text("ANSWER = 42\n", "utf-8")
    (stamped / "changelog.d" / "+pr.feature.md").write_text("\n")
    commit_all(stamped, "A change with an empty fragment")
    expected = (
        "changelog.d/+pr.feature.md is empty: write the change in it, as the changelog "
        "should say it"
    )

    proc = _releasekit(stamped, "check", "--fragment", "--base", "main")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"ERROR {expected}"

    git(stamped, "checkout", "-q", "main")
    git(stamped, "merge", "-q", "--ff-only", "topic")
    before = _world(stamped, index)
    assert _refused(stamped, index) == expected
    assert _world(stamped, index) == before


def test_a_fragment_name_git_quotes_anyway_is_refused_by_name(stamped: Path, index: Index) -> None:
    # A quote or a backslash stays quoted in `git ls-files` whatever core.quotePath says:
    # towncrier would delete such a fragment without staging its removal.
    fragment = stamped / "changelog.d" / '+say "hi".feature.md'
    fragment.write_text("Say hi\n")
    commit_all(stamped, "A fragment with quotes in its name")
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert line == (
        'changelog.d/+say "hi".feature.md has a quote, a backslash or a control character in '
        "its name: rename the changelog fragment without it"
    )
    assert _world(stamped, index) == before
    assert fragment.read_text() == "Say hi\n"
    proc = _releasekit(stamped, "check", "--fragment", "--base", "HEAD~1")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"ERROR {line}"
    assert _world(stamped, index) == before


# --- an operation in progress --------------------------------------------------------------


def _diverged(repo: Path) -> None:
    """README.md changed one way on a branch ``topic`` and another way on main."""
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / "README.md").write_text("Words from the topic branch\n")
    commit_all(repo, "Topic words")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("Words from main\n")
    commit_all(repo, "Main words")


def _stop_in_conflict(repo: Path, *args: str) -> None:
    """Run a git command that stops on a conflict, then resolve it to HEAD: a clean tree."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert proc.returncode != 0, proc.stdout
    git(repo, "checkout", "--ours", "README.md")
    git(repo, "add", "README.md")


def _revert_in_conflict(repo: Path) -> None:
    """Revert main's change of README.md after a later change of it: a conflict."""
    (repo / "README.md").write_text("Later words\n")
    commit_all(repo, "Later words")
    _stop_in_conflict(repo, "revert", "--no-edit", "HEAD~1")


def _pick_two_and_commit_the_first(repo: Path) -> None:
    """Cherry-pick two commits, the first in conflict, committed by hand: one left to pick."""
    git(repo, "checkout", "-q", "topic")
    (repo / "NOTES.txt").write_text("More from the topic branch\n")
    commit_all(repo, "Topic notes")
    git(repo, "checkout", "-q", "main")
    _stop_in_conflict(repo, "cherry-pick", "topic~1", "topic")
    git(repo, "commit", "-q", "--allow-empty", "--no-edit")


def _am_that_does_not_apply(repo: Path, tmp_path: Path) -> None:
    patch = tmp_path / "topic.patch"
    patch.write_text(git(repo, "format-patch", "-1", "topic", "--stdout") + "\n")
    proc = subprocess.run(["git", "am", str(patch)], cwd=repo, capture_output=True, text=True)
    assert proc.returncode != 0, proc.stdout


def _edit_in_rebase(repo: Path) -> None:
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"}
    subprocess.run(["git", "rebase", "-i", "HEAD~1"], cwd=repo, env=env, check=True,
                   capture_output=True)  # fmt: skip


OPERATIONS: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "cherry-pick": (
        lambda repo: _stop_in_conflict(repo, "cherry-pick", "topic"),
        "a cherry-pick",
        "git cherry-pick --continue, or git cherry-pick --abort",
    ),
    "revert": (
        _revert_in_conflict,
        "a revert",
        "git revert --continue, or git revert --abort",
    ),
    "rebase": (_edit_in_rebase, "a rebase", "git rebase --continue, or git rebase --abort"),
    "bisect": (lambda repo: git(repo, "bisect", "start"), "a bisect", "git bisect reset"),
    "am": (
        lambda repo: _am_that_does_not_apply(repo, repo.parent.parent),
        "a git am",
        "git am --continue, or git am --abort",
    ),
    "cherry-pick of two": (
        _pick_two_and_commit_the_first,
        "a cherry-pick (or revert) of several commits",
        "git cherry-pick --continue, or git cherry-pick --quit; git revert for a revert",
    ),
}


def test_a_merge_in_progress_with_a_clean_tree_is_refused(stamped: Path, index: Index) -> None:
    _diverged(stamped)
    add_fragment(stamped)
    git(stamped, "merge", "-q", "-s", "ours", "--no-commit", "topic")
    assert git(stamped, "status", "--porcelain") == ""  # nothing else would stop it
    merge_head = stamped / ".git" / "MERGE_HEAD"
    topic = git(stamped, "rev-parse", "topic")
    assert merge_head.read_text().strip() == topic
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert line == (
        "a merge is in progress in this repository: finish it first "
        "(git commit, or git merge --abort)"
    )
    assert _world(stamped, index) == before
    assert merge_head.read_text().strip() == topic  # the merge is the user's to finish


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_an_operation_in_progress_is_refused_naming_how_to_end_it(
    stamped: Path, index: Index, operation: str
) -> None:
    start, what, fix = OPERATIONS[operation]
    add_fragment(stamped)
    _diverged(stamped)
    start(stamped)
    assert git(stamped, "status", "--porcelain") == ""
    before = _world(stamped, index)
    options = ReleaseOptions(yes=True, no_checks=True, no_push=True, repository=index.url)

    with pytest.raises(ReleaseKitError) as refused:
        commands.run("release", stamped, options)

    assert (
        str(refused.value) == f"{what} is in progress in this repository: finish it first ({fix})"
    )
    assert _world(stamped, index) == before
    git(stamped, "status")  # git still knows the operation: the release did not touch it


def test_a_merge_in_a_linked_worktree_is_found_in_its_own_git_directory(
    stamped: Path, tmp_path: Path
) -> None:
    add_fragment(stamped)
    _diverged(stamped)
    git(stamped, "checkout", "-q", "-b", "elsewhere")
    worktree = tmp_path / "linked"
    git(stamped, "worktree", "add", "-q", str(worktree), "main")
    git(worktree, "merge", "-q", "-s", "ours", "--no-commit", "topic")
    assert not (stamped / ".git" / "MERGE_HEAD").exists()  # it is the worktree's own
    before = snapshot(worktree)
    options = ReleaseOptions(yes=True, no_checks=True, no_push=True, no_publish=True)

    with pytest.raises(ReleaseKitError, match=r"^a merge is in progress .*git merge --abort\)$"):
        commands.run("release", worktree, options)

    assert snapshot(worktree) == before
    # The main worktree has no merge in progress: its release is not refused for that.
    proc = invoke("release", "--dry-run", "--no-checks", "--no-push", "--no-publish",
                  cwd=stamped, check=False)  # fmt: skip
    assert "merge is in progress" not in proc.stderr
    assert "branch 'elsewhere' is not a release branch" in proc.stderr


# --- submodules ----------------------------------------------------------------------------


def _add_submodule(repo: Path, tmp_path: Path, where: str) -> None:
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q", "-b", "main")
    (library / "vendored.py").write_text("VENDORED = True\n")
    git(library, "add", "vendored.py")
    git(library, "commit", "-q", "-m", "A library")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), where)
    commit_all(repo, f"A submodule in {where}")
    assert git(repo, "ls-files", "-s", where).startswith("160000")


def test_a_submodule_inside_the_package_is_refused(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(stamped)
    _add_submodule(stamped, tmp_path, "src/demo_lib/vendored")
    before = _world(stamped, index)

    line = _refused(stamped, index)

    assert line == (
        "src/demo_lib/vendored is a git submodule inside the package: its files would be "
        "missing from the sdist and the wheel (git archive leaves them out); vendor its files "
        "into the repository instead"
    )
    assert _world(stamped, index) == before
    assert not (stamped / "dist").exists()


def test_a_submodule_outside_the_package_is_a_warning(stamped: Path, tmp_path: Path) -> None:
    add_fragment(stamped)
    _add_submodule(stamped, tmp_path, "docs/theme")
    before = snapshot(stamped)

    proc = invoke("release", "--dry-run", "--no-checks", "--no-push", "--no-publish",
                  cwd=stamped)  # fmt: skip

    assert (
        "WARNING docs/theme is a git submodule: its files are not in the sdist (git archive "
        "leaves them out)"
    ) in proc.stderr
    assert "Release plan for demo-lib (dry run: nothing was changed)" in proc.stdout
    assert snapshot(stamped) == before


# --- the train -----------------------------------------------------------------------------


TRAIN_CASES = ["symlinked fragment", "ignored fragment", "merge", "submodule", "symlinked dist",
               "symlinked changelog"]  # fmt: skip


@pytest.mark.parametrize("case", TRAIN_CASES)
def test_the_train_checks_its_inputs_the_same_way(tmp_path: Path, index: Index, case: str) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    member = root / "packages" / "a"
    add_fragment(member)
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n")
    if case == "symlinked fragment":
        (member / "changelog.d" / "+leak.bugfix.md").symlink_to(outside)
        commit_all(root, "A symlink")
        expected = "changelog.d/+leak.bugfix.md is a symlink"
    elif case == "ignored fragment":
        (root / ".git" / "info" / "exclude").write_text("+private.bugfix.md\n")
        (member / "changelog.d" / "+private.bugfix.md").write_text(f"{SECRET}\n")
        expected = "changelog.d/+private.bugfix.md is ignored by git"
    elif case == "merge":
        git(root, "checkout", "-q", "-b", "topic")
        git(root, "commit", "-q", "--allow-empty", "-m", "Topic")
        git(root, "checkout", "-q", "main")
        git(root, "merge", "-q", "--no-ff", "--no-commit", "topic")
        expected = "a merge is in progress in this repository"
    elif case == "submodule":
        _add_submodule(root, tmp_path, "packages/a/src/a/vendored")
        expected = "src/a/vendored is a git submodule inside the package"
    elif case == "symlinked dist":
        shared = _shared(tmp_path)
        (member / "dist").symlink_to(shared)
        (root / ".git" / "info" / "exclude").write_text("dist\n")
        expected = f"packages/a/dist is a symlink (to {shared}): releasekit writes and empties"
    else:
        shared = tmp_path / "shared"
        shared.mkdir()
        (member / "CHANGELOG.md").rename(shared / "CHANGELOG.md")
        (member / "CHANGELOG.md").symlink_to(shared / "CHANGELOG.md")
        commit_all(root, "The changelog lives elsewhere")
        expected = "packages/a/CHANGELOG.md is a symlink (to "
    elsewhere = _files_under(tmp_path / "shared")
    before = _world(root, index)

    line = _refused(root, index)

    assert expected in line
    assert SECRET not in line
    assert _world(root, index) == before
    assert _files_under(tmp_path / "shared") == elsewhere
    assert SECRET not in (member / "CHANGELOG.md").read_text()


# --- what the release writes, and where ----------------------------------------------------


def _files_under(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` and its bytes: what nothing may write or delete."""
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}  # fmt: skip


def _shared(tmp_path: Path) -> Path:
    """A directory outside the repository with someone else's files, a ``dist/`` among them."""
    shared = tmp_path / "shared"
    (shared / "dist").mkdir(parents=True)
    (shared / "dist" / "other-1.0.tar.gz").write_text("someone else's build\n")
    (shared / "notes.txt").write_text("keep me\n")
    return shared


#: Where the link is, and whether it is committed or ignored through .git/info/exclude.
OWN_DIRS = {
    "committed .releasekit": (".releasekit", "commit"),
    "ignored .releasekit": (".releasekit", "exclude"),
    "ignored .releasekit/dist": (".releasekit/dist", "exclude"),
    "ignored dist": ("dist", "exclude"),
}


@pytest.mark.parametrize("case", sorted(OWN_DIRS))
def test_releasekits_own_directory_behind_a_symlink_is_refused(
    stamped: Path, index: Index, tmp_path: Path, case: str
) -> None:
    where, how = OWN_DIRS[case]
    shared = _shared(tmp_path)
    add_fragment(stamped)
    link = stamped / where
    link.parent.mkdir(exist_ok=True)
    target = os.path.relpath(shared, link.parent)  # relative, as one would commit it
    link.symlink_to(target)
    if how == "commit":
        commit_all(stamped, "The state lives elsewhere")
    else:
        with (stamped / ".git" / "info" / "exclude").open("a") as f:
            f.write(f"/{where.split('/')[0]}\n")
    before, outside = _world(stamped, index), _files_under(shared)

    line = _refused(stamped, index)

    assert line == (
        f"{where} is a symlink (to {target}): releasekit writes and empties {where} itself, "
        "so it must be a real directory in the project; remove the link"
    )
    assert _files_under(shared) == outside  # nothing written, emptied or deleted through it
    assert sorted(p.name for p in shared.iterdir()) == ["dist", "notes.txt"]
    assert _world(stamped, index) == before
    assert link.is_symlink() and os.readlink(link) == target


@pytest.mark.parametrize("written", ["CHANGELOG.md", "src/demo_lib/__init__.py"])
def test_a_file_the_release_writes_behind_a_symlink_is_refused(
    stamped: Path, index: Index, tmp_path: Path, written: str
) -> None:
    outside = tmp_path / "outside" / Path(written).name
    outside.parent.mkdir()
    (stamped / written).rename(outside)
    (stamped / written).symlink_to(outside)
    add_fragment(stamped)
    assert git(stamped, "ls-files", "-s", written).startswith("120000")
    before, kept = _world(stamped, index), outside.read_bytes()

    line = _refused(stamped, index)

    assert line == (
        f"{written} is a symlink (to {outside}): the release writes it and would change a file "
        "elsewhere; replace the link with the real file or directory"
    )
    assert outside.read_bytes() == kept
    assert _world(stamped, index) == before


def test_a_file_the_release_writes_inside_a_linked_directory_is_refused(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    package = stamped / "src" / "demo_lib"
    elsewhere = tmp_path / "elsewhere"
    package.rename(elsewhere)
    package.symlink_to(elsewhere)
    add_fragment(stamped)
    before, kept = _world(stamped, index), _files_under(elsewhere)

    line = _refused(stamped, index)

    assert line.startswith(
        f"src/demo_lib/__init__.py is inside src/demo_lib, a symlink (to {elsewhere}): "
    )
    assert _files_under(elsewhere) == kept
    assert _world(stamped, index) == before


# --- what changed while the checks ran -----------------------------------------------------


GATED_CHECK = '''

import pathlib as _pathlib
import time as _time

import nox as _nox


@_nox.session(python=False)
def gated(session):
    """A check that takes as long as the test wants."""
    gate = _pathlib.Path({gate!r})
    (gate / "started").touch()
    deadline = _time.monotonic() + 120
    while not (gate / "go").exists() and _time.monotonic() < deadline:
        _time.sleep(0.05)
'''


def _gated_check(repo: Path, gate: Path) -> None:
    """The only check waits at ``gate`` (``started``, then ``go``); not run again on the commit."""
    with (repo / "noxfile.py").open("a") as f:
        f.write(GATED_CHECK.format(gate=str(gate)))
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text().replace('["tests", "style", "build"]', '["gated"]')
    on_commit = "check_release_commit ="
    pyproject.write_text(text.replace(f"{on_commit} true", f"{on_commit} false"))
    commit_all(repo, "A check that waits")


def _stage_work(repo: Path) -> None:
    (repo / "src" / "demo_lib" / "unreviewed.py").write_text('print("unreviewed")\n')
    with (repo / "README.md").open("a") as f:
        f.write("half-done\n")
    git(repo, "add", "src/demo_lib/unreviewed.py", "README.md")


def _start_merge(repo: Path) -> None:
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "topic")


MEANWHILE = {
    "staged": (_stage_work, "the work tree changed while the checks ran (2 changed or untracked, "
               "e.g. README.md): nothing was changed; commit or stash it and release again"),
    "merge": (_start_merge, "a merge is in progress in this repository: finish it first "
              "(git commit, or git merge --abort)"),
}  # fmt: skip


@pytest.mark.parametrize("meanwhile", sorted(MEANWHILE))
def test_what_is_staged_or_merged_while_the_checks_run_is_refused(
    stamped: Path, index: Index, tmp_path: Path, meanwhile: str
) -> None:
    from tests.integration.conftest import start_release, wait_for

    act, expected = MEANWHILE[meanwhile]
    gate = tmp_path / "gate"
    _gated_check(stamped, gate)
    git(stamped, "checkout", "-q", "-b", "topic")
    (stamped / "src" / "demo_lib" / "experiment.py").write_text('print("experiment")\n')
    commit_all(stamped, "An experiment")
    git(stamped, "checkout", "-q", "main")
    add_fragment(stamped)
    head, remote = git(stamped, "rev-parse", "HEAD"), git(stamped, "ls-remote", "origin")
    changelog = (stamped / "CHANGELOG.md").read_bytes()
    proc = start_release(stamped, index, gate, checks=True)
    wait_for(gate / "started", proc)
    act(stamped)  # while the preflight's check runs
    staged = git(stamped, "diff", "--cached", "--name-only")
    (gate / "go").touch()
    _, err = proc.communicate(timeout=300)

    assert proc.returncode == 1, err
    assert err.splitlines()[-1] == f"ERROR {expected}"
    # Nothing of it was committed, tagged, pushed or published; what is staged stays so.
    assert git(stamped, "rev-parse", "HEAD") == head
    assert git(stamped, "tag", "-l") == ""
    assert git(stamped, "diff", "--cached", "--name-only") == staged != ""
    assert (stamped / "CHANGELOG.md").read_bytes() == changelog
    assert (stamped / "changelog.d" / "+test.feature.md").is_file()
    assert git(stamped, "ls-remote", "origin") == remote
    assert index.files() == []
    assert (stamped / ".git" / "MERGE_HEAD").exists() == (meanwhile == "merge")


WAITING_BUMP_HOOK = """touch {gate}/started
i=0
while [ ! -e {gate}/go ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done
"""


def test_what_is_staged_while_the_commit_is_made_is_refused_and_rolled_back(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    """bump-my-version's own pre-commit hook waits; meanwhile work is staged: not released."""
    from tests.integration.conftest import start_release, wait_for

    gate, script = tmp_path / "gate", tmp_path / "wait.sh"
    script.write_text(WAITING_BUMP_HOOK.format(gate=gate))
    pyproject = stamped / "pyproject.toml"
    table = "[tool.bumpversion]\n"
    hook = f'pre_commit_hooks = ["sh {script}"]\n'
    pyproject.write_text(pyproject.read_text().replace(table, table + hook))
    commit_all(stamped, "A slow hook of bump-my-version")
    add_fragment(stamped)
    before = _world(stamped, index)
    proc = start_release(stamped, index, gate, "--no-push")
    try:
        wait_for(gate / "started", proc)
        _stage_work(stamped)  # the changelog and the version files are written by now
    finally:
        (gate / "go").touch()
    _, err = proc.communicate(timeout=300)

    assert proc.returncode == 1, err
    assert err.splitlines()[-1] == (
        "ERROR commit and tag failed: README.md was staged while the release ran (2 such "
        "file(s)): it is not the release's to commit; commit it after the release, or unstage "
        "it; the repository is back as it was"
    )
    # The release is undone; what was staged is still staged, and nothing else.
    theirs = ["README.md", "src/demo_lib/unreviewed.py"]
    assert git(stamped, "diff", "--cached", "--name-only").splitlines() == theirs
    git(stamped, "reset", "-q", *theirs)
    git(stamped, "checkout", "-q", "README.md")
    (stamped / "src" / "demo_lib" / "unreviewed.py").unlink()
    assert _world(stamped, index) == before


def test_a_release_commit_with_another_parent_is_refused(stamped: Path) -> None:
    """The check after the commit: a merge cannot be the release commit (git reads MERGE_HEAD
    before its hooks run, so the preflight and the index check stop it first)."""
    from releasekit import release

    started = git(stamped, "rev-parse", "HEAD")
    git(stamped, "checkout", "-q", "-b", "topic")
    git(stamped, "commit", "-q", "--allow-empty", "-m", "Topic")
    git(stamped, "checkout", "-q", "main")
    git(stamped, "merge", "-q", "--no-ff", "-m", "A merge", "topic")
    merge, topic = git(stamped, "rev-parse", "HEAD"), git(stamped, "rev-parse", "topic")

    with pytest.raises(ReleaseKitError) as refused:
        release.check_one_parent(stamped, merge, started)

    assert str(refused.value) == (
        f"the release commit {merge[:12]} has the parent(s) {started[:12]} {topic[:12]}, not only "
        f"{started[:12]}: a merge (or another commit) came in while it was made; finish or abort "
        "it, then release again"
    )
    release.check_one_parent(stamped, topic, started)  # one parent, the start: passes


def test_what_is_staged_while_a_trains_checks_run_is_refused(tmp_path: Path, index: Index) -> None:
    from tests.integration.conftest import start_release, wait_for

    root = make_workspace(tmp_path, {"a": ""})
    member = root / "packages" / "a"
    gate = tmp_path / "gate"
    _gated_check(member, gate)
    add_fragment(member)
    before = _world(root, index)
    proc = start_release(root, index, gate, checks=True)
    try:
        wait_for(gate / "started", proc)
        (root / "unreviewed.py").write_text('print("unreviewed")\n')
        git(root, "add", "unreviewed.py")
    finally:
        (gate / "go").touch()
    _, err = proc.communicate(timeout=300)

    assert proc.returncode == 1, err
    assert err.splitlines()[-1] == (
        "ERROR the work tree changed while the checks ran (1 changed or untracked, e.g. "
        "unreviewed.py): nothing was changed; commit or stash it and release again"
    )
    assert git(root, "diff", "--cached", "--name-only") == "unreviewed.py"  # still staged
    git(root, "rm", "-q", "--cached", "unreviewed.py")
    (root / "unreviewed.py").unlink()
    assert _world(root, index) == before
