"""The ``releasekit`` console script: what fits neither nox nor invoke."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit import __version__
from releasekit._exceptions import ReleaseKitError

if TYPE_CHECKING:
    from releasekit.config import Settings


def _new(args: argparse.Namespace) -> int:
    from releasekit import new

    created = new.stamp(
        Path(args.output_dir),
        extra_context=new.parse_extra_context(args.extra_context),
        no_input=args.no_input,
        overwrite=args.overwrite,
    )
    print(created)
    return 0


def _bumpversion_problems(root: Path, settings: Settings) -> list[str]:
    from releasekit import version

    problems = []
    bump = version.load(root)
    version.parse(bump.current_version, what="current_version in [tool.bumpversion]")
    if not bump.files:
        problems.append(
            f"[tool.bumpversion] in {settings.pyproject} lists no files: add a "
            "[[tool.bumpversion.files]] entry for each file that carries the version"
        )
    for part in sorted(set(settings.bump_map.values()) | {settings.zero_major_part}):
        if part not in bump.parts:
            problems.append(
                f"[tool.releasekit] names the version part {part!r}, which "
                f"[tool.bumpversion] does not define (parts: {', '.join(bump.parts)})"
            )
    return problems


def check_repository(root: Path) -> list[str]:
    """Validate a repository's configuration; return one line per problem."""
    from releasekit import changelog, config, git, version

    problems: list[str] = []
    try:
        settings = config.load(root)
    except ReleaseKitError as exc:
        return [str(exc)]
    if not settings.project_name:
        problems.append(f"no [project] name in {settings.pyproject}")
    try:
        git.toplevel(root)
    except ReleaseKitError as exc:
        problems.append(str(exc))
    try:
        if settings.version_source == "scm":  # no file carries the version: git tags do
            version.scm_current(root, settings.tag_format)
        else:
            problems += _bumpversion_problems(root, settings)
    except ReleaseKitError as exc:
        problems.append(str(exc))
    try:
        towncrier = changelog.settings(root)
        if not towncrier.directory.is_dir():
            problems.append(
                f"the changelog fragment directory {towncrier.directory} does not exist "
                "(create it with a .gitkeep file)"
            )
        unknown = sorted(set(settings.bump_map) - set(towncrier.types))
        if unknown:
            problems.append(
                f"[tool.releasekit] bump_map names fragment types towncrier does not "
                f"define: {', '.join(unknown)}"
            )
    except ReleaseKitError as exc:
        problems.append(str(exc))
    return problems


def _check(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    if args.fragment:
        from releasekit import prcheck

        print(prcheck.report(prcheck.check(root, args.base)))
        return 0
    problems = check_repository(root)
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{root}: releasekit configuration is valid")
    if args.audit:
        from releasekit import audit

        audit.run_session(root)
        print(f"{root}: the audit found no known vulnerabilities")
    return 0


def _init(args: argparse.Namespace) -> int:
    from releasekit import init

    init.run(Path(args.root), yes=args.yes, dry_run=args.dry_run)
    return 0


def _notes(args: argparse.Namespace) -> int:
    from releasekit import notes

    print(notes.notes(Path(args.root).resolve(), args.version), end="")
    return 0


def _status(args: argparse.Namespace) -> int:
    import json

    from releasekit import status

    rows = status.collect([Path(d) for d in args.dirs or ["."]])
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        status.render_table(rows)
    return 1 if any(row.problems for row in rows) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releasekit", description="Release automation for Python packages."
    )
    parser.add_argument("--version", action="version", version=f"releasekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    new = sub.add_parser("new", help="stamp a new repository from the python-package template")
    new.add_argument("--no-input", action="store_true", help="do not prompt; use the defaults")
    new.add_argument("-o", "--output-dir", default=".", help="where to create the repository")
    new.add_argument("-f", "--overwrite", action="store_true", help="overwrite an existing one")
    new.add_argument("extra_context", nargs="*", metavar="key=value", help="template values")
    new.set_defaults(func=_new)

    check = sub.add_parser("check", help="validate a repository's release configuration")
    check.add_argument("--root", default=".", help="the repository (default: here)")
    check.add_argument(
        "--audit", action="store_true", help="also audit the dependencies (nox -s audit)"
    )
    check.add_argument(
        "--fragment", action="store_true", help="the pull-request check: a change needs a fragment"
    )
    check.add_argument("--base", help="with --fragment: compare with REF (default: origin/HEAD)")
    check.set_defaults(func=_check)

    init = sub.add_parser("init", help="adopt releasekit in an existing repository")
    init.add_argument("--yes", "-y", action="store_true", help="write without asking")
    init.add_argument("--dry-run", action="store_true", help="only show what would change")
    init.add_argument("--root", default=".", help="the repository (default: here)")
    init.set_defaults(func=_init)

    notes = sub.add_parser("notes", help="print the changelog section of one version")
    notes.add_argument("version", nargs="?", help="the version (default: the latest)")
    notes.add_argument("--root", default=".", help="the repository (default: here)")
    notes.set_defaults(func=_notes)

    status = sub.add_parser("status", help="where each repository stands (a fleet at once)")
    status.add_argument("dirs", nargs="*", metavar="DIR", help="repositories (default: here)")
    status.add_argument("--json", action="store_true", help="a JSON list of objects")
    status.set_defaults(func=_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except ReleaseKitError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ERROR interrupted", file=sys.stderr)
        return 130
