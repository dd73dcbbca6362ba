"""The audit's verdict: the ignore list applied, and the report it writes.

``audit_ignore`` entries of ``[tool.releasekit]`` match a finding by any of
its ids; an expired entry ignores nothing and fails the audit, an unused one
is said. The report is what the JSON file (``--json``) holds and what the
error's one line sums up.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from releasekit import config
from releasekit.audit.backends import Backend, Finding
from releasekit.audit.resolving import Package


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

    def summary(self) -> str:
        """Why the audit failed, in one line: the findings, then each expired entry."""
        parts = []
        if self.findings:
            count = len(self.findings)
            names = sorted({f"{f.package} {f.version}" for f in self.findings})
            noun = "vulnerability" if count == 1 else "vulnerabilities"
            parts.append(f"{count} known {noun} in {', '.join(names)}")
        for entry in self.expired:
            assert entry.expires is not None
            parts.append(
                f"the audit_ignore entry {entry.id} expired on {entry.expires.isoformat()}: "
                "renew it with a new date or remove it"
            )
        return "; ".join(parts)

    def write(self, path: Path) -> None:
        """Write :meth:`as_dict` as JSON to ``path`` (its directory made)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n")

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
