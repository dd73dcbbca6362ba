"""Writing the towncrier template: new sections that continue the changelog's own style.

towncrier's default template writes ``- entry`` under ``### Features``; a
changelog written with ``*`` bullets, a "Released <date>" line, no category
headings or an underlined title would change style at the first release.
The newest section's style is read here and a template written that keeps
it (none when the default already fits).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

from releasekit.init.changelog_reading import (
    DATE_IN_TITLE,
    RST_UNDERLINE,
    VERSIONISH,
    md_headings,
    release_headings,
    rst_heading,
)


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
    skip = 3 if RST_UNDERLINE.match(lines[start]) else 2
    for i in range(start + skip, min(len(lines), start + skip + 200)):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if VERSIONISH.search(line) and RST_UNDERLINE.match(nxt):
            break
        body.append(line)
    categories = any(
        ln.strip() and RST_UNDERLINE.match(nxt) and not RST_UNDERLINE.match(ln)
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
    date = DATE_IN_TITLE.search(first)
    if date and not re.match(r"^[-*+#]", first) and date.start() > 0:
        return first[: date.start()]
    return ""


def _md_body_style(lines: list[str], start: int) -> BodyStyle:
    headings = md_headings(lines)
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
    style = newest_style(changelog)
    if style is not None and style.underlined:
        return "changelog.d/template.jinja"
    return "changelog.d/template.md"


def template_text(changelog: Path) -> str:
    """A template in the style of ``changelog``'s newest section ("" if the default fits)."""
    style = newest_style(changelog)
    if style is None or style.is_default:
        return ""
    return body_template(style, rst=changelog.suffix != ".md")


def newest_style(changelog: Path) -> BodyStyle | None:
    """The style of the newest section under a recognised release heading."""
    lines = changelog.read_bytes().decode("utf-8").splitlines()
    if changelog.suffix != ".md":
        found = rst_heading(lines)
        return body_style(lines, found[0], rst=True) if found else None
    release = release_headings(lines)
    return _md_body_style(lines, release[1].index) if release else None
