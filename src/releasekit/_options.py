"""Each verb's options, declared once; argparse and invoke's tasks are made from them.

A verb's options are a frozen dataclass whose fields carry their flag, short
flag, help and type (nox ``_options.py`` declares each option once the same
way). Short flags are chosen by hand, never assigned automatically, and
``-h`` is always help. This module imports only the standard library: the
front ends read it to list their commands without loading the engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from releasekit._exceptions import UsageError

T = TypeVar("T")

#: Short flags a verb may use; anything else is a declaration bug.
_RESERVED = {"-h"}


@dataclasses.dataclass(frozen=True)
class Flag:
    """How one option is spelled and explained on the command line."""

    help: str
    short: str = ""
    metavar: str = ""
    positional: bool = False
    choices: tuple[str, ...] = ()


_UNSET: Any = object()


def option(
    default: Any = _UNSET,
    *,
    help: str,
    short: str = "",
    metavar: str = "",
    positional: bool = False,
    choices: Sequence[str] = (),
) -> Any:
    """Declare one option of a verb (a dataclass field)."""
    if short in _RESERVED:
        raise ValueError(f"{short} is reserved for help")
    meta = {"flag": Flag(help, short, metavar, positional, tuple(choices))}
    if default is _UNSET:
        if positional:  # a positional argument without a default must be given
            return dataclasses.field(metadata=meta)
        default = None
    if isinstance(default, (list, tuple)):
        value = tuple(default)
        return dataclasses.field(default_factory=lambda: value, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class Spec:
    """One option as the front ends see it."""

    name: str
    flag: Flag
    kind: str  # "bool", "str", "list", "path"
    default: Any
    required: bool

    @property
    def long(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def names(self) -> list[str]:
        return [*([self.flag.short] if self.flag.short else []), self.long]


def _kind(tp: Any) -> str:
    if tp is bool:
        return "bool"
    base = tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):  # X | None
        base = next(a for a in typing.get_args(tp) if a is not type(None))
    if typing.get_origin(base) in (tuple, list):
        return "list"
    if base is Path:
        return "path"
    return "str"


def specs(cls: type[Any]) -> Iterator[Spec]:
    """The options of a verb, in declaration order."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        flag = field.metadata.get("flag")
        if flag is None:
            continue
        if field.default is not dataclasses.MISSING:
            default: Any = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = dataclasses.MISSING
        kind = _kind(hints[field.name])
        yield Spec(field.name, flag, kind, default, default is dataclasses.MISSING)


class HelpShown(Exception):
    """argparse printed help (or a version) and wants to stop: not an error."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        msg = f"{message} (see {self.prog} --help)"
        raise UsageError(msg)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message)
        raise HelpShown(status)


def add_arguments(parser: argparse.ArgumentParser, cls: type[Any]) -> None:
    """Add the options of ``cls`` to an argparse parser."""
    for spec in specs(cls):
        kwargs: dict[str, Any] = {"help": spec.flag.help}
        if spec.flag.metavar:
            kwargs["metavar"] = spec.flag.metavar
        if spec.flag.choices:
            kwargs["choices"] = spec.flag.choices
        if spec.flag.positional:
            if spec.kind == "list":
                kwargs["nargs"] = "*"
            elif not spec.required:
                kwargs["nargs"] = "?"
                kwargs["default"] = spec.default
            parser.add_argument(spec.name, **kwargs)
            continue
        kwargs["dest"] = spec.name
        kwargs["default"] = spec.default
        if spec.kind == "bool":
            kwargs["action"] = "store_true"
        elif spec.kind == "list":
            kwargs["action"] = "append"
            kwargs["default"] = []
        elif spec.kind == "path":
            kwargs["type"] = Path
        parser.add_argument(*spec.names, **kwargs)


def parser(cls: type[Any], *, prog: str, description: str) -> argparse.ArgumentParser:
    p = Parser(prog=prog, description=description)
    add_arguments(p, cls)
    return p


def from_namespace(cls: type[T], args: argparse.Namespace) -> T:
    """Build the options object from parsed arguments."""
    values = {}
    for spec in specs(cls):
        value = getattr(args, spec.name)
        values[spec.name] = tuple(value) if spec.kind == "list" else value
    return cls(**values)


def parse(cls: type[T], argv: Sequence[str], *, prog: str, description: str) -> T | None:
    """Parse ``argv``; ``None`` when help was asked for (and printed).

    A bad argument raises :class:`UsageError` with argparse's own message.
    """
    p = parser(cls, prog=prog, description=description)
    try:
        return from_namespace(cls, p.parse_args(list(argv)))
    except HelpShown:
        return None


def from_keywords(cls: type[T], values: dict[str, Any]) -> T:
    """Build the options object from an invoke task's keyword arguments.

    invoke gives ``""`` for a string option not given and a list for a
    repeatable one; the dataclass wants ``None`` and a tuple.
    """
    converted = {}
    for spec in specs(cls):
        value = values.get(spec.name, spec.default)
        if spec.kind == "list":
            value = tuple(value or ())
        elif spec.kind in ("str", "path") and value == "" and not spec.required:
            value = spec.default
        if spec.kind == "path" and isinstance(value, str):
            value = Path(value)
        converted[spec.name] = value
    return cls(**converted)
