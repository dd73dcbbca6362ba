"""Shape the stamped repository by its kind (cookiecutter runs this after rendering).

Files that only one kind has live under ``_kinds/<kind>/`` in the template, at
the path they take in the repository: the chosen kind's files are moved into
place (replacing the pure kind's file of the same path), the rest is removed.
"""

import shutil
from pathlib import Path

KIND = "{{ cookiecutter.kind }}"
KINDS = ("pure", "extension")

root = Path.cwd()
kinds = root / "_kinds"
if KIND not in KINDS:
    raise SystemExit(f"kind must be one of {', '.join(KINDS)}, not {KIND!r}")
chosen = kinds / KIND
if chosen.is_dir():
    for path in sorted(chosen.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(chosen)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), str(target))
shutil.rmtree(kinds)
