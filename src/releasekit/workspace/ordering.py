"""The order of a release train: tiers, each needing only the ones before.

A member releases after every member it needs, so that the version it
requires is on the index first; members of one tier need none of each
other. A cycle has no order, and is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from releasekit._exceptions import WorkspaceError


def _cycle(graph: Mapping[str, set[str]], nodes: set[str]) -> list[str]:
    """One cycle among ``nodes`` (every one of which is on or leads to a cycle)."""
    start = min(nodes)
    path = [start]
    seen = {start: 0}
    while True:
        nxt = min(n for n in graph[path[-1]] if n in nodes)
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)


def tiers(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Group the nodes in tiers, each needing only earlier tiers (names sorted in a tier).

    :param graph: each node's needs; needs outside the graph are ignored.
    :raises WorkspaceError: the needs form a cycle (named in the message).
    """
    needs = {n: {d for d in deps if d in graph and d != n} for n, deps in graph.items()}
    done: set[str] = set()
    result: list[list[str]] = []
    left = set(needs)
    while left:
        tier = sorted(n for n in left if needs[n] <= done)
        if not tier:
            cycle = _cycle(needs, left)
            msg = (
                f"the workspace members depend on each other in a cycle: {' -> '.join(cycle)}; "
                "a release train needs an order, so break the cycle"
            )
            raise WorkspaceError(msg)
        result.append(tier)
        done.update(tier)
        left.difference_update(tier)
    return result
