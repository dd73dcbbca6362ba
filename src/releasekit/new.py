"""Stamp a new repository from the template, through cookiecutter's API."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from releasekit._exceptions import ConfigError, ReleaseKitError

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
        except CookiecutterException as exc:
            msg = f"cookiecutter could not stamp the template: {exc}"
            raise ReleaseKitError(msg) from None
        except ValueError as exc:
            # cookiecutter's check of a choice variable (kind=rust): a user's
            # mistake, not a bug, so one line instead of a traceback.
            msg = f"cookiecutter refused the extra context: {str(exc).rstrip('.')}"
            raise ConfigError(msg) from None
    return Path(created)
