"""``post_release_dev = true``: after a final release, the branch moves on to .dev0."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke


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
