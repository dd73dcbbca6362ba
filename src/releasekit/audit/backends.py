"""The vulnerability databases: safety (a local database or its service) and pip-audit (OSV).

Each backend is a :class:`Backend`: what it needs installed, how it runs on
exactly the resolved list, and its JSON read into :class:`Finding` records.
None passes without looking: a backend that checked fewer packages than it
was given, or could not run, fails with one line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from packaging.utils import canonicalize_name

from releasekit import _console, _runner, config
from releasekit._exceptions import AuditError, ConfigError, ToolNotFoundError
from releasekit.audit.resolving import Package

SAFETY_DB = "safety<3"
SAFETY_SCAN = "safety>=3"
PIP_AUDIT = "pip-audit>=2.7"
#: safety's exit status when it found vulnerabilities.
SAFETY_FOUND = 64
DB_FILES = ("insecure.json", "insecure_full.json")

NO_DATABASE = (
    "the audit has no vulnerability database: set RELEASEKIT_SAFETY_DB (or safety_db in "
    "[tool.releasekit]) to a safety 2 database directory, or SAFETY_API_KEY for safety scan, "
    'or audit_backend = "pip-audit" (with osv_url for an OSV mirror)'
)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One advisory that affects one resolved package."""

    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    summary: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.advisory, *self.aliases)

    @property
    def cve(self) -> str:
        return next((i for i in self.ids if i.upper().startswith("CVE-")), "")

    def line(self) -> str:
        others = [i for i in self.aliases if i != self.advisory]
        ids = f"{self.advisory} ({', '.join(others)})" if others else self.advisory
        fixed = f"fixed in {', '.join(self.fixed)}" if self.fixed else "no fixed version known"
        return f"{self.package} {self.version}: {ids}, {fixed}"

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "cve": self.cve}


class Backend(Protocol):
    """A tool that checks the resolved list: what it needs installed and how it runs."""

    @property
    def kind(self) -> str:
        """Its name in messages ("safety check", "safety scan", "pip-audit")."""

    @property
    def requirements(self) -> tuple[str, ...]:
        """What the session installs for it."""

    @property
    def shown(self) -> str:
        """How it is named in the output."""

    def scan(self, packages: Sequence[Package], bin_dir: Path, work: Path) -> list[Finding]:
        """Check exactly ``packages``, with the tools in ``bin_dir``; return the findings."""


@dataclasses.dataclass(frozen=True)
class SafetyDatabase:
    """safety 2's ``check --db``: a local database, no network."""

    db: Path
    kind: str = "safety check"
    requirements: tuple[str, ...] = (SAFETY_DB,)

    @property
    def shown(self) -> str:
        return f"safety check --db {self.db}"

    def scan(self, packages: Sequence[Package], bin_dir: Path, work: Path) -> list[Finding]:
        requirements = _write_requirements(work, packages)
        args: list[str | os.PathLike[str]] = [_tool(bin_dir, "safety"), "check", "--db", self.db]
        args += ["-r", requirements, "--output", "json"]
        # The key would make safety 2 ask its online service instead of the database.
        env = _runner.child_env({"SAFETY_API_KEY": None})
        result = _runner.run(args, cwd=work, env=env, mutates=False, check=False)
        data = _json(result)
        if result.returncode not in (0, SAFETY_FOUND) or not isinstance(data, dict):
            raise _failed("safety check", result)
        findings = parse_safety_check(data)
        found = data.get("report_meta", {}).get("packages_found")
        if found != len(packages) or (result.returncode == SAFETY_FOUND) != bool(findings):
            msg = f"safety checked {found} of the {len(packages)} resolved packages: not trusted"
            raise AuditError(msg, details=result.output)
        return findings


@dataclasses.dataclass(frozen=True)
class SafetyScan:
    """safety 3's ``scan``: its online service, with ``SAFETY_API_KEY``."""

    kind: str = "safety scan"
    requirements: tuple[str, ...] = (SAFETY_SCAN,)

    @property
    def shown(self) -> str:
        return "safety scan (SAFETY_API_KEY)"

    def scan(self, packages: Sequence[Package], bin_dir: Path, work: Path) -> list[Finding]:
        project = work / "project"
        project.mkdir()
        _write_requirements(project, packages)
        args: list[str | os.PathLike[str]] = [_tool(bin_dir, "safety"), "scan"]
        args += ["--target", project, "--output", "json"]
        result = _runner.run(args, cwd=work, mutates=False, check=False)
        data = _json(result)
        if not isinstance(data, dict) or "scan_results" not in data:
            raise _failed("safety scan", result)
        findings, checked = parse_safety_scan(data)
        _all_checked(self.kind, packages, checked)
        return findings


