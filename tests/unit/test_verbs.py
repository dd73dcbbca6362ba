"""Every verb is declared once, in its own module, and the front ends' tables come from there."""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from releasekit import commands
from releasekit.options import Common

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", commands.MODULES)
def test_every_verb_resolves(module: str) -> None:
    """Its module declares it; its function takes ``(root, options)``; its options are Common."""
    verb = importlib.import_module(f"releasekit.commands.{module}").VERB
    assert commands.VERBS[verb.name] is verb
    assert module == verb.name.replace("-", "_")  # one module per verb, named after it
    assert issubclass(verb.options, Common)
    assert callable(verb.function)
    assert verb.function.__module__ == f"releasekit.commands.{module}"
    parameters = list(inspect.signature(verb.function).parameters)
    assert parameters[:2] == ["root", "options"], parameters
    assert verb.summary.endswith(".") and "\n" not in verb.summary
    assert verb.console or verb.invoke or verb.nox, f"no front end shows {verb.name}"


def test_every_front_end_names_only_declared_verbs() -> None:
    import releasekit.nox as rk_nox
    from releasekit import _docs, cli, tasks

    declared = set(commands.VERBS)
    assert len(commands.VERBS) == len(commands.MODULES)
    assert set(cli.SUBCOMMANDS) <= declared
    assert set(tasks.TASKS.values()) <= declared
    assert set(rk_nox.SESSION_VERBS.values()) <= declared
    assert set(commands.RELEASE_VERBS) <= declared
    for offered in _docs.front_ends().values():
        assert set(offered.values()) <= declared
    # And each table is exactly what the declarations ask for.
    assert list(cli.SUBCOMMANDS) == [n for n, v in commands.VERBS.items() if v.console]
    assert {v.invoke: n for n, v in commands.VERBS.items() if v.invoke} == tasks.TASKS
    assert {v.nox.name: n for n, v in commands.VERBS.items() if v.nox} == rk_nox.SESSION_VERBS
    assert set(tasks.namespace.task_names) == set(tasks.TASKS)


SHIP = '''
"""``ship``: a verb added by a test, as a contributor would add one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from releasekit._options import option
from releasekit.commands import Common, NoxSession, Verb


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipOptions(Common):
    speed: str | None = option(help="how fast it goes", metavar="SPEED")


def ship(root: Path, options: ShipOptions) -> None:
    print(f"shipped {options.speed}")


VERB = Verb("ship", ShipOptions, ship, "Ship it.", console=True, invoke="dispatch",
            nox=NoxSession("ship"))
'''

STOW = '''
"""``stow``: a verb that asks for invoke only."""

from pathlib import Path

from releasekit.commands import NoOptions, Verb


def stow(root: Path, options: NoOptions) -> None:
    print("stowed")


VERB = Verb("stow", NoOptions, stow, "Stow it.", invoke="stow")
'''

CHECK = """
import sys

from invoke.context import Context
from nox import registry

import releasekit.nox as rk_nox
from releasekit import _docs, cli, commands, tasks

heavy = [m for m in ("releasekit.config", "releasekit.changelog", "rich") if m in sys.modules]
assert not heavy, heavy  # the new verb's module imports no engine either
assert "ship" in cli.SUBCOMMANDS and "stow" not in cli.SUBCOMMANDS
assert tasks.TASKS["dispatch"] == "ship" and tasks.TASKS["stow"] == "stow"
assert rk_nox.SESSION_VERBS["ship"] == "ship" and "stow" not in rk_nox.SESSION_VERBS
assert "ship" in registry.get() and registry.get()["ship"].__doc__ == "Ship it."
assert "stow" not in registry.get()
assert _docs.front_ends()["console"]["ship"] == "ship"
assert cli.main(["ship", "--speed", "fast"]) == 0
tasks.namespace["dispatch"](Context(), speed="slow")
tasks.namespace["stow"](Context())
assert cli.main(["stow"]) == 1  # not a console command: one line, the nearest one
"""


def test_a_new_verb_is_one_module_and_one_line_and_shows_where_it_asks(tmp_path: Path) -> None:
    source = tmp_path / "src/releasekit"
    shutil.copytree(ROOT / "src/releasekit", source,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (source / "commands/ship.py").write_text(SHIP)
    (source / "commands/stow.py").write_text(STOW)
    registry = source / "commands/__init__.py"
    text = registry.read_text()
    assert text.count('    "notes",\n') == 1
    registry.write_text(text.replace('    "notes",\n', '    "notes",\n    "ship",\n    "stow",\n'))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(CHECK)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["shipped fast", "shipped slow", "stowed"]
    assert "releasekit has no command 'stow'" in proc.stderr
