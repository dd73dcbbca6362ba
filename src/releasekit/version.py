"""Versions, through bump-my-version; every computed version checked by packaging.

bump-my-version owns the parts, their order and every file that carries the
version. releasekit asks it what the next version would be (``show
new_version --increment PART``, which changes nothing), checks the answer is
a valid PEP 440 version above the current one, and only then bumps to exactly
that version.

When the version comes from git tags (``version_source = "scm"``: the build
backend's setuptools-scm, hatch-vcs or pdm reads it), no file carries it: the
current version is the highest release tag that HEAD contains, the next one
is computed here with packaging (bump-my-version cannot answer without a
configuration), and the release tag itself is the bump.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from packaging.version import InvalidVersion, Version

from releasekit import _console, _runner, config, git
from releasekit._exceptions import CommandError, VersionError

if TYPE_CHECKING:
    from releasekit.project import Project


@dataclasses.dataclass(frozen=True)
class BumpConfig:
    """What bump-my-version reports about a repository's configuration."""

    current_version: str
    parts: list[str]
    files: list[str]
    tag_name: str
    tag_message: str
    message: str
    sign_tags: bool
    commit: bool
    tag: bool

    def tag_for(self, version: str) -> str:
        return self.tag_name.replace("{new_version}", version)


def _bmv(root: Path, *args: str, dry_run: bool = False, mutates: bool = False) -> str:
    return _runner.run(
        [*_runner.tool("bump-my-version"), *args],
        cwd=root,
        dry_run=dry_run,
        mutates=mutates,
        quiet=not mutates,
    ).stdout


def _show(root: Path, *extra: str) -> dict[str, Any]:
    config.require_bumpversion(root)
    try:
        data: dict[str, Any] = json.loads(_bmv(root, "show", "--format", "json", *extra))
    except CommandError as exc:
        msg = f"bump-my-version cannot read the configuration in {root}"
        raise VersionError(msg, details=exc.details) from None
    return data


def _config_from(data: dict[str, Any]) -> BumpConfig:
    files = sorted({str(f.get("filename") or f.get("glob")) for f in data.get("files", [])})
    return BumpConfig(
        current_version=str(data["current_version"]),
        parts=list(data.get("parts", {})),
        files=files,
        tag_name=str(data.get("tag_name") or "v{new_version}"),
        tag_message=str(data.get("tag_message") or ""),
        message=str(data.get("message") or ""),
        sign_tags=bool(data.get("sign_tags")),
        commit=bool(data.get("commit")),
        tag=bool(data.get("tag")),
    )


def load(root: Path) -> BumpConfig:
    """Read the resolved bump-my-version configuration of ``root``."""
    return _config_from(_show(root))


def current(root: Path) -> str:
    """The current version, from the table itself when it has it (no subprocess)."""
    table = config.tool_table(root, "bumpversion") or {}
    value = table.get("current_version")
    return str(value) if value else load(root).current_version


def plan(root: Path, part: str) -> tuple[BumpConfig, str]:
    """The configuration and the checked version for ``part`` (``show --increment``, in-process)."""
    from releasekit import inprocess

    cfg = _in_process_config(root)
    if part not in cfg.parts:
        msg = f"unknown version part {part!r} (valid parts: {', '.join(cfg.parts)})"
        raise VersionError(msg)
    data, new = inprocess.show_increment(cfg, part)
    bump = _config_from(data)
    return bump, check_next(bump.current_version, new)


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


def next_version(root: Path, part: str, bump: BumpConfig | None = None) -> str:
    """Compute the version that bumping ``part`` gives, without changing anything."""
    bump = bump or load(root)
    if part not in bump.parts:
        msg = f"unknown version part {part!r} (valid parts: {', '.join(bump.parts)})"
        raise VersionError(msg)
    try:
        out = _bmv(root, "show", "new_version", "--increment", part)
    except CommandError as exc:
        last = exc.details.strip().splitlines()[-1:] or [""]
        reason = re.sub(r"^\w+(Error|Exception): ", "", last[0]).strip()
        reason = reason or "bump-my-version refused"
        msg = f"cannot bump {part} from {bump.current_version}: {reason}"
        raise VersionError(msg, details=exc.details) from None
    return check_next(bump.current_version, out.strip().splitlines()[-1].strip())


