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


def _md_headings(lines: list[str]) -> list[Heading]:
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
        if h.index > heading.index and h.level == heading.level and _VERSIONISH.search(h.title)
    ]
    return any(_LIST_ITEM.match(ln) for h in older[:3] for ln in _body(h, lines, headings))


def _release_headings(lines: list[str]) -> tuple[int, Heading] | None:
    """Where the newest release starts (a pointer above it included) and its heading."""
    headings = _md_headings(lines)
    versioned = [h for h in headings if _VERSIONISH.search(h.title)]
    if not versioned:
        return None
    release = next((h for h in versioned if not _is_pointer(h, lines, headings)), versioned[0])
    # A pointer above the newest release still names newer versions: new sections go above it.
    first = next(h for h in versioned if h.level <= release.level)
    return min(first.index, release.index), release


def _md_heading(lines: list[str]) -> tuple[int, str] | None:
    """Index and title format of the first release heading (``## 1.2.3 (date)``)."""
    found = _release_headings(lines)
    if found is None:
        return None
    at, heading = found
    if heading.underline:
        return at, title_format(heading.title)
    return at, f"{'#' * heading.level} {title_format(heading.title)}"


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


def _md_categories(lines: list[str], release: Heading) -> list[str]:
    """The names of the sub-headings under the release headings (``### Added``), in order."""
    headings = _md_headings(lines)
    names: list[str] = []
    inside = False
    for heading in headings:
        if heading.index < release.index:
            continue
        if heading.level <= release.level:
            inside = bool(_VERSIONISH.search(heading.title))
        elif inside and heading.title not in names:
            names.append(heading.title)
    return names


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


def _rst_category_underline(lines: list[str], start: int, title_char: str) -> str:
    """The underline character of the first sub-heading below the release heading at ``start``."""
    for i in range(start + 2, min(len(lines) - 1, start + 200)):
        title, under = lines[i].strip(), _RST_UNDERLINE.match(lines[i + 1])
        if not title or not under or _RST_UNDERLINE.match(lines[i]):
            continue
        if _VERSIONISH.search(title) or under[1] == title_char:
            return ""  # the next release: this one has no categories
        return under[1]
    return ""


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
    categories: list[str] = []
    if path.suffix == ".md":
        table["start_string"] = f"{MD_MARKER}\n"
        found = _md_heading(lines)
        marker, title = MD_MARKER, "## {version} ({project_date})"
        if found:
            index, title = found
        table["title_format"] = title
        release = _release_headings(lines)
        if release is not None:
            categories = _md_categories(lines, release[1])
            if release[1].underline:  # towncrier underlines the title, as the project does
                char = release[1].underline
                table["underlines"] = [char, *(c for c in "-~" if c != char)]
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
        # The categories keep the underline they have under the newest release.
        category = _rst_category_underline(lines, index, title_char) if found_rst else ""
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
    style = _newest_style(path)
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
        note += _date_note(heading)
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


@dataclasses.dataclass(frozen=True)
class BodyStyle:
    """How the newest release section of a changelog is written below its heading."""

    bullet: str = "- "  # "* ", "-   "
    released: str = ""  # "Released " when a line "Released 2024-12-19" follows the heading
    categories: bool = True  # "Features" sub-headings, or one flat list
    #: A markdown category heading other than one level below the title: "####",
    #: or "-" when categories are underlined.
    category_heading: str = ""
    underlined: bool = False  # a markdown title underlined (``1.2.0`` over ``=====``)
    gap: int = 2  # blank lines between one release's section and the next heading

    @property
    def is_default(self) -> bool:
        return self == BodyStyle()


def body_style(lines: list[str], start: int, rst: bool) -> BodyStyle:
    """Read the bullet, a date line and the sub-headings of the section at ``start``."""
    if not rst:
        return _md_body_style(lines, start)
    body: list[str] = []
    skip = 3 if _RST_UNDERLINE.match(lines[start]) else 2
    for i in range(start + skip, min(len(lines), start + skip + 200)):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _VERSIONISH.search(line) and _RST_UNDERLINE.match(nxt):
            break
        body.append(line)
    categories = any(
        ln.strip() and _RST_UNDERLINE.match(nxt) and not _RST_UNDERLINE.match(ln)
        for ln, nxt in itertools.pairwise(body)
    )
    return BodyStyle(
        bullet=_bullet(body), released=_released(body), categories=categories, gap=_gap(body)
    )


def _gap(body: list[str]) -> int:
    """The blank lines at the end of a section, 2 (towncrier's) when it ends the file."""
    if len(body) >= 200 or not body or body[-1].strip():  # the file's last, or a long one
        return 2
    return sum(1 for _ in itertools.takewhile(lambda ln: not ln.strip(), reversed(body)))


