"""The version in files, through bump-my-version (``version_source = "bumpversion"``).

bump-my-version owns the parts, their order and every file that carries the
version. Its own version model (parse, serialize, the part configuration)
answers what the next version would be, in this process and without
changing anything; the answer is checked with packaging, and only then does
bump-my-version move the files to exactly that version.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit import _console, _runner, config
from releasekit._exceptions import CommandError, VersionError
from releasekit.versions.arithmetic import check_next, dev_after
from releasekit.versions.source import BumpConfig

if TYPE_CHECKING:
    from releasekit.project import Project


def _bmv(root: Path, *args: str, dry_run: bool = False, mutates: bool = False) -> str:
    return _runner.run(
        [*_runner.tool("bump-my-version"), *args],
        cwd=root,
        dry_run=dry_run,
        mutates=mutates,
        quiet=not mutates,
    ).stdout


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
        commit_args=str(data.get("commit_args") or ""),
    )


def load(root: Path) -> BumpConfig:
    """Read the resolved configuration of ``root`` as ``bump-my-version show`` reports it."""
    config.require_bumpversion(root)
    try:
        data: dict[str, Any] = json.loads(_bmv(root, "show", "--format", "json"))
    except CommandError as exc:
        msg = f"bump-my-version cannot read the configuration in {root}"
        raise VersionError(msg, details=exc.details) from None
    return _config_from(data)


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


def config_file(root: Path) -> Path | None:
    """The file bump-my-version itself would read its configuration from, in its order.

    Its own test (``_has_bumpversion_config``) parses each TOML file with
    tomlkit, ten times slower than tomllib; a release asks this three times,
    and bump-my-version then parses the file twice more itself. The test is
    the same: a ``[tool.bumpversion]`` table in a TOML file (an invalid one
    has none), the text ``bumpversion]`` in any other.
    """
    from bumpversion.config.files import CONFIG_FILE_SEARCH_ORDER

    for name in CONFIG_FILE_SEARCH_ORDER:
        path: Path = root / name
        if path.is_file() and _has_config(path):
            return path
    return None


def _has_config(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".toml":
        return "bumpversion]" in text
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(tool, dict) and isinstance(tool.get("bumpversion"), dict)


def in_process_config(root: Path) -> Any:
    """bump-my-version's own configuration object, read in this process (no new interpreter)."""
    from bumpversion.config import get_configuration

    path = config_file(root)
    if path is None:
        config.require_bumpversion(root)  # says what to add
    try:
        return get_configuration(path)
    except Exception as exc:  # bump-my-version raises several unrelated types here
        msg = f"bump-my-version cannot read its configuration in {path}: {exc}".splitlines()[0]
        raise VersionError(msg) from None


def bumpversion_table(root: Path) -> dict[str, Any] | None:
    """``[tool.bumpversion]`` of the file bump-my-version reads (:func:`config_file`), else None.

    The same file as bump-my-version: with a ``.bumpversion.toml`` beside an
    old table in pyproject.toml, the next version is computed from the one it
    writes. None for a ``.cfg`` file, which only bump-my-version itself reads.
    """
    found = config_file(root)
    if found is None or found.suffix != ".toml":
        return None
    if found.name == "pyproject.toml":
        return config.tool_table(root, "bumpversion")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    with found.open("rb") as f:
        data = tomllib.load(f).get("tool", {}).get("bumpversion")
    return data if isinstance(data, dict) else None


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


def round_trip(table: dict[str, Any], current: str, new: str) -> str | None:
    """What bump-my-version's parse/serialize write for ``new``; None when parse does not match."""
    try:
        model, _ = _model(table, current)
    except _model_errors():
        return ""
    parsed = model.parse(new)
    if parsed is None:
        return None
    try:
        return _serialize(model, parsed, current)
    except _model_errors():
        return ""


def check_representable(
    table: dict[str, Any], current: str, new: str, *, typed: bool = False
) -> None:
    """Refuse a version that bump-my-version's parse/serialize would not write as is.

    A pre-release needs the ``pre_l``/``pre_n`` parts of the template's
    ``[tool.bumpversion]``; without them bump-my-version would read 1.5.0rc1
    as 1.5.0 and write that. A version typed with ``--new-version`` is
    refused saying how to type it.
    """
    from packaging.version import Version

    written = round_trip(table, current, new)
    if typed:
        shown = ", ".join(_serialize_formats(table))
        if written is None:
            msg = (
                f"version {new} does not match [tool.bumpversion] parse, which expects "
                f"versions like {shown}: give every part (e.g. {new}.0)"
            )
            raise VersionError(msg)
        if written != new:
            msg = (
                f"version {new} would be written as {written or 'nothing'} by "
                f"[tool.bumpversion] serialize ({shown}): give it as "
                f"{written or 'a version that serialize can write'}"
            )
            raise VersionError(msg)
        return
    if not written or written != new or Version(written) != Version(new):
        msg = (
            f"[tool.bumpversion] cannot represent {new} (its parse/serialize give "
            f"{written or 'nothing'!r}): add the pre_l and pre_n parts to parse and serialize "
            "as the template's pyproject.toml does"
        )
        raise VersionError(msg)


