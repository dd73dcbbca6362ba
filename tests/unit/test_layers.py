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
    assert "Contracts: 5 kept, 0 broken." in proc.stdout


def _copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on a copy of the package where ``module`` (a path under it) has ``line``."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src/releasekit", tmp_path / "src/releasekit",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    path = tmp_path / "src/releasekit" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa: E402\n")
    return _lint_imports(tmp_path)


def test_an_engine_module_importing_the_command_layer_breaks_them(tmp_path: Path) -> None:
    proc = _copy_with(tmp_path, "release/plan.py", "from releasekit import commands")
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


def test_an_engine_module_taking_the_front_doors_options_breaks_them(tmp_path: Path) -> None:
    proc = _copy_with(tmp_path, "release/steps.py", "from releasekit import options")
    assert proc.returncode == 1
    assert "takes its own Request, not the front door's options BROKEN" in proc.stdout
    assert "releasekit.release.steps -> releasekit.options" in proc.stdout
