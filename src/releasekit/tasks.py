"""invoke front end: ``from releasekit.tasks import namespace`` in a tasks.py.

Only invoke is imported here; each task imports the engine when it runs, so
``invoke --list`` stays as fast as with an empty tasks.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

F = TypeVar("F", bound=Callable[..., Any])


def _root() -> Path:
    """The nearest directory upwards that holds a pyproject.toml."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return here


def _reported(func: F) -> F:
    """Turn releasekit's errors into one line and exit status 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from releasekit._exceptions import ReleaseKitError

        try:
            return func(*args, **kwargs)
        except ReleaseKitError as exc:
            if exc.details:
                print(exc.details)
            raise Exit(f"ERROR {exc}", code=1) from None
        except KeyboardInterrupt:
            raise Exit("ERROR interrupted", code=130) from None

    return wrapper  # type: ignore[return-value]


@task(
    help={
        "part": "version part to bump: major, minor, patch or a part of [tool.bumpversion]",
        "new_version": "bump to exactly this version",
        "dry_run": "show what would change and change nothing",
        "pre": "a pre-release: a, b or rc (of --part, or of what the fragments call for)",
    }
)
@_reported
def bump(
    c: Context, part: str = "", new_version: str = "", dry_run: bool = False, pre: str = ""
) -> None:
    """Bump the version in every configured file (bump-my-version)."""
    from releasekit import _exceptions, config, version

    root = _root()
    if config.load(root).version_source == "scm":
        msg = 'the version comes from git tags (version_source = "scm"): the release tags it'
        raise _exceptions.VersionError(msg)
    if pre:
        from releasekit import changelog

        cycle = version.choose_cycle(
            root, config.load(root), part=part or None, new_version=new_version or None,
            pre=pre, fragment_types=[f.type for f in changelog.fragments(root)],
        )  # fmt: skip
        assert cycle is not None  # with pre, never the ordinary path
        bump_config, new, _ = cycle
    else:
        bump_config, new = version.resolve(root, part=part or None, new_version=new_version or None)
    version.bump(root, new, dry_run=dry_run)
    verb = "would move" if dry_run else "moved"
    print(f"{verb} {bump_config.current_version} -> {new}")


@task(
    positional=["type", "text"],
    help={
        "type": "fragment type: feature, bugfix, doc, removal, misc (towncrier's types)",
        "text": "the changelog entry",
        "issue": "issue number the entry belongs to",
    },
)
@_reported
def fragment(c: Context, type: str, text: str, issue: str = "") -> None:
    """Add a changelog fragment (towncrier create)."""
    from releasekit import changelog

    root = _root()
    path = changelog.create(root, type, text, issue=issue)
    print(f"created {path.relative_to(root)}")


def _next_from_fragments(root: Path) -> str:
    from releasekit import config, release

    return release.next_from_fragments(root, config.load(root))[1]


@task(
    name="changelog",
    help={
        "draft": "only show the section the next release would add",
        "version": "version to build the section for (default: inferred from the fragments)",
    },
)
@_reported
def changelog_(c: Context, draft: bool = False, version: str = "") -> None:
    """Build the changelog section from the fragments (towncrier build)."""
    from releasekit import changelog

    root = _root()
    new = version or _next_from_fragments(root)
    if draft:
        print(changelog.draft(root, new))
    else:
        changelog.build(root, new)
        print(f"added the {new} section to the changelog")


@task(name="version")
@_reported
def version_(c: Context) -> None:
    """Show the current version and the next one for each part."""
    from releasekit import _exceptions, config, version

    root = _root()
    settings = config.load(root)
    if settings.version_source == "scm":
        current = version.scm_current(root, settings.tag_format)
        print(f"current: {current} (from git tags)")
        for part in version.SCM_PARTS:
            print(f"{part}: {version.scm_next(current, part)}")
        return
    bump_config = version.load(root)
    print(f"current: {bump_config.current_version}")
    for part in bump_config.parts:
        try:
            print(f"{part}: {version.next_version(root, part, bump_config)}")
        except _exceptions.VersionError as exc:
            print(f"{part}: - ({exc})")


@task(name="build")
@_reported
def build_(c: Context) -> None:
    """Build a fresh sdist and wheel into dist/."""
    from releasekit import dists

    root = _root()
    dists.clean(root / "dist")
    dists.build(root, root / "dist")
    built = dists.find(root / "dist")
    print(f"built {built.sdist.name} and {built.wheel.name}")


@task(
    help={
        "audit": "also audit the resolved dependencies (nox -s audit)",
        "audit_only": "only audit the dependencies; leave dist/ alone",
    }
)
@_reported
def check(c: Context, audit: bool = False, audit_only: bool = False) -> None:
    """Check dist/ with twine check --strict and check-wheel-contents; --audit audits too."""
    from releasekit import audit as engine
    from releasekit import dists

    root = _root()
    if not audit_only:
        built = dists.find(root / "dist")
        dists.check(built)
        print(f"{built.sdist.name} and {built.wheel.name} passed")
    if audit or audit_only:
        engine.run_session(root)
        print("the audit found no known vulnerabilities")


@task
@_reported
def clean(c: Context) -> None:
    """Remove build output: dist/ and build/."""
    import shutil

    root = _root()
    for name in ("dist", "build"):
        if (root / name).exists():
            shutil.rmtree(root / name)
            print(f"removed {name}/")


@task(
    help={
        "part": "version part to bump (default: inferred from the changelog fragments)",
        "new_version": "release exactly this version",
        "dry_run": "print the plan and change nothing",
        "yes": "answer yes to every prompt",
        "repository": "target index: a .pypirc name or an upload URL",
        "no_publish": "stop before uploading",
        "no_push": "do not push the release commit and tag",
        "no_confirm": "skip installing the new version from the index",
        "no_checks": "skip the configured nox checks",
        "no_cache": "rerun checks that already passed on this tree",
        "resume": "finish a release that failed at or after publish",
        "pre": "cut a pre-release: a, b or rc (1.4.2 -> 1.5.0rc1 -> 1.5.0rc2)",
    }
)
@_reported
def release(
    c: Context,
    part: str = "",
    new_version: str = "",
    dry_run: bool = False,
    yes: bool = False,
    repository: str = "",
    no_publish: bool = False,
    no_push: bool = False,
    no_confirm: bool = False,
    no_checks: bool = False,
    no_cache: bool = False,
    resume: bool = False,
    pre: str = "",
) -> None:
    """Cut a release: check, version, changelog, commit, tag, build, verify, publish, push."""
    from releasekit import release as engine

    engine.release(
        _root(),
        engine.Options(
            part=part or None,
            new_version=new_version or None,
            dry_run=dry_run,
            yes=yes,
            repository=repository or None,
            publish=not no_publish,
            push=not no_push,
            resume=resume,
            confirm=not no_confirm,
            checks=not no_checks,
            cache=not no_cache,
            pre=pre or None,
        ),
    )


@task(help={"repository": "target index: a .pypirc name or an upload URL"})
@_reported
def publish(c: Context, repository: str = "") -> None:
    """Upload dist/ with twine, skipping files the index already has (same sha256)."""
    from releasekit import config, dists
    from releasekit import publish as engine

    root = _root()
    settings = config.load(root)
    built = dists.find(root / "dist")
    target = engine.resolve_target(repository or settings.repository, index_url=settings.index_url)
    todo = engine.pending(target, settings.project_name, built.files)
    if todo:
        engine.upload(target, todo)
    engine.confirm_listed(target, settings.project_name, built.files)
    print(f"{', '.join(p.name for p in built.files)} on {target.shown}")


@task(
    name="init",
    help={
        "yes": "write the changes without asking",
        "dry_run": "only show the changes, write nothing",
    },
)
@_reported
def init_(c: Context, yes: bool = False, dry_run: bool = False) -> None:
    """Adopt releasekit in this existing repository (releasekit init)."""
    from releasekit import init

    init.run(Path.cwd(), yes=yes, dry_run=dry_run)


@task(
    name="status",
    iterable=["dir"],
    help={
        "dir": "a repository to examine (repeatable; default: this one)",
        "json": "print a JSON list of objects instead of the table",
    },
)
@_reported
def status_(c: Context, dir: list[str] | None = None, json: bool = False) -> None:
    """Show where each repository stands: version, last tag, fragments, next version."""
    import json as json_

    from releasekit import status

    rows = status.collect([Path(d) for d in dir or []] or [_root()])
    if json:
        print(json_.dumps([row.as_dict() for row in rows], indent=2))
    else:
        status.render_table(rows)
    if any(row.problems for row in rows):
        raise Exit("ERROR the configuration has problems (listed above)", code=1)


namespace = Collection(
    bump, fragment, changelog_, version_, release, build_, publish, check, clean, init_, status_
)
ns = namespace
