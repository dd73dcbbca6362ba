"""releasekit releases itself: a copy of this repository, with its own noxfile.

The copy is a ``git clone`` of this checkout's committed state, on ``main``,
with a bare repository as its remote. The release skips the configured checks
(``--no-checks``): they are this very test suite, which would run itself
recursively; the other steps run for real, against a local pypiserver.
Nothing here knows the current version: it is read from the copy.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.version import Version

from releasekit import config
from tests.conftest import REPO_ROOT, git
from tests.integration.conftest import Index, commit_all, nox, run, snapshot

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VERSION_FILES = "CHANGELOG.md, pyproject.toml, src/releasekit/__init__.py"


def copy_of_this_repository(tmp_path: Path) -> Path:
    copy = tmp_path / "releasekit"
    git(tmp_path, "clone", "-q", str(REPO_ROOT), str(copy))
    git(copy, "checkout", "-q", "-B", "main")
    # The clone's origin is this checkout: replace it so nothing can reach it.
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(copy, "remote", "set-url", "origin", str(remote))
    git(copy, "push", "-q", "-u", "origin", "main")
    fragments = changelog_fragments(copy)
    if not fragments:  # right after a release of this repository
        (copy / "changelog.d" / "+self-release.bugfix.md").write_text("Release a copy.\n")
        commit_all(copy, "Add a fragment")
    return copy


def changelog_fragments(repo: Path) -> list[Path]:
    """towncrier's fragments: ``{issue}.{type}[.{counter}].md`` in changelog.d/."""
    directory = repo / "changelog.d"
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.count(".") >= 2)


def expected_release(repo: Path) -> tuple[str, str, str]:
    """The current version, the next one and the part, worked out independently."""
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    current = Version(pyproject["project"]["version"])
    assert not current.pre and not current.dev, "a pre-release needs --part or --new-version"
    bump_map = pyproject["tool"].get("releasekit", {}).get("bump_map", config.DEFAULT_BUMP_MAP)
    types = {p.name.split(".")[1] for p in changelog_fragments(repo)}
    parts = {bump_map.get(t, "patch") for t in types}
    part = next(p for p in ("major", "minor", "patch") if p in parts)
    if part == "major" and current.major == 0:
        part = "minor"
    major, minor, patch = current.release[:3]
    new = {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[part]
    return str(current), new, part


def test_dry_run_on_this_repository_prints_the_plan(tmp_path: Path, index: Index) -> None:
    copy = copy_of_this_repository(tmp_path)
    current, new, part = expected_release(copy)
    before = snapshot(copy)
    plan = nox("-s", "release", "--", "--dry-run", "--repository", index.url, cwd=copy).stdout
    assert "Release plan for releasekit (dry run: nothing was changed)" in plan
    assert re.search(rf"version: +{re.escape(current)} -> {re.escape(new)} \({part}, ", plan)
    assert re.search(rf"changes: +{re.escape(VERSION_FILES)}\n", plan)
    for fragment in changelog_fragments(copy):
        assert f"changelog.d/{fragment.name}" in plan
        first_line = fragment.read_text().splitlines()[0]
        assert first_line in plan  # the changelog text of the new section
    assert f"'Release {new}' on main" in plan
    assert f"v{new} (annotated, not signed)" in plan
    assert f"main and v{new} to origin" in plan
    assert index.url in plan
    assert snapshot(copy) == before
    assert index.files() == []


def test_releasekit_releases_itself_to_a_local_index(tmp_path: Path, index: Index) -> None:
    copy = copy_of_this_repository(tmp_path)
    _, new, _ = expected_release(copy)
    nox("-s", "release", "--", "--no-push", "--no-checks", "--yes", "--repository", index.url,
        cwd=copy, env=index.twine_env())  # fmt: skip
    assert index.files() == [f"releasekit-{new}-py3-none-any.whl", f"releasekit-{new}.tar.gz"]
    assert git(copy, "tag", "-l").split().count(f"v{new}") == 1
    assert f"## {new} (" in (copy / "CHANGELOG.md").read_text()
    assert changelog_fragments(copy) == []
    assert git(copy, "status", "--porcelain") == ""

    # A user's install: releasekit from the index, its dependencies from the
    # default index (the local one comes first, so it serves releasekit).
    venv = tmp_path / "user-env"
    run([sys.executable, "-m", "uv", "venv", "-q", "--python", sys.executable, str(venv)],
        tmp_path)  # fmt: skip
    run([sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(venv / "bin/python"),
         "--extra-index-url", index.simple, f"releasekit=={new}"], tmp_path)  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    releasekit = str(venv / "bin/releasekit")
    assert run([releasekit, "--version"], elsewhere).stdout.strip() == f"releasekit {new}"

    # The wheel carries the template: the installed console script stamps a
    # repository far from this checkout, with the workflows.
    where = run([str(venv / "bin/python"), "-c",
                 "from releasekit import new; print(new.template_dir())"], elsewhere)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(venv)
    out = run([releasekit, "new", "--no-input", "-o", str(elsewhere)], elsewhere).stdout
    stamped = Path(out.strip())
    assert stamped == elsewhere / "demo-lib"
    for name in ("pyproject.toml", "noxfile.py", ".github/workflows/ci.yml",
                 ".github/workflows/release.yml", "docs/releasing.rst"):  # fmt: skip
        assert (stamped / name).is_file(), name
