"""releasekit's own tasks: exactly the ones it gives every project."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

from releasekit.tasks import namespace

ns = namespace
