"""PyPI's rules on the core metadata: one small function per rule, and the list of them.

Each rule reads the metadata as ``packaging.metadata.parse_email`` does and
returns one line naming the field, the value and the rule, or None; its
docstring names warehouse's code that refuses it
(``warehouse/forklift/metadata.py`` ``_validate_metadata``). They are kept
apart from the files' rules and from when they apply, so a new rule is one
function here and one entry in :data:`RULES`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

#: The metadata versions PyPI takes (``SUPPORTED_METADATA_VERSIONS``,
#: warehouse/forklift/metadata.py).
PYPI_METADATA_VERSIONS = ("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5")
#: Warehouse's longest Summary (``_LENGTH_LIMITS`` in warehouse/forklift/metadata.py).
SUMMARY_LIMIT = 512


@dataclasses.dataclass(frozen=True)
class Metadata:
    """Core metadata to hold against the rules, and what the rules need around it."""

    raw: RawMetadata
    #: Where it was read, for the messages: a file name, or "the metadata hatchling reports".
    source: str
    #: Whether the target is PyPI or TestPyPI itself (``Private ::`` classifiers).
    pypi: bool = True
    #: Whether a ``License-File`` path is in the distribution (or the project).
    has_file: Callable[[str], bool] | None = None
    #: Where ``has_file`` looks, for the messages (``source`` when empty).
    files_in: str = ""

    def strings(self, key: str) -> list[str]:
        value = self.raw.get(key) or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def string(self, key: str) -> str:
        value = self.raw.get(key)
        return "" if value is None else str(value)


Rule = Callable[[Metadata], "str | None"]


def parse(text: str, source: str, **context: Any) -> Metadata:
    """Core metadata text (``METADATA``, ``PKG-INFO``) as the rules read it."""
    from packaging.metadata import parse_email

    raw, _unparsed = parse_email(text)
    return Metadata(raw=raw, source=source, **context)


def direct_references(meta: Metadata) -> str | None:
    """No direct URL reference in Requires-Dist.

    warehouse/forklift/metadata.py ``_validate_metadata``: "Can't have direct
    dependency" (a user installing from PyPI could not trust or reach it).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    for text in meta.strings("requires_dist"):
        try:
            url = Requirement(text).url
        except InvalidRequirement:
            continue  # the uploader refuses it itself (core_metadata)
        if url:
            return (
                f"Requires-Dist {text!r}: PyPI refuses a direct URL reference; require a "
                "version published on the index instead"
            )
    return None


def local_version(meta: Metadata) -> str | None:
    """No local version (``+...``).

    warehouse/forklift/metadata.py ``_validate_metadata``: "The use of local
    versions ... is not allowed."
    """
    from packaging.version import InvalidVersion, Version

    text = meta.string("version")
    try:
        local = Version(text).local
    except InvalidVersion:
        return None  # the release refuses an invalid version before this
    if local:
        return (
            f"Version {text!r}: PyPI refuses a local version (+{local}); release a version "
            "without the +local part"
        )
    return None


def classifiers(meta: Metadata) -> str | None:
    """Every classifier known to trove-classifiers, and none deprecated.

    warehouse/forklift/metadata.py ``_validate_metadata`` checks them against
    trove-classifiers' ``all_classifiers`` and ``deprecated_classifiers``.
    ``Private ::`` ones are left to :func:`private_classifiers`: an index of
    one's own takes them, which is what they are for.
    """
    from trove_classifiers import all_classifiers, deprecated_classifiers

    for value in sorted(set(meta.strings("classifiers"))):
        if value.startswith("Private ::"):
            continue
        if value not in all_classifiers:
            return (
                f"Classifier {value!r}: PyPI refuses a classifier trove-classifiers does not "
                "know; pick one from https://pypi.org/classifiers/"
            )
        if value in deprecated_classifiers:
            instead = deprecated_classifiers[value]
            fix = f"use {' or '.join(map(repr, instead))} instead" if instead else "remove it"
            return f"Classifier {value!r}: PyPI refuses a deprecated classifier; {fix}"
    return None


