"""Adopting the existing changelog: towncrier's table and start marker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from releasekit.init.versions import _rel

MD_MARKER = "<!-- towncrier release notes start -->"
RST_MARKER = ".. towncrier release notes start"
CHANGELOG_NAMES = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")
CHANGELOG_SUFFIXES = (".md", ".rst", ".txt", "")


def find_changelog(root: Path) -> Path | None:
    for name in CHANGELOG_NAMES:
        for suffix in CHANGELOG_SUFFIXES:
            for variant in (name, name.capitalize(), name.lower()):
                path = root / f"{variant}{suffix}"
                if path.is_file():
                    return path
    return None


_VERSIONISH = re.compile(r"\d+\.\d+")
_RST_UNDERLINE = re.compile(r"^([=\-~^+*#\"'`:.])\1{2,}\s*$")


def _md_heading(lines: list[str]) -> tuple[int, str] | None:
    """Index and title format of the first release heading (``## 1.2.3 (date)``)."""
    for i, line in enumerate(lines):
        match = re.match(r"^(#{1,4})\s+(.*)$", line)
        if match and _VERSIONISH.search(match[2]):
            prefix = match[2][: _VERSIONISH.search(match[2]).start()]  # type: ignore[union-attr]
            prefix = prefix.rstrip("[v") if prefix.endswith(("[", "v")) else prefix
            return i, f"{match[1]} {prefix}{{version}} ({{project_date}})"
    return None


def _rst_heading(lines: list[str]) -> tuple[int, str, str] | None:
    """Index, underline character and title format of the first release heading."""
    for i in range(len(lines) - 1):
        underline = _RST_UNDERLINE.match(lines[i + 1])
        title = lines[i].strip()
        if underline and title and not _RST_UNDERLINE.match(lines[i]) and _VERSIONISH.search(title):
            start = (
                i - 1
                if i > 0 and lines[i - 1].strip() and _RST_UNDERLINE.match(lines[i - 1])
                else i
            )
            prefix = title[: _VERSIONISH.search(title).start()]  # type: ignore[union-attr]
            prefix = prefix[:-1] if prefix.endswith("v") else prefix
            return start, underline[1], f"{prefix}{{version}} ({{project_date}})"
    return None


def plan_changelog(root: Path, path: Path | None) -> tuple[Path, str, dict[str, Any], str]:
    """The changelog file, its new text (with towncrier's start marker) and towncrier's table."""
    table: dict[str, Any] = {"directory": "changelog.d"}
    if path is None:
        path = root / "CHANGELOG.md"
        text = f"# Changelog\n\n{MD_MARKER}\n"
        table.update(filename="CHANGELOG.md", title_format="## {version} ({project_date})")
        return path, text, table, "created CHANGELOG.md (there was none)"
    old = path.read_text(encoding="utf-8")
    lines = old.splitlines()
    table["filename"] = _rel(root, path)
    if path.suffix == ".md":
        table["start_string"] = f"{MD_MARKER}\n"
        found = _md_heading(lines)
        marker, title = MD_MARKER, "## {version} ({project_date})"
        if found:
            index, title = found
        table["title_format"] = title
    else:
        if path.suffix != ".rst":
            table["start_string"] = f"{RST_MARKER}\n"
        found_rst = _rst_heading(lines)
        marker = RST_MARKER
        used = {m[1] for line in lines if (m := _RST_UNDERLINE.match(line))}
        title_char = "="
        if found_rst:
            index, title_char, title = found_rst
            table["title_format"] = title
        else:
            table["title_format"] = "{version} ({project_date})"
        rest = [c for c in "=-~^*+" if c != title_char and c not in used]
        table["underlines"] = [title_char, *rest[:2]]
        found = (index, title) if found_rst else None
    if marker in old:
        return path, old, table, f"kept {table['filename']} (it has towncrier's start marker)"
    if found:
        at = found[0]
        new_lines = [*lines[:at], marker, "", *lines[at:]]
        where = f"above its newest release ({lines[at].strip() or lines[at + 1].strip()})"
    else:
        new_lines = [*lines, "", marker] if lines else [marker]
        where = "at its end (no release heading found)"
    text = "\n".join(new_lines) + "\n"
    return path, text, table, f"kept {table['filename']}; towncrier's start marker goes {where}"