@dataclasses.dataclass(frozen=True)
class PipAudit:
    """pip-audit against OSV (the public service, or a mirror at ``osv_url``)."""

    osv_url: str = ""
    kind: str = "pip-audit"
    requirements: tuple[str, ...] = (PIP_AUDIT,)

    @property
    def shown(self) -> str:
        return f"pip-audit (OSV at {self.osv_url or 'its default, the public OSV service'})"

    def scan(self, packages: Sequence[Package], bin_dir: Path, work: Path) -> list[Finding]:
        requirements = _write_requirements(work, packages)
        args: list[str | os.PathLike[str]] = [_tool(bin_dir, "pip-audit"), "-r", requirements]
        args += ["--no-deps", "--disable-pip", "--strict", "-s", "osv", "-f", "json"]
        args += ["--progress-spinner", "off", "--aliases", "on", "--desc", "on"]
        args += ["--cache-dir", work / "cache"]
        if self.osv_url:
            args += ["--osv-url", self.osv_url]
        result = _runner.run(args, cwd=work, mutates=False, check=False)
        data = _json(result)
        if result.returncode not in (0, 1) or not isinstance(data, dict):
            raise _failed("pip-audit", result)
        findings, checked = parse_pip_audit(data)
        _all_checked(self.kind, packages, checked)
        return findings


def _all_checked(kind: str, packages: Sequence[Package], checked: set[str]) -> None:
    """A backend that skipped a package is not trusted: it would pass it silently."""
    missing = sorted({p.name for p in packages} - checked)
    if missing:
        msg = (
            f"{kind} did not check {len(missing)} of the {len(packages)} resolved "
            f"packages (e.g. {missing[0]}): not trusted"
        )
        raise AuditError(msg)


# --- choosing the backend ------------------------------------------------------


def choose_backend(
    settings: config.Settings, backend: str | None = None, env: Mapping[str, str] | None = None
) -> Backend:
    """Pick the backend from ``backend`` (an option), the config and what is set.

    With no choice made: ``SAFETY_API_KEY`` means ``safety scan``, a database
    directory means ``safety check --db``, an ``osv_url`` means pip-audit;
    nothing at all is an error that says what to set.
    """
    env = os.environ if env is None else env
    choice = settings.audit_backend if backend is None else backend
    config.check_audit_backend(choice, source="the audit's --backend option or configuration")
    key = env.get("SAFETY_API_KEY", "")
    if choice in ("", "safety"):
        if key:
            return SafetyScan()
        if settings.safety_db:
            return SafetyDatabase(_database(settings))
        if choice == "safety":
            msg = (
                "the safety backend needs SAFETY_API_KEY (safety scan) or a local database: "
                "set RELEASEKIT_SAFETY_DB (or safety_db in [tool.releasekit]) to its directory"
            )
            raise ConfigError(msg)
    if choice == "pip-audit" or settings.osv_url:
        return PipAudit(settings.osv_url)
    raise ConfigError(NO_DATABASE)


def _database(settings: config.Settings) -> Path:
    path = (settings.root / settings.safety_db).resolve()
    missing = [name for name in DB_FILES if not (path / name).is_file()]
    if missing:
        msg = (
            f"the safety database {path} has no {' and no '.join(missing)}: point safety_db "
            "(or RELEASEKIT_SAFETY_DB) at a safety 2 database directory"
        )
        raise ConfigError(msg)
    return path


# --- the backends ---------------------------------------------------------------


def _tool(bin_dir: Path, name: str) -> Path:
    path = bin_dir / name
    if not path.exists():
        msg = f"{name} is not installed in {bin_dir}: the audit session installs it there"
        raise ToolNotFoundError(msg)
    return path


