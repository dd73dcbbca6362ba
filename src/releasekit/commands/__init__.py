"""The command layer: one module per verb, each declaring its :class:`Verb` once.

The front ends (``releasekit.nox``, ``releasekit.tasks``, ``releasekit.cli``)
make their tables from :data:`VERBS`, parse their arguments into a verb's
options and call :func:`run`; the verb reads the project once, checks its
input, drives the engine and raises releasekit's own errors. Neither this
module nor a verb's module imports engine code at import time (a verb imports
it inside its function): a listing (``nox -l``, ``invoke --list``,
``releasekit -h``) reads the declarations without loading the tools.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.options import (
    AuditOptions,
    BumpOptions,
    ChangelogOptions,
    CheckOptions,
    Common,
    DistCheckOptions,
    FragmentOptions,
    InitOptions,
    NewOptions,
    NoOptions,
    NotesOptions,
    PublishOptions,
    ReleaseOptions,
    StatusOptions,
)

if TYPE_CHECKING:
    from releasekit.project import Project

__all__ = [
    "MODULES",
    "RELEASE_VERBS",
    "VERBS",
    "AuditOptions",
    "BumpOptions",
    "ChangelogOptions",
    "CheckOptions",
    "Common",
    "DistCheckOptions",
    "FragmentOptions",
    "InitOptions",
    "NewOptions",
    "NoOptions",
    "NotesOptions",
    "NoxSession",
    "PublishOptions",
    "ReleaseOptions",
    "StatusOptions",
    "Verb",
    "enter_root",
    "find_root",
    "not_at_a_workspace_root",
    "project",
    "run",
]


@dataclasses.dataclass(frozen=True)
class NoxSession:
    """How nox shows a verb: a session that takes the verb's options after ``--``."""

    name: str
    #: Installs into an environment of its own (reused), instead of running in nox's.
    own_environment: bool = False
    #: Runs under a bare ``nox``.
    default: bool = False


@dataclasses.dataclass(frozen=True)
class Verb:
    """One verb, declared once in its own module: what it takes, does, and where it is shown.

    The front ends' tables are made from these declarations (``cli.SUBCOMMANDS``,
    ``tasks.TASKS``, ``nox.SESSIONS``), so a verb is added in one module and one
    line of :data:`MODULES`.
    """

    name: str
    options: type[Common]
    #: ``function(root, options, **extra)``; it imports the engine when called.
    function: Callable[..., Any]
    summary: str
    #: A subcommand of the ``releasekit`` console script, under the verb's name.
    console: bool = False
    #: The invoke task's name, when invoke offers it.
    invoke: str | None = None
    #: The nox session that takes its options, when nox offers it.
    nox: NoxSession | None = None
    #: Acts on the project around the working directory (found upwards, as invoke finds tasks.py).
    in_project: bool = False


#: The verbs' modules under ``releasekit.commands``, each declaring its ``VERB``:
#: the registry, in the order the reference lists them.
MODULES = (
    "release",
    "bump",
    "version",
    "changelog",
    "fragment",
    "build",
    "check_dists",
    "clean",
    "publish",
    "audit",
    "check",
    "init",
    "new",
    "status",
    "notes",
)


def find_root(start: Path) -> Path:
    """The nearest directory upwards that holds a pyproject.toml (``start`` if none does).

    invoke finds tasks.py upwards, so a release verb run from a subdirectory
    acts on its project; the console script does the same.
    """
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return here


def enter_root() -> Path:
    """Change to the project around the working directory, as nox does to the noxfile's.

    The tools read paths relative to the working directory (bump-my-version's
    files): from a subdirectory, the plan would name them differently.
    """
    import os

    root = find_root(Path.cwd())
    os.chdir(root)
    return root


def project(root: Path, *, checked: bool = True) -> Project:
    """The project at ``root``, read once here and passed down to the engine.

    ``checked``: its configuration read and checked now (one line if broken);
    ``status`` reports a broken one as a row instead.
    """
    from releasekit.project import Project

    found = Project(root)
    return found.validated() if checked else found


def not_at_a_workspace_root(root: Path, command: str) -> None:
    """Refuse a one-project verb at a workspace root that has no changelog of its own.

    Its members each have their own [tool.towncrier]; "add [tool.towncrier]"
    would send the user the wrong way.
    """
    from releasekit import config, workspace
    from releasekit._exceptions import ConfigError

    if not workspace.is_workspace(root):
        return
    if "towncrier" in config.read_pyproject(root).get("tool", {}):
        return
    members = ", ".join(str(m.relative_to(root)) for m in workspace.member_roots(root))
    msg = f"{root} is a workspace root: run {command} in a member ({members})"
    raise ConfigError(msg)


def run(name: str, root: Path, options: Common, **extra: Any) -> Any:
    """Do one verb in the project at ``root``; errors are releasekit's own."""
    from releasekit import _console

    _console.set_verbose(options.verbose or _console.is_verbose())
    return VERBS[name].function(root, options, **extra)


def _declared(modules: tuple[str, ...]) -> dict[str, Verb]:
    """Each module's ``VERB``, by name; a module without one, or a name twice, is a bug here."""
    found: dict[str, Verb] = {}
    for name in modules:
        verb = importlib.import_module(f"{__name__}.{name}").VERB
        if not isinstance(verb, Verb) or verb.name in found:
            msg = f"releasekit.commands.{name} must declare one VERB of its own"
            raise TypeError(msg)
        found[verb.name] = verb
    return found


#: Every verb, by name, in the order of :data:`MODULES`.
VERBS: dict[str, Verb] = _declared(MODULES)

#: The verbs that act on the project around the working directory: invoke tasks
#: and ``releasekit`` subcommands of the same name, and nox sessions where a
#: session fits (release, changelog, build, audit).
RELEASE_VERBS = tuple(name for name, verb in VERBS.items() if verb.in_project)
