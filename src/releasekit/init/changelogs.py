"""Adopting the existing changelog: towncrier's table and start marker.

Reading the changelog (:mod:`.changelog_reading`) and the template that
continues its style (:mod:`.changelog_template`) are modules of their own;
here the two meet in the plan: the file, its text with towncrier's start
marker, towncrier's table, and one note for the maintainer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from releasekit.init.changelog_reading import (
    RST_UNDERLINE,
    date_note,
    issue_format,
    md_categories,
    md_heading,
    release_headings,
    rst_category_underline,
    rst_heading,
)
from releasekit.init.changelog_template import newest_style, template_path

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


#: towncrier's own names of the fragment types releasekit's projects use, in its order.
DEFAULT_TYPES = {
    "feature": "Features",
    "bugfix": "Bugfixes",
    "doc": "Improved Documentation",
    "removal": "Deprecations and Removals",
    "misc": "Misc",
}
#: A changelog's category headings (keep-a-changelog's and others), and the fragment type of each.
CATEGORY_TYPES = {
    "added": "feature",
    "features": "feature",
    "new features": "feature",
    "fixed": "bugfix",
    "bug fixes": "bugfix",
    "bugfixes": "bugfix",
    "fixes": "bugfix",
    "removed": "removal",
    "removals": "removal",
    "breaking changes": "removal",
    "deprecations and removals": "removal",
    "deprecated": "deprecation",
    "deprecations": "deprecation",
    "changed": "changed",
    "changes": "changed",
    "security": "security",
    "documentation": "doc",
    "improved documentation": "doc",
    "docs": "doc",
    "misc": "misc",
    "miscellaneous": "misc",
    "other": "misc",
}


def fragment_types(categories: list[str]) -> list[dict[str, Any]]:
    """towncrier's ``type`` entries that name the changelog's own categories.

    Each category the changelog uses becomes the name of the matching type
    (``Added`` for ``feature``), in the changelog's order; the other default
    types follow under towncrier's names. ``[]`` when nothing is renamed.
    """
    named: dict[str, str] = {}
    for name in categories:
        kind = CATEGORY_TYPES.get(name.strip().lower())
        if kind is not None and kind not in named:
            named[kind] = name.strip()
    if all(DEFAULT_TYPES.get(kind) == name for kind, name in named.items()):
        return []
    kinds = [*named, *(k for k in DEFAULT_TYPES if k not in named)]
    return [
        {
            "directory": kind,
            "name": named.get(kind) or DEFAULT_TYPES[kind],
            # towncrier lists a Misc fragment's issue, not its text, unless renamed.
            "showcontent": kind != "misc" or kind in named,
        }
        for kind in kinds
    ]


def _with_marker(lines: list[str], at: int, marker: str) -> list[str]:
    """``lines`` with ``marker`` above line ``at``, spaced as ``towncrier build`` rewrites it.

    towncrier puts one blank line before its start marker and one after, and
    starts the file with two blank lines when nothing precedes it: with no
    text above the newest release there is no marker, and towncrier writes
    each new section at the top. Either way a release moves no other line.
    """
    head = lines[:at]
    while head and not head[-1].strip():
        head.pop()
    rest = lines[at:]
    while rest and not rest[0].strip():
        rest.pop(0)
    if not head:
        return rest
    return [*head, "", marker, "", *rest]


def plan_changelog(root: Path, path: Path | None) -> tuple[Path, str, dict[str, Any], str]:
    """The changelog file, its new text (with towncrier's start marker) and towncrier's table."""
    table: dict[str, Any] = {"directory": "changelog.d"}
    if path is None:
        path = root / "CHANGELOG.md"
        text = f"# Changelog\n\n{MD_MARKER}\n"
        table.update(filename="CHANGELOG.md", title_format="## {version} ({project_date})")
        return path, text, table, "created CHANGELOG.md (there was none)"
    old = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in old else "\n"  # a CRLF changelog stays CRLF
    lines = old.splitlines()
    issues = issue_format(old)
    if issues:
        table["issue_format"] = issues
    table["filename"] = path.relative_to(root).as_posix()
    categories: list[str] = []
    if path.suffix == ".md":
        table["start_string"] = f"{MD_MARKER}\n"
        found = md_heading(lines)
        marker, title = MD_MARKER, "## {version} ({project_date})"
        if found:
            index, title = found
        table["title_format"] = title
        release = release_headings(lines)
        if release is not None:
            categories = md_categories(lines, release[1])
            if release[1].underline:  # towncrier underlines the title, as the project does
                char = release[1].underline
                table["underlines"] = [char, *(c for c in "-~" if c != char)]
    else:
        if path.suffix != ".rst":
            table["start_string"] = f"{RST_MARKER}\n"
        found_rst = rst_heading(lines)
        marker = RST_MARKER
        used = {m[1] for line in lines if (m := RST_UNDERLINE.match(line))}
        title_char = "="
        if found_rst:
            index, title_char, title = found_rst
            table["title_format"] = title
        else:
            table["title_format"] = "{version} ({project_date})"
        rest = [c for c in "=-~^*+" if c != title_char and c not in used]
        # The categories keep the underline they have under the newest release.
        category = rst_category_underline(lines, index, title_char) if found_rst else ""
        table["underlines"] = [title_char, *([category] if category else []), *rest][:3]
        found = (index, title) if found_rst else None
        # No underlined heading: a line that starts with a version ("0.4.6 Current
        # release") still marks where the newest release is, so new ones go above it.
        plain = next(
            (i for i, ln in enumerate(lines) if re.match(r"v?\d+\.\d+\S*(\s|$)", ln)), None
        )
        if found is None and plain is not None:
            found = (plain, table["title_format"])
    types = fragment_types(categories)
    if types:
        table["type"] = types
    if marker in old:
        return path, old, table, f"kept {table['filename']} (it has towncrier's start marker)"
    if found:
        at = found[0]
        new_lines = _with_marker(lines, at, marker)
        newest = lines[at].strip() or lines[at + 1].strip()
        where = (
            f"goes above its newest release ({newest})"
            if marker in new_lines
            else f"is not needed: new sections go at its top, above its newest release ({newest})"
        )
    else:
        new_lines = [*lines, "", marker] if lines else [marker]
        where = "goes at its end (no release heading found)"
    text = newline.join(new_lines) + newline
    note = f"kept {table['filename']}; towncrier's start marker {where}"
    if types:
        note += "; its categories name the fragment types: " + ", ".join(
            f"{t['directory']} ({t['name']})" for t in types if t["name"] in categories
        )
    style = newest_style(path)
    if style is not None and not style.is_default:
        name = template_path(path)
        table["template"] = name
        note += (
            f"; a template in {name} writes entries as {style.bullet.strip()!r}"
            + (f", a {style.released.strip()!r} line" if style.released else "")
            + ("" if style.categories else ", no category headings")
            + (", the title underlined" if style.underlined else "")
        )
    if found:
        heading = lines[found[0]].strip() or lines[found[0] + 1].strip()
        note += date_note(heading)
    if newline != "\n":
        note += "; its CRLF line endings are kept"
    if found:
        note += _unreleased_note(lines, found[0])
    return path, text, table, note


def _is_unreleased(lines: list[str], i: int, newest: int) -> bool:
    """Whether line ``i`` is an "Unreleased" heading (``## [Unreleased]``, or underlined)."""
    line = lines[i]
    if "unreleased" not in line.lower():
        return False
    if line.lstrip().startswith("#"):
        return True
    below = lines[i + 1].strip() if i + 1 < newest else ""
    return bool(below) and set(below) <= set("=-~^")


def _unreleased_note(lines: list[str], newest: int) -> str:
    """Say so when hand-written entries wait under an "Unreleased" heading above the newest release.

    towncrier writes a release from the fragments alone: those entries would
    stay where they are, in no release, unless they become fragments.
    """
    heading = next((i for i in range(newest) if _is_unreleased(lines, i, newest)), None)
    if heading is None:
        return ""
    entries = [ln for ln in lines[heading + 1 : newest] if ln.strip().startswith(("-", "*", "+"))]
    if not entries:
        return ""
    return (
        f"; its Unreleased section holds {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} "
        "that no release will list (towncrier writes releases from fragments): move them "
        "into changelog.d/ fragments (`invoke fragment TYPE TEXT`)"
    )


def preview(copy: Path, version: str) -> str:
    """The section towncrier would render for ``version`` in the copy, from one example fragment.

    Shown before anything is written, so the maintainer sees whether new
    sections look like the old ones.
    """
    from releasekit import _runner, changelog
    from releasekit._exceptions import CommandError, ReleaseKitError

    try:
        towncrier = changelog.settings(copy)
    except ReleaseKitError:
        return ""
    if not towncrier.types:
        return ""
    kind = "feature" if "feature" in towncrier.types else towncrier.types[0]
    suffix = towncrier.filename.suffix if towncrier.filename.suffix in (".md", ".rst") else ""
    towncrier.directory.mkdir(parents=True, exist_ok=True)
    (towncrier.directory / f"+releasekit-preview.{kind}{suffix}").write_text(
        "An example entry.\n", encoding="utf-8"
    )
    args = [*_runner.tool("towncrier"), "build", "--draft", "--version", version]
    try:
        out = _runner.run(args, cwd=copy, mutates=False, quiet=True).stdout
    except CommandError:
        return ""
    return out.strip("\n")
