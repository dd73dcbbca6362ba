"""``post_release_dev = true``: after a final release, the branch moves on to .dev0."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, run


def test_the_development_version_is_committed_and_pushed(stamped: Path, index: Index) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "post_release_dev = false", "post_release_dev = true"))  # fmt: skip
    commit_all(stamped, "Back to development after each release")
    add_fragment(stamped, "feature")
    target = ["--yes", "--no-checks", "--repository", index.url]
    proc = invoke("release", "--dry-run", *target, cwd=stamped)
    assert "then:      commit 0.2.1.dev0 (post_release_dev)" in proc.stdout

    invoke("release", *target, cwd=stamped, env=index.twine_env())
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    log = git(stamped, "log", "-2", "--format=%s").splitlines()
    assert log == ["Back to development: 0.2.1.dev0", "Release 0.2.0"]
    assert git(stamped, "rev-parse", "v0.2.0^{commit}") == git(stamped, "rev-parse", "HEAD~1")
    assert 'version = "0.2.1.dev0"' in pyproject.read_text()
    assert '__version__ = "0.2.1.dev0"' in (stamped / "src/demo_lib/__init__.py").read_text()
    assert git(stamped, "ls-remote", "origin", "refs/heads/main").split()[0] == git(
        stamped, "rev-parse", "HEAD"
    )
    assert git(stamped, "tag", "--points-at", "HEAD") == ""
    assert git(stamped, "status", "--porcelain") == ""

    # From the development version, a bugfix is 0.2.1; a pre-release gets no .dev0 after it.
    add_fragment(stamped, "bugfix", "Fix a crash")
    invoke("release", "--pre", "rc", *target, cwd=stamped, env=index.twine_env())
    assert "demo_lib-0.2.1rc1.tar.gz" in index.files()
    assert git(stamped, "log", "-1", "--format=%s") == "Release 0.2.1rc1"
    assert 'version = "0.2.1rc1"' in pyproject.read_text()


def test_every_view_gives_the_release_s_next_version_after_a_dev_version(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "post_release_dev = false", "post_release_dev = true"))  # fmt: skip
    commit_all(stamped, "Back to development after each release")
    add_fragment(stamped, "feature")
    local = ["--yes", "--no-checks", "--no-publish", "--no-push"]
    invoke("release", *local, cwd=stamped)
    assert 'version = "0.2.1.dev0"' in pyproject.read_text()
    add_fragment(stamped, "bugfix", "Fix a crash")

    # bump-my-version's own patch bump from 0.2.1.dev0 is 0.2.2; a release finalizes 0.2.1.
    shown = invoke("version", cwd=stamped).stdout
    assert "patch: 0.2.2" in shown
    assert "fragments: 0.2.1 (patch, from 1 fragment(s): bugfix)" in shown
    draft = invoke("changelog", "--draft", cwd=stamped).stdout
    assert "0.2.1" in draft.splitlines()[0] and "Fix a crash" in draft
    plan = invoke("release", "--dry-run", *local, cwd=stamped).stdout
    assert "version:   0.2.1.dev0 -> 0.2.1 (finalizes 0.2.1.dev0; patch, from the fragments" in plan
    cli = [sys.executable, "-m", "releasekit"]
    (row,) = json.loads(run([*cli, "status", "--json"], stamped).stdout)
    assert (row["version"], row["next_version"]) == ("0.2.1.dev0", "0.2.1")
    check = run([*cli, "check", "--fragment", "--base", "v0.2.0"], stamped).stdout
    assert "next version: 0.2.1" in check
    assert git(stamped, "status", "--porcelain") == ""  # none of them changed anything