def _serialize_formats(table: dict[str, Any]) -> list[str]:
    from bumpversion.config import set_config_defaults

    return list(set_config_defaults(dict(table))["serialize"])


class BumpMyVersionFiles:
    """The version lives in files that ``[tool.bumpversion]`` lists."""

    description = "the files [tool.bumpversion] lists"
    builds_in_place = False

    def __init__(self, project: Project) -> None:
        self.project = project

    def _table(self) -> dict[str, Any] | None:
        """``[tool.bumpversion]`` of the file bump-my-version reads."""
        return bumpversion_table(self.project.root)

    @property
    def tag_template(self) -> str:
        table = self._table() or {}
        return str(table.get("tag_name") or "v{new_version}")

    def current(self) -> str:
        return str(self._model_table.get("current_version") or self.config().current_version)

    @functools.cached_property
    def _loaded(self) -> Any:
        """bump-my-version's configuration object, read once per source (~55 ms: it asks git)."""
        return in_process_config(self.project.root)

    def config(self) -> BumpConfig:
        """In this process: a train of fifty members would spend its plan starting Python."""
        root = self.project.root
        bump_config = _config_from(self._loaded.model_dump())
        # Relative to the project, wherever they are (``../VERSION`` of a subdirectory's).
        files = [os.path.relpath(f, root) if Path(f).is_absolute() else f
                 for f in bump_config.files]  # fmt: skip
        return dataclasses.replace(bump_config, files=files)

    def next(self, part: str, current: str | None = None) -> str:
        return next_in_process(self._model_table, current or self.current(), part)

    def next_versions(self) -> tuple[str, dict[str, str]]:
        """Parts that cannot move from here (a label at its last value) are left out."""
        table, current = self._model_table, self.current()
        try:
            parts = _model(table, current)[1]
        except _model_errors() as exc:
            msg = f"bump-my-version cannot read [tool.bumpversion] of {self.project.root}: {exc}"
            raise VersionError(msg.splitlines()[0]) from None
        found: dict[str, str] = {}
        for part in parts:
            try:
                found[part] = next_in_process(table, current, part)
            except VersionError:
                continue
        return current, found

    @functools.cached_property
    def _model_table(self) -> dict[str, Any]:
        """The table bump-my-version's version model is built from (a .bumpversion.cfg's too).

        Read once per source: bump-my-version warns about a .cfg file on each read.
        """
        table = self._table()
        if table is not None:
            return table
        data: dict[str, Any] = self._loaded.model_dump()
        return {k: data[k] for k in ("current_version", "parse", "serialize", "parts")}

    def check_representable(self, new: str, *, typed: bool = False) -> None:
        check_representable(self._model_table, self.current(), new, typed=typed)

    def development_after(self, released: str) -> str | None:
        return dev_after(released)

    def check_post_release(self, new: str) -> None:
        dev = dev_after(new)
        if dev is None:
            return
        try:
            check_representable(self._model_table, new, dev)
        except VersionError:
            msg = (
                f"post_release_dev is on, but [tool.bumpversion] cannot represent {dev}: add "
                "the dev_l and dev_n parts to parse and serialize as the template's "
                "pyproject.toml does, or set post_release_dev = false"
            )
            raise VersionError(msg) from None

    def render(self, template: str, current: str, new: str) -> str:
        """As bump-my-version renders ``message`` and ``tag_message`` (``{now}``, the parts, ...).

        The two versions alone need no configuration read (a train renders a
        tag message per member); any other field is rendered in its context.
        """
        import string

        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
            if fields <= {"current_version", "new_version"}:
                return template.format(current_version=current, new_version=new)
            from bumpversion.context import get_context

            cfg = self._loaded
            parse = cfg.version_config.parse
            context = get_context(cfg, parse(current), parse(new))
            context["new_version"] = new  # as bump-my-version's own bump does
            return template.format(**context)
        except VersionError:
            raise
        except Exception as exc:  # a field it does not know, a bad format spec
            msg = (
                f"bump-my-version cannot write the message {template!r} for {new}: "
                f"{exc!r}; fix message or tag_message in its configuration"
            )
            raise VersionError(msg) from None

    def write(self, new: str) -> None:
        from releasekit import inprocess

        root = self.project.root
        path = config_file(root)
        if path is None:  # no file it would read: its command line says so itself
            bump(root, new, allow_dirty=True, commit=False, tag=False)
            return
        _console.command(
            f"bump-my-version bump --allow-dirty --no-commit --no-tag --new-version {new}"
        )
        inprocess.bump(root, path, new, commit=False, tag=False)

    def bump_files(self, new: str, *, dry_run: bool) -> list[str]:
        # Commit and tag as [tool.bumpversion] says (commit = true, tag = true).
        bump(self.project.root, new, dry_run=dry_run)
        return load(self.project.root).files


__all__ = [
    "BumpMyVersionFiles",
    "bump",
    "bumpversion_table",
    "check_representable",
    "config_file",
    "in_process_config",
    "load",
    "next_in_process",
    "round_trip",
]
