"""Will PyPI take it? The rules by which PyPI refuses an upload, asked before anything changes.

PyPI refuses, at upload, files that a local index takes without a word: a
direct URL requirement, a local version, an unknown or deprecated classifier,
a second sdist, an sdist name that is not PEP 625's. By then the release
commit and tag exist and some files may be up, and the fix needs a new
version. Here each rule is a small function of the core metadata (as
``packaging.metadata.parse_email`` reads it) that returns one line naming the
field, the value and the rule, or None; the docstring names warehouse's code
that refuses it (``warehouse/forklift/metadata.py`` ``_validate_metadata`` and
``warehouse/forklift/legacy.py`` ``file_upload``).

The preflight holds the metadata as the build backend reports it (PEP 517
``prepare_metadata_for_build_wheel``, in the kept build environment) against
the rules, before the bump: of its fields only ``Version`` depends on the
version (hatch-vcs and setuptools-scm are handed the new one, as the build
is), so the planned version takes its place. Verify holds the built files'
own ``METADATA``/``PKG-INFO`` against them, plus the file names and one sdist
per release; ``--resume`` refuses to add files to a release PyPI closed
(older than 14 days).
"""

from __future__ import annotations

import dataclasses
import datetime
import tarfile
import urllib.parse
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit import _console
from releasekit._exceptions import PyPIRuleError, ReleaseKitError

if TYPE_CHECKING:
    from typing import Protocol

    from packaging.metadata import RawMetadata

    from releasekit import publish
    from releasekit.config import Settings
    from releasekit.project import Project

    class Request(Protocol):
        """What :func:`prefetch` reads of the release's request (the engine's, or any)."""

        @property
        def repository(self) -> str | None: ...
        @property
        def no_publish(self) -> bool: ...
        @property
        def no_cache(self) -> bool: ...


#: Hosts whose uploads follow PyPI's rules: PyPI and TestPyPI (one code base).
PYPI_HOSTS = frozenset({"upload.pypi.org", "pypi.org", "www.pypi.org", "test.pypi.org"})
#: The metadata versions PyPI takes (``SUPPORTED_METADATA_VERSIONS``,
#: warehouse/forklift/metadata.py).
PYPI_METADATA_VERSIONS = ("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5")
#: Warehouse's longest Summary (``_LENGTH_LIMITS`` in warehouse/forklift/metadata.py).
SUMMARY_LIMIT = 512
#: Days after its first upload that PyPI still takes new files for a release
#: (``MAXIMUM_AGE_FOR_NEW_UPLOADS_DAYS`` in warehouse/forklift/legacy.py).
MAX_RELEASE_AGE_DAYS = 14


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


# --- the rules on the metadata ----------------------------------------------------------


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


# --- the rules on the files -------------------------------------------------------------


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


def _wheel_metadata(path: Path) -> tuple[str, set[str], str]:
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
        text, names, info = _wheel_metadata(path)

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


# --- when, and the steps' calls ---------------------------------------------------------


def is_pypi(target: publish.Target | None) -> bool:
    """Whether the target is PyPI or TestPyPI (or, with none, whether PyPI is assumed)."""
    if target is None:
        return True
    return urllib.parse.urlsplit(target.upload_url).hostname in PYPI_HOSTS


def enabled(settings: Settings, target: publish.Target | None) -> bool:
    """``pypi_rules``: as set, else on exactly when the target is PyPI or TestPyPI.

    Without a target (``--no-publish``) and unset it is off: where the files go
    is then someone else's call (the template, whose CI publishes to PyPI,
    sets the key on).
    """
    if settings.pypi_rules is not None:
        return settings.pypi_rules
    return target is not None and is_pypi(target)


def _refuse(found: list[str], where: str, *, listed_by: str = "") -> None:
    """The first problem in one line, with how many more there are and where they are listed."""
    if not found:
        return
    more = ""
    if len(found) > 1:
        more = f" (and {len(found) - 1} more" + (f": {listed_by} lists them)" if listed_by else ")")
    raise PyPIRuleError(f"{found[0]}{more}{where}")


def _may_apply(settings: Settings, options: Request) -> bool:
    """Whether the rules may apply, known before the target is resolved (no question asked)."""
    if settings.pypi_rules is not None:
        return settings.pypi_rules
    if options.no_publish:
        return False
    from releasekit import publish

    choice = options.repository or settings.repository or publish.environment_target()
    if "://" in choice:
        return urllib.parse.urlsplit(choice).hostname in PYPI_HOSTS
    return True  # PyPI by default, or a .pypirc section, which may name it


def prefetch(project: Project, options: Request) -> None:
    """Start reading the backend's metadata in the background, if the rules may apply.

    The backend's hooks take half a second or more; the preflight's other
    questions (the remote, the index) take as long, so :func:`preflight`
    finds the answer ready. A version from git tags is read when the new
    version is known, not ahead.
    """
    from releasekit import backend_metadata, git

    if not _may_apply(project.settings, options) or backend_metadata.from_tags(project):
        return
    backend_metadata.start(project, git.head(project.root), fresh=options.no_cache)


def project_metadata(
    project: Project, version: str, target: publish.Target | None, *, commit: str = "",
    fresh: bool = False,
) -> Metadata:  # fmt: skip
    """The project's metadata as its backend reports it for ``commit`` (HEAD), at ``version``.

    Read before the bump: of the fields, only Version depends on the version
    (a version from git tags is handed over as the build does), so the
    planned one takes its place. License-File paths are looked up in the
    commit's tree, where the build will look for them.
    """
    from releasekit import backend_metadata, git

    text, backend, present = backend_metadata.read(project, commit or git.head(project.root),
                                                   version, fresh=fresh)  # fmt: skip
    meta = parse(text, f"the metadata {backend} reports", pypi=is_pypi(target),
                 has_file=present.__contains__, files_in="the project's tree")  # fmt: skip
    raw: Any = dict(meta.raw)
    raw["version"] = version
    return dataclasses.replace(meta, raw=raw)


