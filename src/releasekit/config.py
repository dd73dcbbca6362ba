"""``[tool.releasekit]``: read once, validated, frozen.

This is the only module that reads ``pyproject.toml`` or ``RELEASEKIT_*``
variables. Precedence: explicit overrides, then the environment, then the
table, then the defaults below (which suit a repository fresh from the
template).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import difflib
import functools
import os
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasekit._exceptions import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
BUMPVERSION_FILES = (".bumpversion.toml", ".bumpversion.cfg")
TOWNCRIER_FILES = ("towncrier.toml",)
VERSION_SOURCES = ("bumpversion", "scm")
PUBLISH_WHEELS = ("sdist-only", "repaired")
API_CHECKS = ("error", "warn", "off")

DEFAULT_BUMP_MAP: Mapping[str, str] = types.MappingProxyType(
    {"removal": "major", "feature": "minor", "bugfix": "patch", "doc": "patch", "misc": "patch"}
)


AUDIT_BACKENDS = ("", "safety", "pip-audit")
_IGNORE_KEYS = ("id", "reason", "expires")


@dataclasses.dataclass(frozen=True, slots=True)
class AuditIgnore:
    """One entry of ``audit_ignore``: an advisory the audit lets pass, and why."""

    id: str
    reason: str
    expires: datetime.date | None = None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """The validated ``[tool.releasekit]`` table of one repository."""

    #: Branches a release may be cut from.
    branches: list[str] = dataclasses.field(default_factory=lambda: ["main", "master"])
    #: The git remote that the release commit and tag are pushed to.
    remote: str = "origin"
    #: nox sessions that must pass in the release's preflight.
    checks: list[str] = dataclasses.field(default_factory=lambda: ["tests", "style", "build"])
    #: What the ``tests`` session installs besides the project: requirements,
    #: ``group:NAME`` (a dependency group), ``extra:NAME`` (an extra of the
    #: project) or ``-r FILE``; empty means the ``test`` group, else pytest.
    test_requires: list[str] = dataclasses.field(default_factory=list)
    #: Target index: a name from ``.pypirc`` or an upload URL; empty means
    #: twine's own environment variables, then ``.pypirc``, then PyPI.
    repository: str = ""
    #: Simple index (PEP 503) of the target, asked what it already holds;
    #: empty means derived from the upload URL (``.../legacy/`` -> ``.../simple/``).
    index_url: str = ""
    #: Top-level import name checked after installing the wheel; empty means
    #: derived from the project name.
    package: str = ""
    #: Which version part each changelog fragment type bumps.
    bump_map: dict[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_BUMP_MAP))
    #: The part a ``major`` bump becomes while the version is 0.x.
    zero_major_part: str = "minor"
    #: Sphinx source directory built by the ``docs`` session.
    docs_dir: str = "docs"
    #: After publishing, install the new version from the index to confirm it.
    confirm_install: bool = True
    #: Seconds that any one network step (the index's listing, the upload, the
    #: install from the index) may take in all: a server that sends a byte every
    #: few seconds defeats a per-read timeout, not this.
    network_timeout: int = 300
    #: Audit backend: ``safety``, ``pip-audit``, or empty to choose by what is
    #: configured (``SAFETY_API_KEY``, then ``safety_db``, then ``osv_url``).
    audit_backend: str = ""
    #: Directory of a safety 2 vulnerability database (``insecure.json`` and
    #: ``insecure_full.json``) for ``safety check --db``; relative to the root.
    safety_db: str = ""
    #: OSV-compatible query endpoint (``.../v1/query``) for pip-audit; empty
    #: means pip-audit's default, the public OSV service.
    osv_url: str = ""
    #: Extras whose dependencies the audit resolves too.
    audit_extras: list[str] = dataclasses.field(default_factory=list)
    #: Dependency groups whose dependencies the audit resolves too.
    audit_groups: list[str] = dataclasses.field(default_factory=list)
    #: Advisories the audit lets pass: tables with ``id``, ``reason`` and an
    #: optional ``expires`` date, after which the entry fails the audit.
    audit_ignore: list[AuditIgnore] = dataclasses.field(default_factory=list)
    #: Run the audit (``nox -s audit``) in the release's preflight.
    audit_on_release: bool = False
    #: Run the ``checks`` again on the release commit, beside build and verify,
    #: before publishing (what is published is what was checked; the verdict
    #: serves the next release). Off: a slow suite runs once per release, on
    #: the tree before it, and the next release checks its tree again.
    check_release_commit: bool = True
    #: Where the version lives: ``"bumpversion"`` (the files ``[tool.bumpversion]``
    #: lists) or ``"scm"`` (git tags, read by setuptools-scm, hatch-vcs or pdm).
    version_source: str = "bumpversion"
    #: With ``version_source = "scm"``: the name of a release tag.
    tag_format: str = "v{new_version}"
    #: With ``version_source = "scm"``: sign the release tag (``git tag -s``).
    sign_tags: bool = False
    #: For a package with compiled code: ``"sdist-only"`` publishes the sdist and
    #: leaves the platform wheels to CI (cibuildwheel); ``"repaired"`` also uploads
    #: the wheel built here, repaired by auditwheel into a manylinux wheel.
    publish_wheels: str = "sdist-only"
    #: After a final release is pushed, commit the next development version
    #: (1.5.0 -> 1.5.1.dev0) and push that too (zest.releaser's postrelease).
    post_release_dev: bool = False
    #: The public API at the last release tag against the release (griffe): a
    #: breaking change without a version that says so is ``"error"`` (refused),
    #: ``"warn"`` (shown) or ``"off"`` (not looked for).
    api_check: str = "error"
    #: Hold the metadata and the files against the rules by which PyPI refuses
    #: an upload (direct references, local versions, classifiers, ...), in the
    #: preflight and at verify; unset: on when the target is PyPI or TestPyPI.
    pypi_rules: bool | None = None

    # Not keys of the table: where it was read from.
    root: Path = dataclasses.field(default=Path(), metadata={"internal": True})
    project_name: str = dataclasses.field(default="", metadata={"internal": True})

    @property
    def pyproject(self) -> Path:
        return self.root / PYPROJECT

    @property
    def import_name(self) -> str:
        return self.package or self.project_name.replace("-", "_").replace(".", "_").lower()


def keys() -> dict[str, dataclasses.Field[Any]]:
    """The user-facing keys of ``[tool.releasekit]``, in declaration order."""
    return {f.name: f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")}


def read_pyproject(root: Path) -> dict[str, Any]:
    path = root / PYPROJECT
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        msg = f"no {PYPROJECT} in {root}: releasekit works at the root of a Python project"
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path} is not valid TOML: {exc}"
        raise ConfigError(msg) from None


def _optional(tp: Any) -> Any:
    """``X`` for ``X | None`` (a key whose absence means something), else ``tp``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def type_name(tp: Any) -> str:
    """How a key's type is named to the user: in an error message and in the reference."""
    tp = _optional(tp)
    origin = typing.get_origin(tp)
    if origin is list:
        return "a list of tables" if typing.get_args(tp) == (AuditIgnore,) else "a list of strings"
    if origin is dict:
        return "a table of strings"
    return {str: "a string", bool: "true or false", int: "an integer"}.get(tp, str(tp))


