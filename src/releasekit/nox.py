"""nox front end: ``import releasekit.nox`` in a noxfile registers the sessions.

Only nox and the verbs' declarations (``releasekit.commands``) are imported
here; the engine is imported inside the session bodies so that ``nox -l``
stays as fast as with an empty noxfile. Sessions that need
the project's dependencies get their own environment (uv where present,
virtualenv otherwise) that is reused between runs; sessions that drive
releasekit's own tools (build, changelog, release) run in nox's environment,
where releasekit and those tools are already installed.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import nox

from releasekit import commands

VENV_BACKEND = "uv|virtualenv"

_registered: set[str] = set()

#: The sessions that take a verb's options after ``--``: the verbs that declare
#: one (``Verb.nox``). The others hand theirs to their tool (pytest, ruff, mypy,
#: sphinx-build). The reference lists them.
SESSION_VERBS = {verb.nox.name: name for name, verb in commands.VERBS.items() if verb.nox}

Session = Callable[[nox.Session], None]


def _fail(session: nox.Session, exc: Exception) -> NoReturn:
    details = getattr(exc, "details", "")
    if details:
        session.log(details)
    session.error(str(exc))


def _reported(func: Session) -> Session:
    """Turn releasekit's errors into one line and a failed session, never a traceback."""

    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        from releasekit._exceptions import Interrupted, ReleaseKitError

        try:
            func(session)
        except ReleaseKitError as exc:
            _fail(session, exc)
        except Interrupted as exc:  # nox says "interrupted" itself, without where
            from releasekit import _console

            _console.error(str(exc))
            raise KeyboardInterrupt from None

    return run


def _verb(
    session: nox.Session, name: str, *, forced: dict[str, Any] | None = None, **extra: Any
) -> Any:
    """Parse ``session.posargs`` into the verb's options and do it; ``--help`` only helps."""
    from releasekit import _options

    verb = commands.VERBS[name]
    options = _options.parse(
        verb.options,
        list(session.posargs),
        prog=f"nox -s {session.name} --",
        description=verb.summary,
    )
    if options is None:
        return None
    if forced:
        options = dataclasses.replace(options, **forced)
    return commands.run(name, Path.cwd(), options, **extra)


def _pyproject() -> dict[str, Any]:
    return commands.project(Path.cwd()).pyproject


def _requirements(group: str, fallback: Sequence[str]) -> list[str]:
    """A dependency group of the project when it has one, else ``fallback``."""
    pyproject = _pyproject()
    if group in pyproject.get("dependency-groups", {}):
        return list(nox.project.dependency_groups(pyproject, group))
    return list(fallback)


def _install(session: nox.Session, *args: str) -> None:
    """Install into the session's reused environment, unless already done for these inputs.

    The inputs are the arguments and ``pyproject.toml`` (dependencies, entry
    points and the version all live there); the project itself is installed
    editable, so source changes need no reinstall. When only the project's
    version moved (a release), the project alone is reinstalled, from its
    editable wheel, with no dependency resolved again; a session that does
    not install the project (style) installs nothing.
    """
    from releasekit.commands import checks

    if "." in args:  # a workspace member: the members it needs come from the workspace
        args = (*args, *checks.workspace_needs(Path.cwd()))
    location = getattr(session.virtualenv, "location", None)
    marker = Path(location, ".releasekit-installed") if location else None
    everything, dependencies = checks.install_digests(Path.cwd(), args)
    recorded = marker.read_text().split() if marker is not None and marker.is_file() else []
    if recorded[:1] == [everything]:
        session.log("dependencies unchanged since the last install: not reinstalled")
        return
    if recorded[1:] == [dependencies] and not _may_install_project(args):
        # Only the project's version moved, and none of this is the project.
        session.log("only the project's version changed, which this session does not install")
        if marker is not None:
            marker.write_text(f"{everything}\n{dependencies}\n")
        return
    # Compile bytecode at install time: where PYTHONDONTWRITEBYTECODE is set,
    # uv-made environments would otherwise re-parse every module on each run.
    env = {"UV_COMPILE_BYTECODE": "1"}
    if recorded[1:] == [dependencies] and args[:1] == ("-e",) and args[1].startswith("."):
        session.log("only the project's version changed: reinstalling the project alone")
        out = Path(location or ".", ".releasekit-editable")
        wheel = checks.editable_wheel(Path.cwd(), out)
        try:
            session.install("--no-deps", "--reinstall", str(wheel), env=env)
        finally:
            wheel.unlink(missing_ok=True)
    else:
        session.install(*args, env=env)
    if marker is not None:
        marker.write_text(f"{everything}\n{dependencies}\n")


