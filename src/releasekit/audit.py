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
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from packaging.utils import canonicalize_name

from releasekit import _console, _runner, config
from releasekit._exceptions import AuditError, CommandError, ConfigError, ToolNotFoundError

SAFETY_DB = "safety<3"
SAFETY_SCAN = "safety>=3"
PIP_AUDIT = "pip-audit>=2.7"
#: safety's exit status when it found vulnerabilities.
SAFETY_FOUND = 64
DB_FILES = ("insecure.json", "insecure_full.json")

_PINNED = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?"
    r"\s*==\s*(?P<version>[^\s;#]+)\s*(?:;.*)?"
)

NO_DATABASE = (
    "the audit has no vulnerability database: set RELEASEKIT_SAFETY_DB (or safety_db in "
    "[tool.releasekit]) to a safety 2 database directory, or SAFETY_API_KEY for safety scan, "
    'or audit_backend = "pip-audit" (with osv_url for an OSV mirror)'
)


@dataclasses.dataclass(frozen=True, order=True)
class Package:
    """One resolved dependency: what an install of the project would get."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


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


@dataclasses.dataclass(frozen=True)
class Report:
    """What one audit saw and decided."""

    backend: Backend
    packages: list[Package]
    findings: list[Finding]
    ignored: list[tuple[Finding, config.AuditIgnore]]
    expired: list[config.AuditIgnore]
    unused: list[config.AuditIgnore]
    unaudited: list[str] = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings and not self.expired

    def as_dict(self) -> dict[str, Any]:
        def ignore(entry: config.AuditIgnore) -> dict[str, Any]:
            expires = entry.expires.isoformat() if entry.expires else None
            return {"id": entry.id, "reason": entry.reason, "expires": expires}

        return {
            "passed": self.passed,
            "backend": self.backend.shown,
            "packages": [dataclasses.asdict(p) for p in self.packages],
            "unaudited": self.unaudited,
            "findings": [f.as_dict() for f in self.findings],
            "ignored": [{**f.as_dict(), "ignore": ignore(i)} for f, i in self.ignored],
            "expired_ignores": [ignore(i) for i in self.expired],
            "unused_ignores": [ignore(i) for i in self.unused],
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """The options of ``nox -s audit -- ...``."""

    backend: str | None = None
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    json: Path | None = None


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


# --- resolving ------------------------------------------------------------------


def parse_requirements(text: str) -> tuple[list[Package], list[str]]:
    """Split a resolver's output into pinned packages and lines that name no version."""
    packages: dict[str, Package] = {}
    unpinned: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"\s+#.*$", "", line)
        match = _PINNED.fullmatch(line)
        if match is None:
            unpinned.append(line)
            continue
        name = canonicalize_name(match["name"])
        packages[name] = Package(name, match["version"])
    return sorted(packages.values()), unpinned


def resolve(
    root: Path,
    *,
    python: Path | str,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
) -> tuple[list[Package], list[str]]:
    """Resolve the runtime dependencies (plus extras and groups) as an install would."""
    uv = _runner.uv()
    if uv is None:
        msg = "uv is not installed (pip install uv): the audit resolves dependencies with it"
        raise ToolNotFoundError(msg)
    args = [uv, "pip", "compile", config.PYPROJECT, "--quiet", "--no-header", "--no-annotate"]
    args += ["--python", str(python)]
    for extra in extras:
        args += ["--extra", extra]
    for group in groups:
        args += ["--group", group]
    try:
        result = _runner.run(args, cwd=root, mutates=False)
    except CommandError as exc:
        last = exc.details.strip().splitlines()[-1] if exc.details.strip() else str(exc)
        msg = (
            f"the dependencies of {root / config.PYPROJECT} do not resolve (uv pip compile): {last}"
        )
        raise AuditError(msg, details=exc.details) from None
    return parse_requirements(result.stdout)


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


def _packages(count: int) -> str:
    return f"{count} package" if count == 1 else f"{count} packages"


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


# --- the ignore list --------------------------------------------------------------


def _key(advisory: str) -> str:
    return advisory.strip().upper().removeprefix("PYUP.IO-")


def apply_ignores(
    findings: Iterable[Finding],
    ignores: Sequence[config.AuditIgnore],
    today: datetime.date,
) -> tuple[
    list[Finding],
    list[tuple[Finding, config.AuditIgnore]],
    list[config.AuditIgnore],
    list[config.AuditIgnore],
]:
    """Split findings by the ignore list: (failing, ignored, expired entries, unused entries).

    An entry matches a finding by its advisory id or any alias (a CVE matches
    the same advisory from every backend). An expired entry ignores nothing.
    """
    expired = [i for i in ignores if i.expires is not None and i.expires < today]
    active = [i for i in ignores if i not in expired]
    failing: list[Finding] = []
    ignored: list[tuple[Finding, config.AuditIgnore]] = []
    used: set[int] = set()
    for finding in findings:
        keys = {_key(i) for i in finding.ids}
        entry = next((i for i in active if _key(i.id) in keys), None)
        if entry is None:
            failing.append(finding)
        else:
            ignored.append((finding, entry))
            used.add(id(entry))
    unused = [i for i in active if id(i) not in used]
    return failing, ignored, expired, unused


# --- the whole audit -------------------------------------------------------------


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
        _write_report(options.json, report)
        _console.info(f"wrote the audit report to {options.json}")
    if not report.passed:
        raise AuditError(_summary(report))
    _console.info(
        f"no known vulnerabilities in {len(packages)} resolved "
        + ("package" if len(packages) == 1 else "packages")
        + (f" ({len(ignored)} ignored)" if ignored else "")
    )
    return report


def _summary(report: Report) -> str:
    parts = []
    if report.findings:
        count = len(report.findings)
        names = sorted({f"{f.package} {f.version}" for f in report.findings})
        noun = "vulnerability" if count == 1 else "vulnerabilities"
        parts.append(f"{count} known {noun} in {', '.join(names)}")
    for entry in report.expired:
        assert entry.expires is not None
        parts.append(
            f"the audit_ignore entry {entry.id} expired on {entry.expires.isoformat()}: "
            "renew it with a new date or remove it"
        )
    return "; ".join(parts)


def _write_report(path: Path, report: Report) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_dict(), indent=2) + "\n")


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
