"""Each verb's options, declared once: flag, short flag, help and type per field.

The front ends make their parsers from these (``releasekit._options``); the
command layer and the engine take them as they are. Pure data: importing
this module loads no engine code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from releasekit._options import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class Common:
    """What every verb takes."""

    verbose: bool = option(False, short="-v", help="show every command's output")


@dataclasses.dataclass(frozen=True, kw_only=True)
class VersionChoice(Common):
    """Which version: the same options for a release and a bump."""

    part: str | None = option(
        help="version part to bump: major, minor, patch or a part of [tool.bumpversion] "
        "(default: inferred from the changelog fragments)",
        metavar="PART",
    )
    new_version: str | None = option(help="exactly this version", metavar="VERSION")
    pre: str | None = option(
        help="a pre-release: a, b or rc (1.4.2 -> 1.5.0rc1 -> 1.5.0rc2)",
        choices=("a", "b", "rc"),
        metavar="LABEL",
    )
    dry_run: bool = option(False, help="show what would change and change nothing")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Target(Common):
    """Where files go: the same option for a release and a publish."""

    repository: str | None = option(
        short="-r", help="target index: a .pypirc name or an upload URL", metavar="NAME|URL"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseOptions(VersionChoice, Target):
    yes: bool = option(False, short="-y", help="answer yes to every question")
    no_publish: bool = option(False, help="stop before uploading")
    no_push: bool = option(False, help="do not push the release commit and tag")
    no_confirm: bool = option(False, help="do not install the new version from the index")
    no_checks: bool = option(False, help="skip the configured nox checks")
    no_cache: bool = option(
        False, help="rerun checks that passed on this tree; build in a throwaway environment"
    )
    resume: bool = option(False, help="finish a release that failed at or after publishing")
    abort: bool = option(False, help="undo a release of which nothing reached the index")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BumpOptions(VersionChoice):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChangelogOptions(Common):
    draft: bool = option(False, help="only show the section the next release would add")
    version: str | None = option(
        help="version to build the section for (default: inferred from the fragments)",
        metavar="VERSION",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class FragmentOptions(Common):
    type: str = option(
        positional=True, help="fragment type: one of towncrier's types (feature, bugfix, ...)"
    )
    text: str = option(positional=True, help="the changelog entry")
    issue: str | None = option(help="issue number the entry belongs to", metavar="N")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DistCheckOptions(Common):
    audit: bool = option(False, help="also audit the resolved dependencies (nox -s audit)")
    audit_only: bool = option(False, help="only audit the dependencies; leave dist/ alone")


@dataclasses.dataclass(frozen=True, kw_only=True)
class PublishOptions(Target):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class AuditOptions(Common):
    json: Path | None = option(help="write a machine-readable report", metavar="FILE")
    backend: str | None = option(
        help="the backend (default: [tool.releasekit] audit_backend, else by what is set)",
        choices=("safety", "pip-audit"),
    )
    extra: tuple[str, ...] = option((), help="also audit this extra", metavar="EXTRA")
    group: tuple[str, ...] = option((), help="also audit this dependency group", metavar="GROUP")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckOptions(Common):
    root: str = option(".", help="the repository (default: here)", metavar="DIR")
    audit: bool = option(False, help="also audit the dependencies (nox -s audit)")
    fragment: bool = option(False, help="the pull-request check: a change needs a fragment")
    base: str | None = option(
        help="with --fragment: compare with REF (default: origin/HEAD)", metavar="REF"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class InitOptions(Common):
    yes: bool = option(False, short="-y", help="write the changes without asking")
    dry_run: bool = option(False, help="only show the changes, write nothing")
    root: str = option(".", help="the repository (default: here)", metavar="DIR")


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewOptions(Common):
    no_input: bool = option(False, help="do not prompt; use the defaults")
    output_dir: str = option(".", short="-o", help="where to create the repository", metavar="DIR")
    overwrite: bool = option(False, short="-f", help="overwrite an existing repository")
    extra_context: tuple[str, ...] = option(
        (), positional=True, help="template values (see the keys below)", metavar="key=value"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoOptions(Common):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatusOptions(Common):
    dirs: tuple[str, ...] = option(
        (), positional=True, help="repositories (default: here)", metavar="DIR"
    )
    json: bool = option(False, help="a JSON list of objects, one per repository")
    repository: str | None = option(
        short="-r",
        help="the index a compiled package's files are looked up on: a .pypirc name or a URL",
        metavar="NAME|URL",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class NotesOptions(Common):
    version: str | None = option(
        None, positional=True, help="the version (default: the latest)", metavar="VERSION"
    )
    root: str = option(".", help="the repository (default: here)", metavar="DIR")