def _may_install_project(args: Sequence[str]) -> bool:
    """Whether install arguments may bring the project itself (or read a file that may).

    Only plain requirements (``ruff>=0.8``) surely do not: an option
    (``-e``, ``-r``), a path or a direct reference may.
    """
    return any(a.startswith(("-", ".", "/", "~")) or "@" in a or os.sep in a for a in args)


def _passed(session: nox.Session) -> None:
    """Record that this check passed on this exact tree (for the release's preflight)."""
    if session.posargs:  # a partial run proves nothing about the whole tree
        return
    from releasekit.commands import checks

    checks.record_passed(Path.cwd(), session.name, Path(session.virtualenv.location))


def _test_requires(session: nox.Session) -> list[str]:
    """``-e .`` and the ``test_requires`` of ``[tool.releasekit]`` as install arguments."""
    from releasekit.commands import checks

    wanted = checks.test_requires(Path.cwd())  # a broken pyproject: one line, via _reported
    if not wanted:
        return ["-e", ".", *_requirements("test", ["pytest"])]
    extras = [w.removeprefix("extra:") for w in wanted if w.startswith("extra:")]
    args = ["-e", f".[{','.join(extras)}]" if extras else "."]
    for item in wanted:
        if item.startswith("group:"):
            args += nox.project.dependency_groups(_pyproject(), item.removeprefix("group:"))
        elif item.startswith("-r "):
            args += ["-r", item.removeprefix("-r ").strip()]
        elif not item.startswith("extra:"):
            args.append(item)
    return args


def tests(session: nox.Session) -> None:
    """Run the test suite with pytest."""
    _install(session, *_test_requires(session))
    session.run("pytest", *session.posargs)
    _passed(session)


def style(session: nox.Session) -> None:
    """Check style with ruff check and ruff format --check (and lint-imports when configured)."""
    layered = "importlinter" in _pyproject().get("tool", {})
    needs = _requirements("style", ["ruff"])
    if layered and not any(r.startswith("import-linter") for r in needs):
        needs.append("import-linter")
    _install(session, *needs)
    session.run("ruff", "check", *(session.posargs or ["."]))
    session.run("ruff", "format", "--check", *(session.posargs or ["."]))
    if layered:
        # The project's own import contracts ([tool.importlinter]). import-linter
        # finds the package on sys.path: the source tree, not an installed copy;
        # no cache, which would be an untracked directory in the tree.
        source = Path("src") if Path("src").is_dir() else Path()
        session.run("lint-imports", "--no-cache", env={"PYTHONPATH": str(source.resolve())})
    _passed(session)


def typecheck(session: nox.Session) -> None:
    """Check types with the project's checker: mypy, or pyright where the project uses it."""
    from releasekit import typecheckers

    project = commands.project(Path.cwd())
    chosen = typecheckers.typecheck(project.root, project.pyproject, project.settings.import_name)
    _install(
        session,
        "-e",
        ".",
        *_requirements("typecheck", [chosen.checker]),
        *_requirements("test", ["pytest"]),
    )
    session.run(chosen.checker, *(session.posargs or chosen.args))
    _passed(session)


