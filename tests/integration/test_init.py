"""`releasekit init` on real projects, then a real release of each to a local index.

The projects are the source distributions of small, popular packages with
different layouts, downloaded once (``pip download --no-binary :all:``) into
pytest's cache. Each one becomes a git repository with its current version
tagged the way the project tags, gets a bare remote, is adopted with
``releasekit init --yes``, and is released with ``nox -s release``; the new
version must then install from the index.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from releasekit import commands
from releasekit._exceptions import ReleaseKitError
from releasekit.commands import ReleaseOptions
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, nox, run, snapshot

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclasses.dataclass(frozen=True)
class Project:
    name: str
    version: str
    tag: str  # the project's own tag of that version
    new: str  # the version a feature fragment releases
    new_tag: str
    changelog: str  # the changelog file init keeps or creates
    fragment_suffix: str


# (a) flit, a static [project].version; tags without "v"; CHANGELOG.md with
#     "# Release X (date)" headings; its own tests in src/.
TYPING_EXTENSIONS = Project("typing_extensions", "4.12.2", "4.12.2", "4.13.0", "4.13.0",
                            "CHANGELOG.md", ".md")  # fmt: skip
# (b) flit, a dynamic version: __version__ re-exported in idna/__init__.py from
#     idna/package_data.py; a two-part version; HISTORY.rst with "+++" headings.
IDNA = Project("idna", "3.10", "v3.10", "3.11", "v3.11", "HISTORY.rst", ".rst")
# (c) hatchling + hatch-vcs: the version comes from git tags; no changelog at all.
INICONFIG = Project("iniconfig", "2.0.0", "v2.0.0", "2.1.0", "v2.1.0", "CHANGELOG.md", ".md")


def sdist(request: pytest.FixtureRequest, project: Project) -> Path:
    """The project's sdist, downloaded from the package index once and cached."""
    cache_plugin = getattr(request.config, "cache", None)
    cache: Path
    if cache_plugin is not None:
        cache = cache_plugin.mkdir("releasekit-sdists")
    else:  # -p no:cacheprovider: download into this session's temporary directory
        cache = request.config._tmp_path_factory.getbasetemp() / "releasekit-sdists"  # type: ignore[attr-defined]
        cache.mkdir(exist_ok=True)
    pattern = re.compile(
        rf"{project.name.replace('_', '[-_]')}-{re.escape(project.version)}\.tar\.gz", re.I
    )
    found = [p for p in cache.iterdir() if pattern.fullmatch(p.name)]
    if found:
        return found[0]
    args = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
            "--disable-pip-version-check", "--dest", str(cache),
            f"{project.name}=={project.version}"]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    found = [p for p in cache.iterdir() if pattern.fullmatch(p.name)]
    if proc.returncode != 0 or not found:
        pytest.fail(
            f"could not download the sdist of {project.name}=={project.version} from the "
            f"package index (these tests need it):\n{proc.stdout}\n{proc.stderr}",
            pytrace=False,
        )
    return found[0]


def repository(request: pytest.FixtureRequest, tmp_path: Path, project: Project) -> Path:
    """The sdist as a git repository on main, its version tagged, pushed to a bare remote."""
    with tarfile.open(sdist(request, project)) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    repo = top.rename(tmp_path / project.name)
    (repo / "PKG-INFO").unlink()  # generated metadata, not part of the project's source
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, f"{project.name} {project.version} from its sdist")
    git(repo, "tag", "-a", project.tag, "-m", f"Release {project.version}")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main", "--tags")
    return repo


def releasekit(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "releasekit", *args], cwd, check=check)


def contains(new: Any, old: Any) -> bool:
    """Whether every value of ``old`` is still in ``new`` (tables may have gained keys)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(
            k in new and contains(new[k], v) for k, v in old.items()
        )
    return bool(new == old)


def installed_version(index: Index, tmp_path: Path, project: Project) -> tuple[str, str]:
    """The version pip metadata reports, and the module's own ``__version__``."""
    venv = tmp_path / "check-env"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    run([sys.executable, "-m", "uv", "pip", "install", "--refresh", "--python",
         str(venv / "bin/python"), "--index-url", index.simple, f"{project.name}=={project.new}"],
        tmp_path)  # fmt: skip
    code = (
        f"import importlib.metadata as m, {project.name} as p; "
        f"print(m.version({project.name!r})); print(getattr(p, '__version__', '-'))"
    )
    out = run([str(venv / "bin/python"), "-c", code], tmp_path).stdout.split()
    return out[0], out[1]


