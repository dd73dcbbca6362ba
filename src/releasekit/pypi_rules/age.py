"""PyPI's rule on adding files to a release: not once it is 14 days old.

``--resume`` may add the files an interrupted release did not upload; PyPI
refuses them for a release first uploaded over 14 days ago, and one sdist
per release still holds. The times come from the index itself, so this rule
asks the index and is kept apart from the rules on the files alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit import _console
from releasekit._exceptions import PyPIRuleError
from releasekit.pypi_rules.files import one_sdist

if TYPE_CHECKING:
    from releasekit.index import Listed, Target

#: Days after its first upload that PyPI still takes new files for a release
#: (``MAXIMUM_AGE_FOR_NEW_UPLOADS_DAYS`` in warehouse/forklift/legacy.py).
MAX_RELEASE_AGE_DAYS = 14


def release_age(
    target: Target,
    releases: Sequence[tuple[str, str, Sequence[Path]]],
    *,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse to add files to a release that PyPI closed: first uploaded over 14 days ago.

    warehouse/forklift/legacy.py ``file_upload``: "Uploading new files to
    releases older than 14 days is not allowed." The upload times come from
    the index's JSON answer (PEP 700 ``upload-time``); an index that gives
    none is not asked again, and that is said once.

    :param releases: (project, version, files still to upload) of each release.
    """
    from packaging.utils import parse_sdist_filename, parse_wheel_filename
    from packaging.version import Version

    from releasekit.index import index_for

    now = now or datetime.datetime.now(datetime.timezone.utc)
    for project, version, files in releases:
        listing = index_for(target).listing(project)
        mine: dict[str, Listed] = {}
        for name, listed in listing.items():
            try:
                parsed = parse_wheel_filename(name) if name.endswith(".whl") else \
                    parse_sdist_filename(name)  # fmt: skip
            except ValueError:
                continue
            if parsed[1] == Version(version):
                mine[name] = listed
        adding = [p for p in files if p.name not in mine]
        if not mine or not adding:
            continue  # a new release, or nothing to add to it
        problem = one_sdist({*mine, *(p.name for p in adding)})
        if problem:
            raise PyPIRuleError(f"{problem} ([tool.releasekit] pypi_rules)")
        times = [_when(m.upload_time) for m in mine.values() if m.upload_time]
        if not times or None in times:
            _console.info(
                f"{target.shown} gives no upload times: the {MAX_RELEASE_AGE_DAYS}-day rule "
                "for adding files to a release is not checked"
            )
            continue  # the next project's listing may give them
        first = min(t for t in times if t is not None)
        if now - first > datetime.timedelta(days=MAX_RELEASE_AGE_DAYS):
            raise PyPIRuleError(
                f"{project} {version} was first uploaded on {first.date().isoformat()}, over "
                f"{MAX_RELEASE_AGE_DAYS} days ago: PyPI takes no new files for it "
                f"({', '.join(p.name for p in adding)}); release a new version instead"
            )


def _when(text: str) -> datetime.datetime | None:
    """A PEP 700 ``upload-time`` (ISO 8601, UTC), or None when it is not one."""
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)
