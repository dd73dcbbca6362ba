from __future__ import annotations

import pytest

from releasekit import changelog, config
from releasekit._exceptions import ChangelogError

BUMP_MAP = dict(config.DEFAULT_BUMP_MAP)


@pytest.mark.parametrize(
    ("types", "current", "part"),
    [
        (["feature"], "1.2.3", "minor"),
        (["bugfix", "doc"], "1.2.3", "patch"),
        (["bugfix", "feature"], "1.2.3", "minor"),
        (["removal", "feature"], "1.2.3", "major"),
        (["removal"], "0.4.0", "minor"),
        (["misc"], "0.4.0", "patch"),
        (["unmapped"], "1.0.0", "patch"),
    ],
)
def test_infer_part(types: list[str], current: str, part: str) -> None:
    assert changelog.infer_part(types, BUMP_MAP, current) == part


def test_zero_major_part_is_configurable() -> None:
    assert changelog.infer_part(["removal"], BUMP_MAP, "0.4.0", zero_major_part="major") == "major"


def test_custom_map_to_a_custom_part() -> None:
    assert changelog.infer_part(["feature"], {"feature": "pre_n"}, "1.0.0rc1") == "pre_n"


def test_no_fragments_is_an_error() -> None:
    with pytest.raises(ChangelogError, match="no changelog fragments"):
        changelog.infer_part([], BUMP_MAP, "1.0.0")
