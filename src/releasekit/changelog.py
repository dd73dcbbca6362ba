"""The changelog, through towncrier: fragments in, one section per release out.

Fragment discovery and naming rules are towncrier's own (its config loader
and ``find_fragments``), so releasekit sees exactly the fragments that
``towncrier build`` will consume.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import secrets
from pathlib import Path
from typing import Any

from releasekit import _runner, config, git
from releasekit._exceptions import ChangelogError, CommandError, ConfigError


@dataclasses.dataclass(frozen=True)
class Fragment:
    path: Path
    type: str


@dataclasses.dataclass(frozen=True)
class Towncrier:
    """The parts of towncrier's configuration that a release relies on."""

    directory: Path
    filename: Path
    types: list[str]


def _towncrier(root: Path, *args: str, dry_run: bool = False, mutates: bool = False) -> str:
    try:
        return _runner.run(
            [*_runner.tool("towncrier"), *args],
            cwd=root,
            dry_run=dry_run,
            mutates=mutates,
            quiet=not mutates,
        ).stdout
    except CommandError as exc:
        msg = f"towncrier {args[0]} failed"
        raise ChangelogError(msg, details=exc.details) from None


def write_fragment(root: Path, filename: str, text: str, *, dry_run: bool = False) -> None:
    """``towncrier create``: the fragment ``filename`` holding ``text``, in its directory.

    Its own generated entries (a train's widened requirements) go through
    here too, so towncrier's naming rules are applied in one place.
    """
    _towncrier(root, "create", "--content", text, filename, dry_run=dry_run, mutates=True)


def towncrier_config(root: Path) -> tuple[str, Any]:
    """towncrier's own reading of its configuration in ``root``: (its base directory, config).

    towncrier's loader, not ours, so the defaults and the template are what
    ``towncrier build`` uses; a missing table or template is one line.
    """
    config.towncrier_table(root)  # says what to add when there is no table
    from click import ClickException

    try:
        base, cfg = _loaded(
            str(root), _read(root / "towncrier.toml"), _read(root / "pyproject.toml")
        )
    except ClickException as exc:
        msg = f"towncrier cannot read its configuration in {root}: {exc.format_message()}"
        raise ConfigError(msg) from None
    except ImportError as exc:  # `template = "pkg.module:file.jinja2"` from a missing package
        template = config.towncrier_table(root).get("template", "")
        msg = (
            f"towncrier's template = {template!r} names a package that is not installed "
            f"({exc.name or exc}): install it, or set template to a file in the repository"
        )
        raise ConfigError(msg) from None
    return str(base), cfg


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@functools.lru_cache(maxsize=64)
def _loaded(
    root: str, towncrier_toml: bytes | None, pyproject_toml: bytes | None
) -> tuple[str, Any]:
    """towncrier's loader, once per content of the two files it reads in ``root``.

    A release asks for it several times (a train: per member), and its
    TOML parsing was a quarter of a 50-member train's preflight; the files'
    bytes in the key, so a bump is read anew.
    """
    from towncrier._settings.load import load_config_from_options

    base, cfg = load_config_from_options(root, None)
    return str(base), cfg


def settings(root: Path) -> Towncrier:
    base, cfg = towncrier_config(root)
    directory = getattr(cfg, "directory", None)
    if directory is None:
        package_dir = Path(base, getattr(cfg, "package_dir", "."), getattr(cfg, "package", ""))
        fragments_dir = package_dir / "newsfragments"
    else:
        fragments_dir = Path(base, directory)
    return Towncrier(
        directory=fragments_dir,
        filename=Path(base, getattr(cfg, "filename", "NEWS.rst")),
        types=list(getattr(cfg, "types", {})),
    )


#: Names towncrier skips in a fragment directory whatever its configuration.
ALWAYS_IGNORED = (".gitignore", ".gitkeep", ".keep", "readme", "readme.md", "readme.rst")
#: The index modes of a regular file: the only thing a fragment may be.
REGULAR = ("100644", "100755")
#: What git quotes in a path whatever ``core.quotePath`` says.
_QUOTED = re.compile(r'["\\\x00-\x1f\x7f]')


def ignored_names(cfg: Any) -> list[str]:
    """The lowercase name patterns towncrier skips unread (its own list, template, ``ignore``)."""
    names = [*ALWAYS_IGNORED, *(p.lower() for p in (getattr(cfg, "ignore", None) or []))]
    if isinstance(cfg.template, str):
        names.append(os.path.basename(cfg.template).lower())
    return names