def docs(session: nox.Session) -> None:
    """Build the Sphinx docs strictly: a warning fails the build."""
    docs_dir = commands.project(Path.cwd()).settings.docs_dir
    if not Path(docs_dir, "conf.py").is_file():
        session.skip(f"no Sphinx project in {docs_dir}/ (no conf.py)")
    _install(session, "-e", ".", *_requirements("docs", ["sphinx"]))
    out = Path(docs_dir, "_build", "html")
    session.run("sphinx-build", "-W", "--keep-going", "-q", "-b", "html", docs_dir, str(out))
    _passed(session)


def build(session: nox.Session) -> None:
    """Build the sdist and wheel into dist/ and check them."""
    if _verb(session, "build") is not None:
        commands.run("check-dists", Path.cwd(), commands.DistCheckOptions())


def audit(session: nox.Session) -> None:
    """Audit the resolved runtime dependencies for known vulnerabilities."""

    # The backend lives in this session's own environment (safety 2 needs
    # packaging<22); the engine runs it from there on the resolved list.
    def install(requirements: Sequence[str]) -> Path:
        session.install(*requirements)
        return Path(session.bin)

    _verb(session, "audit", install=install)


def changelog(session: nox.Session) -> None:
    """Show the changelog section the next release would add."""
    _verb(session, "changelog", forced={"draft": True})


def _verb_session(verb: commands.Verb) -> Session:
    """The session of a verb that needs nothing more of nox: its options after ``--``."""

    def body(session: nox.Session) -> None:
        _verb(session, verb.name)

    body.__doc__ = verb.summary  # nox lists it as the session's description
    body.__name__ = body.__qualname__ = verb.nox.name if verb.nox else verb.name
    body.verb = verb.name  # type: ignore[attr-defined]
    return body


#: The verbs' sessions that do more than their verb, by verb: the rest are made
#: by :func:`_verb_session`.
_VERB_BODIES: dict[str, Session] = {"build": build, "audit": audit, "changelog": changelog}

#: Every session, name -> (function, needs its own environment, runs under a bare
#: ``nox``): the check sessions, then the verbs' (from their declarations).
SESSIONS: dict[str, tuple[Session, bool, bool]] = {
    "tests": (tests, True, True),
    "style": (style, True, True),
    "typecheck": (typecheck, True, True),
    "docs": (docs, True, True),
    **{
        verb.nox.name: (
            _VERB_BODIES.get(name) or _verb_session(verb),
            verb.nox.own_environment,
            verb.nox.default,
        )
        for name, verb in commands.VERBS.items()
        if verb.nox
    },
}


def _in_root(func: Callable[[nox.Session], None], root: str) -> Callable[[nox.Session], None]:
    @functools.wraps(func)
    def run(session: nox.Session) -> None:
        os.chdir(root)  # nox puts the noxfile's directory back after each session
        func(session)

    return run


def register(
    *,
    only: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    root: str | os.PathLike[str] | None = None,
) -> None:
    """Register releasekit's sessions (all of them, or ``only`` these).

    Importing this module registers all of them; call this again to keep a
    subset, for instance when the noxfile defines its own ``tests``. ``root``
    runs the sessions in that project directory instead of the noxfile's (a
    noxfile kept outside the project, as ``releasekit init``'s trial runs do).
    """
    wanted = set(SESSIONS if only is None else only) - set(exclude)
    unknown = wanted - set(SESSIONS)
    if unknown:
        name = sorted(unknown)[0]
        msg = f"releasekit has no nox session {name!r} (it has: {', '.join(SESSIONS)})"
        raise ValueError(msg)
    from nox import registry

    for name in list(_registered):
        registry._REGISTRY.pop(name, None)
        _registered.discard(name)
    for name, (func, isolated, default) in SESSIONS.items():
        if name not in wanted:
            continue
        session = _reported(func)
        nox.session(
            name=name,
            python=None if isolated else False,
            venv_backend=VENV_BACKEND if isolated else "none",
            reuse_venv=True if isolated else None,
            default=default,
        )(session if root is None else _in_root(session, os.fspath(root)))
        _registered.add(name)


register()
