"""Build environments kept between builds that ask for the same build requirements.

A PEP 517 frontend makes a new isolated environment for every build and
installs the backend into it; for a small project that is a quarter of the
build's time, and uv may ask the index each time whether a newer backend
exists. Here one environment per interpreter and set of build requirements
(``[build-system] requires``) lives in the user's cache, is made with uv,
holds only what builds asked for, and is reused, as nox reuses a session's
environment. A new one is made each day (a newer backend is then picked up)
and whenever the caller asks (``--no-cache``). Without uv, or
asked for a fresh one, build's own throwaway environment serves.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Protocol

from releasekit import _runner


class BuildEnv(Protocol):
    """build's ``IsolatedEnv`` with the ``install`` both kinds of environment have."""

    @property
    def python_executable(self) -> str: ...

    def make_extra_environ(self) -> Mapping[str, str] | None: ...

    def install(self, requirements: Collection[str]) -> None: ...


#: A day: kept environments older than two are swept away.
MAX_AGE = 24 * 3600


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/releasekit/build-envs`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "releasekit" / "build-envs"


def key(requires: Collection[str]) -> str:
    """The interpreter and the build requirements: what decides an environment's content."""
    parts = [os.path.realpath(sys.executable), sys.version, *sorted(set(requires))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class KeptEnv:
    """A kept environment, as build's ``IsolatedEnv`` protocol wants it."""

    def __init__(self, path: Path, uv: str) -> None:
        self.path, self.uv = path, uv

    @property
    def python_executable(self) -> str:
        return str(self.path / "bin" / "python")

    def make_extra_environ(self) -> Mapping[str, str] | None:
        return {"PATH": f"{self.path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}

    def install(self, requirements: Collection[str]) -> None:
        """Add what a build asks for; a no-op without the index when it is there already."""
        if not requirements:
            return
        with _locked(self.path):
            self._install(requirements)

    def _install(self, requirements: Collection[str]) -> None:
        env = _runner.child_env({"VIRTUAL_ENV": str(self.path), "PYTHONPATH": None})
        args = [self.uv, "pip", "install", "--quiet", "--compile-bytecode"]
        args += ["--python", self.python_executable]
        _runner.run([*args, *requirements], env=env, quiet=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time makes or adds to an environment (builds may share it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _sweep(root: Path, name: str, keep: Path) -> None:
    """Remove this key's environments of earlier days (none is in use two days on)."""
    for old in root.glob(f"{name}-*"):
        if old != keep and old.is_dir() and time.time() - old.stat().st_mtime > 2 * MAX_AGE:
            shutil.rmtree(old, ignore_errors=True)
            Path(f"{old}.lock").unlink(missing_ok=True)


@contextlib.contextmanager
def environment(requires: Collection[str], *, fresh: bool = False) -> Iterator[BuildEnv]:
    """An environment holding ``requires``: a kept one, or build's throwaway one.

    A kept environment is named by its key and the day it was made, so that
    one in use is never replaced under a build: the next day's is a new one.

    :param fresh: a new throwaway environment, whatever is kept.
    """
    uv = _runner.uv()
    if fresh or uv is None:
        from build.env import DefaultIsolatedEnv

        with DefaultIsolatedEnv(installer="uv" if uv else "pip") as throwaway:
            throwaway.install(requires)
            yield throwaway
        return
    root, name = cache_root(), key(requires)
    path = root / f"{name}-{time.strftime('%Y%m%d')}"
    env = KeptEnv(path, uv)
    made = path / ".releasekit-made"

    def ready() -> bool:  # made, and its interpreter still there
        return made.is_file() and Path(env.python_executable).exists()

    if not ready():
        with _locked(path):
            if not ready():  # made by nobody else meanwhile
                shutil.rmtree(path, ignore_errors=True)  # a half-made one
                _runner.run([uv, "venv", "--quiet", "--python", sys.executable, str(path)],
                            env=_runner.child_env({"VIRTUAL_ENV": None}), quiet=True)  # fmt: skip
                env._install(requires)
                made.touch()
        _sweep(root, name, path)
    yield env
