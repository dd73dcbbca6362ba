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


def check_context(context: Mapping[str, str], keys: Mapping[str, str]) -> None:
    """Refuse unknown template keys and a project name that gives no valid package."""
    import difflib
    import re

    for key in context:
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            msg = f"the template has no key {key!r}{hint}; its keys: {', '.join(keys)}"
            raise TemplateError(msg)
    name = context.get("project_name")
    if name is None:
        return
    slug = name.lower().strip().replace(" ", "-").replace("_", "-")
    package = slug.replace("-", "_").replace(".", "_")
    valid_dist = re.fullmatch(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?", slug, re.ASCII)
    if not valid_dist or not package.isidentifier() or package[0].isdigit():
        msg = (
            f"project_name {name!r} gives no valid distribution and import name "
            f"({slug!r}, {package!r}): use letters, digits, spaces, '-' or '_', "
            "starting with a letter"
        )
        raise TemplateError(msg)


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
    return Path(created)