def bump(
    root: Path,
    new_version: str,
    *,
    dry_run: bool = False,
    allow_dirty: bool = False,
    commit: bool | None = None,
    tag: bool | None = None,
) -> None:
    """Move every configured file to ``new_version`` (already checked)."""
    args = ["bump", "--new-version", new_version]
    if allow_dirty:
        args.append("--allow-dirty")
    if commit is not None:
        args.append("--commit" if commit else "--no-commit")
    if tag is not None:
        args.append("--tag" if tag else "--no-tag")
    if dry_run:
        args.append("--dry-run")
    try:
        # bump-my-version's own --dry-run changes nothing, so it runs even
        # under releasekit's dry-run: its report is part of the plan.
        _bmv(root, *args, mutates=not dry_run)
    except CommandError as exc:
        msg = f"bump-my-version could not move the version to {new_version}"
        raise VersionError(msg, details=exc.details) from None


def _part_or_version(part: str | None, new_version: str | None) -> str:
    """Refuse both or neither; return the part ("" when a new version is given)."""
    if part and new_version:
        msg = "give either a version part or a new version, not both"
        raise VersionError(msg)
    if not (part or new_version):
        msg = "say which version part to bump (--part) or give --new-version"
        raise VersionError(msg)
    return part or ""


def resolve(root: Path, *, part: str | None, new_version: str | None) -> tuple[BumpConfig, str]:
    """The configuration and the checked new version for a part or an explicit one."""
    part = _part_or_version(part, new_version)
    if new_version:
        bump_config = load(root)
        return bump_config, check_next(bump_config.current_version, new_version)
    return plan(root, part)


# --- versions from git tags ----------------------------------------------------

SCM_PARTS = ("major", "minor", "patch")
SCM_MESSAGE = "Release {new_version}"


def _tag_glob(tag_format: str) -> str:
    return tag_format.replace("{new_version}", "*")


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


def scm_current(root: Path, tag_format: str) -> str:
    """The highest version among the release tags that HEAD contains."""
    found = [
        v
        for v in (
            version_of_tag(t, tag_format) for t in git.merged_tags(root, _tag_glob(tag_format))
        )
        if v is not None
    ]
    if not found:
        example = tag_format.replace("{new_version}", "1.0.0")
        msg = (
            f"no release tag like {example} in the history of HEAD: the version comes from git "
            f'tags (version_source = "scm"); tag the current release first '
            f"(git tag -a {example} -m {example})"
        )
        raise VersionError(msg)
    return max(found, key=Version)


def scm_next(current: str, part: str) -> str:
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


def scm_config(root: Path, settings: config.Settings) -> BumpConfig:
    """What a release needs to know, as bump-my-version would report it, from git tags."""
    return BumpConfig(
        current_version=scm_current(root, settings.tag_format),
        parts=list(SCM_PARTS),
        files=[],
        tag_name=settings.tag_format,
        tag_message=SCM_MESSAGE,
        message=SCM_MESSAGE,
        sign_tags=settings.sign_tags,
        commit=True,
        tag=True,
    )


def tag_release(root: Path, bump_config: BumpConfig, new_version: str, message: str) -> None:
    """The release commit of what is staged and its annotated tag, without bump-my-version."""
    tag_message = bump_config.tag_message.replace("{new_version}", new_version) or message
    git.commit_and_tag(
        root, message, bump_config.tag_for(new_version), tag_message, sign=bump_config.sign_tags
    )


# --- versions typed by a person -------------------------------------------------


def typed(text: str) -> str:
    """A version as a person types it: ``" v1.1.0 "`` means ``1.1.0`` (and says so)."""
    cleaned = text.strip()
    if cleaned[:1] in ("v", "V") and cleaned[1:2].isdigit():
        cleaned = cleaned[1:]
    if cleaned != text:
        _console.info(f"taking --new-version {text!r} as {cleaned}")
    parse(cleaned, what="--new-version")
    return cleaned


def _bmv_config_file(root: Path) -> Path | None:
    """The file bump-my-version itself would read its configuration from, in its order."""
    from bumpversion.config.files import CONFIG_FILE_SEARCH_ORDER, _has_bumpversion_config

    for name in CONFIG_FILE_SEARCH_ORDER:
        path: Path = root / name
        if path.is_file() and _has_bumpversion_config(path):
            return path
    return None


def _in_process_config(root: Path) -> Any:
    """bump-my-version's own configuration object, read in this process (no new interpreter)."""
    from bumpversion.config import get_configuration

    path = _bmv_config_file(root)
    if path is None:
        config.require_bumpversion(root)  # says what to add
    try:
        return get_configuration(path)
    except Exception as exc:  # bump-my-version raises several unrelated types here
        msg = f"bump-my-version cannot read its configuration in {path}: {exc}".splitlines()[0]
        raise VersionError(msg) from None


