"""releasekit's own sessions: exactly the ones it gives every project.

This repository releases itself with them (``nox -s release``). The engine is
imported from ``src/`` so that the sessions are always this checkout's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

import releasekit.nox  # noqa: F401  (registers the sessions)
