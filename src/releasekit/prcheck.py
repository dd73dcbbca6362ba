"""The pull-request check: a change to the package comes with a changelog fragment.

``releasekit check --fragment [--base REF]`` compares HEAD (and the work
tree) with where it left REF (their merge base), the upstream default branch
by default. A change under the package's source that adds no fragment fails
in one line; a fragment whose name towncrier would not consume (malformed, or
of a type ``[tool.towncrier]`` does not define) fails too. Otherwise it shows
the next version the fragments call for and the notes towncrier would write.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from releasekit import _runner, api_check, changelog, config, versions
from releasekit._exceptions import CommandError, FragmentCheckError, GitError

if TYPE_CHECKING:
    from releasekit.project import Project


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What the check found; ``next_version`` and ``notes`` only with fragments."""

    base: str
    package_changes: list[str]
    fragments: list[str]
    next_version: str | None = None
    notes: str = ""
    #: The public API against the last release tag (api_check); None when not compared.
    api: api_check.Comparison | None = None
    #: The lowest version the API's breakages allow (None without a breakage).
    api_minimum: str | None = None
    #: What the release would say about the API ("" when it would not refuse it).
    api_problem: str = ""


def _git(root: Path, *args: str) -> str:
    return _runner.run(
        [*_runner.tool("git"), *args], cwd=root, mutates=False, quiet=True
    ).stdout.strip()


def default_base(root: Path, remote: str = "origin") -> str:
    """The upstream default branch: ``REMOTE/HEAD`` where set, else REMOTE/main or master."""
    try:
        found = _git(root, "rev-parse", "--abbrev-ref", f"{remote}/HEAD")
        if found and found != f"{remote}/HEAD":
            return found
    except CommandError:
        pass
    for branch in ("main", "master"):
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}")
            return f"{remote}/{branch}"
        except CommandError:
            continue
    msg = (
        f"cannot tell the upstream default branch (no {remote}/HEAD, {remote}/main or "
        f"{remote}/master): fetch it, or give --base REF"
    )
    raise GitError(msg)


def changed_files(root: Path, base: str) -> list[str]:
    """Paths under ``root``, relative to it, changed since the merge base of ``base`` and HEAD.

    Relative to the project, as the package and fragment directories are: a
    project in a subdirectory of its repository is compared with its own paths.
    """
    try:
        merge_base = _git(root, "merge-base", base, "HEAD")
    except CommandError:
        msg = (
            f"cannot compare with {base}: no such ref, or no common history "
            "(in CI, check out with fetch-depth: 0)"
        )
        raise GitError(msg) from None
    # NUL-separated: git would quote a path with non-ASCII bytes, spaces or quotes in it.
    tracked = _git(root, "diff", "--name-only", "-z", "--relative", "--no-renames", merge_base,
                   "--")  # fmt: skip
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    return sorted({path for path in (tracked + "\0" + untracked).split("\0") if path})


def package_dirs(root: Path, settings: config.Settings) -> list[str]:
    """Where the package's code lives: ``src/`` (src layout) or the import package."""
    if (root / "src").is_dir():
        return ["src"]
    return [settings.import_name]


def fragment_problem(name: str, types: list[str], suffix: str) -> str | None:
    """Why towncrier would not consume a fragment named ``name``, or None."""
    from towncrier._builder import parse_newfragment_basename

    _, category, _ = parse_newfragment_basename(name, types)
    if category is not None:
        return None
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    parts = stem.split(".")
    if len(parts) >= 2 and parts[0] and parts[-1]:
        return f"unknown fragment type {parts[-1]!r} (valid types: {', '.join(types)})"
    example = f"+NAME.TYPE{suffix} or ISSUE.TYPE{suffix}"
    return f"malformed fragment name: name it {example}, TYPE one of {', '.join(types)}"


def check(project: Project, base: str | None = None) -> Verdict:
    """Run the pull-request check; raise :class:`FragmentCheckError` when it fails."""
    root = project.root
    settings = project.settings
    base = base or default_base(root, settings.remote)
    changed = changed_files(root, base)
    changelog.check_files(root)  # a symlinked or ignored fragment is refused, never shown
    _, cfg = changelog.towncrier_config(root)
    towncrier = changelog.settings(root)
    fragment_dir = towncrier.directory.resolve().relative_to(root).as_posix()
    ignored = changelog.ignored_names(cfg)
    suffix = towncrier.filename.suffix
    fragments = []
    for path in changed:
        pure = PurePosixPath(path)
        if str(pure.parent) != fragment_dir or not (root / path).is_file():
            continue  # elsewhere, or removed by the change
        if any(fnmatch.fnmatch(pure.name.lower(), pattern) for pattern in ignored):
            continue
        problem = fragment_problem(pure.name, towncrier.types, suffix)
        if problem:
            raise FragmentCheckError(f"{path}: {problem}")
        fragments.append(path)
    dirs = package_dirs(root, settings)
    touched = [p for p in changed if any(p == d or p.startswith(d + "/") for d in dirs)]
    if touched and not fragments:
        shown = ", ".join(touched[:3]) + (", ..." if len(touched) > 3 else "")
        msg = (
            f"the change since {base} touches the package ({shown}) but adds no changelog "
            f"fragment: add one in {fragment_dir}/ (invoke fragment TYPE TEXT, or "
            "towncrier create)"
        )
        raise FragmentCheckError(msg)
    from releasekit import pypi_rules

    if not fragments:
        pypi_rules.work_tree(project, versions.source_for(project).current())
        return Verdict(base, touched, [])
    types = sorted({f.type for f in changelog.fragments(root)})
    new = versions.choose(project, fragment_types=types).new
    pypi_rules.work_tree(project, new)  # what PyPI would refuse, at the version it gets
    api, problem = _api(project, new, types)
    minimum = api.minimum(settings.zero_major_part) if api else None
    notes = changelog.draft(root, new)
    return Verdict(base, touched, fragments, new, notes, api, minimum, problem)


def _api(project: Project, new: str, types: list[str]) -> tuple[api_check.Comparison | None, str]:
    """The release's API check, seen first on the pull request: its refusal fails it here."""
    if project.settings.api_check == "off":
        return None, ""
    comparison = api_check.compare(project)
    if comparison is None:
        return None, ""
    problem = api_check.problem(project, comparison, new, types) or ""
    if problem and project.settings.api_check == "error":
        shown = "\n".join(str(b) for b in comparison.breakages)
        raise FragmentCheckError(problem, details=shown)
    return comparison, problem


def report(verdict: Verdict) -> str:
    """What the check prints when it passes."""
    if not verdict.fragments:
        return (
            f"no changelog fragment needed: the change since {verdict.base} "
            "leaves the package as it is"
        )
    lines = [
        f"changelog fragments since {verdict.base}: {', '.join(verdict.fragments)}",
        f"next version: {verdict.next_version}",
    ]
    api = verdict.api
    if api is not None and api.breakages:
        lines.append(
            f"public API since {api.tag}: {len(api.breakages)} breaking change(s), "
            f"calling for {verdict.api_minimum} or above"
        )
        lines += [f"  {b}" for b in api.breakages]
        if verdict.api_problem:
            lines.append(f'warning (api_check = "warn"): {verdict.api_problem}')
    elif api is not None:
        lines.append(f"public API since {api.tag}: no breaking change")
    return "\n".join([*lines, "", verdict.notes])
