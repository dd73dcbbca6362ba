"""``--abort`` after kill -9 trusts its journal only as far as the repository agrees with it.

Everything real: a release (or a train) paused in its build and killed -9,
its journal then as a crash inside a writing step leaves it, or as a hand
(or another clone) left it; then ``--abort``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_train import fragment, make_workspace

JOURNAL = Path(".releasekit") / "state.json"


def _killed(repo: Path, index: Index, gate: Path) -> None:
    """A release (a train at a workspace root) killed -9 in its hooked build: a local journal."""
    proc = start_release(repo, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert json.loads((repo / JOURNAL).read_text())["phase"] == "local"


def _edit_journal(repo: Path, **fields: object) -> None:
    data = json.loads((repo / JOURNAL).read_text())
    data.update(fields)
    (repo / JOURNAL).write_text(json.dumps(data))


def _refused(repo: Path, expected: str) -> None:
    before = snapshot(repo)
    for args in (["--abort"], ["--abort", "--dry-run"]):
        proc = invoke("release", *args, cwd=repo, check=False)
        assert proc.returncode == 1, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        assert errors == [f"ERROR {expected}"], proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert snapshot(repo) == before


def test_abort_keeps_a_copy_of_what_the_journal_does_not_record(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    """Killed inside "commit and tag" (its writes not recorded), then the user edits two files."""
    add_fragment(stamped)
    add_build_hook(stamped)
    before = snapshot(stamped)
    _killed(stamped, index, tmp_path / "gate")
    data = json.loads((stamped / JOURNAL).read_text())
    _edit_journal(stamped, commit="", writing="commit and tag",
                  touched=dict.fromkeys(data["touched"]))  # fmt: skip
    git(stamped, "update-ref", "HEAD", data["head_before"])  # the commit not made yet
    git(stamped, "tag", "-d", "v0.2.0")
    edits = {}
    for name in ("pyproject.toml", "CHANGELOG.md"):
        edits[name] = (stamped / name).read_text() + "# typed after the crash\n"
        (stamped / name).write_text(edits[name])

    aborted = invoke("release", "--abort", cwd=stamped)

    common = Path(git(stamped, "rev-parse", "--path-format=absolute", "--git-common-dir"))
    (directory,) = (common / "releasekit").glob("abort-*")
    copies = {str(p.relative_to(directory)): p for p in directory.rglob("*") if p.is_file()}
    # The edits, and the version the release wrote (no record tells it from an edit).
    assert sorted(copies) == ["CHANGELOG.md", "pyproject.toml", "src/demo_lib/__init__.py"]
    assert '__version__ = "0.2.0"' in copies["src/demo_lib/__init__.py"].read_text()
    for name, copy in copies.items():
        assert copy.read_text() == edits.get(name, copy.read_text())  # nothing typed is lost
        assert (
            f"WARNING {name} held what the journal does not record (an edit since the "
            f"release stopped?): copied to {copy} before restoring it" in aborted.stderr
        )
    last = aborted.stderr.strip().splitlines()[-1]
    assert last.startswith("undid the release of demo-lib 0.2.0: the repository is back at ")
    assert not last.endswith("as it was")
    assert last.endswith(
        f"as it was before the release; what CHANGELOG.md, pyproject.toml, "
        f"src/demo_lib/__init__.py held is saved in {directory}: check it"
    )
    assert snapshot(stamped) == before  # the work tree as it was; the copies outside it


def test_abort_refuses_a_release_commit_that_is_not_head_befores_child(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    (stamped / "NOTES.md").write_text("my own work, not pushed\n")
    commit_all(stamped, "my own work")
    add_fragment(stamped)
    add_build_hook(stamped)
    _killed(stamped, index, tmp_path / "gate")
    data = json.loads((stamped / JOURNAL).read_text())
    first = git(stamped, "rev-list", "--max-parents=0", "HEAD")
    _edit_journal(stamped, head_before=first)
    _refused(stamped, (
        f"the release of demo-lib 0.2.0 cannot be undone from its journal (its release commit "
        f"{data['commit'][:12]} is not a child of its head_before {first[:12]} here): it would "
        "move the branch past commits that are not the release's; undo it by hand, then "
        "remove .releasekit/; nothing was changed"
    ))  # fmt: skip


def test_abort_refuses_a_head_before_that_is_not_under_head(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(stamped)
    add_build_hook(stamped)
    _killed(stamped, index, tmp_path / "gate")
    elsewhere = git(stamped, "commit-tree", "HEAD^{tree}", "-m", "another history")
    _edit_journal(stamped, head_before=elsewhere, commit="")
    _refused(stamped, (
        f"the release of demo-lib 0.2.0 cannot be undone from its journal (its head_before "
        f"{elsewhere[:12]} is not under HEAD): it would move the branch past commits that are "
        "not the release's; undo it by hand, then remove .releasekit/; nothing was changed"
    ))  # fmt: skip


def test_a_trains_abort_is_refused_where_the_workspace_root_is_gone(
    tmp_path: Path, index: Index
) -> None:
    root = make_workspace(tmp_path, {"a": ""})
    fragment(root, "a")
    add_build_hook(root / "packages" / "a")
    _killed(root, index, tmp_path / "gate")
    shutil.copyfile(root / "packages" / "a" / "pyproject.toml", root / "pyproject.toml")
    _refused(root, (
        f"the train (a 0.2.0) was recorded at a workspace root and {root.resolve()} is no longer "
        "one (its pyproject.toml declares no [tool.uv.workspace]): put that back, then run "
        "--abort again; nothing was changed"
    ))  # fmt: skip
