"""What the engine is asked to do: a release's :class:`Request`, plain data.

The front ends parse their arguments into ``releasekit.options.ReleaseOptions``
and the command layer turns those into a :class:`Request`; the engine reads
only this, so a new front-door option reaches the engine only when a field
here says what it means to a release.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, kw_only=True)
class Request:
    """One release (or train) to cut, ``--resume`` or ``--abort``, and how."""

    #: The version: a part to bump, or exactly this version, or a pre-release label.
    part: str | None = None
    new_version: str | None = None
    pre: str | None = None
    #: The target index given now (a ``.pypirc`` name or an upload URL), or None.
    repository: str | None = None
    dry_run: bool = False
    #: Answer yes to the one question (else asked on a terminal).
    yes: bool = False
    no_publish: bool = False
    no_push: bool = False
    no_confirm: bool = False
    no_checks: bool = False
    #: Rerun checks that passed on this tree; build in a throwaway environment.
    no_cache: bool = False
    resume: bool = False
    abort: bool = False
