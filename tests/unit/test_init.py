"""The detection rules of ``releasekit init`` and the versions from git tags, on small layouts."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from releasekit import config, init
from releasekit._exceptions import ConfigError, InitError
from releasekit.init.versions import reconcile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def project(tmp_path: Path, pyproject: str, files: dict[str, str] | None = None) -> dict[str, Any]:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tomllib.loads(pyproject)


def detect(tmp_path: Path, pyproject: str, files: dict[str, str] | None = None) -> init.Detected:
    return init.detect_version(tmp_path, project(tmp_path, pyproject, files), "demo-lib")


HATCH = '[build-system]\nbuild-backend = "hatchling.build"\n'


def test_static_version_and_an_equal_dunder_version_are_both_moved(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        '[project]\nname = "demo-lib"\nversion = "1.2.3"\n',
        {
            "src/demo_lib/__init__.py": '__version__ = "1.2.3"\n',
            "src/demo_lib/data.py": '__version__ = "15.0"\n',
        },
    )
    assert (found.source, found.current) == ("bumpversion", "1.2.3")
    assert found.files == (
        init.VersionFile("pyproject.toml", 'version = "{current_version}"'),
        init.VersionFile("src/demo_lib/__init__.py", '__version__ = "{current_version}"'),
    )


def test_a_different_dunder_version_is_not_the_project_version(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        '[project]\nname = "demo-lib"\nversion = "1.2.3"\n',
        {"demo_lib/__init__.py": "__version__ = '0.9'\n"},
    )
    assert [f.path for f in found.files] == ["pyproject.toml"]


def test_hatch_version_path_keeps_the_quotes_it_finds(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        HATCH + '[project]\nname = "demo-lib"\ndynamic = ["version"]\n'
        '[tool.hatch.version]\npath = "demo_lib/__about__.py"\n',
        {"demo_lib/__about__.py": "__version__ = '2.0.1'\n", "demo_lib/__init__.py": ""},
    )
    assert found.current == "2.0.1"
    assert found.files == (
        init.VersionFile("demo_lib/__about__.py", "__version__ = '{current_version}'"),
    )


def test_flit_dynamic_version_is_followed_through_a_reexport(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        '[build-system]\nbuild-backend = "flit_core.buildapi"\n'
        '[project]\nname = "demo-lib"\ndynamic = ["version", "description"]\n',
        {
            "src/demo_lib/__init__.py": "from .about import __version__\n",
            "src/demo_lib/about.py": '__version__ = "0.4"\n',
        },
    )
    assert (found.current, [f.path for f in found.files]) == ("0.4", ["src/demo_lib/about.py"])


def test_setuptools_attr_and_file(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        '[project]\nname = "demo-lib"\ndynamic = ["version"]\n'
        '[tool.setuptools.dynamic]\nversion = {attr = "demo_lib.__version__"}\n',
        {"src/demo_lib/__init__.py": '__version__: str = "3.1.0"\n'},
    )
    assert found.files[0].search == '__version__: str = "{current_version}"'
    (tmp_path / "VERSION").write_text("5.0.0\n")
    found = detect(
        tmp_path,
        '[project]\nname = "demo-lib"\ndynamic = ["version"]\n'
        '[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
    )
    assert (found.current, found.files[0]) == (
        "5.0.0",
        init.VersionFile("VERSION", "{current_version}"),
    )


def test_setup_cfg_version(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        '[build-system]\nrequires = ["setuptools"]\n',
        {"setup.cfg": "[metadata]\nname = demo-lib\nversion = 0.7.1\n"},
    )
    assert (found.current, found.files[0]) == (
        "0.7.1",
        init.VersionFile("setup.cfg", "version = {current_version}"),
    )


@pytest.mark.parametrize(
    ("pyproject", "backend"),
    [
        (HATCH + '[tool.hatch.version]\nsource = "vcs"\n', "hatch-vcs"),
        ('[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n', "setuptools-scm"),
        ('[tool.pdm.version]\nsource = "scm"\n', "pdm's scm backend"),
    ],
)
def test_versions_from_git_tags(tmp_path: Path, pyproject: str, backend: str) -> None:
    found = detect(tmp_path, pyproject + '[project]\nname = "x"\ndynamic = ["version"]\n')
    assert (found.source, found.files, found.how) == ("scm", (), f"git tags, through {backend}")


def test_an_unknown_home_of_the_version_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InitError, match="cannot tell where the version of demo-lib lives"):
        detect(tmp_path, '[project]\nname = "demo-lib"\ndynamic = ["version"]\n')


def test_tag_format_follows_the_existing_tags() -> None:
    assert init.detect_tag_format(["v1.0.0", "v1.1.0"]) == "v{new_version}"
    assert init.detect_tag_format(["1.0", "1.1", "docs-2020"]) == "{new_version}"
    assert init.detect_tag_format([]) == "v{new_version}"


def test_markdown_marker_goes_above_the_newest_release(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGES.md"
    changelog.write_text(
        "# Changes\n\nIntro.\n\n## [Unreleased]\n\n## [v1.2.0] - 2024-01-01\n\n- x\n"
    )
    path, text, table, _ = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    assert path == changelog
    assert text == (
        "# Changes\n\nIntro.\n\n## [Unreleased]\n\n"
        f"{init.MD_MARKER}\n\n## [v1.2.0] - 2024-01-01\n\n- x\n"
    )
    # The heading keeps the project's brackets and separator (issue 14, item 6).
    assert table["title_format"] == "## [{version}] - {project_date}"
    assert table["filename"] == "CHANGES.md"


def test_rst_marker_and_underlines_follow_the_headings(tmp_path: Path) -> None:
    (tmp_path / "NEWS.rst").write_text(
        "Changelog\n=========\n\nv2.0 (2020)\n-----------\n\n* y\n\n1.0\n---\n\n* x\n"
    )
    _, text, table, _ = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    assert text.startswith(f"Changelog\n=========\n\n{init.RST_MARKER}\n\nv2.0 (2020)\n")
    assert table["underlines"] == ["-", "~", "^"]  # "=" is the document title's
    assert table["title_format"] == "{version} ({project_date})"


def test_no_changelog_creates_one(tmp_path: Path) -> None:
    path, text, table, note = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    assert (path.name, table["filename"]) == ("CHANGELOG.md", "CHANGELOG.md")
    assert init.MD_MARKER in text
    assert "created" in note


def test_pyproject_edit_keeps_every_byte_and_appends(tmp_path: Path) -> None:
    old = (
        '[project]\nname = "x"  # the name\nversion = "1.0"\n\n'
        "# tools\n[tool.ruff]\nline-length = 90\n"
    )
    found = init.Detected(
        "bumpversion",
        "1.0",
        (init.VersionFile("pyproject.toml", 'version = "{current_version}"'),),
        "",
    )
    new = init.edit_pyproject(old, [init.bumpversion_toml(found, "v{new_version}")])
    assert new.startswith(old)
    data = tomllib.loads(new)
    assert data["tool"]["ruff"] == {"line-length": 90}
    bump = data["tool"]["bumpversion"]
    assert (bump["current_version"], bump["tag_name"]) == ("1.0", "v{new_version}")
    assert bump["files"] == [
        {"filename": "pyproject.toml", "search": 'version = "{current_version}"',
         "replace": 'version = "{new_version}"'}
    ]  # fmt: skip
    with pytest.raises(Exception, match="already exists|Key"):
        init.edit_pyproject(new, ["[tool.ruff]\nline-length = 80\n"])


def test_a_failed_write_puts_every_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("old\n")
    plan = init.Plan(tmp_path)
    plan.writes[tmp_path / "pyproject.toml"] = "new\n"
    plan.writes[tmp_path / "changelog.d" / ".gitkeep"] = ""
    plan.writes[tmp_path / "noxfile.py"] = "import releasekit.nox\n"
    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        init.write(plan)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]
    assert (tmp_path / "pyproject.toml").read_text() == "old\n"


def test_the_build_backend_overrules_a_wrong_guess(tmp_path: Path) -> None:
    pyproject = project(
        tmp_path,
        '[project]\nname = "demo-lib"\ndynamic = ["version"]\n',
        {
            "demo_lib/__init__.py": "from .package_data import __version__\n",
            "demo_lib/idnadata.py": '__version__ = "15.1.0"\n',
            "demo_lib/package_data.py": '__version__ = "3.10"\n',
        },
    )
    guess = init.Detected(
        "bumpversion",
        "15.1.0",
        (init.VersionFile("demo_lib/idnadata.py", '__version__ = "{current_version}"'),),
        "__version__ in demo_lib/idnadata.py",
    )
    found, note = reconcile(tmp_path, guess, "3.10", ["demo_lib"], pyproject)
    assert (found.current, found.files) == (
        "3.10",
        (init.VersionFile("demo_lib/package_data.py", '__version__ = "{current_version}"'),),
    )
    assert note == (
        "version: chose demo_lib/package_data.py, not demo_lib/idnadata.py: the build backend "
        "reports 3.10, __version__ in demo_lib/idnadata.py says 15.1.0"
    )
    # No file carries what the backend reports: one line, nothing guessed.
    with pytest.raises(init.InitError, match="reports version 9.9, but .* no file carries 9.9"):
        reconcile(tmp_path, guess, "9.9", ["demo_lib"], pyproject)
    # The guess found nothing; the backend's version is found where it is written.
    failed = init.InitError("cannot tell where the version of demo-lib lives")
    found, note = reconcile(tmp_path, failed, "3.10", ["demo_lib"], pyproject)
    assert found.files[0].path == "demo_lib/package_data.py"
    assert "cannot tell where" in note


def test_a_legacy_bumpversion_section_is_found_as_bump_my_version_finds_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0"\n')
    assert config.bumpversion_file(tmp_path) is None
    with pytest.raises(ConfigError, match=r"no \[tool.bumpversion\]"):
        config.require_bumpversion(tmp_path)
    (tmp_path / "setup.cfg").write_text("[bumpversion]\ncurrent_version = 1.0\n")
    assert config.bumpversion_file(tmp_path) == (tmp_path / "setup.cfg").resolve()
    config.require_bumpversion(tmp_path)
    (tmp_path / ".bumpversion.cfg").write_text("[bumpversion]\ncurrent_version = 1.0\n")
    assert config.bumpversion_file(tmp_path) == (tmp_path / ".bumpversion.cfg").resolve()


def test_test_requires_come_from_where_projects_keep_them(tmp_path: Path) -> None:
    from releasekit.init.testdeps import test_requires

    assert test_requires(tmp_path, {}) == []
    pyproject = {
        "dependency-groups": {"dev": ["ruff"], "tests": ["pytest", "hypothesis"]},
        "project": {"optional-dependencies": {"docs": ["sphinx"], "testing": ["coverage"]}},
    }
    assert test_requires(tmp_path, pyproject) == ["group:tests", "extra:testing"]
    (tmp_path / "requirements-dev.txt").write_text("mock\n")
    (tmp_path / "setup.cfg").write_text("[options.extras_require]\ntest = pytest-xdist\n")
    assert test_requires(tmp_path, {}) == ["extra:test", "-r requirements-dev.txt"]
    (tmp_path / "setup.cfg").unlink()
    # Nothing names pytest: the session still needs it.
    assert test_requires(tmp_path, {}) == ["-r requirements-dev.txt", "pytest"]


def test_test_requires_come_from_tox_ini_too(tmp_path: Path) -> None:
    from releasekit.init.testdeps import test_requires

    (tmp_path / "requirements" / "base.txt").parent.mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("attrs\n")
    (tmp_path / "tox.ini").write_text(
        "[tox]\nenvlist = py3{10,11}\n\n[testenv]\nextras = yaml\n"
        "deps =\n    pytest>=8  # the runner\n    -r requirements/base.txt\n"
        "    py310: tomli\n    {[base]deps}\n    -e ../sibling\n    -r missing.txt\n"
        "commands = pytest\n"
    )
    # Factor-conditional lines, substitutions, options and missing files are not for every run.
    assert test_requires(tmp_path, {}) == ["extra:yaml", "pytest>=8", "-r requirements/base.txt"]
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    assert test_requires(tmp_path, {})[:2] == ["-r requirements-dev.txt", "extra:yaml"]


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (  # mypy: the error, not "Found 1 error in 1 file"
            'nox > mypy src\nsrc/a.py:3: error: Name "x" is not defined  [name-defined]\n'
            "Found 1 error in 1 file (checked 2 source files)\n"
            "nox > Command mypy src failed with exit code 1\n",
            'src/a.py:3: error: Name "x" is not defined  [name-defined]',
        ),
        (  # ruff's full output: the rule and its place, not "Found 1 error."
            "nox > ruff check .\nF401 [*] `os` imported but unused\n --> a.py:1:8\n  |\n"
            "Found 1 error.\n[*] 1 fixable with the `--fix` option.\n",
            "F401 [*] `os` imported but unused (a.py:1:8)",
        ),
        (  # pytest: the failed test, not "=== 1 failed in 0.1s ==="
            "tests/test_a.py F\n=== short test summary info ===\n"
            "FAILED tests/test_a.py::test_x - assert 1 == 2\n=== 1 failed in 0.10s ===\n",
            "FAILED tests/test_a.py::test_x - assert 1 == 2",
        ),
        (
            "nox > Running session typecheck\nnox > Program mypy not found\n",
            "Program mypy not found",
        ),
        (  # ruff format --check: the file, not "1 file would be reformatted"; a diff's
            # text that says WARNING is not Sphinx's warning
            'unformatted: File would be reformatted\n --> a.py:2:7\n  - print("WARNING: x" )\n'
            "1 file would be reformatted\n",
            "unformatted: File would be reformatted (a.py:2:7)",
        ),
        (
            "docs/index.rst:3: WARNING: undefined label: 'x'\nbuild finished with problems.\n",
            "docs/index.rst:3: WARNING: undefined label: 'x'",
        ),
        (  # pyright
            '/p/a.py\n  /p/a.py:2:5 - error: Cannot access attribute "y"\n1 error, 0 warnings\n',
            '/p/a.py:2:5 - error: Cannot access attribute "y"',
        ),
    ],
)
def test_a_dropped_check_names_its_first_real_error(output: str, reason: str) -> None:
    from releasekit.init.trials import _reason

    assert _reason(output) == reason


def test_the_typecheck_session_runs_the_projects_checker_on_its_layout(tmp_path: Path) -> None:
    from releasekit import typecheckers

    (tmp_path / "pkg").mkdir()
    pyright_only = {"dependency-groups": {"typecheck": ["pyright>=1.1"]}}
    assert typecheckers.typecheck(tmp_path, pyright_only, "pkg") == typecheckers.Typecheck(
        "pyright", ["pkg"]
    )
    # Configured for both: mypy, the default, stays.
    both = {"tool": {"pyright": {}, "mypy": {"strict": True}}}
    assert typecheckers.typecheck(tmp_path, both, "pkg").checker == "mypy"
    assert typecheckers.typecheck(tmp_path, {}, "pkg") == typecheckers.Typecheck("mypy", ["pkg"])
    (tmp_path / "src").mkdir()
    assert typecheckers.typecheck(tmp_path, {}, "pkg").args == ["src"]
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = pkg\n")
    assert typecheckers.typecheck(tmp_path, {}, "pkg").args == []
    (tmp_path / "setup.cfg").unlink()
    (tmp_path / "pyrightconfig.json").write_text('{"include": ["pkg"]}')
    assert typecheckers.typecheck(tmp_path, {}, "pkg") == typecheckers.Typecheck("pyright", [])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("26.4 - 2026-11-23", "{version} - {project_date}"),
        ("[0.15.2] - 2026-10-16", "[{version}] - {project_date}"),
        ("Release 4.12.2 (June 7, 2024)", "Release {version} ({project_date})"),
        ("Version 8.1.8", "Version {version}"),
        ("v2.0.0rc1 (2020/01/02)", "{version} ({project_date})"),
        ("1.0 {beta}", "{version} {{beta}}"),
    ],
)
def test_title_format_follows_the_newest_heading(title: str, expected: str) -> None:
    from releasekit.init.changelog_reading import title_format

    assert title_format(title) == expected


def test_issue_format_follows_the_newest_reference() -> None:
    from releasekit.init.changelog_reading import issue_format

    assert issue_format("* Fix (:pull:`812`)\n* Old (:issue:`3`)\n") == ":pull:`{issue}`"
    assert issue_format("- Fix [#12](https://github.com/o/r/issues/12)\n") == (
        "[#{issue}](https://github.com/o/r/issues/{issue})"
    )
    assert issue_format("- no references\n") == ""


def test_a_crlf_changelog_stays_crlf(tmp_path: Path) -> None:
    (tmp_path / "CHANGES.rst").write_bytes(
        b"Changes\r\n=======\r\n\r\n1.0 (2024-01-02)\r\n----------------\r\n"
    )
    _, text, table, note = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    assert text == (
        f"Changes\r\n=======\r\n\r\n{init.RST_MARKER}\r\n\r\n"
        "1.0 (2024-01-02)\r\n----------------\r\n"
    )
    assert table["title_format"] == "{version} ({project_date})"
    assert "CRLF line endings are kept" in note


def test_a_template_follows_the_newest_section_when_the_default_cannot(tmp_path: Path) -> None:
    from releasekit.init.changelog_template import template_text

    changes = tmp_path / "CHANGES.rst"
    changes.write_text(
        "Version 8.1.8\n-------------\n\nReleased 2024-12-19\n\n-   Fix. :issue:`2717`\n\n"
        "Version 8.1.7\n-------------\n\nReleased 2023-08-17\n\n-   Old.\n"
    )
    _, _, table, note = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    assert table["template"] == "changelog.d/template.rst.jinja"
    assert "writes entries as '-', a 'Released' line, no category headings" in note
    template = template_text(changes)
    assert "Released {{ versiondata.date }}\n" in template
    assert "-   {{ text }}" in template
    assert "definitions[category]['name']" not in template  # a flat list, like the old ones
    # Sections in towncrier's own style need no template.
    changes.write_text("1.0 (2024-01-02)\n----------------\n\nFeatures\n~~~~~~~~\n\n- x\n")
    assert template_text(changes) == ""
    assert "template" not in init.plan_changelog(tmp_path, changes)[2]


def test_a_version_at_the_start_of_a_line_marks_the_newest_release(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.rst").write_text(
        "0.4.6 Current release\n  * Fix\n0.4.5 Oct 2022\n  * Old\n"
    )
    _, text, _, note = init.plan_changelog(tmp_path, init.find_changelog(tmp_path))
    # Nothing above it: no marker (towncrier would start the file with two blank
    # lines), towncrier writes new sections at the top.
    assert text == "0.4.6 Current release\n  * Fix\n0.4.5 Oct 2022\n  * Old\n"
    assert "at its top, above its newest release (0.4.6 Current release)" in note


def test_a_legacy_section_leaves_an_ini_file_and_nothing_else_does() -> None:
    from releasekit.init.legacy import without_sections

    text = (
        "[metadata]\nname = x\n\n[bumpversion]\ncurrent_version = 1.0\nfiles = a b\n\n"
        "[bumpversion:file:a]\nsearch = {current_version}\n\n[flake8]\n# kept\nmax = 1\n"
    )
    assert without_sections(text) == "[metadata]\nname = x\n\n[flake8]\n# kept\nmax = 1\n"
    # A .bumpversion.cfg with nothing else becomes empty: bump-my-version skips it.
    assert without_sections("[bumpversion]\ncurrent_version = 1.0\nfiles = a\n") == ""


def test_an_unreadable_legacy_section_that_cannot_be_moved_stops_init(tmp_path: Path) -> None:
    from releasekit.init.legacy import migrate, problem

    cfg = tmp_path / "setup.cfg"
    cfg.write_text("[bumpversion]\ncommit = True\nfiles = a.py\n")
    assert problem(cfg)
    with pytest.raises(InitError, match=r"^bump-my-version cannot read the \[bumpversion\]"):
        migrate(cfg, problem(cfg))