def private_classifiers(meta: Metadata) -> str | None:
    """No ``Private ::`` classifier when the target is PyPI.

    They exist to be refused: trove-classifiers never lists them, so
    warehouse/forklift/metadata.py ``_validate_metadata`` refuses them as
    unknown ("is not a valid classifier").
    """
    if not meta.pypi:
        return None
    for value in meta.strings("classifiers"):
        if value.startswith("Private ::"):
            return (
                f"Classifier {value!r}: PyPI refuses every Private :: classifier (it marks a "
                "package not to upload there); publish to your own index, or remove it"
            )
    return None


def license_with_expression(meta: Metadata) -> str | None:
    """Not both License and License-Expression (PEP 639).

    warehouse/forklift/metadata.py ``_validate_metadata``: "License is
    deprecated when License-Expression is present."
    """
    expression = meta.string("license_expression")
    if meta.string("license") and expression:
        return (
            f"License beside License-Expression {expression!r}: PyPI refuses both; keep the "
            "SPDX expression (project.license) and drop the license text"
        )
    return None


def license_files(meta: Metadata) -> str | None:
    """Every License-File in the distribution.

    warehouse/forklift/legacy.py ``file_upload``: "License-File ... does not
    exist in distribution file" (the sdist's top directory, the wheel's
    ``.dist-info/licenses/``).
    """
    if meta.has_file is None or _uploader_drops_license_files(meta):
        return None
    for path in meta.strings("license_files"):
        if not meta.has_file(path):
            return (
                f"License-File {path!r}: not in {meta.files_in or meta.source}, and PyPI "
                "refuses a License-File that is missing; fix project.license-files or add the file"
            )
    return None


def summary(meta: Metadata) -> str | None:
    """A Summary of one line, at most 512 characters.

    packaging's ``Metadata`` (which warehouse/forklift/metadata.py ``parse``
    validates with) refuses a multi-line one; ``_LENGTH_LIMITS`` a long one.
    """
    text = meta.string("summary")
    if "\n" in text.strip():
        shown = text.strip().splitlines()[0]
        return (
            f"Summary {shown + ' ...'!r}: PyPI refuses a Summary of more than one line; "
            "make project.description one line"
        )
    if len(text) > SUMMARY_LIMIT:
        return (
            f"Summary {text[:40] + '...'!r}: PyPI refuses a Summary longer than "
            f"{SUMMARY_LIMIT} characters ({len(text)}); shorten project.description"
        )
    return None


def metadata_version(meta: Metadata) -> str | None:
    """A Metadata-Version that twine, as installed, can send, and that PyPI takes.

    twine validates the metadata with ``packaging.metadata.Metadata.from_raw``
    before uploading (twine/package.py ``PackageFile.from_filename``): a
    version newer than its packaging knows is refused there (hatchling 1.27
    wrote 2.4 that older twine refused). PyPI takes
    warehouse/forklift/metadata.py ``SUPPORTED_METADATA_VERSIONS``.
    """
    value = meta.string("metadata_version")
    for field, _message in _uploader_errors(meta):
        if field == "metadata-version":
            return (
                f"Metadata-Version {value!r}: twine {_version_of('twine')} (packaging "
                f"{_version_of('packaging')}) cannot send it; upgrade twine and packaging, or "
                "pin the build backend to a version that writes an older one"
            )
    if value not in PYPI_METADATA_VERSIONS:
        return (
            f"Metadata-Version {value!r}: PyPI takes only {', '.join(PYPI_METADATA_VERSIONS)}; "
            "pin the build backend to a version that writes one of them"
        )
    return None


def core_metadata(meta: Metadata) -> str | None:
    """The rest of what twine's own validation refuses before sending anything.

    twine/package.py ``PackageFile.from_filename`` runs
    ``packaging.metadata.Metadata.from_raw``; warehouse/forklift/metadata.py
    ``parse`` does the same on arrival.
    """
    for field, message in _uploader_errors(meta):
        if field not in ("metadata-version", "summary"):  # those have their own rules
            return f"{field.title()}: twine refuses the metadata ({message})"
    return None


