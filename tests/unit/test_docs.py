"""The generated reference (releasekit._docs) follows the declarations it is made from."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
from pathlib import Path

import pytest

from releasekit import _docs, _options, commands, config
from releasekit.options import Common

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SRC = Path(_docs.__file__).parent


@dataclasses.dataclass(frozen=True, kw_only=True)
class Shipping(Common):
    speed: str | None = _options.option(help="how fast it goes", metavar="SPEED")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShippingPlus(Shipping):
    fragile: bool = _options.option(False, short="-F", help="handle with care")


def _ship(root: Path, options: Common) -> None:
    """A verb's function, for declarations made in these tests."""


def _text(lines: list[str]) -> str:
    return "\n".join(lines)


def test_an_option_added_to_a_declaration_appears_and_a_removed_one_goes() -> None:
    offered = {"nox": {}, "invoke": {"ship": "ship"}, "console": {}}
    before = _text(
        _docs.verbs({"ship": commands.Verb("ship", Shipping, _ship, "Ship it.")}, offered)
    )
    after = _text(
        _docs.verbs({"ship": commands.Verb("ship", ShippingPlus, _ship, "Ship it.")}, offered)
    )
    assert "--speed SPEED" in before and "--speed SPEED" in after
    assert "--fragile" not in before
    assert "``-F, --fragile``" in after and "handle with care" in after
    assert "``invoke ship [OPTIONS]``" in after


def test_a_verb_shows_each_front_end_that_offers_it() -> None:
    table = {"ship": commands.Verb("ship", Shipping, _ship, "Ship it.")}
    text = _text(_docs.verbs(table, {"nox": {"dispatch": "ship"}, "console": {"ship": "ship"}}))
    assert "``nox -s dispatch -- [OPTIONS]``" in text
    assert "``releasekit ship [OPTIONS]``" in text
    assert "invoke ship" not in text


def test_the_console_verbs_are_the_commands_its_help_lists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from releasekit import cli

    assert cli.main(["--help"]) == 0
    listed = re.findall(r"^    (\S+)(?: +\S|$)", capsys.readouterr().out, flags=re.M)
    console = _docs.console_verbs()
    assert sorted(console) == sorted(listed)
    assert console["status"] == "status" and console["check"] == "check"


def test_every_real_option_is_spelled_as_its_front_ends_take_it() -> None:
    """Each flag argparse and invoke really accept appears in the generated reference."""
    from releasekit.tasks import TASKS, namespace

    text = _text(_docs.verbs())
    for name, verb in commands.VERBS.items():
        parser = _options.parser(verb.options, prog=name, description="")
        for action in parser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in text, (name, flag)
    for task_name in TASKS:
        for argument in namespace[task_name].get_arguments():
            spelled = [("--" if len(n) > 1 else "-") + n.replace("_", "-") for n in argument.names]
            if argument.positional:
                continue
            for flag in spelled:
                assert f"{flag}" in text, (task_name, flag)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SmallSettings:
    #: Where the parcels go.
    depot: str = "north"
    #: Whether to ring the bell,
    #: twice.
    ring: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class BiggerSettings(SmallSettings):
    #: How many parcels fit.
    capacity: int = 12


