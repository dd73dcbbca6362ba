"""Throwaway environments for checking that a release installs.

uv makes them in well under a second where it is present; the standard
library's venv and pip are the fallback.
"""

from __future__ import annotations

import email.parser
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from releasekit import _runner


@contextmanager
def fresh() -> Iterator[Path]:
    """Yield the python of a new, empty virtual environment; remove it after."""
    with tempfile.TemporaryDirectory(prefix="releasekit-env-") as tmp:
        env = Path(tmp) / "env"
        uv = _runner.uv()
        if uv:
            _runner.run([uv, "venv", "--quiet", "--python", sys.executable, str(env)], quiet=True)
        else:
            _runner.run([sys.executable, "-m", "venv", str(env)], quiet=True)
        yield env / "bin" / "python"


def install(
    python: Path,
    args: Sequence[str],
    *,
    refresh: bool = False,
    timeout: float | None = None,
    host: str = "",
    env: Mapping[str, str] | None = None,
) -> None:
    """Install into the environment of ``python`` (pip arguments).

    :param refresh: ask the index again instead of trusting cached pages, for
        confirming what an index holds right after an upload.
    :param timeout: a total deadline for an install from ``host``.
    :param env: variables added to the installer's environment.
    """
    uv = _runner.uv()
    if uv:
        extra = ["--refresh"] if refresh else []
        argv = [uv, "pip", "install", "--quiet", *extra, "--python", str(python), *args]
    else:
        extra = ["--no-cache-dir"] if refresh else []
        argv = [str(python), "-m", "pip", "install", "--quiet", *extra, *args]
    _runner.run(argv, timeout=timeout, host=host, env=_runner.child_env(env))


def python_c(python: Path, code: str) -> str:
    """Run ``code`` in the environment, from its own directory.

    Never from the project: ``python -c`` puts the current directory first on
    ``sys.path``, so the project's sources (or a stale ``*.egg-info``) would be
    imported instead of what was installed.
    """
    return _runner.run([str(python), "-c", code], cwd=python.parent, mutates=False).stdout.strip()


def installed_version(python: Path, name: str) -> str | None:
    """The version of ``name`` installed in the fresh environment of ``python``, else None.

    What ``importlib.metadata.version(name)`` answers there, read from the
    files instead of from a new interpreter: a fresh environment's
    distributions are the ``*.dist-info`` directories of its site-packages
    (made by :func:`fresh` for this interpreter, without the system's).
    """
    wanted = _normalized(name)
    env = python.parent.parent
    for site in [*sorted(env.glob("lib*/python*/site-packages")), env / "Lib" / "site-packages"]:
        for info in sorted(site.glob("*.dist-info")):
            # importlib.metadata's own reading of the name: up to the first "-".
            if _normalized(info.name.partition("-")[0]) != wanted or not info.is_dir():
                continue
            metadata = info / "METADATA"
            if metadata.is_file():
                text = metadata.read_text(encoding="utf-8", errors="replace")
                version = email.parser.Parser().parsestr(text, headersonly=True)["Version"]
                if version:
                    return str(version)
    return None


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()