def adopt_and_release(
    request: pytest.FixtureRequest, tmp_path: Path, index: Index, project: Project
) -> tuple[Path, str, str]:
    repo = repository(request, tmp_path, project)
    before = (repo / "pyproject.toml").read_text()
    proc = releasekit("init", "--yes", cwd=repo)
    init_out = proc.stdout + proc.stderr
    after = (repo / "pyproject.toml").read_text()
    # Everything the project had is still there, comments included, as it was written.
    assert contains(tomllib.loads(after), tomllib.loads(before))
    assert after.startswith(before.rstrip("\n"))
    assert (repo / "changelog.d" / ".gitkeep").is_file()
    assert releasekit("check", cwd=repo).returncode == 0
    commit_all(repo, "Adopt releasekit")
    fragment = repo / "changelog.d" / f"+adopt.feature{project.fragment_suffix}"
    fragment.write_text("Released with releasekit.\n")
    commit_all(repo, "Add a fragment")
    proc = nox("-s", "release", "--", "--yes", "--repository", index.url,
               cwd=repo, env=index.twine_env())  # fmt: skip
    release_out = proc.stdout + proc.stderr
    print(init_out, release_out, sep="\n")  # shown when a test fails
    assert index.files() == sorted(
        [f"{project.name}-{project.new}-py3-none-any.whl", f"{project.name}-{project.new}.tar.gz"]
    )
    assert git(repo, "cat-file", "-t", project.new_tag) == "tag"  # annotated
    assert f"refs/tags/{project.new_tag}" in git(repo, "ls-remote", "origin")
    assert git(repo, "status", "--porcelain") == ""
    assert not fragment.exists()
    return repo, init_out, release_out


def test_static_version_in_pyproject(request: pytest.FixtureRequest, tmp_path: Path,
                                     index: Index) -> None:  # fmt: skip
    project = TYPING_EXTENSIONS
    repo, init_out, release_out = adopt_and_release(request, tmp_path, index, project)
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    files = [f["filename"] for f in pyproject["tool"]["bumpversion"]["files"]]
    assert files == ["pyproject.toml"]
    assert pyproject["tool"]["bumpversion"]["tag_name"] == "{new_version}"  # as the project tags
    assert pyproject["project"]["version"] == project.new
    # The project's own test suite passes as it is, so init kept it; it ran before the release.
    assert pyproject["tool"]["releasekit"]["checks"][0] == "tests"
    assert "$ nox --no-color -s tests" in release_out
    assert "left out docs: no Sphinx project" in init_out
    changelog = (repo / project.changelog).read_text()
    # Its newest release is its first line: no marker (towncrier would put two
    # blank lines above it), the new section goes on top, every old byte stays.
    assert changelog.startswith(f"# Release {project.new} (")
    assert changelog.endswith(git(repo, "show", f"{project.tag}:{project.changelog}") + "\n")
    assert "<!-- towncrier release notes start -->" not in changelog
    assert "Released with releasekit." in changelog
    assert installed_version(index, tmp_path, project)[0] == project.new


def test_dunder_version_reexported_by_a_flit_package(
    request: pytest.FixtureRequest, tmp_path: Path, index: Index
) -> None:
    project = IDNA
    repo, init_out, _ = adopt_and_release(request, tmp_path, index, project)
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    # Exactly the file that carries the version: not the two Unicode data
    # modules that also define a __version__ (15.1.0).
    assert [f["filename"] for f in pyproject["tool"]["bumpversion"]["files"]] == [
        "idna/package_data.py"
    ]
    assert "version: __version__ in idna/package_data.py (3.10)" in init_out
    assert '__version__ = "3.11"' in (repo / "idna/package_data.py").read_text()
    assert '__version__ = "15.1.0"' in (repo / "idna/idnadata.py").read_text()
    history = (repo / project.changelog).read_text()
    new_at = history.index("3.11 (")
    assert history.index(".. towncrier release notes start") < new_at < history.index("3.10 (2024")
    assert history.startswith(".. :changelog:\n\nHistory\n-------\n")
    assert installed_version(index, tmp_path, project) == (project.new, project.new)


