"""Distributions: build an sdist and a wheel with ``build``, check them.

The build is reproducible: given ``SOURCE_DATE_EPOCH`` (the release commit's
time) a reproducible backend such as hatchling produces byte-identical files
from one commit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.parser
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from releasekit import _console, _runner, git
from releasekit._exceptions import CommandError, DistError, ReleaseKitError

if TYPE_CHECKING:
    from releasekit._buildenv import BuildEnv


@dataclasses.dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path

    @property
    def files(self) -> list[Path]:
        return [self.sdist, self.wheel]


def clean(dist_dir: Path, *, dry_run: bool = False) -> None:
    """Empty ``dist_dir`` so that only this build's files are checked and uploaded."""
    if dry_run:
        return
    if dist_dir.exists():
        shutil.rmtree(dist_dir)


def _hook_runner(extra: dict[str, str]) -> Callable[..., None]:
    """Run build's backend hooks through releasekit's runner (logged, captured)."""

    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        env = _runner.child_env({**extra, **(extra_environ or {})})
        _runner.run(list(cmd), cwd=cwd, env=env, quiet=True)

    return run


def _extract(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(into, filter="data")
        else:  # pragma: no cover - Python before 3.10.12
            tf.extractall(into)  # our own, freshly built sdist
    return next(into.iterdir())


def export(root: Path, commit: str, into: Path) -> Path:
    """Extract the tree of ``commit`` (or a tree) into ``into``; return the project directory.

    Through ``git archive``, so that nothing the commit does not track (files
    listed in ``.git/info/exclude``, ``.env``, ``.releasekit/``, a stale
    ``build/``) can reach a built file, whatever the build backend ignores.
    """
    top = git.toplevel(root)
    tar_path = into / "export.tar"
    git.archive(top, commit, tar_path)
    tree = into / "tree"
    with tarfile.open(tar_path) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(tree, filter="data")
        else:  # pragma: no cover - Python before 3.10.12
            tf.extractall(tree)  # git's own archive of our own commit
    tar_path.unlink()
    # A project in a subdirectory (a workspace member) builds from its own directory.
    return tree / root.resolve().relative_to(top.resolve())


def build_work_tree(root: Path, dist_dir: Path) -> Dists:
    """Build the work tree as it is, from a clean export of what git would commit.

    Modified and new files are in; a file git ignores (``.gitignore`` or
    ``.git/info/exclude``, which some backends do not read) never is. The
    export has no ``.git``, so a version from git tags cannot be read there:
    such a project builds from the work tree itself.
    """
    with tempfile.TemporaryDirectory(prefix="releasekit-export-") as tmp:
        project = export(root, git.work_tree_snapshot(root), Path(tmp))
        build(project, dist_dir)
    return find(dist_dir)


def build_commit(
    root: Path, commit: str, dist_dir: Path, *, version: str = "", fresh_env: bool = False
) -> Dists:
    """Build the sdist and wheel of ``commit`` from a clean export, never the work tree.

    ``SOURCE_DATE_EPOCH`` is the commit's committer time, so anyone who runs
    this on the same commit (a fresh clone of the tag) gets the same bytes.
    The export has no ``.git``: a version taken from git tags (hatch-vcs,
    setuptools-scm) is handed over as ``version``.

    :param version: the release's version, for backends that ask git for it.
    :param fresh_env: build in a new throwaway environment, not a kept one.
    """
    epoch = git.commit_timestamp(root, commit)
    extra = {"SETUPTOOLS_SCM_PRETEND_VERSION": version} if version else {}
    with tempfile.TemporaryDirectory(prefix="releasekit-export-") as tmp:
        project = export(root, commit, Path(tmp))
        build(project, dist_dir, source_date_epoch=epoch, extra_env=extra, fresh_env=fresh_env)
    return find(dist_dir)


def build(
    root: Path,
    dist_dir: Path,
    *,
    source_date_epoch: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    dry_run: bool = False,
    fresh_env: bool = False,
) -> None:
    """Build the sdist, then the wheel from the sdist, as ``python -m build`` does.

    Through build's API, so that one isolated environment serves both builds,
    kept for the next build with the same build requirements (``_buildenv``),
    and the backend's hooks run through releasekit's runner.

    :param fresh_env: a new throwaway environment instead of the kept one.
    """
    _console.command(
        f"build --outdir {dist_dir} {root} (sdist, then the wheel from the sdist)",
        dry_run=dry_run,
    )
    if dry_run:
        return
    extra = dict(extra_env or {})
    if source_date_epoch:
        extra["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    runner = _hook_runner(extra)
    with (
        _backend_warnings(),
        _backend_errors("building the sdist and wheel failed"),
        _environment_for(root, runner, fresh=fresh_env) as env,
    ):
        sdist = _build_in(env, root, "sdist", dist_dir, runner)
        with tempfile.TemporaryDirectory(prefix="releasekit-sdist-") as tmp:
            _build_in(env, _extract(sdist, Path(tmp)), "wheel", dist_dir, runner)


def editable_wheel(root: Path, out_dir: Path) -> Path:
    """The editable wheel of the project in ``root``, built in the kept build environment.

    What ``pip install -e .`` builds (the backend's ``build_editable``), for a
    check session whose project changed only its version: installed with
    ``--no-deps``, it updates the metadata without resolving every
    dependency again. ``get_requires_for_build_editable`` (a process of its
    own) is asked only when the build fails without it.
    """
    runner = _hook_runner({})
    with (
        _backend_warnings(),
        _backend_errors("building the editable wheel failed"),
        _environment_for(root, runner) as env,
    ):
        import build as pypa_build

        builder = pypa_build.ProjectBuilder.from_isolated_env(env, root, runner=runner)
        # One hook, one process, as for the metadata: the kept environment holds
        # what this project's editable builds asked for before (hatchling's
        # ``editables``); without it the backend fails to import it, and only
        # then is it asked for and installed. This wheel is never published.
        try:
            return Path(builder.build("editable", out_dir))
        except pypa_build.BuildBackendException:
            needed = builder.get_requires_for_build("editable")
            if not needed:
                raise
            env.install(needed)
            return Path(builder.build("editable", out_dir))


def prepared_metadata(
    root: Path, out_dir: Path, *, extra_env: Mapping[str, str] | None = None,
    fresh_env: bool = False,
) -> tuple[str, str]:  # fmt: skip
    """The core metadata the backend reports for the project in ``root``, and the backend.

    PEP 517 ``prepare_metadata_for_build_wheel`` (build's fallback, a whole
    wheel, for a backend without it), in the kept build environment: what
    the release's preflight holds against PyPI's rules without a build. What
    ``get_requires_for_build_wheel`` asks for is installed only when the hook
    fails without it: each hook is a process, and the preflight waits for it.
    """
    runner = _hook_runner(dict(extra_env or {}))
    with (
        _backend_errors("reading the metadata from the build backend failed"),
        _environment_for(root, runner, fresh=fresh_env) as env,
    ):
        import build as pypa_build

        builder = pypa_build.ProjectBuilder.from_isolated_env(env, root, runner=runner)
        try:  # one hook, one process: backends rarely need more than [build-system] requires
            info = Path(builder.metadata_path(out_dir / "first"))
        except pypa_build.BuildBackendException:
            needed = builder.get_requires_for_build("wheel")
            if not needed:  # nothing was missing: the backend's own refusal
                raise
            env.install(needed)
            info = Path(builder.metadata_path(out_dir / "second"))
    from releasekit import config

    name = backend_name(config.read_pyproject(root))
    return (info / "METADATA").read_text(encoding="utf-8"), name


def backend_name(pyproject: Mapping[str, Any]) -> str:
    """The build backend's distribution, for messages: ``hatchling`` for ``hatchling.build``."""
    table = pyproject.get("build-system", {})
    backend = table.get("build-backend", "setuptools") if isinstance(table, dict) else ""
    return str(backend).split(".", 1)[0].split(":", 1)[0] or "the build backend"


@contextlib.contextmanager
def _environment_for(
    root: Path, runner: Callable[..., None], *, fresh: bool = False
) -> Iterator[BuildEnv]:
    """A build environment holding the project's ``[build-system] requires``."""
    import build as pypa_build

    from releasekit import _buildenv

    requires = pypa_build.ProjectBuilder(root, runner=runner).build_system_requires
    with _buildenv.environment(requires, fresh=fresh) as env:
        yield env


def _build_in(
    env: BuildEnv,
    srcdir: Path,
    distribution: Literal["sdist", "wheel", "editable"],
    out_dir: Path,
    runner: Callable[..., None],
) -> Path:
    """One distribution of ``srcdir``, what its backend asks for it added to ``env`` first."""
    import build as pypa_build

    builder = pypa_build.ProjectBuilder.from_isolated_env(env, srcdir, runner=runner)
    env.install(builder.get_requires_for_build(distribution))
    return Path(builder.build(distribution, out_dir))


@contextlib.contextmanager
def _backend_warnings() -> Iterator[None]:
    """The backend's warnings, once each and only at ``-v``, like the rest of its output.

    pyproject_hooks re-issues them in this process after each hook, so
    setuptools' "ext-modules is experimental" came four times per build (two
    hooks for the sdist, two for the wheel).
    """
    import warnings

    from pyproject_hooks import BuildBackendWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BuildBackendWarning)
        try:
            yield
        finally:
            seen = dict.fromkeys(
                str(w.message) for w in caught if issubclass(w.category, BuildBackendWarning)
            )
            for message in seen:
                _console.verbose(f"the build backend warns: {message}")
            for w in caught:  # anything else is not ours to hide
                if not issubclass(w.category, BuildBackendWarning):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@contextlib.contextmanager
def _backend_errors(failed: str) -> Iterator[None]:
    """build's and the backend's failures as one line; the backend's output as details."""
    import build as pypa_build

    try:
        yield
    except pypa_build.BuildBackendException as exc:
        cause = exc.exception
        details = cause.details if isinstance(cause, ReleaseKitError) else str(cause)
        raise DistError(failed, details=details) from None
    except (pypa_build.BuildException, pypa_build.FailedProcessError) as exc:
        msg = f"{failed}: {exc}"
        raise DistError(msg.splitlines()[0], details=str(exc)) from None
    except CommandError as exc:
        raise DistError(failed, details=exc.details) from None


def find(dist_dir: Path) -> Dists:
    """The one sdist and one wheel in ``dist_dir``."""
    sdists = sorted(dist_dir.glob("*.tar.gz"))
    wheels = sorted(dist_dir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        found = ", ".join(p.name for p in [*sdists, *wheels]) or "nothing"
        msg = f"expected one sdist and one wheel in {dist_dir}, found {found} (run the build first)"
        raise DistError(msg)
    return Dists(sdist=sdists[0], wheel=wheels[0])


def twine_check(dists: Dists) -> None:
    """``twine check --strict`` on both files."""
    try:
        _runner.run(
            [*_runner.tool("twine"), "check", "--strict", *map(str, dists.files)], mutates=False
        )
    except CommandError as exc:
        msg = "twine check --strict found problems in the distributions"
        raise DistError(msg, details=exc.details) from None


def wheel_contents_check(wheel: Path, project: Path | None = None) -> None:
    """check-wheel-contents on the wheel, through its own API in this process.

    Its command line cost a new interpreter and its imports (pydantic, click),
    more than the check itself, beside the wheel's install in verify. Here its
    own configuration search, checker and report run as its ``main`` does,
    and thread-safely: nothing is printed, nothing depends on the current
    directory.

    :param project: where check-wheel-contents looks for the project's own
        configuration (``[tool.check-wheel-contents]`` in pyproject.toml, or
        its sections in tox.ini and setup.cfg), as its command line run in
        that directory does; by default the current directory.
    """
    from check_wheel_contents.checker import WheelChecker
    from check_wheel_contents.config import Configuration
    from check_wheel_contents.contents import WheelContents
    from check_wheel_contents.errors import UserInputError, WheelValidationError
    from wheel_filename import InvalidFilenameError

    shown = str(wheel.resolve())
    _console.command(f"check-wheel-contents {shown}")
    found = wheel_contents_config(project if project is not None else Path.cwd())
    try:
        config = Configuration()
        if found is not None:
            config.update(found)
        checker = WheelChecker()
        checker.apply_config(config)
        report = "\n".join(f.show(shown) for f in checker.check_contents(
            WheelContents.from_wheel(Path(shown))))  # fmt: skip
    except UserInputError as exc:  # its configuration: its command line's usage error
        report = f"Error: {exc}"
    except InvalidFilenameError:
        report = f"{shown}: wheel has invalid filename"
    except WheelValidationError as exc:
        report = f"{shown}: invalid wheel: {exc}"
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # bytes no wheel has
        report = f"{shown}: invalid wheel: {type(exc).__name__}: {_first_line(exc)}"
    if _console.is_verbose():
        _console.output(report or f"{shown}: OK")
    if report:
        msg = f"check-wheel-contents found problems in {wheel.name}"
        raise DistError(msg, details=report)


def _first_line(exc: BaseException) -> str:
    return next(iter(str(exc).splitlines()), "")


def wheel_contents_config(start: Path) -> Any:
    """check-wheel-contents' configuration as its command line finds it from ``start``.

    Its ``Configuration.find_default`` from the current directory: up from
    ``start``, the first directory that holds any of its files decides (its
    first file with the section), else there is none. A file it cannot read
    (a tox.ini that is no INI file, wrong types in its section) is one line
    naming the file: asked in the preflight too, before anything changes.
    """
    import configparser

    from check_wheel_contents.config import CONFIG_FILES, Configuration
    from check_wheel_contents.errors import UserInputError

    for directory in (start, *start.resolve().parents):
        found = [directory / name for name in CONFIG_FILES if (directory / name).exists()]
        for path in found:
            try:
                config = Configuration.from_file(path)
            except UserInputError as exc:
                msg = f"check-wheel-contents' configuration is invalid: {_first_line(exc)}"
                raise DistError(msg, details=str(exc)) from None
            except (
                OSError,
                ValueError,
                configparser.Error,
            ) as exc:  # TOMLDecodeError is a ValueError
                msg = (f"check-wheel-contents cannot read {path} ({type(exc).__name__}: "
                       f"{_first_line(exc)}): fix the file, or remove it")  # fmt: skip
                raise DistError(msg) from None
            if config is not None:
                return config
        if found:
            return None
    return None


def check(dists: Dists, project: Path | None = None) -> None:
    """``twine check --strict`` on both files, check-wheel-contents on the wheel."""
    twine_check(dists)
    wheel_contents_check(dists.wheel, project)


def wheel_metadata(wheel: Path) -> tuple[str, str]:
    """The ``Name`` and ``Version`` recorded in the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        if len(names) != 1:
            msg = f"{wheel.name} has no single .dist-info/METADATA"
            raise DistError(msg)
        meta = email.parser.Parser().parsestr(zf.read(names[0]).decode("utf-8"))
    return str(meta["Name"]), str(meta["Version"])
