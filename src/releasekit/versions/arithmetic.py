"""PEP 440 arithmetic, with packaging alone: no tool, no file, no repository.

What the fragments call for (:func:`infer_part`), the bump of a final
version, the pre-release series and the development version after a
release. Every version computed here is checked (:func:`check_next`) before
anything may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.version import InvalidVersion, Version

from releasekit import _console
from releasekit._exceptions import ChangelogError, VersionError

#: The parts a version from git tags (and a pre-release series) can move.
SCM_PARTS = ("major", "minor", "patch")
#: The largest first: several fragment types call for the largest of their parts.
PART_ORDER = ("major", "minor", "patch")
PRE_LABELS = ("a", "b", "rc")


def parse(text: str, *, what: str = "version") -> Version:
    """Parse a PEP 440 version or fail naming it."""
    try:
        return Version(text)
    except InvalidVersion:
        msg = f"{what} {text!r} is not a valid PEP 440 version"
        raise VersionError(msg) from None


def check_next(current: str, new: str) -> str:
    """Refuse a new version that is invalid or not above the current one."""
    parsed = parse(new, what="new version")
    if parsed <= parse(current, what="current version"):
        msg = f"new version {new} is not above the current version {current}"
        raise VersionError(msg)
    return new


def typed(text: str) -> str:
    """A version as a person types it: ``" v1.1.0 "`` means ``1.1.0`` (and says so)."""
    cleaned = text.strip()
    if cleaned[:1] in ("v", "V") and cleaned[1:2].isdigit():
        cleaned = cleaned[1:]
    if cleaned != text:
        _console.info(f"taking --new-version {text!r} as {cleaned}")
    parse(cleaned, what="--new-version")
    return cleaned


def part_or_version(part: str | None, new_version: str | None) -> str:
    """Refuse both or neither; return the part ("" when a new version is given)."""
    if part and new_version:
        msg = "give either a version part or a new version, not both"
        raise VersionError(msg)
    if not (part or new_version):
        msg = "say which version part to bump (--part) or give --new-version"
        raise VersionError(msg)
    return part or ""


def infer_part(
    fragment_types: Iterable[str],
    bump_map: Mapping[str, str],
    current_version: str,
    zero_major_part: str = "minor",
) -> str:
    """The largest part that the fragments call for (removal -> major, ...)."""
    wanted = {bump_map.get(t, "patch") for t in fragment_types}
    if not wanted:
        msg = "no changelog fragments: add one with `invoke fragment` or `towncrier create`"
        raise ChangelogError(msg)
    ranked = [p for p in PART_ORDER if p in wanted] or sorted(wanted)
    part = ranked[0]
    if part == "major" and parse(current_version).major == 0:
        return zero_major_part
    return part


def version_of_tag(tag: str, tag_format: str) -> str | None:
    """The version a tag names under ``tag_format``, or None when it names none."""
    prefix, _, suffix = tag_format.partition("{new_version}")
    if not tag.startswith(prefix) or not tag.endswith(suffix) or len(tag) <= len(prefix + suffix):
        return None
    text = tag[len(prefix) : len(tag) - len(suffix)]
    try:
        Version(text)
    except InvalidVersion:
        return None
    return text


def bump_release(current: str, part: str) -> str:
    """Bump ``part`` of ``current`` with packaging, keeping a two-part version two-part."""
    if part not in SCM_PARTS:
        msg = (
            f"unknown version part {part!r} (valid parts with versions from git tags: "
            f"{', '.join(SCM_PARTS)}; or give --new-version)"
        )
        raise VersionError(msg)
    parsed = parse(current, what="current version")
    major, minor, patch = (*parsed.release, 0, 0)[:3]
    if part == "major":
        numbers = [major + 1, 0, 0]
    elif part == "minor":
        numbers = [major, minor + 1, 0]
    else:
        numbers = [major, minor, patch + 1]
    if len(parsed.release) == 2 and part != "patch":
        numbers = numbers[:2]
    return check_next(current, ".".join(map(str, numbers)))


def is_prerelease(text: str) -> bool:
    """An ``a``, ``b`` or ``rc`` version (a ``.devN`` alone is not: it needs fragments)."""
    return parse(text).pre is not None


def is_development(text: str) -> bool:
    """A ``.devN`` version, such as the one ``post_release_dev`` commits."""
    return parse(text).dev is not None


def release_bump(current: str, part: str) -> str:
    """The final version that bumping ``part`` leads to; a pre-release counts as its release.

    From a final version this is the ordinary bump (1.4.2, minor -> 1.5.0). From
    a pre-release, the part is measured from the last final release the series
    started after: 1.5.0rc1 already is the minor and patch bump (-> 1.5.0), a
    major one only when it is X.0.0 (2.0.0b1, major -> 2.0.0; 1.5.0rc1 -> 2.0.0).
    A ``.devN`` version counts as the release it leads to (1.5.1.dev0, patch -> 1.5.1).
    """
    parsed = parse(current, what="current version")
    if part not in SCM_PARTS:
        msg = f"unknown version part {part!r} for a pre-release series (use {', '.join(SCM_PARTS)})"
        raise VersionError(msg)
    if parsed.pre is None and parsed.dev is None:
        return bump_release(current, part)
    major, minor, patch = (*parsed.release, 0, 0)[:3]
    if part == "major":
        numbers = [major, 0, 0] if (minor, patch) == (0, 0) else [major + 1, 0, 0]
    elif part == "minor":
        numbers = [major, minor, 0] if patch == 0 else [major, minor + 1, 0]
    else:
        numbers = [major, minor, patch]
    if len(parsed.release) == 2 and numbers[2] == 0:
        numbers = numbers[:2]
    epoch = f"{parsed.epoch}!" if parsed.epoch else ""
    return epoch + ".".join(map(str, numbers))


def next_pre(current: str, part: str | None, label: str) -> str:
    """The next pre-release with ``label`` (``a``, ``b``, ``rc``): 1.4.2 + minor + rc -> 1.5.0rc1.

    From a pre-release of the same release, the same label counts on (1.5.0rc1
    -> 1.5.0rc2), a later one starts at 1 (1.5.0b2 -> 1.5.0rc1) and an earlier
    one is refused (1.5.0rc1 -> 1.5.0b1 would sort below it).
    """
    if label not in PRE_LABELS:
        msg = f"unknown pre-release label {label!r} (use {', '.join(PRE_LABELS)})"
        raise VersionError(msg)
    parsed = parse(current, what="current version")
    if parsed.pre is None:
        if part is None:
            msg = (
                f"a pre-release after {current} needs a version part: add a changelog "
                "fragment or give --part"
            )
            raise VersionError(msg)
        return check_next(current, f"{release_bump(current, part)}{label}1")
    target = release_bump(current, part) if part else parsed.base_version
    number = 1
    if Version(target) == Version(parsed.base_version):
        current_label, current_number = parsed.pre
        if PRE_LABELS.index(label) < PRE_LABELS.index(current_label):
            msg = (
                f"--pre {label} after {current} goes back ({label} comes before "
                f"{current_label}): use --pre {current_label} or a later label, or release "
                f"{target} without --pre"
            )
            raise VersionError(msg)
        if label == current_label:
            number = current_number + 1
    return check_next(current, f"{target}{label}{number}")


def finalize(current: str, part: str | None = None) -> str:
    """The final release a release without ``--pre`` makes of a pre-release (1.5.0rc2 -> 1.5.0)."""
    parsed = parse(current, what="current version")
    target = release_bump(current, part) if part else parsed.base_version
    return check_next(current, target)


def dev_after(released: str) -> str | None:
    """The development version after a final release (1.5.0 -> 1.5.1.dev0); None after a pre."""
    if is_prerelease(released) or is_development(released):
        return None
    return check_next(released, f"{bump_release(released, 'patch')}.dev0")


def parts_note(current: str, new: str) -> str:
    """Which part moves, when the project's versions have two parts (3.20 -> 3.21); else "".

    A two-part scheme has no patch part to read the move by: the plan names it.
    """
    try:
        old, following = Version(current).release, Version(new).release
    except InvalidVersion:
        return ""
    if len(old) != 2:
        return ""
    padded = zip(SCM_PARTS, (*old, 0), (*following, 0, 0)[:3], strict=True)
    moved = next((name for name, a, b in padded if a != b), "")
    if not moved:  # the same release: a pre-release finalized, a dev release
        return "this project's versions have two parts"
    if len(following) > 2:
        return f"the {moved} part moves: this project's versions have two parts, this one three"
    return f"the {moved} part moves: this project's versions have two parts"
