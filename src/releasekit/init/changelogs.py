"""Adopting the existing changelog: towncrier's table and start marker."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
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


_VERSION_IN_TITLE = re.compile(r"v?\d+(?:\.\d+)+(?:(?:a|b|rc|\.post|\.dev)\d+)*")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE_IN_TITLE = re.compile(
    rf"\d{{4}}-\d{{2}}-\d{{2}}|\d{{4}}/\d{{2}}/\d{{2}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|(?<!\d)\d{{4}}(?!\d)"
)
_ISSUE_STYLES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # reStructuredText roles: (:issue:`123`), :pull:`45`
    (re.compile(r":(issue|pull|pr|gh|bug):`(\d+)`"), lambda m: f":{m[1]}:`{{issue}}`"),
    # markdown links: [#123](https://github.com/o/r/issues/123)
    (
        re.compile(r"\[#(\d+)\]\(([^)\s]*?)\1\)"),
        lambda m: f"[#{{issue}}]({m[2]}{{issue}})",
    ),
    # reStructuredText links: `#123 <https://.../123>`_
    (
        re.compile(r"`#(\d+) <([^>\s]*?)\1>`(_{1,2})"),
        lambda m: f"`#{{issue}} <{m[2]}{{issue}}>`{m[3]}",
    ),
)


def title_format(title: str) -> str:
    """towncrier's ``title_format`` for a release heading written like ``title``.

    The version becomes ``{version}`` (a ``v`` before it goes: towncrier's
    version is the PEP 440 one) and a date ``{project_date}``; brackets,
    separators and words around them stay as the project writes them.
    """
    version = _VERSION_IN_TITLE.search(title)
    if version is None:
        return f"{title} {{version}} ({{project_date}})"
    head = title[: version.start()].replace("{", "{{").replace("}", "}}")
    rest = title[version.end() :].replace("{", "{{").replace("}", "}}")
    date = _DATE_IN_TITLE.search(rest)
    if date:
        rest = f"{rest[: date.start()]}{{project_date}}{rest[date.end() :]}"
    return f"{head}{{version}}{rest}"


def _date_note(title: str) -> str:
    """What towncrier cannot match: a date that is not written as an ISO date."""
    version = _VERSION_IN_TITLE.search(title)
    date = _DATE_IN_TITLE.search(title[version.end() :]) if version else None
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date[0]):
        return f"; towncrier writes the date as YYYY-MM-DD, the changelog as {date[0]!r}"
    return ""


def issue_format(text: str) -> str:
    """towncrier's ``issue_format`` for the newest issue reference of the changelog, or ``""``."""
    found = [
        (m.start(), style(m)) for pattern, style in _ISSUE_STYLES if (m := pattern.search(text))
    ]
    return min(found)[1] if found else ""


def _md_heading(lines: list[str]) -> tuple[int, str] | None:
    """Index and title format of the first release heading (``## 1.2.3 (date)``)."""
    for i, line in enumerate(lines):
        match = re.match(r"^(#{1,4})\s+(.*)$", line)
        if match and _VERSIONISH.search(match[2]):
            return i, f"{match[1]} {title_format(match[2].strip())}"
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
            return start, underline[1], title_format(title)
    return None


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
        # No underlined heading: a line that starts with a version ("0.4.6 Current
        # release") still marks where the newest release is, so new ones go above it.
        plain = next(
            (i for i, ln in enumerate(lines) if re.match(r"v?\d+\.\d+\S*(\s|$)", ln)), None
        )
        if found is None and plain is not None:
            found = (plain, table["title_format"])
    if marker in old:
        return path, old, table, f"kept {table['filename']} (it has towncrier's start marker)"
    if found:
        at = found[0]
        new_lines = [*lines[:at], marker, "", *lines[at:]]
        where = f"above its newest release ({lines[at].strip() or lines[at + 1].strip()})"
    else:
        new_lines = [*lines, "", marker] if lines else [marker]
        where = "at its end (no release heading found)"
    text = newline.join(new_lines) + newline
    note = f"kept {table['filename']}; towncrier's start marker goes {where}"
    style = _newest_style(path)
    if style is not None and not style.is_default:
        name = template_path(path)
        table["template"] = name
        note += (
            f"; a template in {name} writes entries as {style.bullet.strip()!r}"
            + (f", a {style.released.strip()!r} line" if style.released else "")
            + ("" if style.categories else ", no category headings")
        )
    if found:
        heading = lines[found[0]].strip() or lines[found[0] + 1].strip()
        note += _date_note(heading)
    if newline != "\n":
        note += "; its CRLF line endings are kept"
    return path, text, table, note


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


