"""The audit: the dependencies an install would get, checked against a vulnerability database.

releasekit matches no advisory itself. It resolves the project's runtime
dependencies with uv's resolver (the versions an install would get, not the
tool's own environment), hands that exact pinned list to safety or pip-audit,
and reads their JSON into :class:`Finding` records. Then it applies the
``audit_ignore`` list of ``[tool.releasekit]``.

The backends run from a tool environment that the caller provides, by its
``bin`` directory: the nox session ``audit`` installs them into its own
environment, because safety 2 (the one that reads a local database) needs
``packaging<22`` and cannot share an environment with build and twine.
Nothing here passes without looking: no database is an error that says what
to set, and a backend that checked fewer packages than it was given fails.

Resolving (:mod:`.resolving`), the databases (:mod:`.backends`) and the
verdict with its report (:mod:`.report`) are modules of their own; the
whole audit is here, with every name callers use.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from pathlib import Path

from releasekit import _console, _runner, config
from releasekit._exceptions import AuditError, CommandError
from releasekit.audit.backends import (
    DB_FILES,
    NO_DATABASE,
    PIP_AUDIT,
    SAFETY_DB,
    SAFETY_FOUND,
    SAFETY_SCAN,
    Backend,
    Finding,
    PipAudit,
    SafetyDatabase,
    SafetyScan,
    choose_backend,
    parse_pip_audit,
    parse_safety_check,
    parse_safety_scan,
    scan,
)
from releasekit.audit.report import Report, apply_ignores
from releasekit.audit.resolving import Package, parse_requirements, resolve

__all__ = [
    "DB_FILES",
    "NO_DATABASE",
    "PIP_AUDIT",
    "SAFETY_DB",
    "SAFETY_FOUND",
    "SAFETY_SCAN",
    "Backend",
    "Finding",
    "Options",
    "Package",
    "PipAudit",
    "Report",
    "SafetyDatabase",
    "SafetyScan",
    "apply_ignores",
    "audit",
    "choose_backend",
    "parse_pip_audit",
    "parse_requirements",
    "parse_safety_check",
    "parse_safety_scan",
    "resolve",
    "run_session",
    "scan",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """The options of ``nox -s audit -- ...``."""

    backend: str | None = None
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    json: Path | None = None


def audit(
    root: Path,
    settings: config.Settings,
    backend: Backend,
    options: Options = Options(),
    *,
    bin_dir: Path,
    python: Path | None = None,
    today: datetime.date | None = None,
) -> Report:
    """Resolve, scan, apply the ignore list, report; raise :class:`AuditError` on a failure.

    :param bin_dir: where the backend's tools are installed (the session's ``bin``).
    :param python: the interpreter to resolve for; the one in ``bin_dir`` by default.
    """
    extras = tuple(dict.fromkeys((*settings.audit_extras, *options.extras)))
    groups = tuple(dict.fromkeys((*settings.audit_groups, *options.groups)))
    packages, unaudited = resolve(
        root, python=python or bin_dir / "python", extras=extras, groups=groups
    )
    what = " with ".join(
        part
        for part in (
            "runtime dependencies",
            ", ".join([*(f"extra {e}" for e in extras), *(f"group {g}" for g in groups)]),
        )
        if part
    )
    _console.info(f"resolved {_packages(len(packages))} ({what}) for install")
    for package in packages:
        _console.verbose(f"  {package}")
    for line in unaudited:
        _console.warn(f"not audited: {line} (no version from an index to look up)")
    _console.info(f"auditing them with {backend.shown}")
    findings = scan(backend, packages, bin_dir)
    failing, ignored, expired, unused = apply_ignores(
        findings, settings.audit_ignore, today or datetime.date.today()
    )
    report = Report(backend, packages, failing, ignored, expired, unused, unaudited)
    for finding, entry in ignored:
        _console.info(f"ignored {finding.line()} ({entry.reason})")
    for entry in unused:
        _console.warn(
            f"audit_ignore entry {entry.id} matches no finding: remove it from [tool.releasekit]"
        )
    for finding in failing:
        _console.error(finding.line())
    if options.json is not None:
        report.write(options.json)
        _console.info(f"wrote the audit report to {options.json}")
    if not report.passed:
        raise AuditError(report.summary())
    _console.info(
        f"no known vulnerabilities in {len(packages)} resolved "
        + ("package" if len(packages) == 1 else "packages")
        + (f" ({len(ignored)} ignored)" if ignored else "")
    )
    return report


def _packages(count: int) -> str:
    return f"{count} package" if count == 1 else f"{count} packages"


# --- the session, from other front ends ------------------------------------------


def _nox_reason(output: str) -> str:
    found = re.findall(r"Session audit (?:failed|aborted): (.+)", output)
    return found[-1].strip().rstrip(".") if found else ""


def run_session(root: Path, args: Sequence[str] = ()) -> None:
    """Run ``nox -s audit`` in ``root``, where the backends get their own environment."""
    argv = [*_runner.tool("nox"), "--no-color", "-s", "audit"]
    if args:
        argv += ["--", *args]
    env = _runner.child_env({"NOX_SCRIPT_MODE": "none"})
    try:
        _runner.run(argv, cwd=root, env=env, mutates=False)
    except CommandError as exc:
        reason = _nox_reason(exc.details) or "see its output"
        msg = f"the audit failed (nox -s audit): {reason}"
        raise AuditError(msg, details=exc.details) from None
