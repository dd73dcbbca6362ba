"""PyPI's rules on the built files: their names, one sdist per release, and their metadata.

Verify holds the files the release uploads against these, after the build:
the metadata each file carries (a wheel's ``METADATA``, an sdist's
``PKG-INFO``) against the metadata rules, and the names against
warehouse/forklift/legacy.py ``file_upload``, which refuses them only once
the release commit and tag exist.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from releasekit._exceptions import PyPIRuleError
from releasekit.pypi_rules.metadata import Metadata, parse, problems


def sdist_name(filename: str, meta: Metadata) -> str | None:
    """The sdist is named as PEP 625 says: ``{normalized_name}-{version}.tar.gz``.

    warehouse/forklift/legacy.py ``file_upload``: "Filename ... is invalid,
    should be ..." (the project's normalized name, ``-`` as ``_``).
    """
    expected = f"{_file_name(meta)}-{_version(meta)}.tar.gz"
    if filename != expected:
        return (
            f"sdist {filename!r}: PyPI refuses an sdist not named as PEP 625 says "
            f"({expected!r}); upgrade the build backend"
        )
    return None


def wheel_name(filename: str, meta: Metadata) -> str | None:
    """The wheel's name is the normalized project name, its version the metadata's.

    warehouse/forklift/legacy.py ``file_upload``: "Filename ... should contain
    the normalized project name" and "Version in filename should be ...".
    """
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import Version

    try:
        _name, version, _build, _tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        return f"wheel {filename!r}: PyPI refuses it ({exc})"
    expected = _file_name(meta)
    if filename.split("-", 1)[0] != expected:
        return (
            f"wheel {filename!r}: PyPI refuses a wheel whose name is not the normalized "
            f"project name {expected!r}; upgrade the build backend"
        )
    if version != Version(_version(meta)):
        return f"wheel {filename!r}: its version is not the metadata's {_version(meta)!r}"
    return None


def one_sdist(filenames: Iterable[str]) -> str | None:
    """One sdist per release.

    warehouse/forklift/legacy.py ``file_upload``: "Only one sdist may be
    uploaded per release." (the files to upload and those already up).
    """
    sdists = sorted(n for n in filenames if n.endswith((".tar.gz", ".zip")))
    if len(sdists) > 1:
        return (
            f"sdists {', '.join(sdists)}: PyPI takes only one sdist per release; upload one of them"
        )
    return None


def _file_name(meta: Metadata) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(meta.string("name")).replace("-", "_")


def _version(meta: Metadata) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(meta.string("version")))
    except InvalidVersion:
        return meta.string("version")


def wheel_metadata(path: Path) -> tuple[str, set[str], str]:
    """A wheel's METADATA text, the names in the wheel, and its ``.dist-info`` directory."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        found = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        if len(found) != 1:
            raise PyPIRuleError(f"{path.name} has no single .dist-info/METADATA: rebuild it")
        text = zf.read(found[0]).decode("utf-8")
    return text, names, found[0].rsplit("/", 1)[0]


def read_dist(path: Path, *, pypi: bool = True) -> Metadata:
    """The metadata of a built file (a wheel's ``METADATA``, an sdist's ``PKG-INFO``).

    ``has_file`` looks where warehouse looks for each License-File.
    """
    if path.name.endswith(".whl"):
        text, names, info = wheel_metadata(path)

        def in_wheel(license_path: str) -> bool:
            return f"{info}/licenses/{license_path}" in names

        return parse(text, path.name, pypi=pypi, has_file=in_wheel)
    with tarfile.open(path) as tf:
        members = set(tf.getnames())
        tops = {m.split("/", 1)[0] for m in members}
        top = next(iter(tops)) if len(tops) == 1 else ""
        member = tf.extractfile(f"{top}/PKG-INFO") if f"{top}/PKG-INFO" in members else None
        if member is None:
            raise PyPIRuleError(f"{path.name} has no PKG-INFO in one top directory: rebuild it")
        text = member.read().decode("utf-8")

    def in_sdist(license_path: str) -> bool:
        return f"{top}/{license_path}" in members

    return parse(text, path.name, pypi=pypi, has_file=in_sdist)


def file_problems(
    files: Sequence[Path], *, pypi: bool = True, listed: Iterable[str] = ()
) -> list[str]:
    """Every rule's problem with the files a release uploads, their metadata and their names.

    :param listed: the names of the release's files the index has already.
    """
    found: list[str] = []
    for path in files:
        meta = read_dist(path, pypi=pypi)
        found += problems(meta)
        name_rule = wheel_name if path.name.endswith(".whl") else sdist_name
        problem = name_rule(path.name, meta)
        if problem:
            found.append(problem)
    problem = one_sdist({*listed, *(p.name for p in files)})
    if problem:
        found.append(problem)
    return list(dict.fromkeys(found))  # a rule broken by both files: said once
