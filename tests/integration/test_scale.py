"""A release with 200 changelog fragments and 50 files carrying the version."""

from __future__ import annotations

from pathlib import Path

from releasekit.versions.bumpmyversion import load
from tests.conftest import git
from tests.integration.conftest import Index, invoke, scale_up


def test_two_hundred_fragments_and_fifty_version_files(stamped: Path, index: Index) -> None:
    scale_up(stamped, fragments=200, files=50)
    assert len(load(stamped).files) == 50
    invoke("release", "--yes", "--no-checks", "--repository", index.url,
           cwd=stamped, env=index.twine_env())  # fmt: skip
    carriers = [stamped / "pyproject.toml", stamped / "src/demo_lib/__init__.py",
                *sorted((stamped / "src/demo_lib").glob("version_*.py"))]  # fmt: skip
    assert len(carriers) == 50
    for path in carriers:
        text = path.read_text()
        assert "0.2.0" in text and "0.1.0" not in text, path
    changelog = (stamped / "CHANGELOG.md").read_text()
    shown = [n for n in range(200) if n % 4 != 3]  # misc entries list only their issues
    assert all(f"- Change number {n} ([#{1000 + n}]" in changelog for n in shown)
    assert "[#1003]" in changelog
    assert sorted(p.name for p in (stamped / "changelog.d").iterdir()) == [".gitkeep"]
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert git(stamped, "status", "--porcelain") == ""
