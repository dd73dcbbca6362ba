"""``audit``: the resolved dependencies against a vulnerability database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from releasekit.commands import AuditOptions, NoxSession, Verb, project

#: Installs requirements into the environment the backend runs from; returns its bin dir.
Installer = Callable[[Sequence[str]], Path]


def audit(root: Path, options: AuditOptions, *, install: Installer | None = None) -> None:
    """Choose the backend, let the front end install it (or a fresh environment), then audit."""
    if install is None:
        with throwaway() as fresh:
            audit(root, options, install=fresh)
        return
    from releasekit import audit as engine

    read = project(root)
    backend = engine.choose_backend(read.settings, options.backend)
    bin_dir = install(backend.requirements)
    engine.audit(
        read.root,
        read.settings,
        backend,
        engine.Options(
            backend=options.backend, extras=options.extra, groups=options.group, json=options.json
        ),
        bin_dir=bin_dir,
    )


VERB = Verb(
    "audit",
    AuditOptions,
    audit,
    "Audit the resolved runtime dependencies for known vulnerabilities.",
    console=True,
    invoke="audit",
    # Its backend needs an environment of its own; never under a bare `nox`:
    # it needs a vulnerability database to be configured.
    nox=NoxSession("audit", own_environment=True),
    in_project=True,
)


@contextmanager
def throwaway() -> Iterator[Installer]:
    """An installer into a fresh environment, removed afterwards.

    For the front ends that have no environment of their own to give the
    backend (invoke, the console script); nox gives its session's.
    """
    from releasekit import _venv

    with _venv.fresh() as python:

        def install(requirements: Sequence[str]) -> Path:
            _venv.install(python, list(requirements))
            return python.parent

        yield install


def in_session(root: Path, args: Sequence[str] = ()) -> None:
    """Run ``nox -s audit`` in ``root`` (the backends need an environment of their own)."""
    from releasekit import audit as engine

    engine.run_session(root, args)
    print("the audit found no known vulnerabilities")
