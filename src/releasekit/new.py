"""Stamp a new repository from the template, through cookiecutter's API."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from releasekit._exceptions import ConfigError, ReleaseKitError, TemplateError

TEMPLATE = "python-package"


def template_dir() -> Path:
    """The template shipped in the installed package, or in this checkout."""
    installed = Path(__file__).resolve().parent / "templates" / TEMPLATE
    if installed.is_dir():
        return installed
    # An editable install or a source checkout: the template lives at the
    # repository root (templates/python-package), two levels above src/releasekit.
    checkout = Path(__file__).resolve().parents[2] / "templates" / TEMPLATE
    if checkout.is_dir():
        return checkout
    msg = f"the {TEMPLATE} template is missing from this releasekit installation"
    raise ReleaseKitError(msg)


def parse_extra_context(items: list[str]) -> dict[str, str]:
    """cookiecutter's own ``key=value`` syntax for extra context."""
    context: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            msg = f"extra context {item!r} must look like key=value"
            raise ConfigError(msg)
        context[key] = value
    return context


def _slug_and_package(name: str) -> tuple[str, str]:
    """What the template derives from ``project_name`` (its cookiecutter.json)."""
    slug = name.lower().strip().replace(" ", "-").replace("_", "-")
    return slug, slug.replace("-", "_").replace(".", "_")


def _valid_dist(name: str) -> bool:
    from packaging.utils import InvalidName, canonicalize_name

    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        return False
    return True


def _valid_package(name: str) -> bool:
    import keyword

    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def _template_version_problem(value: str) -> str:
    """Why the template's own ``[tool.bumpversion]`` could not carry ``value`` ("" if it can).

    bump-my-version itself reads the template's table, rendered with this
    version, so a version it could not bump later is refused now.
    """
    from releasekit import versions
    from releasekit._exceptions import VersionError
    from releasekit.versions import bumpmyversion

    try:
        versions.parse(value, what="version")
    except VersionError:
        return f"version {value!r} is not a PEP 440 version: give one like 0.1.0"
    from cookiecutter.environment import StrictEnvironment

    text = (template_dir() / "{{cookiecutter.project_slug}}" / "pyproject.toml").read_text()
    context = {"cookiecutter": {**defaults(), "version": value}}
    rendered = StrictEnvironment(context=context).from_string(text).render(**context)
    with tempfile.TemporaryDirectory(prefix="releasekit-new-") as scratch:
        Path(scratch, "pyproject.toml").write_text(rendered)
        try:
            table = bumpmyversion.bumpversion_table(Path(scratch)) or {}
            bumpmyversion.check_representable(table, value, value, typed=True)
        except VersionError as exc:
            return str(exc).replace("[tool.bumpversion]", "the template's [tool.bumpversion]")
    return ""


def _problem(key: str, value: str, keys: Mapping[str, str]) -> str:
    """What is wrong with one template value, or ""; says what a good one looks like."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address
    from urllib.parse import urlsplit

    if key == "project_name":
        slug, package = _slug_and_package(value)
        if not _valid_dist(slug) or not _valid_package(package):
            return (
                f"project_name {value!r} gives no valid distribution and import name "
                f"({slug!r}, {package!r}): use letters, digits, spaces, '-' or '_', "
                "starting with a letter"
            )
    elif key == "project_slug" and not _valid_dist(value):
        return f"project_slug {value!r} is no valid distribution name: use letters, digits, '-'"
    elif key == "package_name" and not _valid_package(value):
        return f"package_name {value!r} is no valid import name: use letters, digits and '_'"
    elif key == "description" and ("\n" in value or "\r" in value):
        return "description must be one line (PyPI refuses a multi-line summary)"
    elif key == "author_email":
        try:
            ok = bool(Address(addr_spec=value).domain)
        except (HeaderParseError, ValueError, IndexError):
            ok = False
        if not ok:
            return f"author_email {value!r} is no e-mail address: give one like you@example.com"
    elif key == "repository_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return (
                f"repository_url {value!r} is no web address: give one like "
                "https://github.com/you/project"
            )
    elif key == "version":
        return _template_version_problem(value)
    elif key == "requires_python":
        major, _, minor = value.partition(".")
        if major != "3" or not minor.isdigit() or int(minor) < 10:
            return f"requires_python {value!r} must be a Python minor version from 3.10 (e.g. 3.12)"
    elif key == "kind":
        kinds = [k.strip() for k in keys.get("kind", "").split(",")]
        if value not in kinds:
            return f"kind {value!r} is not one of {', '.join(kinds)}"
    elif key == "year" and not (len(value) == 4 and value.isdigit()):
        return f"year {value!r} must be four digits (e.g. 2026)"
    return ""


def check_context(context: Mapping[str, str], keys: Mapping[str, str]) -> None:
    """Refuse unknown template keys and any value the template could not use.

    Before cookiecutter runs: a bad value is one line and nothing is written.
    """
    import difflib

    for key in context:
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            msg = f"the template has no key {key!r}{hint}; its keys: {', '.join(keys)}"
            raise TemplateError(msg)
    for key, value in context.items():
        problem = _problem(key, value, keys)
        if problem:
            raise TemplateError(problem)


def defaults() -> dict[str, str]:
    """The template's defaults as a stamp would use them (its Jinja rendered by cookiecutter)."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(context_file=str(template_dir() / "cookiecutter.json"))
    return {k: str(v) for k, v in prompt_for_config(context, no_input=True).items()}


def stamp(
    output_dir: Path,
    *,
    extra_context: Mapping[str, str] | None = None,
    no_input: bool = True,
    overwrite: bool = False,
) -> Path:
    """Create a repository from the template and return its path."""
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory(prefix="releasekit-cookiecutter-") as scratch:
        # Keep the user's defaults (author, email) but send cookiecutter's
        # replay file to a scratch directory instead of the home directory.
        user_config = dict(get_user_config())
        user_config["replay_dir"] = scratch
        user_config["cookiecutters_dir"] = scratch
        # cookiecutter renders each hook into a NamedTemporaryFile(delete=False)
        # of the temporary directory and never removes it: make that directory
        # the scratch one, which goes with everything in it.
        saved_tempdir = tempfile.tempdir
        tempfile.tempdir = scratch
        try:
            created = cookiecutter(
                str(template_dir()),
                no_input=no_input,
                extra_context=dict(extra_context or {}),
                output_dir=str(output_dir),
                overwrite_if_exists=overwrite,
                default_config=user_config,
            )
        except EOFError:  # Ctrl-D at one of cookiecutter's questions: nothing is written yet
            print(flush=True)  # the terminal echoed no newline after the question
            msg = "declined at the template's questions: nothing was written"
            raise TemplateError(msg) from None
        except CookiecutterException as exc:
            msg = f"cookiecutter could not stamp the template: {exc}"
            raise ReleaseKitError(msg) from None
        except ValueError as exc:
            # cookiecutter's check of a choice variable (kind=rust): a user's
            # mistake, not a bug, so one line instead of a traceback.
            msg = f"cookiecutter refused the extra context: {str(exc).rstrip('.')}"
            raise ConfigError(msg) from None
        finally:
            tempfile.tempdir = saved_tempdir
    return Path(created)
