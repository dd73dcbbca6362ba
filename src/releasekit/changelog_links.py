"""The link reference of a new release, written as the changelog writes the others.

A keep-a-changelog file links each release heading (``## [1.2.0] - date``) to
a definition at its end (``[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0``).
towncrier writes the new section behind its start marker and nothing else, so
the release adds the new definition after it, next to the newest one and made
from it: the new version where that one names its own, and its own where it
names the one before; an ``[Unreleased]`` comparison then starts at the new
version. A changelog whose headings link nothing is left as it is.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

_DEFINITION = re.compile(r"^\[(?P<label>[^\]\n]+)\]:[ \t]+(?P<url>\S+)[^\n]*$", re.MULTILINE)


def _version(label: str) -> Version | None:
    try:
        return Version(label.strip())
    except InvalidVersion:
        return None


def _bare(label: str) -> str:
    return label.strip().removeprefix("v").removeprefix("V")


def _swap(url: str, mapping: dict[str, str]) -> str:
    """``url`` with each version of ``mapping`` replaced at once, whole versions only."""
    versions = "|".join(re.escape(v) for v in sorted(mapping, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\d.])(?:{versions})(?!\w|\.\d)")
    return pattern.sub(lambda m: mapping[m[0]], url)


def add(text: str, version: str) -> str:
    """``text`` with the link reference of ``version``, or ``text`` when it links no release."""
    new = _version(version)
    if new is None:
        return text
    found = [(m, v) for m in _DEFINITION.finditer(text) if (v := _version(m["label"])) is not None]
    if any(v == new for _, v in found):
        return text
    older = [(m, v) for m, v in found if v < new]
    if not older:
        return text
    newest, newest_version = max(older, key=lambda found: found[1])
    bare = _bare(newest["label"])
    label = next(
        (
            candidate
            for candidate in (newest["label"].replace(bare, version), version)
            if f"[{candidate}]" in text[: newest.start()]
        ),
        None,
    )
    if label is None:  # the new section's heading does not link its version
        return text
    mapping = {bare: version}
    before = [(m, v) for m, v in older if v < newest_version]
    previous = max(before, key=lambda found: found[1])[0] if before else None
    if previous is not None:
        mapping[_bare(previous["label"])] = bare
    line = f"[{label}]: {_swap(newest['url'], mapping)}"
    if previous is not None and previous.start() < newest.start():  # oldest first
        at = newest.end()
        text = f"{text[:at]}\n{line}{text[at:]}"
    else:
        at = newest.start()
        text = f"{text[:at]}{line}\n{text[at:]}"
    for match in _DEFINITION.finditer(text):
        if match["label"].strip().lower() == "unreleased":
            url = _swap(match["url"], {bare: version})
            start, end = match.span("url")
            return f"{text[:start]}{url}{text[end:]}"
    return text
