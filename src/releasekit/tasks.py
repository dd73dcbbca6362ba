"""invoke front end: ``from releasekit.tasks import namespace`` in a tasks.py.

Each task is made from its verb's options (``releasekit.commands``): the same
flags, help and short flags as the nox session and the console script. invoke
would give every flag an automatic short flag (``-h`` for ``--no-checks``
once published a release when help was asked for); here short flags are only
the ones a verb declares, so ``-h`` is always help. Only invoke is imported
here; a task imports the engine when it runs, so ``invoke --list`` stays as
fast as with an empty tasks.py.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.parser.argument import Argument
from invoke.tasks import Task

from releasekit import _options, commands

#: task name -> verb name: the verbs that declare an invoke task (``Verb.invoke``).
TASKS = {verb.invoke: name for name, verb in commands.VERBS.items() if verb.invoke}


def _call(verb: str, values: dict[str, Any]) -> None:
    """Do one verb; releasekit's errors become one line and exit status 1."""
    from releasekit._exceptions import ReleaseKitError

    options = _options.from_keywords(commands.VERBS[verb].options, values)
    try:
        commands.run(verb, commands.enter_root(), options)
    except ReleaseKitError as exc:
        if exc.details:
            print(exc.details)
        raise Exit(f"ERROR {exc}", code=1) from None
    except KeyboardInterrupt as exc:  # an Interrupted says where; a bare one does not
        from releasekit._exceptions import Interrupted

        line = str(exc) if isinstance(exc, Interrupted) else "interrupted"
        raise Exit(f"ERROR {line}", code=130) from None


HELP = ("-h", "--help")


class _Positional(Argument):
    """A required positional argument that takes ``-h``/``--help`` as a request for help.

    invoke's parser fills a missing positional before it looks for its own
    ``--help`` (pyinvoke/invoke#982), so ``invoke fragment -h`` would stop at
    "did not receive required positional arguments". The value arrives here
    first: print the task's help and stop before any task runs, as invoke's
    own ``--help`` does.
    """

    def __init__(self, show_help: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._show_help = show_help  # a function: the parser's deepcopy shares it

    def set_value(self, value: Any, cast: bool = True) -> None:
        if value in HELP:
            self._show_help()
            raise Exit(code=0)
        super().set_value(value, cast)


class _VerbTask(Task[Any]):
    """A task whose flags are its verb's, short flags included and nothing more."""

    def __init__(self, name: str, verb: str) -> None:
        spec_list = list(_options.specs(commands.VERBS[verb].options))
        self._shorts = {s.name: s.flag.short.lstrip("-") for s in spec_list if s.flag.short}

        def body(c: Context, **values: Any) -> None:
            _call(verb, values)

        params = [inspect.Parameter("c", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        for spec in spec_list:
            if spec.required:
                default: Any = inspect.Parameter.empty
            elif spec.kind == "bool":
                default = bool(spec.default)
            elif spec.kind == "list":
                default = None
            else:
                default = "" if spec.default is None else str(spec.default)
            params.append(
                inspect.Parameter(
                    spec.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default
                )
            )
        # Required (positional) arguments first: a signature wants them before defaults.
        params[1:] = sorted(params[1:], key=lambda p: p.default is not inspect.Parameter.empty)
        body.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        body.__doc__ = commands.VERBS[verb].summary
        body.__name__ = name
        super().__init__(
            body,
            name=name,
            auto_shortflags=False,
            # invoke has no variadic positionals: a list is a repeatable flag there.
            positional=[s.name for s in spec_list if s.flag.positional and s.kind != "list"],
            iterable=[s.name for s in spec_list if s.kind == "list"],
            help={s.name: s.flag.help for s in spec_list},
        )

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        # invoke pops the help texts as it uses them: keep them for the next call
        # (the help printed for -h makes the arguments a second time).
        saved = dict(self.help)
        try:
            arguments = super().get_arguments(ignore_unknown_help)
        finally:
            self.help = saved

        def show_help() -> None:
            _print_help(self)

        def helpful(a: Argument) -> Argument:
            if not a.positional or a.kind is list:
                return a
            return _Positional(show_help, names=a.names, kind=a.kind, default=a.default,
                               help=a.help, positional=True, attr_name=a.attr_name)  # fmt: skip

        return [helpful(a) for a in arguments]

    def arg_opts(self, name: str, default: str, taken_names: set[str]) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        if name in self._shorts:
            opts["names"] = [*opts["names"], self._shorts[name]]
        return opts


def _print_help(task: Task[Any]) -> None:
    """invoke's own help for ``task``, as ``invoke --help TASK`` prints it."""
    from invoke.program import Program

    Program(namespace=Collection(task), binary="inv[oke]").run(
        ["invoke", "--help", task.name], exit=False
    )


namespace = Collection(*(_VerbTask(name, verb) for name, verb in TASKS.items()))
ns = namespace
