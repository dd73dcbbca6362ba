"""Check verdicts and the changelog fragments: a commit of fragments alone keeps them."""

from __future__ import annotations

from pathlib import Path

from releasekit import _verdicts
from tests.integration.conftest import add_fragment, commit_all, nox


def fake_env(tmp_path: Path, *dists: str) -> Path:
    """An environment directory listing ``dists`` as installed (the key reads only names)."""
    env = tmp_path / "env"
    for dist in dists:
        (env / "lib/python3.11/site-packages" / f"{dist}.dist-info").mkdir(parents=True)
    return env


def test_a_verdict_survives_a_commit_of_fragments_only(stamped: Path) -> None:
    nox("-s", "style", cwd=stamped)
    assert _verdicts.passed(stamped, _verdicts.key(stamped, "style"))
    add_fragment(stamped)
    assert _verdicts.passed(stamped, _verdicts.key(stamped, "style"))
    # The changelog itself is not a fragment: docs may include it.
    with (stamped / "CHANGELOG.md").open("a") as f:
        f.write("\nA hand-written note.\n")
    commit_all(stamped, "Edit the changelog")
    assert not _verdicts.passed(stamped, _verdicts.key(stamped, "style"))


def test_every_change_outside_the_fragment_directory_counts(stamped: Path, tmp_path: Path) -> None:
    env = fake_env(tmp_path, "pytest-8.3.0")
    before = _verdicts.key(stamped, "tests", env)
    (stamped / "changelog.d" / "notes").mkdir()
    (stamped / "changelog.d" / "notes" / "+x.feature.md").write_text("Nested\n")
    commit_all(stamped, "A nested fragment")
    assert _verdicts.key(stamped, "tests", env) == before
    (stamped / "changelog.d.md").write_text("beside the directory, not in it\n")
    commit_all(stamped, "A file whose name starts like the directory")
    after = _verdicts.key(stamped, "tests", env)
    assert after != before
    (stamped / "src/demo_lib/__init__.py").write_text('__version__ = "0.1.0"\n# edited\n')
    commit_all(stamped, "Edit the source")
    assert _verdicts.key(stamped, "tests", env) != after


def test_a_check_with_towncrier_keeps_the_fragments_in_its_key(
    stamped: Path, tmp_path: Path
) -> None:
    for dist in ("towncrier-24.8.0", "sphinxcontrib_towncrier-0.4.0"):
        env = fake_env(tmp_path / dist, dist, "sphinx-8.0.0")
        before = _verdicts.key(stamped, "docs", env)
        add_fragment(stamped, text=f"Read by {dist}")
        assert _verdicts.key(stamped, "docs", env) != before


def test_a_dirty_tree_has_no_verdict(stamped: Path, tmp_path: Path) -> None:
    (stamped / "changelog.d" / "+wip.feature.md").write_text("Not committed\n")
    assert _verdicts.key(stamped, "tests", fake_env(tmp_path, "pytest-8.3.0")) is None
