"""``releasekit new layout=workspace``: a uv workspace of two members, stamped from the template.

The members come from the one package template (so they carry everything a
package of releasekit's has); this module only writes the root and wires the
second member to the first: its requirement, its ``[tool.uv.sources]`` entry,
and a tag name of its own for each member (tomlkit, so the files keep their
comments and layout).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from releasekit._exceptions import TemplateError

LAYOUTS = ("package", "workspace")

ROOT_PYPROJECT = """\
# A uv workspace released as one train: `nox -s release` here releases every
# member with changelog fragments, in the order of their needs of each other.
[tool.uv.workspace]
members = ["packages/*"]

# The train's branches, remote and target index (each member keeps its own
# [tool.bumpversion], [tool.towncrier] and checks).
[tool.releasekit]
branches = ["main", "master"]
remote = "origin"
repository = ""
index_url = ""
"""

ROOT_NOXFILE = '''\
# /// script
# dependencies = ["nox>=2025.2.9", "releasekit"]
# ///
"""Sessions of the workspace: `members` runs each member's own sessions; `release`
releases the members that have changes, as one train."""

from pathlib import Path

import nox

import releasekit.nox

releasekit.nox.register(only=["release"])


@nox.session(python=False)
def members(session: nox.Session) -> None:
    """Run every member's default sessions, in its own directory."""
    for member in sorted(Path("packages").iterdir()):
        if (member / "noxfile.py").is_file():
            with session.chdir(member):
                session.run("nox", *session.posargs, external=True)
'''

ROOT_TASKS = '''\
"""invoke tasks of the workspace: `invoke release` releases the members as one train."""

from releasekit.tasks import namespace  # noqa: F401
'''

ROOT_GITIGNORE = "dist/\n.nox/\n.venv/\n__pycache__/\n.releasekit/\n"

ROOT_README = """\
# {name}

A uv workspace of two packages, `{core}` and `{app}` (which requires `{core}`).

- `nox` runs every member's own sessions; `nox -s tests` in `packages/{app}`
  tests it with `{core}` from the workspace.
- Add a change: `invoke fragment feature "..."` in a member's directory.
- Release: `nox -s release` here releases every member with changes, in order,
  widening `{app}`'s requirement on `{core}` when `{core}`'s new version needs it.
"""


def _slug(name: str) -> str:
    return name.lower().strip().replace(" ", "-").replace("_", "-")


def _wire(member: Path, *, tag_name: str, requires: str = "", source: str = "") -> None:
    import tomlkit

    pyproject = member / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text())
    doc["tool"]["bumpversion"]["tag_name"] = tag_name
    if requires:
        doc["project"]["dependencies"].append(requires)
        sources = tomlkit.table()
        entry = tomlkit.inline_table()
        entry["workspace"] = True
        sources[source] = entry
        doc["tool"]["uv"] = tomlkit.table()
        doc["tool"]["uv"]["sources"] = sources
    pyproject.write_text(tomlkit.dumps(doc))


def stamp_workspace(
    output_dir: Path,
    *,
    extra_context: Mapping[str, str],
    no_input: bool = True,
    overwrite: bool = False,
) -> Path:
    """A workspace root with ``NAME-core`` and ``NAME-app`` (requiring the core) in packages/."""
    from releasekit import new

    layout = extra_context.get("layout", "workspace")
    if layout not in LAYOUTS:
        msg = f"layout {layout!r} is not one of {', '.join(LAYOUTS)}"
        raise TemplateError(msg)
    context = {k: v for k, v in extra_context.items() if k != "layout"}
    name = context.pop("project_name", "Demo Workspace")
    slug = _slug(name)
    root = Path(output_dir) / slug
    if root.exists():
        if not overwrite:
            msg = f"{root} already exists: choose another project_name or use --overwrite"
            raise TemplateError(msg)
        shutil.rmtree(root)
    core_name, app_name = f"{name} core", f"{name} app"
    new.check_context({"project_name": core_name}, {"project_name": ""})
    packages = root / "packages"
    packages.mkdir(parents=True)
    core = new.stamp(packages, extra_context={**context, "project_name": core_name},
                     no_input=no_input)  # fmt: skip
    app = new.stamp(packages, extra_context={**context, "project_name": app_name},
                    no_input=no_input)  # fmt: skip
    for member in (core, app):
        # GitHub reads workflows at the root only; the members' would never run.
        shutil.rmtree(member / ".github", ignore_errors=True)
    from releasekit import workspace_ci

    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    found = workspace_ci.workflows([core.name, app.name], context.get("requires_python", "3.10"))
    for name, text in found.items():
        (workflows / name).write_text(text)
    _wire(core, tag_name=f"{core.name}-v{{new_version}}")
    _wire(app, tag_name=f"{app.name}-v{{new_version}}", requires=f"{core.name}>=0.1,<0.2",
          source=core.name)  # fmt: skip
    (root / "pyproject.toml").write_text(ROOT_PYPROJECT)
    (root / "noxfile.py").write_text(ROOT_NOXFILE)
    (root / "tasks.py").write_text(ROOT_TASKS)
    (root / ".gitignore").write_text(ROOT_GITIGNORE)
    (root / "README.md").write_text(ROOT_README.format(name=name, core=core.name, app=app.name))
    return root