def representable(root: Path, new: str) -> None:
    """Refuse a version that ``[tool.bumpversion]`` parse/serialize cannot write back as typed."""
    cfg = _in_process_config(root)
    parsed = cfg.version_config.parse(new)
    shown = ", ".join(cfg.serialize)
    if parsed is None:
        msg = (
            f"version {new} does not match [tool.bumpversion] parse, which expects versions "
            f"like {shown}: give every part (e.g. {new}.0)"
        )
        raise VersionError(msg)
    try:
        written = cfg.version_config.serialize(parsed, {})
    except Exception:
        written = ""
    if written != new:
        msg = (
            f"version {new} would be written as {written or 'nothing'} by [tool.bumpversion] "
            f"serialize ({shown}): give it as {written or 'a version that serialize can write'}"
        )
        raise VersionError(msg)


def next_versions(root: Path) -> tuple[str, dict[str, str]]:
    """The current version and, in one process, the next one for every part that can move.

    Parts that cannot move from here (a label at its last value, a number
    that gives no valid PEP 440 version) are left out.
    """
    cfg = _in_process_config(root)
    current_text = str(cfg.current_version)
    current_version = cfg.version_config.parse(current_text)
    found: dict[str, str] = {}
    for part in cfg.parts:
        try:
            text = cfg.version_config.serialize(current_version.bump(part), {})
            found[part] = check_next(current_text, text)
        except Exception:
            continue
    return current_text, found


# --- where the version lives: one strategy per source -----------------------------


class VersionSource(Protocol):
    """Where a project's version lives; chosen once per project (``version_source``)."""

    #: Shown to the user: where the version comes from.
    description: str

    def current(self) -> str:
        """The current version."""

    def config(self) -> BumpConfig:
        """What a release needs to know: parts, files, tag and commit formats."""

    def choose(self, *, part: str | None, new_version: str | None) -> tuple[BumpConfig, str]:
        """The configuration and the checked new version for a part or an explicit one."""

    def commit_and_tag(self, bump_config: BumpConfig, new: str, message: str) -> None:
        """Make the release commit (of everything staged) and its annotated tag."""

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        """Move the files that carry the version (committing and tagging as configured)."""


class BumpMyVersionFiles:
    """The version lives in files that ``[tool.bumpversion]`` lists."""

    description = "the files [tool.bumpversion] lists"

    def __init__(self, project: Project) -> None:
        self.project = project

    def current(self) -> str:
        table = self.project.tool("bumpversion") or {}
        value = table.get("current_version")
        return str(value) if value else load(self.project.root).current_version

    def config(self) -> BumpConfig:
        return load(self.project.root)

    def choose(self, *, part: str | None, new_version: str | None) -> tuple[BumpConfig, str]:
        if new_version:
            new_version = typed(new_version)
            representable(self.project.root, new_version)
        return resolve(self.project.root, part=part, new_version=new_version)

    def commit_and_tag(self, bump_config: BumpConfig, new: str, message: str) -> None:
        from releasekit import inprocess

        root = self.project.root
        path = _bmv_config_file(root)
        if path is None:  # no file it would read: its command line says so itself
            bump(root, new, allow_dirty=True, commit=True, tag=True)
            return
        _console.command(f"bump-my-version bump --allow-dirty --commit --tag --new-version {new}")
        inprocess.bump(root, path, new, commit=True, tag=True)

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        # Commit and tag as [tool.bumpversion] says (commit = true, tag = true).
        bump(self.project.root, new, dry_run=dry_run)
        return load(self.project.root).files


class GitTags:
    """The version is the highest release tag (setuptools-scm, hatch-vcs, pdm read it)."""

    description = "git tags"

    def __init__(self, project: Project) -> None:
        self.project = project

    def current(self) -> str:
        return scm_current(self.project.root, self.project.settings.tag_format)

    def config(self) -> BumpConfig:
        return scm_config(self.project.root, self.project.settings)

    def choose(self, *, part: str | None, new_version: str | None) -> tuple[BumpConfig, str]:
        part = _part_or_version(part, new_version)
        bump_config = self.config()
        if new_version:
            return bump_config, check_next(bump_config.current_version, typed(new_version))
        return bump_config, scm_next(bump_config.current_version, part)

    def commit_and_tag(self, bump_config: BumpConfig, new: str, message: str) -> None:
        tag_release(self.project.root, bump_config, new, message)

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        msg = 'the version comes from git tags (version_source = "scm"): the release tags it'
        raise VersionError(msg)


def source_for(project: Project) -> VersionSource:
    """The strategy for ``[tool.releasekit] version_source``."""
    if project.settings.version_source == "scm":
        return GitTags(project)
    return BumpMyVersionFiles(project)
