"""Workspaces: the members of a uv workspace, their order, and the release train's plan.

A repository whose root ``pyproject.toml`` declares ``[tool.uv.workspace]
members`` holds several packages, each a releasekit project of its own. Their
dependencies on each other (``[project] dependencies`` naming another member,
``[tool.uv.sources]`` workspace entries) decide the order of a release: tier
by tier, each tier depending only on the ones before. The plan says which
members release, at which version and why: their own fragments, or a
requirement on a releasing member that would exclude its new version, widened
here in the author's own style.

Discovery (:mod:`.discovery`), the order (:mod:`.ordering`), widening a
requirement (:mod:`.widening`) and the train's plan (:mod:`.planning`) are
modules of their own; every name callers use is here.
"""

from __future__ import annotations

from releasekit.workspace.discovery import (
    Edge,
    Member,
    Workspace,
    discover,
    editable_needs,
    find_root,
    is_workspace,
    member_roots,
    membership,
)
from releasekit.workspace.ordering import tiers
from releasekit.workspace.planning import Entry, Plan, check_tags, plan
from releasekit.workspace.widening import (
    Widening,
    rewrite_requirement,
    widen,
    widening_text,
    widening_type,
)

__all__ = [
    "Edge",
    "Entry",
    "Member",
    "Plan",
    "Widening",
    "Workspace",
    "check_tags",
    "discover",
    "editable_needs",
    "find_root",
    "is_workspace",
    "member_roots",
    "membership",
    "plan",
    "rewrite_requirement",
    "tiers",
    "widen",
    "widening_text",
    "widening_type",
]
