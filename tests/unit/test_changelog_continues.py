"""A changelog continues as the project writes it: adopted by init, released by towncrier.

Each case adopts a small changelog with the configuration ``releasekit init``
writes, releases 1.3.0 through the real towncrier, and compares the file
byte for byte: the new section (and its link reference) is the only change.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from releasekit import changelog, init, notes
from releasekit.init.authoring import table_toml
from releasekit.init.changelog_template import template_text
from tests.conftest import git

FRAGMENTS = {"+new.feature.md": "Greet anyone by name\n", "+crash.bugfix.md": "Fix a crash\n"}


def adopt_and_release(
    tmp_path: Path, name: str, text: str, fragments: dict[str, str] = FRAGMENTS
) -> tuple[str, str, dict[str, object], str]:
    """Init's changelog and towncrier table, then 1.3.0 released: (before, after, table, note)."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    (root / name).write_bytes(text.encode())
    path, adopted, table, note = init.plan_changelog(root, init.find_changelog(root))
    path.write_bytes(adopted.encode())
    (root / "changelog.d").mkdir()
    if "template" in table:
        (root / str(table["template"])).write_text(template_text(path), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.2.0"\n\n'
        + table_toml("towncrier", table, "written by releasekit init"),
        encoding="utf-8",
    )
    for fragment, content in fragments.items():
        (root / "changelog.d" / fragment).write_text(content, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "adopt")
    changelog.build(root, "1.3.0")
    return adopted, path.read_bytes().decode(), table, note


TODAY = datetime.date.today().isoformat()


def test_a_markdown_template_is_rendered_as_markdown(tmp_path: Path) -> None:
    old = (
        "# Changes\n\n## 1.2.0 (2024-03-01)\n\n### Features\n\n* Add a thing\n\n"
        "## 1.1.0 (2024-01-01)\n\n### Bugfixes\n\n* Fix a thing\n"
    )
    before, after, table, _ = adopt_and_release(tmp_path, "CHANGES.md", old)
    # towncrier writes markdown only for a template whose name ends in .md.
    assert table["template"] == "changelog.d/template.md"
    section = (
        f"## 1.3.0 ({TODAY})\n\n### Features\n\n* Greet anyone by name\n\n"
        "### Bugfixes\n\n* Fix a crash\n\n"
    )
    assert "===" not in after
    assert after == before.replace("## 1.2.0", section + "## 1.2.0", 1)
    assert before == old.replace("## 1.2.0", f"{init.MD_MARKER}\n\n## 1.2.0", 1)


def test_no_blank_lines_above_a_release_on_the_first_line(tmp_path: Path) -> None:
    old = "## 1.2.0 (2024-03-01)\n\n### Features\n\n- Add a thing\n"
    before, after, _, note = adopt_and_release(tmp_path, "CHANGELOG.md", old)
    # Nothing above the newest release: no marker, towncrier writes at the top.
    assert before == old
    assert "new sections go at its top" in note
    section = (
        f"## 1.3.0 ({TODAY})\n\n### Features\n\n- Greet anyone by name\n\n"
        "### Bugfixes\n\n- Fix a crash\n\n\n"
    )
    assert after == section + old


def test_underlined_markdown_headings_are_release_headings(tmp_path: Path) -> None:
    old = (
        "Changelog\n=========\n\nIntro.\n\n"
        "1.2.0 (2024-03-01)\n------------------\n\n* Fixed a bug.\n* Another.\n\n"
        "1.1.0 (2024-01-01)\n------------------\n\n* First.\n"
    )
    before, after, table, note = adopt_and_release(tmp_path, "CHANGELOG.md", old)
    assert (table["title_format"], table["template"]) == (
        "{version} ({project_date})",
        "changelog.d/template.jinja",  # not .md: towncrier underlines the title
    )
    assert "the title underlined" in note
    title = f"1.3.0 ({TODAY})"
    section = f"{title}\n{'-' * len(title)}\n\n* Greet anyone by name\n* Fix a crash\n\n"
    assert after == before.replace("1.2.0 (2024", section + "1.2.0 (2024", 1)
    assert before.index(init.MD_MARKER) < before.index("1.2.0") < len(before) - 100
    # The notes of the release read the underlined section back.
    assert notes.notes(tmp_path / "project") == "* Greet anyone by name\n* Fix a crash\n"


def test_a_pointer_heading_is_not_the_release_heading_form(tmp_path: Path) -> None:
    old = (
        "# Changelog\n\n## 2.0.0 and newer\n\n"
        "See [GitHub Releases](https://github.com/o/r/releases).\n\n"
        "## Version 1.2.0 - 2024-03-01\n\n### Features\n\n- Add a thing\n\n"
        "## Version 1.1.0 - 2024-01-01\n\n### Features\n\n- First\n"
    )
    before, after, table, _ = adopt_and_release(tmp_path, "CHANGELOG.md", old)
    assert table["title_format"] == "## Version {version} - {project_date}"
    # New releases are newer than the pointer's: their sections go above it.
    section = (
        f"## Version 1.3.0 - {TODAY}\n\n### Features\n\n- Greet anyone by name\n\n"
        "### Bugfixes\n\n- Fix a crash\n\n"
    )
    assert after == before.replace("## 2.0.0", section + "## 2.0.0", 1)


