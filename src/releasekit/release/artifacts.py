"""The files of one package's release: built, verified, uploaded and confirmed.

One path for a single release and for each member of a workspace train, so
that every rule about the files holds for both: built from a clean export of
the release commit, a wheel with compiled code repaired by auditwheel and
kept back unless asked for (:mod:`releasekit.wheels`), the metadata, twine,
check-wheel-contents and an install checked before anything is uploaded, a
bare ``linux_*`` wheel never uploaded, and an sdist-only release confirmed by
compiling it from the index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from releasekit import _venv, dists, publish, wheels
from releasekit._exceptions import CommandError, ReleaseError
from releasekit.index import Target, index_for
from releasekit.release.journal import refuse


def build(
    root: Path, commit: str, kept: Path, new: str, *, publish_wheels: str, fresh_env: bool = False
) -> wheels.ReleaseFiles:
    """Build ``commit`` of the project at ``root`` into ``kept``; decide what is published.

    :param kept: a directory releasekit owns (emptied first): verify checks
        these files and publish uploads exactly them.
    :param fresh_env: build in a new environment, not the kept one (``--no-cache``).
    """
    dists.clean(kept)
    built = dists.build_commit(root, commit, kept, version=new, fresh_env=fresh_env)
    return wheels.prepare(built, publish_wheels=publish_wheels)


def verify(
    files: wheels.ReleaseFiles,
    *,
    name: str,
    new: str,
    import_name: str,
    project_dir: Path,
    install: Callable[[Path], None],
) -> None:
    """Check the built files before anything is uploaded; a failure is one line.

    The metadata names ``name`` at ``new``; then :func:`check_files`.
    """
    built = files.dists
    found, built_version = dists.wheel_metadata(built.wheel)
    if Version(built_version) != Version(new):
        refuse(f"the wheel's metadata says version {built_version}, not {new}")
    if canonicalize_name(found) != canonicalize_name(name):
        refuse(f"the wheel's metadata names {found!r}, not {name!r}")
    check_files(built, import_name, project_dir, install=install, pure=files.pure)


def check_files(
    built: dists.Dists,
    import_name: str,
    project_dir: Path,
    *,
    install: Callable[[Path], None],
    pure: bool,
) -> None:
    """Verify's checks of the files; init's trial runs them too, so both judge alike.

    ``twine check --strict``, check-wheel-contents under the project's own
    configuration (read from ``project_dir``), ``install`` (given the wheel:
    installed and imported in a fresh environment) beside those, and each
    compiled module loaded when the wheel is not pure.
    """
    from releasekit import inprocess

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(dists.wheel_contents_check, built.wheel, project_dir),
            pool.submit(install, built.wheel),
        ]
        inprocess.twine_check(built.files)  # in this thread: twine prints to stdout
        for future in futures:
            future.result()
    if not pure:
        wheels.verify_compiled(built.wheel, import_name)


def install_and_import(
    wheels: list[Path],
    import_name: str,
    index: str | None,
    *,
    subject: str,
    what: str,
    refresh: bool = False,
) -> None:
    """Install the wheels (the one verified first) into a fresh environment and import it.

    :param index: resolve the dependencies from this index alone (siblings already published).
    :param subject: what failed, for the message ("the wheel").
    :param what: what it failed at, for the message.
    :param refresh: ask the index again rather than trust uv's cache of its pages.
    """
    args = [*(["--index-url", index] if index else []), *map(str, wheels)]
    with _venv.fresh() as python:
        try:
            _venv.install(python, args, refresh=refresh)
            _venv.python_c(python, f"import {import_name}")
        except CommandError as exc:
            msg = f"{subject} does not install and import {what}"
            raise ReleaseError(msg, details=exc.details) from None


def upload(
    target: Target,
    name: str,
    files: list[Path],
    recorded: dict[str, str],
    *,
    started: Callable[[], None],
    uploaded: Callable[[], None],
) -> None:
    """Upload the kept files (never a bare ``linux_*`` wheel), journaling before and after.

    :param started: called once the files passed, right before the first byte goes out.
    :param uploaded: called once one file is on the index.
    """
    wheels.refuse_bare(files)
    started()
    publish.publish(target, name, files, recorded=recorded, uploaded=uploaded)


def confirm(
    target: Target, name: str, version: str, files: Sequence[Path], *, siblings: bool
) -> None:
    """Install ``name==version`` from the index alone (an sdist-only release compiles there).

    :param siblings: its dependencies come from the index too (a train's earlier tiers).
    """
    index_for(target).confirm_install(
        name,
        version,
        build_requires=wheels.sdist_only_build_requires(files),
        with_dependencies=siblings,
    )