def test_version_from_git_tags_with_hatch_vcs(
    request: pytest.FixtureRequest, tmp_path: Path, index: Index
) -> None:
    project = INICONFIG
    repo, init_out, release_out = adopt_and_release(request, tmp_path, index, project)
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    assert "bumpversion" not in pyproject["tool"]
    table = pyproject["tool"]["releasekit"]
    assert (table["version_source"], table["tag_format"]) == ("scm", "v{new_version}")
    assert "version: git tags, through hatch-vcs" in init_out
    assert "created CHANGELOG.md" in init_out
    assert "2.0.0 -> 2.1.0 (minor, from the fragments: feature)" in release_out
    # The release commit holds only the changelog; the tag is the version.
    changed = git(repo, "show", "--name-only", "--format=", f"{project.new_tag}^{{commit}}").split()
    assert sorted(changed) == ["CHANGELOG.md", "changelog.d/+adopt.feature.md"]
    assert (
        git(repo, "tag", "-l", "--format=%(contents:subject)", project.new_tag) == "Release 2.1.0"
    )
    assert "## 2.1.0 (" in (repo / "CHANGELOG.md").read_text()
    assert installed_version(index, tmp_path, project)[0] == project.new


# --- refusals and the dry run: fast, no download, in every front end -------------------

TASKS_PY = "from releasekit.tasks import namespace as ns\n"


def front_ends(repo: Path, *args: str) -> list[str]:
    """The one-line error of `releasekit init` and `invoke init`, checked for both."""
    had_tasks = (repo / "tasks.py").exists()
    if not had_tasks:
        (repo / "tasks.py").write_text(TASKS_PY)
    messages = []
    for proc in (
        releasekit("init", *args, cwd=repo, check=False),
        run([sys.executable, "-m", "invoke", "init", *args], repo, check=False),
    ):
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "ERROR" in line]
        assert len(errors) == 1, proc.stdout + proc.stderr
        messages.append(errors[0])
    if not had_tasks:
        (repo / "tasks.py").unlink()
    return messages


def minimal(tmp_path: Path) -> Path:
    repo = tmp_path / "lib"
    (repo / "lib").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n'
        '[project]\nname = "lib"  # keep this comment\ndynamic = ["version", "description"]\n'
    )
    (repo / "lib" / "__init__.py").write_text('"""A lib."""\n\n__version__ = "0.3.0"\n')
    return repo


def test_refusals_are_one_line_and_write_nothing(tmp_path: Path, stamped: Path) -> None:
    repo = minimal(tmp_path)
    for message in front_ends(repo, "--yes"):
        assert "is not inside a git repository (run git init first)" in message
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "start")
    for message in front_ends(repo):  # no terminal (stdin is /dev/null) and no --yes
        assert "no terminal to confirm the changes on: pass --yes" in message
    (repo / "pyproject.toml").rename(tmp_path / "moved.toml")
    for message in front_ends(repo, "--yes"):
        assert "no Python project metadata in" in message
    for message in front_ends(stamped, "--yes"):
        assert "already has [tool.releasekit]: this repository is configured" in message
    assert git(stamped, "status", "--porcelain", "--untracked-files=all") == ""
    (tmp_path / "moved.toml").rename(repo / "pyproject.toml")
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    repo = minimal(tmp_path)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "start")
    git(repo, "tag", "v0.3.0")
    out = releasekit("init", "--dry-run", cwd=repo).stdout
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert "+++ b/pyproject.toml" in out
    assert "+[[tool.bumpversion.files]]\n+filename = 'lib/__init__.py'" in out
    assert "+tag_name = 'v{new_version}'" in out
    assert "--- /dev/null\n+++ b/CHANGELOG.md" in out
    assert "new empty file changelog.d/.gitkeep" in out
    assert "version: __version__ in lib/__init__.py (0.3.0)" in out
    assert "checks: not tried in a dry run" in out
    # An adopted project's API was never held to its versions: shown, not refused.
    assert '+api_check = "warn"' in out
    assert 'api_check: "warn" (a breaking change to the public API is shown at release' in out
    assert "dry run: nothing was written" in out


def test_scm_release_rolls_back_its_commit_and_tag(
    stamped: Path, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's build has a static version, so it cannot see the new tag: verify fails."""
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    assert 'version_source = "bumpversion"' in text
    pyproject.write_text(text.replace('version_source = "bumpversion"', 'version_source = "scm"'))
    commit_all(stamped, "Versions from tags")
    git(stamped, "tag", "-a", "v0.1.0", "-m", "0.1.0")
    add_fragment(stamped, "feature")
    before = snapshot(stamped)
    options = ReleaseOptions(yes=True, repository=index.url, no_checks=True, no_push=True)
    for key, value in index.twine_env().items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ReleaseKitError) as info:
        commands.run("release", stamped, options)
    assert str(info.value).startswith("verify failed: the wheel's metadata says version 0.1.0")
    assert "the repository is back as it was" in str(info.value)
    assert snapshot(stamped) == before  # no release commit, no v0.2.0 tag
    assert index.files() == []
