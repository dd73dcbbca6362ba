"""``releasekit init`` at the root of a uv workspace: every member, and the root.

Each member is adopted as a project of its own (its version, changelog,
checks, front ends), with a tag name that carries its name, since the train
refuses two members with the same tag. The root gets what the train reads
there (``[tool.releasekit]``: branches and remote), a noxfile and tasks.py,
and the ``.gitignore`` lines every member's sessions need. A root that is a
package itself is adopted as a member too. One diff, one question, one
write: all of it or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from releasekit import _console, config, git, workspace
from releasekit._exceptions import InitError, ReleaseKitError
from releasekit.init import planning
from releasekit.init.authoring import edit_pyproject, table_toml

_ROOT_COMMENT = (
    "releasekit: nox -s release here releases every member with fragments, as one "
    "train (releasekit init)."
)


def _member_needs(root: Path) -> dict[Path, bool]:
    """Each member's directory, and whether it needs other members."""
    try:
        ws = workspace.discover(root)
    except ReleaseKitError as exc:
        msg = f"the workspace at {root} cannot be read: {exc}"
        raise InitError(msg) from None
    return {m.root.resolve(): bool(m.needs) for m in ws.members.values() if m.root != ws.root}


def _merge(into: planning.Plan, part: planning.Plan, label: str) -> None:
    into.writes.update(part.writes)
    into.notes += [f"{label}: {note}" for note in part.notes]
    if part.preview:
        indented = "".join(f"  {line}\n" for line in part.preview.splitlines())
        into.preview += f"{label}:\n{indented}"


def plan(root: Path, *, run_checks: bool = True) -> planning.Plan:
    """Everything init would write at the workspace root and in every member."""
    root = root.resolve()
    git.toplevel(root)  # one line when this is not a git repository
    pyproject: dict[str, Any] = config.read_pyproject(root)
    if "releasekit" in pyproject.get("tool", {}):
        msg = (
            f"{root / config.PYPROJECT} already has [tool.releasekit]: this workspace is configured"
        )
        raise InitError(msg)
    members = _member_needs(root)
    result = planning.Plan(root)
    setuptools = compiled = False
    for member_dir, needs in sorted(members.items()):
        label = member_dir.relative_to(root).as_posix()
        if "releasekit" in config.read_pyproject(member_dir).get("tool", {}):
            result.notes.append(f"{label}: already has [tool.releasekit]: kept as it is")
            continue
        _console.info(f"adopting the workspace member {label}")
        _merge(result, planning.plan(member_dir, run_checks=run_checks, member=True,
                                     siblings=needs), label)  # fmt: skip
        setuptools = setuptools or planning.uses_setuptools(member_dir)
        compiled = compiled or planning.is_compiled(member_dir)
    if isinstance(pyproject.get("project"), dict):
        # A root that is a package is a member too; its plan writes the root's table.
        _console.info("adopting the workspace root, a package of its own")
        _merge(result, planning.plan(root, run_checks=run_checks, member=True), ".")
    else:
        defaults = config.Settings()
        table = {"branches": defaults.branches, "remote": defaults.remote}
        old = (root / config.PYPROJECT).read_text(encoding="utf-8")
        result.writes[root / config.PYPROJECT] = edit_pyproject(
            old, [table_toml("releasekit", table, _ROOT_COMMENT)]
        )
        root_plan = planning.Plan(root)
        planning.plan_front_ends(root_plan)  # the same front ends as a project's
        _merge(result, root_plan, ".")
    ignores = planning.Plan(root)
    planning.plan_ignores(ignores, setuptools=setuptools, compiled=compiled)
    result.writes.update(ignores.writes)
    result.notes.append(
        f"workspace: {len(members)} member(s); nox -s release here releases every member "
        "with changelog fragments, as one train"
    )
    return result
