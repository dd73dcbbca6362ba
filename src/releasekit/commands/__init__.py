"""The command layer: one function per verb, each verb's options declared once.

The front ends (``releasekit.nox``, ``releasekit.tasks``, ``releasekit.cli``)
only parse their arguments into a verb's options and call :func:`run`; the
verb checks its input, drives the engine and raises releasekit's own errors.
This module imports no engine code: a listing (``nox -l``, ``invoke --list``)
reads the verbs' options and summaries without loading the tools.
"""

from __future__ import annotations

import dataclasses
import importlib
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
    "PublishOptions",
    "ReleaseOptions",
    "StatusOptions",
    "Verb",
    "enter_root",
    "find_root",
    "project",
    "run",
]


@dataclasses.dataclass(frozen=True)
class Verb:
    """One verb: its options, the function that does it, and its one-line summary."""

    name: str
    options: type[Common]
    target: str  # "module:function" under releasekit.commands, imported when run
    summary: str


_VERBS = (
    Verb("release", ReleaseOptions, "release:release",
         "Cut a release: check, version, changelog, commit, tag, build, verify, publish, push."),
    Verb("bump", BumpOptions, "versions:bump",
         "Bump the version in every configured file (bump-my-version)."),
    Verb("version", NoOptions, "versions:show",
         "Show the current version and the next one for each part and for the fragments."),
    Verb("changelog", ChangelogOptions, "changes:changelog_",
         "Build the changelog section from the fragments (towncrier build)."),
    Verb("fragment", FragmentOptions, "changes:fragment",
         "Add a changelog fragment (towncrier create)."),
    Verb("build", NoOptions, "dists:build", "Build a fresh sdist and wheel into dist/."),
    Verb("check-dists", DistCheckOptions, "dists:check",
         "Check dist/ with twine check --strict and check-wheel-contents; --audit audits too."),
    Verb("clean", NoOptions, "dists:clean", "Remove build output: dist/ and build/."),
    Verb("publish", PublishOptions, "dists:publish",
         "Upload dist/ with twine, skipping files the index already has (same sha256)."),
    Verb("audit", AuditOptions, "audit:audit",
         "Audit the resolved runtime dependencies for known vulnerabilities."),
    Verb("check", CheckOptions, "repository:check",
         "Validate a repository's release configuration."),
    Verb("init", InitOptions, "repository:init",
         "Adopt releasekit in an existing repository."),
    Verb("new", NewOptions, "repository:new",
         "Stamp a new repository from the python-package template."),
    Verb("status", StatusOptions, "repository:status",
         "Show where each repository stands: version, last tag, fragments, next version."),
    Verb("notes", NotesOptions, "changes:notes",
         "Print the changelog section of one version (default: the latest)."),
)  # fmt: skip

VERBS: dict[str, Verb] = {verb.name: verb for verb in _VERBS}

#: The release verbs: invoke tasks and ``releasekit`` subcommands of the same
#: name, and nox sessions where a session fits (release, changelog, build, audit).
RELEASE_VERBS = ("release", "bump", "version", "changelog", "fragment", "build", "publish", "audit")


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


def project(root: Path) -> Project:
    """The project at ``root``, its configuration read and checked (one line if broken)."""
    from releasekit.project import Project

    return Project(root).validated()


def run(name: str, root: Path, options: Common, **extra: Any) -> Any:
    """Do one verb in the project at ``root``; errors are releasekit's own."""
    from releasekit import _console

    _console.set_verbose(options.verbose or _console.is_verbose())
    module_name, _, function = VERBS[name].target.partition(":")
    module = importlib.import_module(f"releasekit.commands.{module_name}")
    return getattr(module, function)(root, options, **extra)
