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

The rules on the metadata (:mod:`.metadata`), on the files (:mod:`.files`),
the release's age (:mod:`.age`) and when they apply (:mod:`.applying`) are
modules of their own; their names are all here, where callers find them.
"""

from __future__ import annotations

from releasekit.pypi_rules.age import MAX_RELEASE_AGE_DAYS, release_age
from releasekit.pypi_rules.applying import (
    PYPI_HOSTS,
    enabled,
    is_pypi,
    prefetch,
    preflight,
    project_metadata,
    resume,
    verify,
    work_tree,
)
from releasekit.pypi_rules.files import (
    file_problems,
    one_sdist,
    read_dist,
    sdist_name,
    wheel_metadata,
    wheel_name,
)
from releasekit.pypi_rules.metadata import (
    PYPI_METADATA_VERSIONS,
    RULES,
    SUMMARY_LIMIT,
    URL_LABEL_LIMIT,
    Metadata,
    Rule,
    classifiers,
    core_metadata,
    direct_references,
    emails,
    license_files,
    license_with_expression,
    local_version,
    long_description,
    metadata_version,
    parse,
    private_classifiers,
    problems,
    summary,
    urls,
)

__all__ = [
    "MAX_RELEASE_AGE_DAYS",
    "PYPI_HOSTS",
    "PYPI_METADATA_VERSIONS",
    "RULES",
    "SUMMARY_LIMIT",
    "URL_LABEL_LIMIT",
    "Metadata",
    "Rule",
    "classifiers",
    "core_metadata",
    "direct_references",
    "emails",
    "enabled",
    "file_problems",
    "is_pypi",
    "license_files",
    "license_with_expression",
    "local_version",
    "long_description",
    "metadata_version",
    "one_sdist",
    "parse",
    "prefetch",
    "preflight",
    "private_classifiers",
    "problems",
    "project_metadata",
    "read_dist",
    "release_age",
    "resume",
    "sdist_name",
    "summary",
    "urls",
    "verify",
    "wheel_metadata",
    "wheel_name",
    "work_tree",
]