def long_description(meta: Metadata) -> str | None:
    """The long description renders, as ``twine check`` renders it (readme_renderer).

    PyPI renders it at upload (warehouse/forklift/legacy.py ``file_upload``
    stores readme_renderer's output); reStructuredText that does not render
    is what ``twine check --strict`` fails on.
    """
    from twine.commands import check as twine_check

    text = meta.string("description")
    declared = meta.string("description_content_type") or "text/x-rst"
    content_type, params = twine_check._parse_content_type(declared)
    renderer = twine_check._RENDERERS.get(content_type, twine_check._RENDERERS[None])
    if not text.strip() or renderer is None:
        return None
    stream = twine_check._WarningStream()
    if renderer.render(text, stream=stream, **params) is not None:
        return None
    first = str(stream).splitlines()[0] if str(stream) else "no output"
    return (
        f"Description ({content_type}): does not render on PyPI ({first}); fix the README "
        "(twine check --strict shows it)"
    )


#: warehouse/forklift/metadata.py: the longest label of a Project-URL.
URL_LABEL_LIMIT = 32


def _web_url(value: str) -> bool:
    """An http(s) URL with a host: what warehouse takes for a project's link."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def urls(meta: Metadata) -> str | None:
    """Project-URL labels of at most 32 characters; every link an http(s) URL.

    warehouse/forklift/metadata.py ``_validate_metadata``: Home-page and
    Download-URL must be valid URLs, a Project-URL's label at most 32
    characters and its URL http or https.
    """
    for field, key in (("Home-page", "home_page"), ("Download-URL", "download_url")):
        value = meta.string(key)
        if value and not _web_url(value):
            return f"{field} {value!r}: PyPI refuses a link that is not an http(s) URL"
    found = meta.raw.get("project_urls") or {}
    for label, url in dict(found).items():
        if len(label) > URL_LABEL_LIMIT:
            return (
                f"Project-URL {label!r}: PyPI refuses a label longer than {URL_LABEL_LIMIT} "
                f"characters ({len(label)}); shorten it in [project.urls]"
            )
        if not _web_url(str(url)):
            return (
                f"Project-URL {label!r} = {url!r}: PyPI refuses a link that is not an http(s) "
                "URL; write it with https://"
            )
    return None


def emails(meta: Metadata) -> str | None:
    """Author-email and Maintainer-email addresses PyPI can validate.

    warehouse/forklift/metadata.py ``_validate_metadata`` checks each address
    with email-validator (no deliverability check): ``dev@localhost`` is refused.
    """
    from email.utils import getaddresses

    import email_validator

    for field, key in (("Author-email", "author_email"), ("Maintainer-email", "maintainer_email")):
        for _, address in getaddresses([meta.string(key)]):
            if not address:
                continue
            try:
                email_validator.validate_email(address, check_deliverability=False)
            except email_validator.EmailNotValidError as exc:
                return f"{field} {address!r}: PyPI refuses it ({exc}); give a real address"
    return None


#: The rules on the metadata, in the order a maintainer would fix them.
RULES: tuple[Rule, ...] = (
    metadata_version,
    core_metadata,
    direct_references,
    local_version,
    classifiers,
    private_classifiers,
    license_with_expression,
    license_files,
    summary,
    urls,
    emails,
    long_description,
)


def _uploader_errors(meta: Metadata) -> list[tuple[str, str]]:
    """What ``Metadata.from_raw`` (twine's validation) refuses: (field, message) pairs.

    As twine does, License-File is dropped below Metadata-Version 2.4
    (setuptools wrote it into 2.1 metadata; twine does not send it).
    """
    from packaging.metadata import ExceptionGroup, InvalidMetadata
    from packaging.metadata import Metadata as Validated

    raw: Any = dict(meta.raw)
    if _uploader_drops_license_files(meta):
        raw.pop("license_files", None)
    try:
        Validated.from_raw(raw)
    except ExceptionGroup as group:
        found = [e for e in group.exceptions if isinstance(e, InvalidMetadata)]
        return [(e.field, str(e)) for e in found]
    except InvalidMetadata as exc:  # pragma: no cover - a single error, outside a group
        return [(exc.field, str(exc))]
    return []


def _uploader_drops_license_files(meta: Metadata) -> bool:
    """twine sends no License-File below Metadata-Version 2.4 (twine/package.py)."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(meta.string("metadata_version") or "0") < Version("2.4")
    except InvalidVersion:
        return False


def _version_of(dist: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed with us
        return "?"


def problems(meta: Metadata, rules: Iterable[Rule] = RULES) -> list[str]:
    """Every rule's problem with ``meta``, one line each, in the rules' order."""
    return [p for p in (rule(meta) for rule in rules) if p]
