"""`releasekit init` on small projects written by the tests, one per layout real projects use.

Each project reproduces a layout that a real project's sdist has (setuptools with
its metadata in setup.cfg and a legacy ``[bumpversion]`` section, classic poetry,
a flit package that re-exports a second, unrelated ``__version__``), so that
these tests need no download: the build backends come from the package
registry through the build isolation, as in a real build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.integration.conftest import Index, commit_all, nox, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "start")
    return root


def with_remote(repo: Path, tag: str = "") -> None:
    """A bare ``origin`` beside ``repo``, with main (and ``tag``, annotated) pushed to it."""
    remote = repo.parent / "remote.git"
    git(repo.parent, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    if tag:
        git(repo, "tag", "-a", tag, "-m", tag.lstrip("v"))
    git(repo, "push", "-q", "-u", "origin", "main", "--tags")


def release(repo: Path, index: Index, *options: str) -> str:
    """``nox -s release -- --yes`` to the local index; what it printed."""
    proc = nox("-s", "release", "--", "--yes", *options, "--repository", index.url,
               cwd=repo, env=index.twine_env())  # fmt: skip
    return proc.stdout + proc.stderr


def releasekit(*args: str, cwd: Path) -> str:
    proc = run([sys.executable, "-m", "releasekit", *args], cwd)
    return proc.stdout + proc.stderr


#: setuptools, metadata in setup.cfg (no [project]), a bump2version-era
#: [bumpversion] section in setup.cfg, its own tests with the tests extra.
SETUP_CFG = {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
    'build-backend = "setuptools.build_meta"\n',
    "setup.cfg": "[metadata]\nname = cfglib\nversion = 1.4.0\n"
    "long_description = file: README.rst\nlong_description_content_type = text/x-rst\n\n"
    "[options]\npackages = find:\n\n"
    "[options.packages.find]\nexclude = tests\n\n"
    "[options.extras_require]\ntesting = pytest\n\n"
    "[bumpversion]\ncurrent_version = 1.4.0\ncommit = True\ntag = True\n\n"
    "[bumpversion:file:setup.cfg]\nsearch = version = {current_version}\n"
    "replace = version = {new_version}\n\n"
    "[bumpversion:file:cfglib/__init__.py]\n",
    "README.rst": "cfglib\n======\n\nA lib.\n",
    "cfglib/__init__.py": '__version__ = "1.4.0"\n',
    "tests/test_cfglib.py": "import cfglib\n\n\ndef test_version():\n"
    '    assert cfglib.__version__.startswith("1.")\n',
    "CHANGES.rst": "Changes\n=======\n\n1.4.0 (2024-01-02)\n------------------\n\n- First.\n",
}


def test_setup_cfg_metadata_and_a_legacy_bumpversion_section_release(
    tmp_path: Path, index: Index
) -> None:
    repo = write(tmp_path / "cfglib", SETUP_CFG)
    with_remote(repo, "v1.4.0")
    out = releasekit("init", "--yes", cwd=repo)
    assert "bump-my-version: kept the configuration in [bumpversion] in setup.cfg" in out
    # The trial ran on a copy: setuptools' egg-info never reached the repository.
    assert not list(repo.glob("*.egg-info"))
    table = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["releasekit"]
    assert "bumpversion" not in tomllib.loads((repo / "pyproject.toml").read_text())["tool"]
    commit_all(repo, "Adopt releasekit")
    (repo / "changelog.d" / "+a.feature.rst").write_text("Released from setup.cfg.\n")
    commit_all(repo, "A fragment")
    output = release(repo, index)
    assert index.files() == ["cfglib-1.5.0-py3-none-any.whl", "cfglib-1.5.0.tar.gz"], output
    assert "version = 1.5.0" in (repo / "setup.cfg").read_text()
    assert "current_version = 1.5.0" in (repo / "setup.cfg").read_text()
    assert '__version__ = "1.5.0"' in (repo / "cfglib/__init__.py").read_text()
    assert git(repo, "status", "--porcelain") == ""
    assert table["checks"][0] == "tests", out
    assert table["test_requires"] == ["extra:testing"]


#: classic poetry: name and version in [tool.poetry], no [project] at all.
POETRY = {
    "pyproject.toml": '[tool.poetry]\nname = "poet-lib"\nversion = "0.8.1"\n'
    'description = "x"\nauthors = ["A <a@example.com>"]\n'
    'packages = [{include = "poet_lib"}]\n\n'
    '[build-system]\nrequires = ["poetry-core>=1.0.0"]\n'
    'build-backend = "poetry.core.masonry.api"\n',
    "poet_lib/__init__.py": "",
}


def test_classic_poetry_gets_its_name_and_version_from_the_backend(tmp_path: Path) -> None:
    repo = write(tmp_path / "poet", POETRY)
    out = releasekit("init", "--dry-run", cwd=repo)
    assert "version: [tool.poetry] version in pyproject.toml (0.8.1)" in out
    assert "+filename = 'pyproject.toml'" in out
    assert "+package = 'poet_lib'" not in out  # poet-lib -> poet_lib already


#: flit, like idna: __init__.py imports an unrelated, aliased __version__ first.
ALIASED = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4"]\n'
    'build-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "aliased"\ndynamic = ["version", "description"]\n',
    "aliased/__init__.py": '"""A lib."""\n\n'
    "from .unidata import __version__ as unicode_version\n"
    "from .package_data import __version__\n",
    "aliased/unidata.py": '__version__ = "16.0.0"\n',
    "aliased/package_data.py": '__version__ = "3.10"\n',
}


def test_an_aliased_dunder_version_is_not_the_projects(tmp_path: Path) -> None:
    repo = write(tmp_path / "aliased", ALIASED)
    out = releasekit("init", "--dry-run", cwd=repo)
    assert "version: __version__ in aliased/package_data.py (3.10)" in out
    assert "unidata.py" not in out


#: hatchling; towncrier configured with the project's own types and a template
#: from a package that is not installed (a docs theme's, say).
OWN_TYPES = {
    "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n'
    'build-backend = "hatchling.build"\n\n'
    '[project]\nname = "typed-lib"\nversion = "2.0.0"\n\n'
    '[tool.towncrier]\ndirectory = "changelog.d"\nfilename = "CHANGELOG.md"\n'
    'template = "missingpkg.towncrier:template.md.jinja"\n'
    '[[tool.towncrier.type]]\ndirectory = "breaking"\nname = "Breaking"\nshowcontent = true\n'
    '[[tool.towncrier.type]]\ndirectory = "change"\nname = "Changes"\nshowcontent = true\n',
    "src/typed_lib/__init__.py": "",
    "changelog.d/.gitkeep": "",
}


def test_a_template_from_a_missing_package_is_one_line_and_init_goes_on(tmp_path: Path) -> None:
    repo = write(tmp_path / "typed", OWN_TYPES)
    out = releasekit("init", "--dry-run", cwd=repo)
    assert "Traceback" not in out
    assert (
        "towncrier: fix this before the first release: towncrier's template = "
        "'missingpkg.towncrier:template.md.jinja' names a package that is not installed "
        "(missingpkg)" in out
    )
    # The project's own types map to version parts; the valid types are named.
    assert '+bump_map = {breaking = "major", change = "patch"}' in out
    assert "fragment types: breaking, change" in out


#: flit; a Sphinx project; ruff rules that the written noxfile.py breaks.
STRICT = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4"]\n'
    'build-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "strict"\ndynamic = ["version", "description"]\n\n'
    '[tool.ruff]\nline-length = 60\n\n[tool.ruff.lint]\nselect = ["E501"]\n',
    "strict/__init__.py": '"""A lib."""\n\n__version__ = "0.2.0"\n',
    "docs/conf.py": 'project = "strict"\n',
    "docs/index.rst": "strict\n======\n\nA lib.\n",
}


def test_trial_checks_see_the_tree_as_init_leaves_it_and_write_nothing(tmp_path: Path) -> None:
    repo = write(tmp_path / "strict", STRICT)
    out = releasekit("init", "--yes", cwd=repo)
    table = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["releasekit"]
    # The project's style passes as it is, but not with the noxfile init writes.
    assert "style" not in table["checks"], out
    assert "left out style:" in out and "noxfile.py" in out
    assert "docs" in table["checks"], out
    # The docs were built in a copy: nothing but init's own files is new.
    assert not (repo / "docs" / "_build").exists()
    changed = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(line.split(maxsplit=1)[1] for line in changed) == [
        ".gitignore", "CHANGELOG.md", "changelog.d/.gitkeep", "noxfile.py", "pyproject.toml",
        "tasks.py",
    ]  # fmt: skip


#: flit, like packaging: "24.2 - 2024-11-08" headings underlined with "~",
#: pull-request roles, a CRLF file.
PACKAGING_LIKE = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4"]\n'
    'build-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "pack"\nversion = "24.2"\ndescription = "x"\n',
    "pack/__init__.py": "",
}
PACKAGING_CHANGELOG = (
    "Changelog\r\n---------\r\n\r\n"
    "24.2 - 2024-11-08\r\n~~~~~~~~~~~~~~~~~\r\n\r\n* Fix a thing (:pull:`812`)\r\n\r\n"
    "24.1 - 2024-01-02\r\n~~~~~~~~~~~~~~~~~\r\n\r\n* Older (:issue:`3`)\r\n"
)


def test_new_sections_look_like_the_old_ones(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "CHANGELOG.rst").write_bytes(PACKAGING_CHANGELOG.encode())
    repo = write(tmp_path / "pack", PACKAGING_LIKE)
    out = releasekit("init", "--dry-run", cwd=repo)
    assert '+title_format = "{version} - {project_date}"' in out
    assert '+issue_format = ":pull:`{issue}`"' in out
    assert '+underlines = ["~", "=", "^"]' in out
    assert "its CRLF line endings are kept" in out
    # The preview is towncrier's own rendering of an example entry.
    preview = out[out.index("will look like this") :]
    assert "24.3 - " in preview and "    * An example entry.\n" in preview  # "*", as packaging
    assert "+++ b/changelog.d/template.rst.jinja" in out
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_init_s_own_files_follow_the_project_s_ruff_configuration(tmp_path: Path) -> None:
    files = dict(STRICT)
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        '[tool.ruff]\nline-length = 60\n\n[tool.ruff.lint]\nselect = ["E501"]\n',
        '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\nlines-after-imports = 2\n',
    )
    del files["docs/conf.py"], files["docs/index.rst"]
    repo = write(tmp_path / "strict", files)
    out = releasekit("init", "--dry-run", cwd=repo)
    assert "  tasks.py: fixed and formatted by ruff" in out
    assert "+from releasekit.tasks import namespace\n+\n+\n+ns = namespace\n" in out


#: hatchling; a module file whose name has a hyphen, loaded through importlib by
#: design: the wheel breaks check-wheel-contents' W004 as the project ships it.
HYPHENS = {
    "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n'
    'build-backend = "hatchling.build"\n\n'
    '[project]\nname = "hyphlib"\nversion = "1.0.0"\ndescription = "x"\nreadme = "README.md"\n',
    "README.md": "# hyphlib\n\nPlug-ins with hyphens.\n",
    "hyphlib/__init__.py": '"""A lib."""\n\n__version__ = "1.0.0"\n',
    "hyphlib/plug-in.py": "LOADED = True\n",
}


def test_a_rule_the_wheel_already_breaks_is_recorded_and_the_release_passes_verify(
    tmp_path: Path, index: Index
) -> None:
    repo = write(tmp_path / "hyphlib", HYPHENS)
    with_remote(repo)
    out = releasekit("init", "--yes", cwd=repo)
    assert (
        "check-wheel-contents: the wheel already breaks W004 (Module is not located at "
        "importable path: hyphlib/plug-in.py): ignored in [tool.check-wheel-contents]" in out
    ), out
    assert "verify: the current tree's build passes the release's verify" in out
    text = (repo / "pyproject.toml").read_text()
    assert tomllib.loads(text)["tool"]["check-wheel-contents"] == {"ignore": ["W004"]}
    assert "# W004: Module is not located at importable path: hyphlib/plug-in.py\n" in text
    commit_all(repo, "Adopt releasekit")
    (repo / "changelog.d" / "+a.feature.md").write_text("Plug-ins load.\n")
    commit_all(repo, "A fragment")
    output = release(repo, index, "--no-checks")
    assert index.files() == ["hyphlib-1.1.0-py2.py3-none-any.whl", "hyphlib-1.1.0.tar.gz"], output
    assert "W004" not in output


#: flit, flat layout (no src/), pyright in the typecheck group and no mypy anywhere.
PYRIGHT_ONLY = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4"]\n'
    'build-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "pyr"\nversion = "0.3.0"\ndescription = "x"\n\n'
    '[dependency-groups]\ntypecheck = ["pyright[nodejs]"]\n',
    "pyr/__init__.py": '"""A lib."""\n\nSIZE: int = "large"\n',
}


def test_the_typecheck_session_runs_pyright_for_a_pyright_only_project(tmp_path: Path) -> None:
    repo = write(tmp_path / "pyr", PYRIGHT_ONLY)
    out = releasekit("init", "--yes", cwd=repo)
    # pyright ran on the package (there is no src/), and its error is the reason shown.
    (line,) = [ln for ln in out.splitlines() if ln.startswith("  left out typecheck:")]
    assert line.startswith("  left out typecheck: pyr/__init__.py:3:13 - error: "), out
    assert "Literal['large']" in line
    assert "mypy" not in line
    commit_all(repo, "Adopt releasekit")
    (repo / "pyr/__init__.py").write_text('"""A lib."""\n\nSIZE: int = 3\n')
    proc = nox("-s", "typecheck", cwd=repo)
    assert "pyright pyr" in proc.stderr and "0 errors" in proc.stdout + proc.stderr, proc.stderr


#: setuptools, metadata in setup.cfg, and bumpversion 0.x's own syntax: the
#: files listed in [bumpversion] (``files =``), which bump-my-version cannot read.
LEGACY_FILES = dict(SETUP_CFG)
LEGACY_FILES["setup.cfg"] = (
    "[metadata]\nname = cfglib\nversion = 1.4.0\n"
    "long_description = file: README.rst\nlong_description_content_type = text/x-rst\n\n"
    "[options]\npackages = find:\n\n"
    "[options.packages.find]\nexclude = tests\n\n"
    "[bumpversion]\ncurrent_version = 1.4.0\ncommit = True\ntag = True\n"
    "files = setup.cfg cfglib/__init__.py\n\n"
    "[bumpversion:part:release]\nvalues =\n\tdev\n\tfinal\n\n"
    "[flake8]\nmax-line-length = 100\n"
)


def test_a_bumpversion_0x_files_list_is_moved_to_tool_bumpversion_and_released(
    tmp_path: Path, index: Index
) -> None:
    repo = write(tmp_path / "cfglib", LEGACY_FILES)
    with_remote(repo, "v1.4.0")
    declined = run([sys.executable, "-m", "releasekit", "init"], repo, check=False)
    assert declined.returncode == 1 and git(repo, "status", "--porcelain") == ""
    out = releasekit("init", "--yes", cwd=repo)
    assert (
        "bump-my-version cannot read the [bumpversion] configuration in setup.cfg "
        "(Each 'files' entry must be a table/mapping" in out
    ), out
    # The diff showed both edits: the old sections out of setup.cfg, the table into pyproject.
    assert "-files = setup.cfg cfglib/__init__.py\n" in out and "+[tool.bumpversion]\n" in out
    setup_cfg = (repo / "setup.cfg").read_text()
    assert "bumpversion" not in setup_cfg
    assert setup_cfg.endswith("[flake8]\nmax-line-length = 100\n")  # the rest as it was
    moved = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["bumpversion"]
    assert moved["current_version"] == "1.4.0" and moved["commit"] is True
    assert [f["filename"] for f in moved["files"]] == ["setup.cfg", "cfglib/__init__.py"]
    assert moved["parts"] == {"release": {"values": ["dev", "final"]}}
    commit_all(repo, "Adopt releasekit")
    (repo / "changelog.d" / "+a.feature.rst").write_text("Released after the move.\n")
    commit_all(repo, "A fragment")
    output = release(repo, index, "--no-checks")
    assert index.files() == ["cfglib-1.5.0-py3-none-any.whl", "cfglib-1.5.0.tar.gz"], output
    assert "version = 1.5.0" in (repo / "setup.cfg").read_text()
    assert '__version__ = "1.5.0"' in (repo / "cfglib/__init__.py").read_text()
    assert 'current_version = "1.5.0"' in (repo / "pyproject.toml").read_text()
    assert git(repo, "tag", "-l", "v1.5.0") == "v1.5.0"


#: A virtual uv workspace root and two hatchling members, b needing a.
WORKSPACE = {
    "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
    "[tool.uv.sources]\nws-a = { workspace = true }\n",
    "packages/a/pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n'
    'build-backend = "hatchling.build"\n\n'
    '[project]\nname = "ws-a"\nversion = "0.1.0"\ndescription = "a"\nreadme = "README.md"\n',
    "packages/a/README.md": "# ws-a\n",
    "packages/a/src/ws_a/__init__.py": '"""A."""\n',
    "packages/b/pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n'
    'build-backend = "hatchling.build"\n\n'
    '[project]\nname = "ws-b"\nversion = "1.0.0"\ndescription = "b"\nreadme = "README.md"\n'
    'dependencies = ["ws-a>=0.1"]\n\n[tool.uv.sources]\nws-a = { workspace = true }\n',
    "packages/b/README.md": "# ws-b\n",
    "packages/b/src/ws_b/__init__.py": '"""B."""\n',
}


@pytest.mark.slow  # init tries each member's checks and verify: about a minute
def test_init_at_a_workspace_root_adopts_every_member_and_the_root(
    tmp_path: Path, index: Index
) -> None:
    repo = write(tmp_path / "ws", WORKSPACE)
    with_remote(repo)
    out = releasekit("init", "--yes", cwd=repo)
    assert "workspace: 2 member(s)" in out, out
    root = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]
    assert root["releasekit"] == {"branches": ["main", "master"], "remote": "origin"}
    for name, member in (("ws-a", "a"), ("ws-b", "b")):
        tool = tomllib.loads((repo / "packages" / member / "pyproject.toml").read_text())["tool"]
        # Each member tags with its own name: the train refuses two members' same tag.
        assert tool["bumpversion"]["tag_name"] == f"{name}-v{{new_version}}"
        assert "build" in tool["releasekit"]["checks"] and "towncrier" in tool
        assert (repo / "packages" / member / "changelog.d" / ".gitkeep").is_file()
        assert (repo / "packages" / member / "noxfile.py").is_file()
    assert "packages/a: verify: the current tree's build passes the release's verify" in out
    assert "packages/b: verify: the wheel's contents pass; it is installed at release" in out
    assert (repo / "noxfile.py").is_file() and ".nox/" in (repo / ".gitignore").read_text()
    commit_all(repo, "Adopt releasekit")
    (repo / "packages/a/changelog.d/+x.feature.md").write_text("A feature.\n")
    commit_all(repo, "A fragment")
    output = release(repo, index, "--no-checks")
    assert index.files() == ["ws_a-0.2.0-py2.py3-none-any.whl", "ws_a-0.2.0.tar.gz"], output
    assert git(repo, "tag", "-l") == "ws-a-v0.2.0"
