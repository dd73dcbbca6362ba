"""The ``releasekit`` console script: what fits neither nox nor invoke.

Each subcommand is a verb of ``releasekit.commands``, its options generated
from the verb's declaration; errors are one line and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from releasekit import __version__, _options, commands
from releasekit._exceptions import ReleaseKitError

#: The console script's subcommands (the release itself is nox's and invoke's).
SUBCOMMANDS = ("new", "check", "init", "status", "notes")


def _epilog(verb: str) -> str | None:
    if verb != "new":
        return None
    from releasekit.commands import repository

    keys = repository.template_keys()
    width = max(map(len, keys))
    lines = [f"  {key.ljust(width)}  {value}" for key, value in keys.items()]
    return "template keys (key=value) and their defaults:\n" + "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = _options.Parser(
        prog="releasekit", description="Release automation for Python packages."
    )
    parser.add_argument("--version", action="version", version=f"releasekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_options.Parser)
    for name in SUBCOMMANDS:
        verb = commands.VERBS[name]
        p = sub.add_parser(
            name,
            help=verb.summary.rstrip("."),
            description=verb.summary,
            epilog=_epilog(name),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _options.add_arguments(p, verb.options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        name: str | None = args.command
        if name is None:
            _parser().print_help()
            return 2
        options = _options.from_namespace(commands.VERBS[name].options, args)
        commands.run(name, Path.cwd(), options)
    except _options.HelpShown as shown:
        return int(shown.args[0] or 0)
    except ReleaseKitError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ERROR interrupted", file=sys.stderr)
        return 130
    return 0
