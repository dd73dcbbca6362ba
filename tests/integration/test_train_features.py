"""Release features at a workspace root, through the same code as a single release.

A compiled member follows the wheel rules (sdist only, its wheel repaired and
loaded to verify it), ``--resume --repository`` retargets what is left,
``post_release_dev`` moves every released member to its next development
version, and ``--pre`` cuts pre-releases that a final release finalizes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    commit_all,
    invoke,
    nox,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_extension import sdist_installs_from_the_index
from tests.integration.test_train import (
    fragment,
    make_workspace,
    release,
    remote_tags,
    workspace,
)

__all__ = ["workspace"]  # the fixture

pytestmark = pytest.mark.integration


@pytest.mark.slow
def test_a_compiled_member_publishes_its_sdist_and_verifies_a_repaired_wheel(
    tmp_path: Path, index: Index
) -> None:
    root = make_workspace(tmp_path, {"a": "", "ext-lib": ""}, kinds={"ext-lib": "extension"})
    fragment(root, "a", "feature")
    fragment(root, "ext-lib", "feature")
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=root)
    assert "files: a-0.2.0.tar.gz and its py3-none-any wheel" in dry.stdout
    assert "files: ext_lib-0.2.0.tar.gz only; compiled code (src/ext_lib/_core.c)" in dry.stdout
    proc = nox("-s", "release", "--", "--yes", "--no-checks", "--repository", index.url,
               cwd=root, env=index.twine_env())  # fmt: skip
    output = proc.stdout + proc.stderr
    # The pure member as ever; the compiled one's sdist only, its bare wheel never uploaded.
    assert index.files() == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz",
                             "ext_lib-0.2.0.tar.gz"], output  # fmt: skip
    assert "auditwheel repaired ext_lib-0.2.0-" in output
    assert "loaded ext_lib._core add" in output
    kept = sorted(p.name for p in (root / "packages/ext-lib/dist").iterdir())
    assert len(kept) == 2 and "manylinux" in kept[0] and kept[1] == "ext_lib-0.2.0.tar.gz", kept
    assert remote_tags(root) == ["a-v0.2.0", "ext-lib-v0.2.0"]
    assert git(root, "status", "--porcelain") == ""
    assert not (root / ".releasekit").exists()
    # The published sdist compiles and imports, fetched from the index alone.
    result = sdist_installs_from_the_index(index, tmp_path, "0.2.0")
    assert result.startswith("42 ") and result.endswith(".so"), result


def failed_first_upload(root: Path, index: Index, tmp_path: Path, member: str) -> str:
    """Start a train of a (and b, widened), make ``member``'s upload fail; the journal's text.

    Past the preflight (b's build waits at a gate), someone else's file takes
    ``member``'s sdist name on the index, so its upload fails and the train is journaled.
    """
    add_build_hook(root / "packages" / "b")
    fragment(root, "a", "feature")
    gate = tmp_path / "gate"
    proc = start_release(root, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    version = "0.2.0" if member == "a" else "0.1.1"
    (index.packages / f"{member}-{version}.tar.gz").write_bytes(b"someone else's")
    (gate / "go").touch()
    out, err = proc.communicate(timeout=600)
    assert proc.returncode != 0, out + err
    assert "run again with --resume" in err
    return (root / ".releasekit/state.json").read_text()


def test_resume_with_repository_publishes_the_train_to_the_index_given_now(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    failed_first_upload(root, index, tmp_path, "a")
    assert index.files() == ["a-0.2.0.tar.gz"]  # only the stranger's file
    with Index(tmp_path / "second") as second:
        proc = nox("-s", "release", "--", "--resume", "--yes", "--repository", second.url,
                   cwd=root, env=second.twine_env())  # fmt: skip
        output = proc.stdout + proc.stderr
        assert f"publishing to {second.url} (given now) instead of the recorded {index.url}" in (
            output
        )
        assert second.files() == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz",
                                  "b-0.1.1-py3-none-any.whl", "b-0.1.1.tar.gz"]  # fmt: skip
        assert second.PASSWORD not in output
    assert index.files() == ["a-0.2.0.tar.gz"]
    assert (index.packages / "a-0.2.0.tar.gz").read_bytes() == b"someone else's"
    assert remote_tags(root) == ["a-v0.2.0", "b-v0.1.1"]
    assert not (root / ".releasekit").exists()


def test_resume_cannot_move_the_rest_of_a_half_published_train(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    journal = failed_first_upload(root, index, tmp_path, "b")
    published = index.files()
    assert published == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz", "b-0.1.1.tar.gz"]
    before = snapshot(root)
    with Index(tmp_path / "second") as second:
        proc = nox("-s", "release", "--", "--resume", "--yes", "--repository", second.url,
                   cwd=root, env=second.twine_env(), check=False)  # fmt: skip
        assert second.files() == []
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        f"a of the train is published on {index.url} already: the rest cannot go to "
        f"{second.url} (its members install each other from one index); resume without "
        "--repository" in proc.stderr
    )
    assert snapshot(root) == before
    assert (root / ".releasekit/state.json").read_text() == journal
    assert index.files() == published and remote_tags(root) == []


def _back_to_development_after_a_feature_in_a(root: Path) -> None:
    """Both members set post_release_dev; a feature in a releases a, and b (widened)."""
    for member in ("a", "b"):
        pyproject = root / "packages" / member / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            "post_release_dev = false", "post_release_dev = true"))  # fmt: skip
    commit_all(root, "Back to development after each release")
    fragment(root, "a", "feature")


def test_post_release_dev_moves_every_released_member_on_in_one_commit(
    workspace: Path, index: Index
) -> None:
    root = workspace
    _back_to_development_after_a_feature_in_a(root)
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=root)
    assert "then:      commit a 0.2.1.dev0, b 0.1.2.dev0 (post_release_dev)" in dry.stdout

    release(root, index)
    log = git(root, "log", "-2", "--format=%s").splitlines()
    assert log == ["Back to development: a 0.2.1.dev0, b 0.1.2.dev0", "Release a 0.2.0, b 0.1.1"]
    for tag in ("a-v0.2.0", "b-v0.1.1"):
        assert git(root, "rev-parse", f"{tag}^{{commit}}") == git(root, "rev-parse", "HEAD~1")
    assert 'version = "0.2.1.dev0"' in (root / "packages/a/pyproject.toml").read_text()
    assert '__version__ = "0.1.2.dev0"' in (root / "packages/b/src/b/__init__.py").read_text()
    assert git(root, "ls-remote", "origin", "refs/heads/main").split()[0] == git(
        root, "rev-parse", "HEAD"
    )
    assert git(root, "status", "--porcelain") == ""
    assert index.files() == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz",
                             "b-0.1.1-py3-none-any.whl", "b-0.1.1.tar.gz"]  # fmt: skip

    # From the development version a bugfix releases 0.2.1, as for a single project;
    # b's widened requirement admits it, so b stays.
    fragment(root, "a", "bugfix", "Fix a crash")
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=root)
    assert "a 0.2.1.dev0 -> 0.2.1, tag a-v0.2.1 (finalizes 0.2.1.dev0; patch" in dry.stdout
    assert "b 0." not in dry.stdout


def test_pre_rc_cuts_every_member_then_a_final_train_finalizes_them(
    workspace: Path, index: Index
) -> None:
    root = workspace
    fragment(root, "a", "feature", "Greet in French")
    proc = release(root, index, "--pre", "rc")
    assert "released a 0.2.0rc1, b 0.1.1rc1" in proc.stdout + proc.stderr
    assert index.files() == ["a-0.2.0rc1-py3-none-any.whl", "a-0.2.0rc1.tar.gz",
                             "b-0.1.1rc1-py3-none-any.whl", "b-0.1.1rc1.tar.gz"]  # fmt: skip
    assert remote_tags(root) == ["a-v0.2.0rc1", "b-v0.1.1rc1"]
    assert '"a>=0.1,<0.3"' in (root / "packages/b/pyproject.toml").read_text()
    # The pre-release keeps the fragments: the final release lists the whole series.
    assert (root / "packages/a/changelog.d/+feature.feature.md").is_file()
    assert git(root, "status", "--porcelain") == ""

    # Without --pre and without a new fragment: both members are finalized.
    proc = release(root, index)
    assert "released a 0.2.0, b 0.1.1" in proc.stdout + proc.stderr
    assert remote_tags(root) == ["a-v0.2.0", "a-v0.2.0rc1", "b-v0.1.1", "b-v0.1.1rc1"]
    assert "a-0.2.0.tar.gz" in index.files() and "b-0.1.1.tar.gz" in index.files()
    changes = (root / "packages/a/CHANGELOG.md").read_text()
    final = changes.split("\n## 0.2.0 ", 1)[1].split("\n## ", 1)[0]  # its section alone
    assert "Greet in French" in final, changes
    assert not list((root / "packages/a/changelog.d").glob("+*"))
    assert not list((root / "packages/b/changelog.d").glob("+*"))
    assert git(root, "status", "--porcelain") == ""


def test_a_check_failing_on_the_release_commit_rolls_the_whole_train_back(
    workspace: Path, index: Index
) -> None:
    root = workspace
    a, b = root / "packages/a", root / "packages/b"
    for member, checks in ((a, '["tests"]'), (b, "[]")):  # a's tests alone, for speed
        pyproject = member / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            'checks = ["tests", "style", "build"]', f"checks = {checks}"))  # fmt: skip
    # Passes on the tree the preflight checks, fails once the release commit moved a's version.
    (a / "tests/test_unreleased.py").write_text(
        "from pathlib import Path\n\n\n"
        "def test_still_the_first_version() -> None:\n"
        "    pyproject = Path(__file__).parents[1] / 'pyproject.toml'\n"
        "    assert 'version = \"0.1.0\"' in pyproject.read_text()\n"
    )
    commit_all(root, "Checks that read the version")
    fragment(root, "a", "feature")
    before = snapshot(root)
    proc = nox("-s", "release", "--", "--yes", "--repository", index.url, cwd=root,
               env=index.twine_env(), check=False)  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "check tests: passed" in proc.stdout + proc.stderr  # the preflight's, in a
    assert (
        "checks failed: the configured check tests failed on the release commit (a, a-v0.2.0)"
        in proc.stderr
    )
    assert "the whole train is rolled back, nothing was uploaded" in proc.stderr
    assert snapshot(root) == before
    assert index.files() == [] and remote_tags(root) == []


def test_resume_merges_the_train_into_a_remote_branch_that_moved(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    _back_to_development_after_a_feature_in_a(root)
    hook = tmp_path / "remote.git/hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'remote: pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    proc = release(root, index, check=False)
    assert proc.returncode != 0
    assert "push failed: the remote 'origin' refused the push" in proc.stderr
    assert "the train (a 0.2.0, b 0.1.1) is recorded in .releasekit/state.json" in proc.stderr
    hook.unlink()
    other = tmp_path / "other"  # someone else pushes to main meanwhile
    git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(other))
    (other / "docs.txt").write_text("someone else's work\n")
    commit_all(other, "Someone else's commit")
    git(other, "push", "-q", "origin", "main")
    release_commit = git(root, "rev-parse", "HEAD")

    proc = nox("-s", "release", "--", "--resume", "--yes", cwd=root, env=index.twine_env())
    assert "publish: already done" in proc.stderr
    assert "pushed the tags a-v0.2.0 b-v0.1.1: they name what was published" in proc.stderr
    assert "origin/main had moved: merged the release commit into it and pushed" in proc.stderr
    assert remote_tags(root) == ["a-v0.2.0", "b-v0.1.1"]
    log = git(root, "log", "-2", "--format=%s").splitlines()
    assert log == ["Back to development: a 0.2.1.dev0, b 0.1.2.dev0",
                   "Merge the release train (a 0.2.0, b 0.1.1) into main"]  # fmt: skip
    git(root, "merge-base", "--is-ancestor", release_commit, "HEAD")
    # The development commit sits on what the push left there (the merge): it went out too.
    assert git(root, "ls-remote", "origin", "refs/heads/main").split()[0] == git(
        root, "rev-parse", "HEAD"
    )
    assert (root / "docs.txt").is_file() and git(root, "status", "--porcelain") == ""
    assert not (root / ".releasekit").exists()
