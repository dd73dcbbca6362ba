"""A pre-release series, as a maintainer cuts it: 0.1.0 -> 0.2.0rc1 -> 0.2.0rc2 -> 0.2.0."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, nox, run, snapshot


def releasekit(*args: str, cwd: Path) -> str:
    return run([sys.executable, "-m", "releasekit", *args], cwd).stdout


def fragments(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "changelog.d").iterdir() if p.name != ".gitkeep")


def test_release_candidates_then_the_final_release(stamped: Path, index: Index) -> None:
    target = ["--yes", "--no-checks", "--repository", index.url]
    add_fragment(stamped, "feature", "Greet anyone by name")
    invoke("release", "--pre", "rc", *target, cwd=stamped, env=index.twine_env())
    assert index.files() == ["demo_lib-0.2.0rc1-py3-none-any.whl", "demo_lib-0.2.0rc1.tar.gz"]
    assert "refs/tags/v0.2.0rc1" in git(stamped, "ls-remote", "--tags", "origin")
    # The pre-release keeps the fragments: the final release lists them again.
    assert fragments(stamped) == ["+test.feature.md"]
    (row,) = json.loads(releasekit("status", "--json", cwd=stamped))
    assert (row["version"], row["last_tag"], row["next_version"]) == ("0.2.0rc1", "v0.2.0rc1",
                                                                     "0.2.0")  # fmt: skip

    (stamped / "changelog.d" / "3.bugfix.md").write_text("Do not crash on empty names\n")
    commit_all(stamped, "A bugfix")
    nox("-s", "release", "--", "--pre", "rc", *target, cwd=stamped, env=index.twine_env())
    assert "demo_lib-0.2.0rc2.tar.gz" in index.files()
    assert "refs/tags/v0.2.0rc2" in git(stamped, "ls-remote", "--tags", "origin")
    rc2 = releasekit("notes", "0.2.0rc2", cwd=stamped)
    assert "Greet anyone by name" in rc2 and "Do not crash on empty names" in rc2

    # Going back to a beta after a release candidate is refused, changing nothing.
    before = snapshot(stamped)
    proc = invoke("release", "--pre", "b", *target, cwd=stamped, env=index.twine_env(),
                  check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "ERROR --pre b after 0.2.0rc2 goes back (b comes before rc)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(stamped) == before

    # No --pre: the series is finalized, with no new fragment.
    invoke("release", *target, cwd=stamped, env=index.twine_env())
    assert "demo_lib-0.2.0.tar.gz" in index.files()
    assert "refs/tags/v0.2.0" in git(stamped, "ls-remote", "--tags", "origin")
    assert fragments(stamped) == []
    final = releasekit("notes", "0.2.0", cwd=stamped)
    assert final == (
        "### Features\n\n- Greet anyone by name\n\n"
        "### Bugfixes\n\n"
        "- Do not crash on empty names ([#3](https://github.com/your-name/demo-lib/issues/3))\n"
    )
    assert releasekit("notes", cwd=stamped) == final
    changelog = (stamped / "CHANGELOG.md").read_text()
    headings = [line.split(" (")[0] for line in changelog.splitlines() if line.startswith("## ")]
    assert headings == ["## 0.2.0", "## 0.2.0rc2", "## 0.2.0rc1"]
    assert 'version = "0.2.0"' in (stamped / "pyproject.toml").read_text()
    assert git(stamped, "status", "--porcelain") == ""


def test_pre_releases_with_versions_from_git_tags(stamped: Path) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'version_source = "bumpversion"', 'version_source = "scm"'))  # fmt: skip
    commit_all(stamped, "Versions from git tags")
    git(stamped, "tag", "-a", "v1.4.2", "-m", "Release 1.4.2")
    add_fragment(stamped, "feature")
    local = ["--yes", "--no-checks", "--no-publish", "--no-push"]
    # The stamped build reads a static version, so these releases are planned
    # (--dry-run), not built: the version choice is what differs from bump-my-version.
    proc = invoke("release", "--dry-run", "--pre", "rc", *local, cwd=stamped)
    assert "1.4.2 -> 1.5.0rc1 (--pre rc; minor, from the fragments: feature)" in (
        proc.stdout + proc.stderr
    )
    git(stamped, "tag", "-a", "v1.5.0rc1", "-m", "Release 1.5.0rc1")
    proc = invoke("release", "--dry-run", "--pre", "rc", *local, cwd=stamped)
    assert "1.5.0rc1 -> 1.5.0rc2 (--pre rc; minor, from the fragments: feature)" in (
        proc.stdout + proc.stderr
    )
    (stamped / "changelog.d" / "+test.feature.md").unlink()
    commit_all(stamped, "No fragment left")
    proc = invoke("release", "--dry-run", *local, cwd=stamped)
    assert "1.5.0rc1 -> 1.5.0 (finalizes 1.5.0rc1)" in proc.stdout + proc.stderr
    proc = invoke("release", "--dry-run", "--pre", "a", *local, cwd=stamped, check=False)
    assert proc.returncode == 1
    assert "--pre a after 1.5.0rc1 goes back" in proc.stderr
