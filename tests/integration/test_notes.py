"""``releasekit notes``: exactly the section towncrier wrote, read back."""

from __future__ import annotations

import sys
from pathlib import Path

from releasekit import changelog
from tests.integration.conftest import commit_all, run


def releasekit(*args: str, cwd: Path, check: bool = True) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "releasekit", *args], cwd, check=check)
    return proc.returncode, proc.stdout, proc.stderr


def test_notes_of_each_version_and_the_latest(stamped: Path) -> None:
    fragments = stamped / "changelog.d"
    (fragments / "+a.feature.md").write_text("Greet anyone by name\n")
    (fragments / "7.bugfix.md").write_text("Do not crash on empty names\n")
    commit_all(stamped, "fragments")
    draft = changelog.draft(stamped, "0.2.0")
    changelog.build(stamped, "0.2.0")
    commit_all(stamped, "0.2.0")
    (fragments / "+b.doc.md").write_text("Document the greeting\n")
    commit_all(stamped, "fragment")
    changelog.build(stamped, "0.2.1")
    commit_all(stamped, "0.2.1")

    _, first, _ = releasekit("notes", "0.2.0", cwd=stamped)
    heading, _, body = draft.partition("\n")
    assert heading.startswith("## 0.2.0 (")
    assert first == body.strip() + "\n"
    assert "Greet anyone by name" in first
    assert "Document the greeting" not in first
    _, latest, _ = releasekit("notes", cwd=stamped)
    assert latest == "### Improved Documentation\n\n- Document the greeting\n"

    code, out, err = releasekit("notes", "3.0", cwd=stamped, check=False)
    assert code == 1
    assert out == ""
    assert err.strip() == "ERROR CHANGELOG.md has no section for version 3.0 (it has 0.2.1, 0.2.0)"


def test_notes_before_any_release_is_one_line(stamped: Path) -> None:
    code, _, err = releasekit("notes", cwd=stamped, check=False)
    assert code == 1
    assert err.strip() == "ERROR CHANGELOG.md has no release section yet: release once first"
