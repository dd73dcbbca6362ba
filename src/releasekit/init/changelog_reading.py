"""Reading an existing changelog: its release headings, their format, its categories.

``releasekit init`` adopts the changelog a project has instead of starting a
new one: where its newest release starts (a pointer such as "2.0.0 and
newer" above it is no release), how its headings are written (towncrier's
``title_format``), how it links issues, and which category headings it uses.
Only reading here; the table and the marker are planned in :mod:`.changelogs`,
the template in :mod:`.changelog_template`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

#: Something like a version in a heading: what makes it a release's.
VERSIONISH = re.compile(r"\d+\.\d+")
#: A reStructuredText underline (or overline): three or more of one punctuation character.
RST_UNDERLINE = re.compile(r"^([=\-~^+*#\"'`:.])\1{2,}\s*$")


_VERSION_IN_TITLE = re.compile(r"v?\d+(?:\.\d+)+(?:(?:a|b|rc|\.post|\.dev)\d+)*")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
#: A date as changelogs write them: ISO, slashes, "1 May 2024", "May 1st, 2024", a year.
DATE_IN_TITLE = re.compile(
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
    date = DATE_IN_TITLE.search(rest)
    if date:
        rest = f"{rest[: date.start()]}{{project_date}}{rest[date.end() :]}"
    return f"{head}{{version}}{rest}"


def date_note(title: str) -> str:
    """What towncrier cannot match: a date that is not written as an ISO date."""
    version = _VERSION_IN_TITLE.search(title)
    date = DATE_IN_TITLE.search(title[version.end() :]) if version else None
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date[0]):
        return f"; towncrier writes the date as YYYY-MM-DD, the changelog as {date[0]!r}"
    return ""


def issue_format(text: str) -> str:
    """towncrier's ``issue_format`` for the newest issue reference of the changelog, or ``""``."""
    found = [
        (m.start(), style(m)) for pattern, style in _ISSUE_STYLES if (m := pattern.search(text))
    ]
    return min(found)[1] if found else ""


_ATX = re.compile(r"^(#{1,4})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
#: Words after a heading's version that make it a pointer ("## 2.0.0 and newer"), not a release.
_POINTER = re.compile(
    r"^[\s\])]*(?:\+|and\s+(?:newer|later|above|up)|or\s+(?:newer|later)|onwards?|and\s+beyond)",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")


@dataclasses.dataclass(frozen=True)
class Heading:
    """A markdown heading that names a version: ``## 1.2.0 (date)`` or ``1.2.0`` underlined."""

    index: int  # its first line
    title: str  # its text, without the hashes or the underline
    level: int  # 1 for ``#`` or ``===``, 2 for ``##`` or ``---``, ...
    underline: str = ""  # "=" or "-" for an underlined (setext) heading

    @property
    def lines(self) -> int:
        return 2 if self.underline else 1


def md_headings(lines: list[str]) -> list[Heading]:
    """Every markdown heading of ``lines``, ATX (``## x``) and underlined (``x\\n===``)."""
    found = []
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        if (match := _ATX.match(line)) is not None:
            found.append(Heading(i, match[2], len(match[1])))
        elif (
            i + 1 < len(lines)
            and line.strip()
            and not _LIST_ITEM.match(line)
            and not line.startswith((" " * 4, "\t", ">"))
            and (under := _SETEXT.match(lines[i + 1])) is not None
        ):
            found.append(Heading(i, line.strip(), 1 if under[1][0] == "=" else 2, under[1][0]))
    return found


def _body(heading: Heading, lines: list[str], headings: list[Heading]) -> list[str]:
    """The lines of ``heading``'s section, down to the next heading of its level or higher."""
    stop = next(
        (h.index for h in headings if h.index > heading.index and h.level <= heading.level),
        len(lines),
    )
    return lines[heading.index + heading.lines : stop]


def _is_pointer(heading: Heading, lines: list[str], headings: list[Heading]) -> bool:
    """A heading that points elsewhere ("## 2.0.0 and newer": see GitHub Releases), not a release.

    Its title says so after the version, or its section holds only a link
    where the older releases' sections hold lists.
    """
    version = _VERSION_IN_TITLE.search(heading.title)
    if version and _POINTER.match(heading.title[version.end() :]):
        return True
    body = _body(heading, lines, headings)
    linked = any("](" in ln or "http" in ln for ln in [heading.title, *body])
    if not linked or any(_LIST_ITEM.match(ln) for ln in body):
        return False
    older = [
        h
        for h in headings
        if h.index > heading.index and h.level == heading.level and VERSIONISH.search(h.title)
    ]
    return any(_LIST_ITEM.match(ln) for h in older[:3] for ln in _body(h, lines, headings))


def release_headings(lines: list[str]) -> tuple[int, Heading] | None:
    """Where the newest release starts (a pointer above it included) and its heading."""
    headings = md_headings(lines)
    versioned = [h for h in headings if VERSIONISH.search(h.title)]
    if not versioned:
        return None
    release = next((h for h in versioned if not _is_pointer(h, lines, headings)), versioned[0])
    # A pointer above the newest release still names newer versions: new sections go above it.
    first = next(h for h in versioned if h.level <= release.level)
    return min(first.index, release.index), release


def md_heading(lines: list[str]) -> tuple[int, str] | None:
    """Index and title format of the first release heading (``## 1.2.3 (date)``)."""
    found = release_headings(lines)
    if found is None:
        return None
    at, heading = found
    if heading.underline:
        return at, title_format(heading.title)
    return at, f"{'#' * heading.level} {title_format(heading.title)}"


def rst_heading(lines: list[str]) -> tuple[int, str, str] | None:
    """Index, underline character and title format of the first release heading."""
    for i in range(len(lines) - 1):
        underline = RST_UNDERLINE.match(lines[i + 1])
        title = lines[i].strip()
        if underline and title and not RST_UNDERLINE.match(lines[i]) and VERSIONISH.search(title):
            start = (
                i - 1 if i > 0 and lines[i - 1].strip() and RST_UNDERLINE.match(lines[i - 1]) else i
            )
            return start, underline[1], title_format(title)
    return None


def md_categories(lines: list[str], release: Heading) -> list[str]:
    """The names of the sub-headings under the release headings (``### Added``), in order."""
    headings = md_headings(lines)
    names: list[str] = []
    inside = False
    for heading in headings:
        if heading.index < release.index:
            continue
        if heading.level <= release.level:
            inside = bool(VERSIONISH.search(heading.title))
        elif inside and heading.title not in names:
            names.append(heading.title)
    return names


def rst_category_underline(lines: list[str], start: int, title_char: str) -> str:
    """The underline character of the first sub-heading below the release heading at ``start``."""
    for i in range(start + 2, min(len(lines) - 1, start + 200)):
        title, under = lines[i].strip(), RST_UNDERLINE.match(lines[i + 1])
        if not title or not under or RST_UNDERLINE.match(lines[i]):
            continue
        if VERSIONISH.search(title) or under[1] == title_char:
            return ""  # the next release: this one has no categories
        return under[1]
    return ""