def test_a_pointer_is_told_by_its_link_where_releases_have_lists(tmp_path: Path) -> None:
    from releasekit.init.changelog_reading import md_heading

    lines = (
        "## 3.0 - see the [release page](https://example.org/r)\n\n"
        "Moved to the forge.\n\n## 2.9 (2020-01-01)\n\n- Fix\n"
    ).splitlines()
    assert md_heading(lines) == (0, "## {version} ({project_date})")
    # A release written as prose with a link is still a release when the others are too.
    prose = "## 3.0\n\nSee [#1](https://x/1).\n\n## 2.9\n\nSee [#0](https://x/0).\n".splitlines()
    assert md_heading(prose) == (0, "## {version}")


def test_keep_a_changelog_categories_and_link_references(tmp_path: Path) -> None:
    old = (
        "# Changelog\n\nAll notable changes to this project will be documented here.\n\n"
        "## [Unreleased]\n\n"
        "## [1.2.0] - 2024-03-01\n\n### Added\n\n- A thing.\n\n### Fixed\n\n- A bug.\n\n"
        "## [1.1.0] - 2024-01-01\n\n### Added\n\n- First.\n\n"
        "[unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD\n"
        "[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0\n"
        "[1.1.0]: https://github.com/o/r/releases/tag/v1.1.0\n"
    )
    fragments = {**FRAGMENTS, "+old.removal.md": "Drop Python 3.8\n"}
    before, after, table, note = adopt_and_release(tmp_path, "CHANGELOG.md", old, fragments)
    names = {t["directory"]: t["name"] for t in table["type"]}  # type: ignore[attr-defined]
    assert (names["feature"], names["bugfix"]) == ("Added", "Fixed")
    assert "feature (Added), bugfix (Fixed)" in note
    section = (
        f"## [1.3.0] - {TODAY}\n\n### Added\n\n- Greet anyone by name\n\n"
        "### Fixed\n\n- Fix a crash\n\n### Deprecations and Removals\n\n- Drop Python 3.8\n\n"
    )
    expected = (
        before.replace("## [1.2.0]", section + "## [1.2.0]", 1)
        .replace(
            "[1.2.0]: ", "[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0\n[1.2.0]: ", 1
        )
        .replace("compare/v1.2.0...HEAD", "compare/v1.3.0...HEAD")
    )
    assert after == expected


def test_link_references_oldest_first_grow_at_the_end() -> None:
    from releasekit.changelog_links import add

    text = (
        "## [v1.3.0]\n\n- New\n\n## [v1.2.0]\n\n- Old\n\n"
        "[v1.1.0]: https://x/tree/v1.1.0\n[v1.2.0]: https://x/compare/v1.1.0..v1.2.0\n"
    )
    assert add(text, "1.3.0") == text + "[v1.3.0]: https://x/compare/v1.2.0..v1.3.0\n"
    # Headings that link nothing, or a version already linked: the text stays.
    assert add("## 1.3.0\n\n[1.2.0]: https://x/1.2.0\n", "1.3.0").count("[") == 1
    assert add(text + "[v1.3.0]: https://x\n", "1.3.0") == text + "[v1.3.0]: https://x\n"


def test_rst_categories_keep_their_underline(tmp_path: Path) -> None:
    old = (
        "Changes\n=======\n\n1.2.0 (2024-03-01)\n------------------\n\n"
        "Features\n~~~~~~~~\n\n- A thing\n\n\n1.1.0 (2024-01-01)\n------------------\n\n"
        "Bugfixes\n~~~~~~~~\n\n- B\n"
    )
    fragments = {"+new.feature.rst": "Greet anyone by name\n", "+crash.bugfix.rst": "Fix a crash\n"}
    before, after, table, _ = adopt_and_release(tmp_path, "CHANGES.rst", old, fragments)
    assert table["underlines"] == ["-", "~", "^"]
    assert "template" not in table  # towncrier's own rst is the project's
    title = f"1.3.0 ({TODAY})"
    section = (
        f"{title}\n{'-' * len(title)}\n\nFeatures\n~~~~~~~~\n\n- Greet anyone by name\n\n\n"
        "Bugfixes\n~~~~~~~~\n\n- Fix a crash\n\n\n"
    )
    assert after == before.replace("1.2.0 (2024", section + "1.2.0 (2024", 1)


def test_entries_waiting_under_unreleased_are_named_by_init(tmp_path: Path) -> None:
    from releasekit.init.changelogs import plan_changelog

    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Pending entry.\n- Another.\n\n"
        "## [1.2.0] - 2024-03-01\n\n### Added\n\n- A thing.\n"
    )
    note = plan_changelog(tmp_path, changelog)[3]
    assert "its Unreleased section holds 2 entries that no release will list" in note
    changelog.write_text(
        "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-03-01\n\n- A thing.\n"
    )
    assert "Unreleased" not in plan_changelog(tmp_path, changelog)[3]
