from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

# What the engine needs but a listing does not (nox itself imports packaging).
HEAVY = (
    "releasekit.audit",
    "releasekit.config",
    "releasekit.versions",
    "releasekit.changelog",
    "releasekit.dists",
    "releasekit._runner",
    "rich",
    "towncrier",
    "twine",
    "cookiecutter",
)


@pytest.fixture
def nox_registry() -> Iterator[dict[str, object]]:
    from nox import registry

    saved = dict(registry._REGISTRY)
    registry._REGISTRY.clear()
    yield registry._REGISTRY  # type: ignore[misc]
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


def test_nox_sessions_are_registered_with_descriptions(nox_registry: dict[str, object]) -> None:
    from nox import registry

    import releasekit.nox as rk_nox

    rk_nox.register()
    sessions = registry.get()
    assert {"tests", "style", "typecheck", "docs", "build", "changelog"} <= set(sessions)
    for name, func in sessions.items():
        doc = (func.__doc__ or "").strip()
        assert doc and "\n" not in doc, f"{name} needs a one-line description"
    assert sessions["changelog"].default is False
    # The audit needs a database to be configured: never under a bare `nox`.
    assert sessions["audit"].default is False
    assert sessions["audit"].venv_backend == "uv|virtualenv"
    assert sessions["tests"].default is True
    assert sessions["tests"].venv_backend == "uv|virtualenv"
    assert sessions["build"].venv_backend == "none"


def test_register_only_a_subset_replaces_the_earlier_registration(
    nox_registry: dict[str, object],
) -> None:
    from nox import registry

    import releasekit.nox as rk_nox

    rk_nox.register()
    rk_nox.register(only=["build"])
    assert [n for n in registry.get() if n in rk_nox.SESSIONS] == ["build"]
    with pytest.raises(ValueError, match="no nox session 'banana'"):
        rk_nox.register(only=["banana"])


def test_invoke_namespace_has_the_tasks() -> None:
    from releasekit.tasks import namespace

    names = set(namespace.task_names)
    assert {"bump", "fragment", "changelog", "version", "build", "check", "clean"} <= names
    for name in names:
        assert namespace[name].help is not None or namespace[name].__doc__


@pytest.mark.parametrize("module", ["releasekit.nox", "releasekit.tasks", "releasekit.cli"])
def test_front_ends_import_lazily(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"importing {module} pulled in {out}"


def _sample_argv(verb: str) -> list[str]:
    """Every option of ``verb`` given once, with a value of its kind."""
    from releasekit import _options, commands

    argv: list[str] = []
    for spec in _options.specs(commands.VERBS[verb].options):
        value = spec.flag.choices[-1] if spec.flag.choices else f"{spec.name}-value"
        if spec.flag.positional:
            argv.append(value)
        elif spec.kind == "bool":
            argv.append(spec.long)
        else:
            argv += [spec.long, value]
    return argv


@pytest.mark.parametrize("verb", ["release", "bump", "version", "changelog", "fragment",
                                  "build", "publish", "audit"])  # fmt: skip
def test_every_release_verb_means_the_same_in_every_front_end(
    verb: str, nox_registry: dict[str, object]
) -> None:
    """One declaration: the console script, the invoke task and the nox session parse alike."""
    from invoke.parser import Parser

    import releasekit.nox as rk_nox
    from releasekit import _options, cli, commands
    from releasekit.tasks import namespace

    assert verb in commands.RELEASE_VERBS
    declared = commands.VERBS[verb].options
    argv = _sample_argv(verb)

    args = cli.parser().parse_args([verb, *argv])
    from_cli = _options.from_namespace(declared, args)
    assert args.command == verb

    contexts = namespace.to_contexts()
    [parsed] = Parser(contexts=contexts).parse_argv([verb, *argv])
    assert parsed.name == verb
    from_invoke = _options.from_keywords(declared, parsed.as_kwargs)

    assert from_cli == from_invoke
    for spec in _options.specs(declared):  # every option arrived, not its default twice
        assert getattr(from_cli, spec.name) not in (spec.default, None, ()), spec.name
    if verb in rk_nox.SESSIONS:  # a session of the same name parses its posargs alike
        from_nox = _options.parse(declared, argv, prog="nox", description="")
        assert from_nox == from_cli


def test_an_unknown_command_names_the_nearest_one(capsys: pytest.CaptureFixture[str]) -> None:
    from releasekit import cli

    assert cli.main(["relase", "--dry-run"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ERROR releasekit has no command 'relase' (did you mean 'release'?)")
    assert len(err.splitlines()) == 1
    assert cli.main(["tests"]) == 1
    assert "it is a nox session, run nox -s tests" in capsys.readouterr().err