def _keys(cls: type) -> dict[str, dataclasses.Field[object]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def test_a_key_added_to_the_settings_appears_with_type_default_and_meaning() -> None:
    before = _text(_docs.config_keys(SmallSettings, _keys(SmallSettings)))
    after = _text(_docs.config_keys(BiggerSettings, _keys(BiggerSettings)))
    assert "``depot``" in before and "Where the parcels go." in before
    assert "Whether to ring the bell, twice." in before
    assert "capacity" not in before
    assert "``capacity``" in after and "an integer" in after and "``12``" in after
    variables = _text(_docs.environment(BiggerSettings, _keys(BiggerSettings), others={}))
    assert "RELEASEKIT_CAPACITY" in variables and "RELEASEKIT_DEPOT" in variables


@dataclasses.dataclass(frozen=True, kw_only=True)
class Undescribed:
    #: Described.
    one: str = ""
    two: str = ""


def test_a_key_without_a_description_fails_the_build() -> None:
    with pytest.raises(ValueError, match=r"two has no description: add a #: comment"):
        _docs.config_keys(Undescribed, _keys(Undescribed))


@pytest.mark.parametrize("key", list(config.keys()))
def test_each_default_is_shown_as_valid_toml_of_its_value(key: str) -> None:
    field = config.keys()[key]
    default = field.default_factory() if callable(field.default_factory) else field.default
    if default is None:  # no default: the key decides when it is given
        assert _docs._default_cell(default) == "unset"
        return
    assert tomllib.loads(f"v = {_docs.toml_value(default)}")["v"] == default


def _environ_reads(tree: ast.AST) -> set[str]:
    """Names read with ``os.environ.get("X")``, ``os.environ["X"]`` or ``"X" in os.environ``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.environ.get":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.ops[0], ast.In)
            and ast.unparse(node.comparators[0]) == "os.environ"
            and isinstance(node.left, ast.Constant)
        ):
            found.add(str(node.left.value))
    return found


def test_the_scan_finds_each_way_of_reading_a_variable() -> None:
    tree = ast.parse(
        'os.environ.get("A")\nos.environ["B"]\nif "C" in os.environ: pass\nos.getcwd("D")\n'
    )
    assert _environ_reads(tree) == {"A", "B", "C"}


def test_every_variable_the_code_reads_is_documented() -> None:
    text = _text(_docs.environment())
    read = set().union(*(_environ_reads(ast.parse(p.read_text())) for p in SRC.rglob("*.py")))
    assert read, "the scan found no variable at all"
    missing = sorted(name for name in read if f"``{name}``" not in text)
    assert not missing, f"releasekit reads {missing}: add them to _docs.ENVIRONMENT"


def test_the_sessions_that_take_a_verb_call_that_verb() -> None:
    import releasekit.nox as rk_nox

    for session, verb in rk_nox.SESSION_VERBS.items():
        body = rk_nox.SESSIONS[session][0]
        made_for = getattr(body, "verb", None)  # a session made from the declaration
        assert made_for == verb or f'_verb(session, "{verb}"' in inspect.getsource(body), session
    others = set(rk_nox.SESSIONS) - set(rk_nox.SESSION_VERBS)
    for session in others:
        body = rk_nox.SESSIONS[session][0]
        assert "_verb(" not in inspect.getsource(body), session
        assert not hasattr(body, "verb"), session


def test_messages_are_read_where_they_are_raised(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        "def f(path):\n"
        '    msg = f"no {path}: create it"\n'
        "    raise ConfigError(msg)\n"
        "def g():\n"
        '    raise GitError("detached HEAD: check out a branch" + hint())\n'
        "def h():\n"
        "    raise ValueError('not ours')\n"
    )
    found = _docs.messages(package, ["ConfigError", "GitError"])
    assert found == {
        "ConfigError": [("pkg.mod", "no {path}: create it")],
        "GitError": [("pkg.mod", "detached HEAD: check out a branch")],
    }


def test_every_error_class_is_in_the_catalogue() -> None:
    from releasekit import _exceptions

    text = _text(_docs.errors())
    for name, obj in vars(_exceptions).items():
        if isinstance(obj, type) and issubclass(obj, _exceptions.ReleaseKitError):
            assert f"{name}\n{'-' * len(name)}\n" in text, name


def test_the_picture_names_every_step_in_order() -> None:
    from releasekit.release.steps import STEPS

    text = _text(_docs.steps())
    picture = text[text.index("::\n\n") + 4 : text.index(".. list-table::")].splitlines()
    names = [name for name, _ in _docs.BEFORE_STEPS] + [step.name for step in STEPS]
    rows = [
        re.match(r"\s*(\d+)  (.+?) *(-\.|-'| \||--)(.*)", line) for line in picture if line.strip()
    ]
    assert [row.group(2) for row in rows if row] == names
    assert [int(row.group(1)) for row in rows if row] == list(range(1, len(names) + 1))
    # The label of the public steps' bracket says how to go on.
    public = [row for row in rows if row and row.group(2) in ("publish", "push")]
    assert any("--resume" in row.group(4) for row in public)
