"""``new``: a repository stamped from the python-package template."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from releasekit.commands import NewOptions, Verb


def template_keys() -> dict[str, str]:
    """The template's keys and their defaults, as a stamp would use them (Jinja rendered)."""
    from releasekit import new as engine

    raw = json.loads((engine.template_dir() / "cookiecutter.json").read_text())
    rendered = engine.defaults()
    keys = {}
    for key, value in raw.items():
        if isinstance(value, list):  # a choice: the first is the default
            keys[key] = ", ".join(map(str, value))
        elif "{" in value:  # computed from the keys before it
            keys[key] = f"{rendered[key]} (from the keys above)"
        else:
            keys[key] = value
    # Not cookiecutter's: releasekit stamps a uv workspace of two members with it.
    return {"layout": "package, workspace", **keys}


def new(root: Path, options: NewOptions) -> Path:
    from releasekit import new as engine

    context = engine.parse_extra_context(list(options.extra_context))
    keys = template_keys()
    keys.pop("layout")
    stamp: Callable[..., Path] = engine.stamp
    if context.get("layout", "package") != "package":  # layout=workspace: a uv workspace
        from releasekit import layouts

        stamp = layouts.stamp_workspace
        # Each member is stamped with these: the project_name is the members' to check.
        engine.check_context({k: v for k, v in context.items()
                              if k not in ("layout", "project_name")}, keys)  # fmt: skip
    else:
        context.pop("layout", None)
        engine.check_context(context, keys)
    created = stamp(
        root / options.output_dir,
        extra_context=context,
        no_input=options.no_input,
        overwrite=options.overwrite,
    )
    print(created)
    return created


VERB = Verb(
    "new",
    NewOptions,
    new,
    "Stamp a new repository from the python-package template.",
    console=True,
)
