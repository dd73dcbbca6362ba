"""The layers of src/releasekit hold: the import contracts the style session checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_the_import_contracts_hold() -> None:
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 4 kept, 0 broken." in proc.stdout


def test_an_engine_module_importing_the_command_layer_breaks_them(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src/releasekit", tmp_path / "src/releasekit",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    plan = tmp_path / "src/releasekit/release/plan.py"
    plan.write_text(plan.read_text() + "\nfrom releasekit import commands  # noqa: E402\n")
    proc = _lint_imports(tmp_path)
    assert proc.returncode == 1
    assert "front ends > commands > engine > tools > model > core BROKEN" in proc.stdout
    assert "releasekit.release.plan -> releasekit.commands" in proc.stdout


def test_the_index_importing_the_release_breaks_them(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src/releasekit", tmp_path / "src/releasekit",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    listing = tmp_path / "src/releasekit/index/listing.py"
    listing.write_text(listing.read_text() + "\nfrom releasekit import publish  # noqa: E402\n")
    proc = _lint_imports(tmp_path)
    assert proc.returncode == 1
    assert "the index knows no release" in proc.stdout
    assert "releasekit.index.listing -> releasekit.publish" in proc.stdout