@dataclasses.dataclass(frozen=True)
class BodyStyle:
    """How the newest release section of a changelog is written below its heading."""

    bullet: str = "- "  # "* ", "-   "
    released: str = ""  # "Released " when a line "Released 2024-12-19" follows the heading
    categories: bool = True  # "Features" sub-headings, or one flat list

    @property
    def is_default(self) -> bool:
        return self == BodyStyle()


def body_style(lines: list[str], start: int, rst: bool) -> BodyStyle:
    """Read the bullet, a date line and the sub-headings of the section at ``start``."""
    body: list[str] = []
    skip = 3 if rst and _RST_UNDERLINE.match(lines[start]) else 2 if rst else 1
    for i in range(start + skip, min(len(lines), start + skip + 200)):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        is_release = _VERSIONISH.search(line) and (
            (rst and _RST_UNDERLINE.match(nxt)) or (not rst and line.startswith("#"))
        )
        if is_release:
            break
        body.append(line)
    bullet = next((m[1] for ln in body if (m := re.match(r"^([-*+]\s+)\S", ln))), "- ")
    first = next((ln.strip() for ln in body if ln.strip()), "")
    released = ""
    date = _DATE_IN_TITLE.search(first)
    if date and not re.match(r"^[-*+#]", first) and date.start() > 0:
        released = first[: date.start()]
    if rst:
        categories = any(
            ln.strip() and _RST_UNDERLINE.match(nxt) and not _RST_UNDERLINE.match(ln)
            for ln, nxt in itertools.pairwise(body)
        )
    else:
        categories = any(ln.startswith("#") for ln in body)
    return BodyStyle(bullet=bullet, released=released, categories=categories)


def body_template(style: BodyStyle, *, rst: bool) -> str:
    """A towncrier template whose sections are written like the project's (title excluded)."""
    released = f"{style.released}{{{{ versiondata.date }}}}\n\n" if style.released else ""
    if not style.categories:
        heading = ""
    elif rst:
        heading = (
            "{{ definitions[category]['name'] }}\n"
            "{{ underlines[0] * definitions[category]['name']|length }}\n\n"
        )
    else:
        heading = "### {{ definitions[category]['name'] }}\n\n"
    # towncrier writes an rst title's underline with no blank line after it.
    blank = "\n" if rst else ""
    refs = "{% if values %} ({{ values|join(', ') }}){% endif %}"
    # trim_blocks (towncrier's) eats the newline after ``{% endif %}``: write it twice.
    entry = f"{style.bullet}{{{{ text }}}}{refs}\n\n"
    return (
        "{# Written by releasekit init: new sections look like the changelog's own. #}\n"
        f"{blank}{released}"
        "{% for section, _ in sections.items() %}\n"
        "{% if sections[section] %}\n"
        "{% for category, val in definitions.items() if category in sections[section] %}\n"
        f"{heading}"
        "{% for text, values in sections[section][category].items() %}\n"
        f"{entry}"
        "{% endfor %}\n"
        "\n"
        "{% endfor %}\n"
        "{% else %}\n"
        "No significant changes.\n\n"
        "{% endif %}\n"
        "{% endfor %}\n"
    )


def template_path(changelog: Path) -> str:
    """Where init writes its towncrier template (towncrier ignores it among the fragments)."""
    return (
        "changelog.d/template.md.jinja"
        if changelog.suffix == ".md"
        else ("changelog.d/template.rst.jinja")
    )


def template_text(changelog: Path) -> str:
    """A template in the style of ``changelog``'s newest section ("" if the default fits)."""
    style = _newest_style(changelog)
    if style is None or style.is_default:
        return ""
    return body_template(style, rst=changelog.suffix != ".md")


def _newest_style(changelog: Path) -> BodyStyle | None:
    """The style of the newest section under a recognised release heading."""
    lines = changelog.read_bytes().decode("utf-8").splitlines()
    rst = changelog.suffix != ".md"
    found = _rst_heading(lines) if rst else _md_heading(lines)
    return body_style(lines, found[0], rst=rst) if found else None
