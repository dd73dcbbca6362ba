"""changelog: towncrier's configuration, read through its own loader."""

from __future__ import annotations

from pathlib import Path

from releasekit import changelog


def test_towncriers_configuration_is_read_once_per_content(tmp_path: Path) -> None:
    """Read again when a file changes (the bump), never again for the same bytes."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "a"\nversion = "1.0"\n\n'
        '[tool.towncrier]\ndirectory = "changelog.d"\nfilename = "CHANGES.md"\n'
    )
    first = changelog.towncrier_config(tmp_path)
    assert changelog.towncrier_config(tmp_path)[1] is first[1]  # the same reading
    pyproject.write_text(pyproject.read_text().replace("CHANGES.md", "NEWS.md"))
    assert changelog.settings(tmp_path).filename == tmp_path / "NEWS.md"
