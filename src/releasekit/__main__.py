"""Allow ``python -m releasekit``."""

from __future__ import annotations

import sys

from releasekit.cli import main

if __name__ == "__main__":
    sys.exit(main())
