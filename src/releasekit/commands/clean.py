"""``clean``: the build output removed."""

from __future__ import annotations

import shutil
from pathlib import Path

from releasekit.commands import NoOptions, Verb


def clean(root: Path, options: NoOptions) -> None:
    for name in ("dist", "build"):
        if (root / name).exists():
            shutil.rmtree(root / name)
            print(f"removed {name}/")


VERB = Verb("clean", NoOptions, clean, "Remove build output: dist/ and build/.", invoke="clean")
