"""``check-dists``: the files in dist/, as an index would check them (and the audit)."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import DistCheckOptions, Verb


def check(root: Path, options: DistCheckOptions) -> None:
    from releasekit import dists
    from releasekit.commands import audit

    if not options.audit_only:
        built = dists.find(root / "dist")
        dists.check(built, root)
        print(f"{built.sdist.name} and {built.wheel.name} passed")
    if options.audit or options.audit_only:
        audit.in_session(root)


VERB = Verb(
    "check-dists",
    DistCheckOptions,
    check,
    "Check dist/ with twine check --strict and check-wheel-contents; --audit audits too.",
    invoke="check",
)