def _bullet(body: list[str]) -> str:
    return next((m[1] for ln in body if (m := re.match(r"^([-*+]\s+)\S", ln))), "- ")


def _released(body: list[str]) -> str:
    """``"Released "`` when the section starts with a line like ``Released 2024-12-19``."""
    first = next((ln.strip() for ln in body if ln.strip()), "")
    date = _DATE_IN_TITLE.search(first)
    if date and not re.match(r"^[-*+#]", first) and date.start() > 0:
        return first[: date.start()]
    return ""


def _md_body_style(lines: list[str], start: int) -> BodyStyle:
    headings = _md_headings(lines)
    release = next(h for h in headings if h.index == start)
    inner = [h for h in headings if h.index > start]
    stop = next((h.index for h in inner if h.level <= release.level), len(lines))
    body = lines[release.index + release.lines : stop]
    subs = [h for h in inner if h.index < stop]
    category_heading = ""
    if subs:
        sub = subs[0]
        if sub.underline:
            category_heading = sub.underline
        elif release.underline or sub.level != release.level + 1:
            category_heading = "#" * sub.level
    return BodyStyle(
        bullet=_bullet(body),
        released=_released(body),
        categories=bool(subs),
        category_heading=category_heading,
        underlined=bool(release.underline),
        gap=_gap(body) if stop < len(lines) else 2,
    )


def body_template(style: BodyStyle, *, rst: bool) -> str:
    """A towncrier template whose sections are written like the project's (title excluded)."""
    released = f"{style.released}{{{{ versiondata.date }}}}\n\n" if style.released else ""
    name = "{{ definitions[category]['name'] }}"
    if not style.categories:
        heading = ""
    elif rst:
        heading = f"{name}\n{{{{ underlines[0] * definitions[category]['name']|length }}}}\n\n"
    elif style.category_heading.startswith("#"):
        heading = f"{style.category_heading} {name}\n\n"
    elif style.category_heading:  # underlined
        heading = (
            f"{name}\n{{{{ {style.category_heading!r} * definitions[category]['name']|length }}}}"
            "\n\n"
        )
    else:  # one level below the title: towncrier's header_prefix is the title's hashes
        heading = f"{{{{ header_prefix }}}}# {name}\n\n"
    refs = "{% if values %} ({{ values|join(', ') }}){% endif %}"
    # trim_blocks (towncrier's) eats the newline after a tag, ``{% endif %}`` too:
    # an entry's line ends twice, a blank line is an empty line of its own.
    entry = f"{style.bullet}{{{{ text }}}}{refs}\n\n"
    between = "\n" if style.categories else ""  # a blank line after each category's list
    after = "" if style.categories else "\n"  # or after the flat list
    gap = "\n" * (style.gap - 1)  # the blank lines between two releases, the first above
    return (
        "{# Written by releasekit init: new sections look like the changelog's own. #}\n"
        # towncrier puts the title on the line before: a blank line follows it.
        f"\n{released}"
        "{% for section, _ in sections.items() %}\n"
        "{% if sections[section] %}\n"
        "{% for category, val in definitions.items() if category in sections[section] %}\n"
        f"{heading}"
        "{% for text, values in sections[section][category].items() %}\n"
        f"{entry}"
        "{% endfor %}\n"
        f"{between}"
        "{% endfor %}\n"
        f"{after}"
        "{% else %}\n"
        "No significant changes.\n\n"
        "{% endif %}\n"
        "{% endfor %}\n"
        f"{gap}"
    )


def template_path(changelog: Path) -> str:
    """Where init writes its towncrier template (towncrier ignores it among the fragments).

    towncrier writes markdown, the title without an underline, only when the
    template's name ends in ``.md`` (``template.md.jinja`` is rendered as
    reStructuredText); an underlined title needs a name that does not.
    """
    if changelog.suffix != ".md":
        return "changelog.d/template.rst.jinja"
    style = _newest_style(changelog)
    if style is not None and style.underlined:
        return "changelog.d/template.jinja"
    return "changelog.d/template.md"


def template_text(changelog: Path) -> str:
    """A template in the style of ``changelog``'s newest section ("" if the default fits)."""
    style = _newest_style(changelog)
    if style is None or style.is_default:
        return ""
    return body_template(style, rst=changelog.suffix != ".md")


def _newest_style(changelog: Path) -> BodyStyle | None:
    """The style of the newest section under a recognised release heading."""
    lines = changelog.read_bytes().decode("utf-8").splitlines()
    if changelog.suffix != ".md":
        found = _rst_heading(lines)
        return body_style(lines, found[0], rst=True) if found else None
    release = _release_headings(lines)
    return _md_body_style(lines, release[1].index) if release else None