def _json(result: _runner.Result) -> Any:
    text = result.stdout
    start = text.find("{")
    try:
        return json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        return None


def _failed(what: str, result: _runner.Result) -> AuditError:
    """One line for a backend that could not run; a Python traceback only at ``-v``.

    pip-audit without its service ends with requests' traceback (20 lines):
    its exception line, shortened to the error's name and errno, is the reason.
    """
    from releasekit.index.upload import twine_failure

    lines = [line for line in result.output.splitlines() if line.strip()]
    tail = "\n".join(lines[-_runner.TAIL_LINES :])
    last = lines[-1].strip() if lines else "no output"
    details = tail
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        last = twine_failure(result.output)[0]  # the same shape as twine's failures
        details = tail if _console.is_verbose() else ""
    msg = f"{what} could not audit the dependencies (exit status {result.returncode}): {last}"
    return AuditError(msg, details=details)


def _write_requirements(directory: Path, packages: Sequence[Package]) -> Path:
    path = directory / "requirements.txt"
    path.write_text("".join(f"{p}\n" for p in packages))
    return path


def _ordered(aliases: Iterable[str]) -> tuple[str, ...]:
    """CVE ids first, then the rest, each sorted: the backends list aliases in any order."""
    return tuple(sorted(set(aliases), key=lambda a: (not a.upper().startswith("CVE-"), a)))


def parse_safety_check(data: Mapping[str, Any]) -> list[Finding]:
    """Findings from the JSON report of ``safety check --output json`` (safety 2)."""
    findings = []
    for vuln in data.get("vulnerabilities", []):
        cve = vuln.get("CVE") or ""
        findings.append(
            Finding(
                package=canonicalize_name(vuln["package_name"]),
                version=str(vuln["analyzed_version"]),
                advisory=str(vuln["vulnerability_id"]),
                aliases=(cve,) if cve else (),
                fixed=tuple(str(v) for v in vuln.get("fixed_versions") or () if v),
                summary=str(vuln.get("advisory") or ""),
            )
        )
    return findings


def parse_pip_audit(data: Mapping[str, Any]) -> tuple[list[Finding], set[str]]:
    """Findings from ``pip-audit -f json``, and the names it really checked."""
    findings = []
    checked: set[str] = set()
    for dep in data.get("dependencies", []):
        name = canonicalize_name(dep["name"])
        if "skip_reason" in dep:
            continue
        checked.add(name)
        for vuln in dep.get("vulns", []):
            findings.append(
                Finding(
                    package=name,
                    version=str(dep["version"]),
                    advisory=str(vuln["id"]),
                    aliases=_ordered(str(a) for a in vuln.get("aliases", [])),
                    fixed=tuple(str(v) for v in vuln.get("fix_versions", [])),
                    summary=str(vuln.get("description") or ""),
                )
            )
    return findings, checked


def parse_safety_scan(data: Mapping[str, Any]) -> tuple[list[Finding], set[str]]:
    """Findings from ``safety scan --output json`` (safety 3, report schema 3.0)."""
    findings = []
    checked: set[str] = set()
    results = data.get("scan_results", {})
    files = list(results.get("files", []))
    for project in results.get("projects", []):
        files += project.get("files", [])
    for file in files:
        for dep in file.get("results", {}).get("dependencies", []):
            name = canonicalize_name(dep["name"])
            checked.add(name)
            for spec in dep.get("specifications", []):
                version = str(spec.get("raw", "")).partition("==")[2]
                vulns = spec.get("vulnerabilities", {})
                remediation = vulns.get("remediation") or {}
                fixed = tuple(v for v in [remediation.get("recommended")] if v)
                for vuln in vulns.get("known_vulnerabilities", []):
                    if vuln.get("ignored"):
                        continue
                    findings.append(Finding(name, version, str(vuln["id"]), fixed=fixed))
    return findings, checked


def scan(backend: Backend, packages: Sequence[Package], bin_dir: Path) -> list[Finding]:
    """Run ``backend`` from ``bin_dir`` on exactly ``packages``; return its findings."""
    with tempfile.TemporaryDirectory(prefix="releasekit-audit-") as tmp:
        return backend.scan(packages, bin_dir, Path(tmp))
