"""The ``releasekit`` console script: the release verbs, and what fits neither nox nor invoke.

Each subcommand is a verb of ``releasekit.commands``, its options generated
from the verb's declaration (the same as the invoke task's and the nox
session's); errors are one line and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from releasekit import __version__, _options, commands
from releasekit._exceptions import Interrupted, ReleaseKitError, UsageError

#: The console script's subcommands: the verbs that declare it (``Verb.console``).
SUBCOMMANDS = tuple(name for name, verb in commands.VERBS.items() if verb.console)

#: What a user may type from the other front ends, and where it lives here.
_ELSEWHERE = {
    "check-dists": "releasekit has no 'check-dists': run invoke check (dist/) or releasekit check",
    "clean": "releasekit has no 'clean': run invoke clean",
}


def _refuse_unknown(argv: Sequence[str]) -> None:
    """An unknown command: one line with the nearest known one, before argparse's long list."""
    import difflib

    if not argv or argv[0].startswith("-") or argv[0] in SUBCOMMANDS:
        return
    word = argv[0]
    if word in _ELSEWHERE:
        raise UsageError(_ELSEWHERE[word])
    if word in ("tests", "style", "typecheck", "docs"):
        msg = f"releasekit has no command {word!r}: it is a nox session, run nox -s {word}"
        raise UsageError(msg)
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    msg = f"releasekit has no command {word!r}{hint}; its commands: {', '.join(SUBCOMMANDS)}"
    raise UsageError(msg)


def _epilog(verb: str) -> str | None:
    if verb != "new":
        return None
    from releasekit.commands import new

    keys = new.template_keys()
    width = max(map(len, keys))
    lines = [f"  {key.ljust(width)}  {value}" for key, value in keys.items()]
    return "template keys (key=value) and their defaults:\n" + "\n".join(lines)


def parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The console script's parser (the reference reads its subcommands from it).

    ``new``'s list of template keys only when ``argv`` is a ``new``.

    Rendering the template's defaults loads cookiecutter: no other command pays for it.
    """
    made = _options.Parser(prog="releasekit", description="Release automation for Python packages.")
    made.add_argument("--version", action="version", version=f"releasekit {__version__}")
    sub = made.add_subparsers(dest="command", metavar="COMMAND", parser_class=_options.Parser)
    for name in SUBCOMMANDS:
        verb = commands.VERBS[name]
        p = sub.add_parser(
            name,
            help=verb.summary.rstrip("."),
            description=verb.summary,
            epilog=_epilog(name) if list(argv[:1]) == [name] else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _options.add_arguments(p, verb.options)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _refuse_unknown(argv)
        args = parser(argv).parse_args(argv)
        name: str | None = args.command
        if name is None:
            parser().print_help()
            return 2
        options = _options.from_namespace(commands.VERBS[name].options, args)
        # A release verb acts on the project around here, as its invoke task does.
        root = commands.enter_root() if commands.VERBS[name].in_project else Path.cwd()
        commands.run(name, root, options)
    except _options.HelpShown as shown:
        return int(shown.args[0] or 0)
    except ReleaseKitError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:  # an Interrupted says where; a bare one does not
        print(f"ERROR {exc if isinstance(exc, Interrupted) else 'interrupted'}", file=sys.stderr)
        return 130
    return 0
