"""Release notes: the section of the changelog that a release wrote, read back.

towncrier writes each release's section behind its ``start_string`` marker,
headed by ``title_format`` (or, when that is empty, by its template's own
heading). Reading it back uses the same settings, so the text is exactly what
the release wrote, for a forge release or the pull-request check.
"""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path

from packaging.version import InvalidVersion, Version

from releasekit._exceptions import ChangelogError, ConfigError

_VERSION = r"(?P<version>\S+?)"
_ANY = r".*?"


@dataclasses.dataclass(frozen=True)
class Section:
    """One release's section: its version and its text without the heading."""

    version: str
    text: str


def title_regex(title_format: str, *, markdown: bool) -> re.Pattern[str]:
    """A pattern for one line that ``title_format`` (towncrier's) renders.

    An empty format means towncrier's default template renders the title:
    ``[# ]{name} {version} ({date})``, the name only when the project has one.
    """
    if not title_format:
        hashes = r"\#\ " if markdown else ""
        return re.compile(rf"^{hashes}(?:{_ANY}\ )?{_VERSION}\ \({_ANY}\)[ \t]*$", re.MULTILINE)
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(title_format):
        parts.append(re.escape(literal))
        if field is None:
            continue
        if field == "version":
            parts.append(_VERSION)
        else:  # name, project_date: anything on the line
            parts.append(_ANY)
    return re.compile("^" + "".join(parts) + r"[ \t]*$", re.MULTILINE)


def _same_version(found: str, wanted: str) -> bool:
    try:
        return Version(found) == Version(wanted)
    except InvalidVersion:
        return found == wanted


def split_sections(
    text: str, *, title_format: str, start_string: str, markdown: bool, underline: str = "="
) -> list[Section]:
    """The sections of a changelog, newest first, as towncrier wrote them."""
    _, marker, body = text.partition(start_string.strip())
    if not marker:
        body = text
    pattern = title_regex(title_format, markdown=markdown)
    headings: list[tuple[int, int, str]] = []  # (start, end of heading, version)
    for match in pattern.finditer(body):
        end = match.end()
        if not markdown:
            # An rst title is underlined: the next line, one character repeated.
            rest = body[end + 1 :].split("\n", 1)[0].rstrip()
            if not rest or set(rest) != {underline}:
                continue
            end += 1 + len(rest)
        try:
            Version(match["version"])
        except InvalidVersion:
            continue  # a line that only looks like a title, inside a section
        headings.append((match.start(), end, match["version"]))
    sections = []
    for n, (_, end, found) in enumerate(headings):
        stop = headings[n + 1][0] if n + 1 < len(headings) else len(body)
        sections.append(Section(found, body[end:stop].strip("\n").rstrip() + "\n"))
    return sections


def _markdown_template(template: str | tuple[str, str]) -> bool:
    """Whether towncrier writes markdown titles: it asks its template's name, as here."""
    name = template[1] if isinstance(template, tuple) else template
    return Path(name).suffix.lower() == ".md"


def notes(root: Path, version: str | None = None) -> str:
    """The changelog text of ``version`` (default: the latest), without its heading."""
    from releasekit import changelog

    base, cfg = changelog.towncrier_config(root)
    if cfg.title_format is False:
        msg = (
            "towncrier's title_format is false, so the changelog has no headings to find a "
            'version by: set title_format (e.g. "## {version} ({project_date})")'
        )
        raise ConfigError(msg)
    if not cfg.single_file:
        msg = "towncrier writes one file per release (single_file = false): read that file"
        raise ConfigError(msg)
    path = Path(base, cfg.filename)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"there is no changelog {path.name} in {root}: release once first"
        raise ChangelogError(msg) from None
    sections = split_sections(
        text,
        title_format=cfg.title_format,
        start_string=cfg.start_string,
        markdown=_markdown_template(cfg.template),
        underline=cfg.underlines[0] if cfg.underlines else "=",
    )
    if not sections:
        msg = f"{path.name} has no release section yet: release once first"
        raise ChangelogError(msg)
    if version is None:
        return sections[0].text
    for section in sections:
        if _same_version(section.version, version):
            return section.text
    shown = ", ".join(s.version for s in sections[:5])
    more = ", ..." if len(sections) > 5 else ""
    msg = f"{path.name} has no section for version {version} (it has {shown}{more})"
    raise ChangelogError(msg)
