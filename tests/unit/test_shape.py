"""The code's shape stays what issue 23 made it: small modules, private names kept private.

The layers and the circles are import-linter's contracts (``test_layers.py``);
these two rules are ones it cannot state.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
#: The longest a module may grow: past it, split it along its concerns.
MAX_LINES = 600


def _modules(src: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((src / "releasekit").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(src: Path) -> list[str]:
    """Every private name one of our modules takes from another: ``file:line: what``."""
    modules = _modules(src)
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("releasekit"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in modules:
                        aliases[alias.asname or alias.name] = full
                    elif _is_private(alias.name):
                        found.append(f"{path.name}:{node.lineno}: {alias.name} from {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("releasekit") and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                owner = ast.unparse(node.value)
                module = aliases.get(owner, owner if owner in modules else name)
                if module != name:
                    found.append(f"{path.name}:{node.lineno}: {owner}.{node.attr}")
    return found


def test_no_module_is_over_the_limit() -> None:
    long = {
        n: lines
        for n, p in _modules(SRC).items()
        if (lines := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_private_name_is_used_across_modules() -> None:
    assert private_uses(SRC) == []


@pytest.mark.parametrize(
    "line",
    [
        "from releasekit.git import _run",
        "from releasekit import git\ngit._run",
        "import releasekit.git\nreleasekit.git._x",
    ],
)
def test_a_private_name_taken_from_another_module_is_found(tmp_path: Path, line: str) -> None:
    package = tmp_path / "releasekit"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "git.py").write_text("def _run() -> None: ...\n")
    (package / "user.py").write_text(line + "\n")
    assert len(private_uses(tmp_path)) == 1
    (package / "user.py").write_text("from releasekit import git\ngit.run\n_own = 1\nprint(_own)\n")
    assert private_uses(tmp_path) == []