def _check_type(value: Any, tp: Any) -> bool:
    tp = _optional(tp)
    origin = typing.get_origin(tp)
    if origin is list and typing.get_args(tp) == (AuditIgnore,):
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if origin is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


def _from_env(name: str, tp: Any) -> Any:
    raw = os.environ[name]
    if tp != _optional(tp) and raw.strip() == "":
        return None  # set but empty: as if the key were absent
    tp = _optional(tp)
    origin = typing.get_origin(tp)
    if origin is dict or tp == list[AuditIgnore]:
        msg = f"{name} cannot be set from the environment; set it in [tool.releasekit]"
        raise ConfigError(msg)
    if origin is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if tp is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        msg = f"{name}={raw!r} is not a boolean (use true or false)"
        raise ConfigError(msg)
    if tp is int:
        try:
            return int(raw)
        except ValueError:
            msg = f"{name}={raw!r} is not a whole number"
            raise ConfigError(msg) from None
    return raw


def _find_typo(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate(table: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """Check a ``[tool.releasekit]`` table and return its values by key."""
    fields = keys()
    hints = typing.get_type_hints(Settings)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            msg = f"unknown key {key!r} in [tool.releasekit] of {source}"
            raise ConfigError(msg + _find_typo(key, list(fields)))
        if not _check_type(value, hints[key]):
            msg = (
                f"[tool.releasekit] {key} in {source} must be {type_name(hints[key])}, "
                f"not {type(value).__name__} {value!r}"
            )
            raise ConfigError(msg)
        values[key] = value
    source_value = values.get("version_source", "bumpversion")
    if source_value not in VERSION_SOURCES:
        msg = (
            f"[tool.releasekit] version_source in {source} must be one of "
            f"{', '.join(map(repr, VERSION_SOURCES))}, not {source_value!r}"
        )
        raise ConfigError(msg)
    if "publish_wheels" in values:
        check_publish_wheels(values["publish_wheels"], source=f"[tool.releasekit] of {source}")
    if "{new_version}" not in values.get("tag_format", "{new_version}"):
        msg = f"[tool.releasekit] tag_format in {source} must contain {{new_version}}"
        raise ConfigError(msg)
    for fragment_type, part in values.get("bump_map", {}).items():
        if not part:
            msg = f"[tool.releasekit] bump_map.{fragment_type} in {source} names no version part"
            raise ConfigError(msg)
    if "api_check" in values:
        check_api_check(values["api_check"], source=f"[tool.releasekit] of {source}")
    if "audit_backend" in values:
        check_audit_backend(values["audit_backend"], source=f"[tool.releasekit] of {source}")
    if "audit_ignore" in values:
        values["audit_ignore"] = [
            _audit_ignore(entry, index, source)
            for index, entry in enumerate(values["audit_ignore"])
        ]
    return values


def check_audit_backend(value: str, *, source: str) -> None:
    if value not in AUDIT_BACKENDS:
        choices = ", ".join(repr(b) for b in AUDIT_BACKENDS)
        msg = f"audit_backend {value!r} in {source} is not one of {choices}"
        raise ConfigError(msg)


def check_api_check(value: str, *, source: str) -> None:
    if value not in API_CHECKS:
        choices = ", ".join(repr(c) for c in API_CHECKS)
        msg = f"api_check {value!r} in {source} is not one of {choices}"
        raise ConfigError(msg)


def check_publish_wheels(value: str, *, source: str) -> None:
    if value not in PUBLISH_WHEELS:
        choices = ", ".join(repr(c) for c in PUBLISH_WHEELS)
        msg = f"publish_wheels {value!r} in {source} is not one of {choices}"
        raise ConfigError(msg)


def _audit_ignore(entry: Mapping[str, Any], index: int, source: str) -> AuditIgnore:
    """Validate one ``audit_ignore`` table; every problem names the entry and the file."""
    where = f"[tool.releasekit] audit_ignore[{index}]"
    unknown = sorted(set(entry) - set(_IGNORE_KEYS))
    if unknown:
        msg = f"unknown key {unknown[0]!r} in {where} of {source}"
        raise ConfigError(msg + _find_typo(unknown[0], list(_IGNORE_KEYS)))
    advisory = entry.get("id")
    if not isinstance(advisory, str) or not advisory.strip():
        msg = (
            f'{where} in {source} needs an id: the advisory to ignore (e.g. id = "CVE-2021-33503")'
        )
        raise ConfigError(msg)
    where = f"{where} ({advisory})"
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        msg = f"{where} in {source} needs a reason: say why the advisory does not apply"
        raise ConfigError(msg)
    expires = entry.get("expires")
    if isinstance(expires, datetime.datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires)
        except ValueError:
            expires = False
    if expires is not None and not isinstance(expires, datetime.date):
        msg = f"{where} expires in {source} must be a date (expires = 2025-12-31)"
        raise ConfigError(msg)
    return AuditIgnore(id=advisory.strip(), reason=reason.strip(), expires=expires)


def load(root: str | os.PathLike[str] = ".", **overrides: Any) -> Settings:
    """Read and validate the configuration of the repository at ``root``."""
    root_path = Path(root).resolve()
    return from_pyproject(root_path, read_pyproject(root_path), **overrides)


def unknown_env() -> list[str]:
    """``RELEASEKIT_*`` variables that name no key (typos that would silently do nothing)."""
    known = {f"RELEASEKIT_{key.upper()}" for key in keys()} | {"RELEASEKIT_VERBOSE"}
    return sorted(n for n in os.environ if n.startswith("RELEASEKIT_") and n not in known)


def from_pyproject(root_path: Path, data: Mapping[str, Any], **overrides: Any) -> Settings:
    """Validate the configuration in ``data``, the parsed ``pyproject.toml`` of ``root_path``."""
    tool = data.get("tool", {})
    table = tool.get("releasekit", {}) if isinstance(tool, dict) else {}
    path = root_path / PYPROJECT
    if not isinstance(table, dict):
        msg = f"[tool.releasekit] in {path} must be a table"
        raise ConfigError(msg)
    values = validate(table, source=str(path))
    hints = typing.get_type_hints(Settings)
    for key in keys():
        env_name = f"RELEASEKIT_{key.upper()}"
        if env_name in os.environ:
            values[key] = _from_env(env_name, hints[key])
    if "RELEASEKIT_AUDIT_BACKEND" in os.environ:
        check_audit_backend(values["audit_backend"], source="RELEASEKIT_AUDIT_BACKEND")
    if "RELEASEKIT_API_CHECK" in os.environ:
        check_api_check(values["api_check"], source="RELEASEKIT_API_CHECK")
    if "RELEASEKIT_PUBLISH_WHEELS" in os.environ:
        check_publish_wheels(values["publish_wheels"], source="RELEASEKIT_PUBLISH_WHEELS")
    if values.get("network_timeout", 1) <= 0:
        msg = f"network_timeout must be a positive number of seconds: fix it in {path}"
        raise ConfigError(msg)
    unknown = set(overrides) - set(keys())
    if unknown:  # a programming error in a front end, not a user's mistake
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    project = data.get("project", {})
    name = project.get("name", "") if isinstance(project, dict) else ""
    if not name:
        name = setup_cfg_name(root_path)
    if not name:  # classic poetry keeps the metadata in its own table
        poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
        name = poetry.get("name", "") if isinstance(poetry, dict) else ""
    return Settings(root=root_path, project_name=str(name), **values)


def setup_cfg_name(root: Path) -> str:
    """The project name in setup.cfg's ``[metadata]`` (setuptools projects), or ``""``."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except configparser.Error:
        return ""
    return parser.get("metadata", "name", fallback="").strip()


def tool_table(root: Path, name: str) -> dict[str, Any] | None:
    """Return ``[tool.NAME]`` of the project, or ``None`` when absent.

    Asked many times a run (bump-my-version's table alone, a dozen), so the
    file is parsed once per content: its bytes are read every time (a rewrite
    within the file system's timestamp tick, same size, is still seen) and the
    caller gets its own copy.
    """
    path = root / PYPROJECT
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        msg = f"no {PYPROJECT} in {root}: releasekit works at the root of a Python project"
        raise ConfigError(msg) from None
    tool = _parsed_tool(path, data).get("tool", {})
    table = tool.get(name) if isinstance(tool, dict) else None
    return copy.deepcopy(table) if isinstance(table, dict) else None


@functools.lru_cache(maxsize=64)
def _parsed_tool(path: Path, data: bytes) -> dict[str, Any]:
    """``pyproject.toml`` parsed, once per path and content (never handed out: copies are)."""
    try:
        return tomllib.loads(data.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid TOML: {exc}"
        raise ConfigError(msg) from None


def towncrier_table(root: Path) -> dict[str, Any]:
    """Return towncrier's configuration, or say where to add it."""
    table = tool_table(root, "towncrier")
    if table is not None:
        return table
    for filename in TOWNCRIER_FILES:
        path = root / filename
        if path.is_file():
            with path.open("rb") as f:
                data = tomllib.load(f).get("tool", {}).get("towncrier")
            if isinstance(data, dict):
                return data
    msg = (
        f"no [tool.towncrier] in {root / PYPROJECT}: add one with "
        'directory = "changelog.d" and filename = "CHANGELOG.md"'
    )
    raise ConfigError(msg)


def bumpversion_file(root: Path) -> Path | None:
    """The file bump-my-version reads its configuration from when run in ``root``.

    bump-my-version's own loader decides (``.bumpversion.cfg``, ``.bumpversion.toml``,
    ``setup.cfg``'s ``[bumpversion]``, ``pyproject.toml``'s ``[tool.bumpversion]``,
    up to the repository's root), so releasekit never disagrees with the tool it
    drives. A pyproject.toml that only has a static ``[project].version`` is not
    a configuration.
    """
    from bumpversion.config.files import find_config_file

    # The loader searches from the working directory, as the command does.
    before = Path.cwd()
    os.chdir(root)
    try:
        found = find_config_file()
    finally:
        os.chdir(before)
    if found is None:
        return None
    if found.name == PYPROJECT:
        with found.open("rb") as f:
            tool = tomllib.load(f).get("tool", {})
        if not isinstance(tool, dict) or not isinstance(tool.get("bumpversion"), dict):
            return None
    return Path(found).resolve()


def require_bumpversion(root: Path) -> None:
    """Fail with what to add when bump-my-version has no configuration."""
    if tool_table(root, "bumpversion") is not None:
        return
    if bumpversion_file(root) is not None:
        return
    msg = (
        f"no [tool.bumpversion] in {root / PYPROJECT}: add one with "
        'current_version = "X.Y.Z" and a [[tool.bumpversion.files]] entry per file '
        "that carries the version"
    )
    raise ConfigError(msg)
