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
import sys
from collections.abc import Callable
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
    message: str | None = None,
) -> None:
    """Move every configured file to ``new_version`` (already checked)."""
    args = ["bump", "--new-version", new_version]
    if message:
        args += ["--message", message]
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

    def commit_and_tag(
        self, bump_config: BumpConfig, new: str, message: str, *,
        before_commit: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        """Make the release commit (of everything staged) and its annotated tag.

        :param before_commit: runs once the version moved and before the
            commit, which takes what it stages (the re-locked ``uv.lock``).
        """

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

    def commit_and_tag(
        self, bump_config: BumpConfig, new: str, message: str, *,
        before_commit: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        from releasekit import inprocess

        root = self.project.root
        path = _bmv_config_file(root)
        if path is None:  # no file it would read: its command line says so itself
            bump(root, new, allow_dirty=True, commit=True, tag=True)
            return
        _console.command(f"bump-my-version bump --allow-dirty --commit --tag --new-version {new}")
        inprocess.bump(root, path, new, commit=True, tag=True, before_commit=before_commit)

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

    def commit_and_tag(
        self, bump_config: BumpConfig, new: str, message: str, *,
        before_commit: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        if before_commit is not None:  # the tag is the version: nothing moved, but stage alike
            before_commit()
        tag_release(self.project.root, bump_config, new, message)

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        msg = 'the version comes from git tags (version_source = "scm"): the release tags it'
        raise VersionError(msg)


def source_for(project: Project) -> VersionSource:
    """The strategy for ``[tool.releasekit] version_source``."""
    if project.settings.version_source == "scm":
        return GitTags(project)
    return BumpMyVersionFiles(project)


# --- bump-my-version's version model, in-process -----------------------------------


def bumpversion_table(root: Path) -> dict[str, Any] | None:
    """``[tool.bumpversion]`` from pyproject.toml or .bumpversion.toml, else None."""
    table = config.tool_table(root, "bumpversion")
    if table is not None:
        return table
    path = root / ".bumpversion.toml"
    if path.is_file():
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib

        with path.open("rb") as f:
            data = tomllib.load(f).get("tool", {}).get("bumpversion")
        return data if isinstance(data, dict) else None
    return None  # .bumpversion.cfg: only bump-my-version itself reads it


def _model(table: dict[str, Any], current: str) -> tuple[Any, list[str]]:
    """bump-my-version's ``VersionConfig`` for ``table`` and its part names."""
    from bumpversion.config import set_config_defaults
    from bumpversion.config.utils import get_all_part_configs
    from bumpversion.versioning.version_config import VersionConfig

    values = set_config_defaults(dict(table), current_version=current)
    parts = get_all_part_configs(values)
    model = VersionConfig(
        values["parse"], tuple(values["serialize"]), values["search"], values["replace"], parts
    )
    return model, list(parts)


def _serialize(model: Any, parsed: Any, current: str) -> str:
    import datetime
    from collections import ChainMap

    from bumpversion.context import prefixed_environ

    now = datetime.datetime.now()
    context = ChainMap(
        {"now": now, "utcnow": now.astimezone(datetime.timezone.utc)},
        prefixed_environ(),
        {"current_version": current},
    )
    return str(model.serialize(parsed, context))


def _model_errors() -> tuple[type[Exception], ...]:
    from bumpversion.exceptions import BumpVersionError
    from click import UsageError

    return (BumpVersionError, UsageError, ValueError, KeyError)


def next_in_process(table: dict[str, Any], current: str, part: str) -> str:
    """What ``bump-my-version bump PART`` would give, through its own version model.

    The same parse/serialize and part configuration that ``show new_version
    --increment PART`` uses, in-process: no subprocess, no file or SCM
    discovery (``releasekit status`` asks this of a hundred repositories).
    """
    try:
        model, parts = _model(table, current)
        if part not in parts:
            msg = f"unknown version part {part!r} (valid parts: {', '.join(parts)})"
            raise VersionError(msg)
        parsed = model.parse(current, raise_error=True)
        new = _serialize(model, parsed.bump(part), current)
    except _model_errors() as exc:
        msg = f"cannot bump {part} from {current}: {exc}"
        raise VersionError(msg) from None
    return check_next(current, new)


def check_representable(table: dict[str, Any], current: str, new: str) -> None:
    """Refuse a version that bump-my-version's parse/serialize would not write as is.

    A pre-release needs the ``pre_l``/``pre_n`` parts of the template's
    ``[tool.bumpversion]``; without them bump-my-version would read 1.5.0rc1
    as 1.5.0 and write that.
    """
    try:
        model, _ = _model(table, current)
        parsed = model.parse(new, raise_error=True)
        written = _serialize(model, parsed, current)
    except _model_errors():
        written = ""
    if written != new or Version(written) != Version(new):
        msg = (
            f"[tool.bumpversion] cannot represent {new} (its parse/serialize give "
            f"{written or 'nothing'!r}): add the pre_l and pre_n parts to parse and serialize "
            "as the template's pyproject.toml does"
        )
        raise VersionError(msg)


# --- pre-releases ----------------------------------------------------------------


def current_for(root: Path, settings: config.Settings) -> str:
    """The current version, wherever ``version_source`` says it lives."""
    from releasekit.project import Project

    return source_for(Project(root)).current()


PRE_LABELS = ("a", "b", "rc")


def is_prerelease(text: str) -> bool:
    """An ``a``, ``b`` or ``rc`` version (a ``.devN`` alone is not: it needs fragments)."""
    return parse(text).pre is not None


def current_is_prerelease(source: VersionSource) -> bool:
    """Whether the current version is a pre-release; False when it cannot be read."""
    from releasekit._exceptions import ReleaseKitError

    try:
        return is_prerelease(source.current())
    except ReleaseKitError:
        return False  # the version step says what is wrong with it


def is_development(text: str) -> bool:
    """A ``.devN`` version, such as the one ``post_release_dev`` commits."""
    return parse(text).dev is not None


def release_bump(current: str, part: str) -> str:
    """The final version that bumping ``part`` leads to; a pre-release counts as its release.

    From a final version this is the ordinary bump (1.4.2, minor -> 1.5.0). From
    a pre-release, the part is measured from the last final release the series
    started after: 1.5.0rc1 already is the minor and patch bump (-> 1.5.0), a
    major one only when it is X.0.0 (2.0.0b1, major -> 2.0.0; 1.5.0rc1 -> 2.0.0).
    """
    parsed = parse(current, what="current version")
    if part not in SCM_PARTS:
        msg = f"unknown version part {part!r} for a pre-release series (use {', '.join(SCM_PARTS)})"
        raise VersionError(msg)
    if parsed.pre is None and parsed.dev is None:
        return scm_next(current, part)
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


def choose_cycle(
    root: Path,
    settings: config.Settings,
    *,
    part: str | None,
    new_version: str | None,
    pre: str | None,
    fragment_types: list[str],
) -> tuple[BumpConfig, str, str] | None:
    """The version of a pre-release, or of a release after one; None for the ordinary path.

    ``--pre`` cuts a pre-release of what the fragments (or ``--part``) call
    for; without it, a release from a pre-release finalizes the series. Both
    version sources: the result goes to bump-my-version as ``--new-version``
    (checked to round-trip through its parse/serialize) or becomes the tag.
    """
    if pre and new_version:
        msg = "give either --pre or --new-version, not both"
        raise VersionError(msg)
    if new_version:
        return None
    scm = settings.version_source == "scm"
    current = scm_current(root, settings.tag_format) if scm else current_for(root, settings)
    if not pre and not (is_prerelease(current) or is_development(current)):
        return None
    reason = ""
    if part:
        reason = f"--part {part}"
    elif fragment_types:
        from releasekit.changelog import infer_part

        part = infer_part(fragment_types, settings.bump_map, current, settings.zero_major_part)
        reason = f"{part}, from the fragments: {', '.join(sorted(set(fragment_types)))}"
    if pre:
        new = next_pre(current, part, pre)
        reason = f"--pre {pre}" + (f"; {reason}" if reason else f", continuing {current}")
    else:
        new = finalize(current, part)
        reason = f"finalizes {current}" + (f"; {reason}" if reason else "")
    if scm:
        return scm_config(root, settings), new, reason
    bump_config = load(root)
    table = bumpversion_table(root)
    if table is not None:
        check_representable(table, bump_config.current_version, new)
    return bump_config, new, reason


# --- back to development after a release (post_release_dev) ----------------------

DEV_MESSAGE = "Back to development: {new_version}"


def dev_after(released: str) -> str | None:
    """The development version after a final release (1.5.0 -> 1.5.1.dev0); None after a pre."""
    if is_prerelease(released) or is_development(released):
        return None
    return check_next(released, f"{scm_next(released, 'patch')}.dev0")


def check_post_release(root: Path, settings: config.Settings, new: str) -> None:
    """Refuse, in preflight, a development version bump-my-version could not write."""
    dev = dev_after(new)
    if dev is None or settings.version_source == "scm":
        return
    table = bumpversion_table(root)
    if table is not None:
        try:
            check_representable(table, new, dev)
        except VersionError:
            msg = (
                f"post_release_dev is on, but [tool.bumpversion] cannot represent {dev}: add "
                "the dev_l and dev_n parts to parse and serialize as the template's "
                "pyproject.toml does, or set post_release_dev = false"
            )
            raise VersionError(msg) from None


def post_release(
    root: Path, settings: config.Settings, released: str, *, branch: str, push: bool,
    base: str,
) -> str | None:  # fmt: skip
    """Commit (and push) the next development version after ``released``; return it.

    Its own commit, no tag, so that builds from the branch never carry a
    released version number. Nothing to do after a pre-release (the series
    goes on) or when the version comes from git tags (their builds between
    releases already carry a ``.devN`` version). The dev commit is pushed by
    SHA, and only when it sits right on ``base`` (what the release pushed):
    a commit someone made meanwhile is never pushed with it.
    """
    from releasekit import _console
    from releasekit._exceptions import ReleaseKitError

    dev = dev_after(released)
    if dev is None:
        _console.info(f"{released} is a pre-release: the branch keeps it until the final release")
        return None
    if settings.version_source == "scm":
        _console.info("the version comes from git tags: builds after the tag are .devN already")
        return None
    try:
        bump(root, dev, commit=True, tag=False, message=DEV_MESSAGE)
        commit = git.head(root)
        if push and git.git(root, "rev-parse", f"{commit}^") == base:
            git.push_branch(root, settings.remote, commit, branch,
                            timeout=settings.network_timeout)  # fmt: skip
        elif push:
            _console.warn(
                f"the development version {dev} is committed on top of a commit made while "
                "the release ran: both stay local, push the branch when it is ready"
            )
    except ReleaseKitError as exc:
        msg = (
            f"{released} is released, but the development version {dev} could not be "
            f"committed and pushed: {exc}"
        )
        raise VersionError(msg, details=exc.details) from None
    _console.info(f"back to development: {dev}")
    return dev


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
