"""releasekit: release automation for Python packages.

The package root stays import-light on purpose: ``import releasekit.nox`` in a
noxfile must not pull in the engine, so ``nox -l`` stays instant.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]


def __dir__() -> list[str]:
    return __all__