def preflight(
    project: Project, version: str, target: publish.Target | None, *, fresh: bool = False
) -> None:
    """Refuse, before anything changes, metadata that PyPI would refuse at upload.

    :param fresh: read it in a throwaway build environment (``--no-cache``).
    """
    if not enabled(project.settings, target):
        return
    meta = project_metadata(project, version, target, fresh=fresh)
    found = problems(meta)
    if found:  # read again next time: what the backend said may hang on more than the tree
        _forget(project, version)
    _refuse(found, " ([tool.releasekit] pypi_rules)",
            listed_by="`releasekit check --fragment`")  # fmt: skip


def _forget(project: Project, version: str) -> None:
    from releasekit import backend_metadata, git

    backend_metadata.forget(project, git.head(project.root), version)


def work_tree(project: Project, version: str) -> None:
    """The pull-request check: the work tree's metadata, at ``version``, against the rules.

    The target is what a release would resolve from the configuration and
    twine's environment (PyPI when none says otherwise, as in CI). Every
    problem is listed; the error names the first.
    """
    from releasekit import git, publish

    settings = project.settings
    try:
        target: publish.Target | None = publish.resolve_target(
            "", configured=settings.repository, index_url=settings.index_url
        )
    except ReleaseKitError:  # the release itself says what is wrong with it
        target = None
    if not enabled(settings, target):
        return
    snapshot = git.work_tree_snapshot(project.root)
    found = problems(project_metadata(project, version, target, commit=snapshot))
    if len(found) > 1:
        for problem in found:
            _console.error(problem)
        raise PyPIRuleError(f"{found[0]} (and {len(found) - 1} more, above)")
    _refuse(found, " ([tool.releasekit] pypi_rules)")


def verify(
    project: Project,
    files: Sequence[Path],
    target: publish.Target | None,
    *,
    commit: str = "",
    fresh: bool = False,
) -> None:
    """The built files against the same rules, plus their names and one sdist per release.

    The wheel's metadata is then what the backend reports for the release
    commit's tree: kept, so that the next preflight (the same tree but for
    its fragments) asks no hook.

    :param commit: the commit the files were built from.
    :param fresh: built in a throwaway environment (nothing is kept).
    """
    if not enabled(project.settings, target):
        return
    _refuse(file_problems(files, pypi=is_pypi(target)), " ([tool.releasekit] pypi_rules)")
    wheels = [p for p in files if p.name.endswith(".whl")]
    from releasekit import backend_metadata

    if commit and wheels and not fresh and not backend_metadata.from_tags(project):
        from releasekit import dists

        text = _wheel_metadata(wheels[0])[0]
        tree = backend_metadata.tree_of(project, commit, "")
        backend_metadata.remember(tree, text, dists.backend_name(project.pyproject))


def resume(
    settings: Settings,
    target: publish.Target | None,
    releases: Sequence[tuple[str, str, Sequence[Path]]],
) -> None:
    """``--resume``: refuse to add files to a release PyPI closed (see :func:`release_age`)."""
    if target is not None and releases and enabled(settings, target):
        release_age(target, releases)


def release_age(
    target: publish.Target,
    releases: Sequence[tuple[str, str, Sequence[Path]]],
    *,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse to add files to a release that PyPI closed: first uploaded over 14 days ago.

    warehouse/forklift/legacy.py ``file_upload``: "Uploading new files to
    releases older than 14 days is not allowed." The upload times come from
    the index's JSON answer (PEP 700 ``upload-time``); an index that gives
    none is not asked again, and that is said once.

    :param releases: (project, version, files still to upload) of each release.
    """
    from packaging.utils import parse_sdist_filename, parse_wheel_filename
    from packaging.version import Version

    from releasekit import publish

    now = now or datetime.datetime.now(datetime.timezone.utc)
    for project, version, files in releases:
        listing = publish.index_listing(target, project)
        mine: dict[str, publish.Listed] = {}
        for name, listed in listing.items():
            try:
                parsed = parse_wheel_filename(name) if name.endswith(".whl") else \
                    parse_sdist_filename(name)  # fmt: skip
            except ValueError:
                continue
            if parsed[1] == Version(version):
                mine[name] = listed
        adding = [p for p in files if p.name not in mine]
        if not mine or not adding:
            continue  # a new release, or nothing to add to it
        problem = one_sdist({*mine, *(p.name for p in adding)})
        if problem:
            raise PyPIRuleError(f"{problem} ([tool.releasekit] pypi_rules)")
        times = [_when(m.upload_time) for m in mine.values() if m.upload_time]
        if not times or None in times:
            _console.info(
                f"{target.shown} gives no upload times: the {MAX_RELEASE_AGE_DAYS}-day rule "
                "for adding files to a release is not checked"
            )
            continue  # the next project's listing may give them
        first = min(t for t in times if t is not None)
        if now - first > datetime.timedelta(days=MAX_RELEASE_AGE_DAYS):
            raise PyPIRuleError(
                f"{project} {version} was first uploaded on {first.date().isoformat()}, over "
                f"{MAX_RELEASE_AGE_DAYS} days ago: PyPI takes no new files for it "
                f"({', '.join(p.name for p in adding)}); release a new version instead"
            )


def _when(text: str) -> datetime.datetime | None:
    """A PEP 700 ``upload-time`` (ISO 8601, UTC), or None when it is not one."""
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


__all__ = [
    "RULES",
    "Metadata",
    "enabled",
    "file_problems",
    "parse",
    "prefetch",
    "preflight",
    "problems",
    "release_age",
    "verify",
]