def _readable(base: str, cfg: Any) -> list[os.DirEntry[str]]:
    """The entries ``towncrier build`` would open, found by name only: nothing is read.

    The same selection as towncrier's ``find_fragments``: every section's
    directory, minus the names it ignores and the names that carry no type.
    """
    import fnmatch

    from towncrier._builder import FragmentsPath, parse_newfragment_basename

    where = FragmentsPath(base, cfg)
    directories = list(dict.fromkeys(where(d) for d in cfg.sections.values()))
    real_base = os.path.realpath(base)
    skip = ignored_names(cfg)
    found = []
    for directory in directories:
        # A directory that is (or lies beyond) a symlink would let towncrier
        # read files from anywhere, whatever git tracks under its name.
        relative = os.path.relpath(directory, base)
        if os.path.realpath(directory) != os.path.normpath(os.path.join(real_base, relative)):
            msg = (
                f"the changelog fragment directory {relative} is a symlink (or lies beyond "
                "one): make it a real directory of the repository"
            )
            raise ChangelogError(msg)
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = entry.name.lower()
            if any(fnmatch.fnmatch(name, pattern) for pattern in skip):
                continue
            if parse_newfragment_basename(entry.name, cfg.types)[1] is not None:
                found.append(entry)
    return found


def _check_files(base: str, cfg: Any) -> None:
    """Refuse, by name, any fragment that is not a regular file tracked by git.

    Called before towncrier reads a fragment: a symlink (to
    ``/proc/self/environ``, to a file outside the repository) or a file git
    ignores would otherwise be read into the changelog and the sdist, and
    towncrier would delete the ignored one. The file is never opened here.
    """
    entries = _readable(base, cfg)
    if not entries:
        return
    root = Path(base)
    names = [os.path.relpath(entry.path, base) for entry in entries]
    quoted = [name for name in names if _QUOTED.search(name)]
    if quoted:
        # Even with core.quotePath off, git quotes such a name in the `git ls-files`
        # towncrier parses before it stages the removal: the deletion would stay unstaged.
        msg = (
            f"{quoted[0]} has a quote, a backslash or a control character in its name: "
            "rename the changelog fragment without it"
        )
        raise ChangelogError(msg)
    modes = git.index_modes(root, sorted({os.path.dirname(n) or "." for n in names}))
    bad = [
        (name, entry)
        for name, entry in zip(names, entries, strict=True)
        if not (entry.is_file(follow_symlinks=False) and modes.get(name) in REGULAR)
    ]
    if not bad:
        return
    name, entry = bad[0]
    mode = modes.get(name)
    directory = os.path.dirname(name) or "."
    if entry.is_symlink() or mode == "120000":
        problem, fix = "is a symlink", "replace it with a regular file holding the text"
    elif mode == git.GITLINK:
        problem, fix = "is a git submodule", f"move it out of {directory}/"
    elif entry.is_dir(follow_symlinks=False):
        problem, fix = "is a directory", f"move it out of {directory}/"
    elif not entry.is_file(follow_symlinks=False):
        problem, fix = "is not a regular file", "remove it"
    elif git.is_ignored(root, name):
        problem, fix = "is ignored by git", f"git add --force it, or move it out of {directory}/"
    else:
        problem, fix = "is not tracked by git", "git add it, or remove it"
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    msg = (
        f"{name}{more} {problem}: a changelog fragment must be a regular file tracked by git; {fix}"
    )
    raise ChangelogError(msg)


def check_files(root: Path) -> None:
    """Refuse a fragment that is not a tracked regular file, before anything reads it.

    The one gate of every path that lets towncrier read the fragments: the
    release's and the train's preflight (through :func:`fragments`), the
    pull-request check, the status, the draft and the build.
    """
    _check_files(*towncrier_config(root))


def fragments(root: Path) -> list[Fragment]:
    """Every fragment the next ``towncrier build`` would consume, each a tracked regular file."""
    from click import ClickException
    from towncrier._builder import find_fragments

    base, cfg = towncrier_config(root)
    _check_files(base, cfg)
    try:
        _, files = find_fragments(base, cfg, strict=False)
    except ClickException as exc:  # a name that does not match issue_pattern
        raise ChangelogError(exc.format_message()) from None
    except ValueError as exc:  # two fragments for one issue and type
        raise ChangelogError(_collision(exc)) from None
    for path, _ in files:
        # An issue's empty fragment still lists the issue; an orphan's lists nothing,
        # yet it would move the version.
        name = Path(path).name
        orphan = bool(cfg.orphan_prefix) and name.startswith(cfg.orphan_prefix)
        if orphan and not Path(path).read_text(encoding="utf-8", errors="replace").strip():
            shown = os.path.relpath(path, root)
            msg = f"{shown} is empty: write the change in it, as the changelog should say it"
            raise ChangelogError(msg)
    return sorted(
        (Fragment(Path(path), category) for path, category in files), key=lambda f: f.path
    )


