from __future__ import annotations

import pytest

from releasekit import notes

MD = """# Changelog

Intro with a line that looks like ## 9.9.9 (a title) but is not one.

<!-- towncrier release notes start -->

## 1.5.0 (2026-11-25)

### Features

- Greet anyone by name


## 1.5.0rc1 (2026-11-20)

### Features

- Greet anyone by name

## 1.4.2 (2026-01-02)

### Bugfixes

- Fix a crash
"""

RST = """Changelog
=========

.. towncrier release notes start

demo 1.1.0 (2026-02-02)
=======================

Features
--------

- Greet


demo 1.0.0 (2026-01-01)
=======================

Bugfixes
--------

- Fix
"""


def md_sections() -> list[notes.Section]:
    return notes.split_sections(
        MD,
        title_format="## {version} ({project_date})",
        start_string="<!-- towncrier release notes start -->\n",
        markdown=True,
    )


def test_markdown_sections_newest_first() -> None:
    sections = md_sections()
    assert [s.version for s in sections] == ["1.5.0", "1.5.0rc1", "1.4.2"]
    assert sections[0].text == "### Features\n\n- Greet anyone by name\n"
    assert sections[2].text == "### Bugfixes\n\n- Fix a crash\n"


def test_text_before_the_marker_is_never_a_section() -> None:
    assert "9.9.9" not in [s.version for s in md_sections()]


def test_rst_with_the_default_template_title() -> None:
    sections = notes.split_sections(
        RST, title_format="", start_string=".. towncrier release notes start\n", markdown=False
    )
    assert [s.version for s in sections] == ["1.1.0", "1.0.0"]
    assert sections[0].text == "Features\n--------\n\n- Greet\n"


def test_rst_title_needs_its_underline() -> None:
    text = RST.replace("=======================\n\nBugfixes", "\nBugfixes")
    sections = notes.split_sections(
        text, title_format="", start_string=".. towncrier release notes start", markdown=False
    )
    assert [s.version for s in sections] == ["1.1.0"]


@pytest.mark.parametrize(
    ("title_format", "line", "version"),
    [
        ("## {version} ({project_date})", "## 1.0.0 (2026-01-01)", "1.0.0"),
        ("{name} v{version}", "demo-lib v2.0.0rc1", "2.0.0rc1"),
        ("Release {version} - {project_date}", "Release 0.1 - today", "0.1"),
    ],
)
def test_title_regex(title_format: str, line: str, version: str) -> None:
    match = notes.title_regex(title_format, markdown=True).search(line)
    assert match is not None
    assert match["version"] == version
