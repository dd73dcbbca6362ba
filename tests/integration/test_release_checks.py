"""The checks run again on the release commit, beside build and verify, before publish.

Real nox sessions (tests, style) in a stamped project, a real pypiserver,
real signals.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    nox,
    run,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs


def _processes_in(repo: Path) -> list[str]:
    """Command lines of the processes whose working directory is ``repo``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cwd").resolve() == repo.resolve():
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def _pin_the_version_in_a_test(repo: Path) -> None:
    """A test that passes on the tree before the release and fails once the version moved."""
    (repo / "tests" / "test_pinned.py").write_text(
        'import demo_lib\n\n\ndef test_pinned():\n    assert demo_lib.__version__ == "0.1.0"\n'
    )
    commit_all(repo, "Pin the version in a test")


def test_a_check_that_fails_only_on_the_release_commit_stops_before_publish(
    stamped: Path, index: Index
) -> None:
    _pin_the_version_in_a_test(stamped)
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", "--yes", "--repository", index.url, cwd=stamped,
                  env=index.twine_env(), check=False)  # fmt: skip
    err = proc.stderr
    assert proc.returncode == 1, err
    assert "✓ preflight (" in err  # the tree before the release passed
    assert (
        "checks failed: the configured check tests failed on the release commit v0.2.0 "
        "(nox -s tests style); the repository is back as it was"
    ) in err
    assert "Traceback" not in proc.stdout + err
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def test_check_release_commit_false_checks_the_tree_before_the_release_only(
    stamped: Path, index: Index
) -> None:
    _pin_the_version_in_a_test(stamped)
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    assert "check_release_commit = true" in text  # the template shows it with its default
    off = text.replace("check_release_commit = true", "check_release_commit = false")
    pyproject.write_text(off)
    commit_all(stamped, "Check the tree before the release only")
    add_fragment(stamped)
    plan = invoke("release", "--dry-run", "--repository", index.url, cwd=stamped).stdout
    assert "on the release commit" not in plan
    proc = invoke("release", "--yes", "--repository", index.url, cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    assert "checks: skipped" not in proc.stderr
    assert "not run on the release commit (check_release_commit = false)" in proc.stderr
    assert proc.stderr.count("$ nox --no-color -s tests") == 1  # the preflight's alone
    assert "demo_lib-0.2.0.tar.gz" in index.files()


def test_the_release_commits_verdict_serves_the_next_release(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    first = invoke("release", "--yes", "--repository", index.url, cwd=stamped,
                   env=index.twine_env())  # fmt: skip
    assert "checks on the release commit, meanwhile: nox -s tests style" in first.stderr
    assert "tests, style passed on the release commit" in first.stderr
    # The next change is a fragment only: the release commit's verdict holds.
    add_fragment(stamped, "bugfix", "Fix the greeting")
    second = invoke("release", "--yes", "--repository", index.url, cwd=stamped,
                    env=index.twine_env())  # fmt: skip
    preflight = second.stderr.split("✓ preflight (")[0]
    assert "tests: passed on this tree before (cached" in preflight
    assert "style: passed on this tree before (cached" in preflight
    assert "$ nox" not in preflight
    assert "tests, style passed on the release commit" in second.stderr
    assert "demo_lib-0.2.1.tar.gz" in index.files()


def test_a_signal_during_the_build_stops_the_checks_and_rolls_back(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_build_hook(stamped)
    run([sys.executable, "-m", "ruff", "format", "hatch_build.py"], stamped)  # style passes
    commit_all(stamped, "Format the build hook")
    nox("-s", "tests", "style", cwd=stamped)  # the preflight's verdict: no build before the commit
    add_fragment(stamped)
    before = snapshot(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate, checks=True)
    wait_for(gate / "started", proc)  # the release's build or the checks' editable install
    time.sleep(0.5)  # both have started: they begin together, after the commit
    os.killpg(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "checks on the release commit, meanwhile" in err
    assert "stopped by SIGTERM during build: the repository is back as it was" in err
    assert "Traceback" not in out + err
    assert snapshot(stamped) == before
    assert git(stamped, "tag", "-l") == ""
    assert index.files() == []
    # The checks were stopped with the release, not left running on the tree.
    deadline = time.monotonic() + 10
    while _processes_in(stamped) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_in(stamped) == []