def unconsumed(root: Path) -> list[Path]:
    """Files in the fragment directories that ``towncrier build`` would leave behind.

    Asked of towncrier itself: its strict fragment search names the first file
    it cannot read as a fragment; that name is ignored (for this question
    only) and the search asked again, until it passes. What towncrier ignores
    anyway (``.gitkeep``, a README, its template, its ``ignore`` list) is fine.
    """
    import glob

    from click import ClickException
    from towncrier._builder import FragmentsPath, find_fragments

    base, cfg = towncrier_config(root)
    _check_files(base, cfg)  # the strict search reads what it accepts
    directories = [Path(FragmentsPath(base, cfg)(d)) for d in cfg.sections.values()]
    stray: list[Path] = []
    while True:
        try:
            find_fragments(base, cfg, strict=True)
        except ClickException as exc:
            message = exc.format_message()
            prefix = "Invalid news fragment name: "
            if not message.startswith(prefix):
                raise ChangelogError(f"towncrier: {message.splitlines()[0]}") from None
            name = message[len(prefix) :].splitlines()[0]
            found = [d / name for d in directories if (d / name).exists()]
            if not found or found[0] in stray:  # pragma: no cover - towncrier changed its words
                raise ChangelogError(f"towncrier: {message.splitlines()[0]}") from None
            stray += found
            cfg = dataclasses.replace(cfg, ignore=[*(cfg.ignore or []), glob.escape(name)])
        except ValueError as exc:  # two fragments for one issue and type
            raise ChangelogError(_collision(exc)) from None
        else:
            return sorted(stray)


def _collision(exc: ValueError) -> str:
    """towncrier's "multiple files for ISSUE.TYPE in DIR", with the fix."""
    what = str(exc).split(" in ", 1)[0].removeprefix("multiple files for ")
    return (
        f"towncrier cannot collect the fragments: {exc}; give each file of {what} its own "
        f"counter ({what}.1.md, {what}.2.md)"
    )


def check_consumed(root: Path) -> None:
    """Refuse a fragment directory holding a file that towncrier would not consume.

    Such a file (``+x.banana.md``, a type nobody configured) would stay behind
    after the release and be shipped in the sdist, its change never announced.
    """
    stray = unconsumed(root)
    if not stray:
        return
    first = stray[0].relative_to(root) if stray[0].is_relative_to(root) else stray[0]
    more = f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""
    types = ", ".join(settings(root).types)
    msg = (
        f"{first}{more} is not a changelog fragment towncrier would consume: name it "
        f"NAME.TYPE{first.suffix} with TYPE one of {types}, or remove it"
    )
    raise ChangelogError(msg)


def create(
    root: Path, fragment_type: str, text: str, *, issue: str = "", dry_run: bool = False
) -> Path:
    """Write one fragment through ``towncrier create`` and stage it (``git add``)."""
    tc = settings(root)
    if fragment_type not in tc.types:
        msg = f"unknown fragment type {fragment_type!r} (valid types: {', '.join(tc.types)})"
        raise ChangelogError(msg)
    if not text.strip():
        msg = "a changelog fragment needs some text"
        raise ChangelogError(msg)
    name = issue.lstrip("#") if issue else f"+{secrets.token_hex(4)}"
    if "/" in name or name.startswith("."):
        msg = f"issue {issue!r} cannot be part of a file name"
        raise ChangelogError(msg)
    suffix = tc.filename.suffix if tc.filename.suffix in (".md", ".rst") else ""
    filename = f"{name}.{fragment_type}{suffix}"
    path = tc.directory / filename
    if path.exists():
        msg = f"fragment {path.relative_to(root)} already exists"
        raise ChangelogError(msg)
    write_fragment(root, filename, text.strip(), dry_run=dry_run)
    # Staged at once: a fragment is a tracked file, so the draft, the status
    # and the pull-request check read it before it is committed.
    git.git(root, "add", "--", str(path), dry_run=dry_run, mutates=True)
    return path


def draft(root: Path, version: str) -> str:
    """The section that ``towncrier build`` would add for ``version``."""
    check_files(root)
    out = _towncrier(root, "build", "--draft", "--version", version)
    return out.strip()


def build(root: Path, version: str, *, dry_run: bool = False, keep: bool = False) -> None:
    """Add the section for ``version``; towncrier stages it and removes the fragments.

    A markdown changelog that links its release headings to definitions at
    its end gets the new one too (:mod:`releasekit.changelog_links`).
    With ``keep`` (a pre-release) the fragments stay, so that the final
    release's section lists every change of the series.
    """
    check_files(root)
    news = settings(root).filename
    # towncrier rewrites the file with LF line endings: a CRLF changelog is put
    # back to CRLF, so the release's diff is the new section, not every line.
    crlf = not dry_run and news.is_file() and b"\r\n" in news.read_bytes()
    answer = "--keep" if keep else "--yes"
    if dry_run:
        _towncrier(root, "build", answer, "--version", version, dry_run=True, mutates=True)
        return
    from releasekit import inprocess

    inprocess.towncrier_build(root, version, keep=keep)  # no new interpreter: ~0.4 s saved
    if news.is_file():
        data = news.read_bytes()
        fixed = data
        if news.suffix.lower() == ".md":  # its link reference, beside the others
            from releasekit import changelog_links

            text = data.decode("utf-8")
            fixed = changelog_links.add(text, version).encode("utf-8")
        if crlf:
            fixed = fixed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if fixed != data:
            news.write_bytes(fixed)
            _runner.run([*_runner.tool("git"), "add", "--", str(news)], cwd=root, quiet=True)
