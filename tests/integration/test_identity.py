"""What is pushed and uploaded is the release's own, by identity: its commit, its verified bytes.

Each test injects one situation with real parts (a concurrent ``git commit``,
``dist/`` rewritten or lost, an index that needs credentials nobody gave, a
hand-edited journal) and asserts the repository, the remote and the index
afterwards.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

from releasekit import dists
from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    nox,
    snapshot,
    start_release,
    wait_for,
)
from tests.integration.test_release import remote_refs
from tests.integration.test_release_recovery import RELEASED
from tests.integration.test_train import fragment, make_workspace, remote_tags

SDIST, WHEEL = "demo_lib-0.2.0.tar.gz", "demo_lib-0.2.0-py3-none-any.whl"


def _remote(repo: Path) -> Path:
    return repo / "../../remote.git"


def _index_digests(index: Index) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in index.packages.iterdir()}


def _journal(repo: Path) -> Any:
    return json.loads((repo / ".releasekit/state.json").read_text())


def _wrong_login(index: Index) -> dict[str, str]:
    """A login the index refuses at upload (the preflight only asks that there is one)."""
    return {"TWINE_USERNAME": index.USER, "TWINE_PASSWORD": "not-the-password"}


def test_a_commit_made_during_the_release_stays_local(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "post_release_dev = false", "post_release_dev = true"))  # fmt: skip
    commit_all(stamped, "Back to development after each release")
    add_build_hook(stamped)
    add_fragment(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate)
    wait_for(gate / "started", proc)
    # The release commit exists; someone commits on the branch while it builds, and
    # a file of someone else's takes the sdist's name on the index: the upload fails.
    (stamped / "NOTES.md").write_text("work in progress, not for the remote yet\n")
    commit_all(stamped, "Unreviewed work")
    theirs = git(stamped, "rev-parse", "HEAD")
    (index.packages / SDIST).write_bytes(b"not ours")
    (gate / "go").touch()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1 and "run again with --resume" in err, out + err
    assert "v0.2.0" not in remote_refs(stamped)

    # Resumed with their commit still checked out: the release's own commit goes out.
    (index.packages / SDIST).unlink()
    resumed = invoke("release", "--resume", "--yes", cwd=stamped, check=False,
                     env=index.twine_env())  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    err = resumed.stderr

    release_commit = git(stamped, "rev-parse", "v0.2.0^{commit}")
    assert git(stamped, "rev-parse", f"{theirs}^") == release_commit
    refs = remote_refs(stamped)
    assert f"{release_commit}\trefs/heads/main" in refs
    assert "refs/tags/v0.2.0" in refs
    # Neither their commit nor the dev commit on top of it reached the remote.
    assert theirs not in git(_remote(stamped), "rev-list", "--all")
    assert git(stamped, "log", "-3", "--format=%s").splitlines() == [
        "Back to development: 0.2.1.dev0", "Unreviewed work", "Release 0.2.0"
    ]  # fmt: skip
    assert git(stamped, "rev-parse", "HEAD~1") == theirs
    assert f"HEAD moved on to {theirs[:12]} ('Unreviewed work') while the release ran" in err
    assert "the development version 0.2.1.dev0 is committed on top of a commit made" in err
    assert git(stamped, "status", "--porcelain") == ""
    assert index.files() == RELEASED


GATE_SESSION = '''

import json as _json
import os as _os
import time as _time
from pathlib import Path as _Path

import nox as _nox


@_nox.session(python=False)
def gate(session):
    """On the release commit: wait until its files are built, then until the test says go."""
    mode = _os.environ.get("RK_TEST_HOOK", "")
    if not mode.startswith("wait:") or "0.2.0" not in _Path("CHANGELOG.md").read_text():
        return
    gate, journal = _Path(mode[5:]), _Path(".releasekit/state.json")
    deadline = _time.monotonic() + 120
    while not (journal.is_file() and _json.loads(journal.read_text())["packages"][0]["files"]):
        if _time.monotonic() > deadline:
            session.error("the release never built its files")
        _time.sleep(0.05)
    (gate / "started").touch()
    while not (gate / "go").exists() and _time.monotonic() < deadline:
        _time.sleep(0.05)
'''


def test_dist_rewritten_during_the_checks_never_reaches_the_index(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    (stamped / "noxfile.py").write_text((stamped / "noxfile.py").read_text() + GATE_SESSION)
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'checks = ["tests", "style", "build"]', 'checks = ["gate"]'))  # fmt: skip
    commit_all(stamped, "One check, which waits on the release commit")
    add_fragment(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate, "--no-push", checks=True)
    wait_for(gate / "started", proc)
    # Built and verified; the checks on the release commit still run. dist/ is rewritten.
    verified = _journal(stamped)["packages"][0]["files"]
    assert sorted(verified) == RELEASED
    for name in RELEASED:
        (stamped / "dist" / name).write_bytes(b"rewritten while the checks ran: " + name.encode())
    (gate / "go").touch()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert "gate passed on the release commit" in err
    # The index holds the verified bytes, not what dist/ held at publish time.
    assert _index_digests(index) == verified
    assert b"rewritten" not in (index.packages / WHEEL).read_bytes()
    assert not (stamped / ".releasekit").exists()
    assert git(stamped, "tag", "-l") == "v0.2.0"


def test_abort_works_while_no_file_reached_the_index(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    before = snapshot(stamped)
    # A wrong password (a missing one is refused in preflight): the commit and tag
    # are made, the upload fails.
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False, env=_wrong_login(index))  # fmt: skip
    assert proc.returncode == 1
    assert "publish failed" in proc.stderr
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert _journal(stamped)["phase"] == "public" and index.files() == []
    kept = stamped / ".releasekit/dist/demo-lib"
    assert sorted(p.name for p in kept.iterdir()) == RELEASED

    # Our own sdist on the index (an upload that died before the journal knew): refused.
    shutil.copy(kept / SDIST, index.packages / SDIST)
    refused = invoke("release", "--abort", cwd=stamped, check=False)
    assert refused.returncode == 1
    assert (
        f"ERROR the release of demo-lib 0.2.0 cannot be undone ({SDIST} is on {index.url}): "
        "finish it with --resume" in refused.stderr
    )
    assert git(stamped, "tag", "-l") == "v0.2.0"

    # Other bytes under that name, once an upload started: a listing may lie about
    # the sha256, so it is taken as ours until someone removes it from the index.
    (index.packages / SDIST).write_bytes(b"someone else's sdist")
    refused = invoke("release", "--abort", cwd=stamped, check=False)
    assert refused.returncode == 1
    assert f"{SDIST} is on {index.url} with another sha256, after an upload began" in refused.stderr
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert _journal(stamped)["upload"] == "started"

    # Removed from the index: nothing of the release is public, it undoes itself.
    (index.packages / SDIST).unlink()
    aborted = invoke("release", "--abort", cwd=stamped)
    assert "undid the release of demo-lib 0.2.0" in aborted.stderr
    assert snapshot(stamped) == before
    assert "v0.2.0" not in remote_refs(stamped)
    assert index.files() == []


def test_abort_refuses_an_upload_that_succeeded_whatever_the_listing_says(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    # The listing comes from another index that never sees the upload: a CDN's
    # stale page. The upload succeeds, the listing does not show it.
    with Index(tmp_path / "stale") as stale:
        pyproject = stamped / "pyproject.toml"
        text = pyproject.read_text()
        assert 'index_url = ""\n' in text
        text = text.replace('index_url = ""\n', f'index_url = "{stale.simple}"\n')
        pyproject.write_text(text)
        commit_all(stamped, "List from a stale page")
        add_fragment(stamped)
        proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                      cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
        assert proc.returncode == 1
        assert "is not listed on" in proc.stderr
        assert index.files() == RELEASED and stale.files() == []
        assert _journal(stamped)["upload"] == "done"

        refused = invoke("release", "--abort", cwd=stamped, check=False)
        assert refused.returncode == 1
        assert f"its files were uploaded to {index.url}" in refused.stderr
        assert "finish it with --resume" in refused.stderr
        assert git(stamped, "tag", "-l") == "v0.2.0"
        assert (stamped / ".releasekit/state.json").is_file()
        kept = stamped / ".releasekit/dist/demo-lib"
        assert sorted(p.name for p in kept.iterdir()) == RELEASED


def test_resume_uploads_the_kept_files_when_dist_is_lost(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    # setuptools-scm's archival file: git archive writes the refs into it, so a
    # rebuild after a new ref points at the release commit gives other bytes.
    (stamped / ".git_archival.txt").write_text("ref-names: $Format:%D$\n")
    (stamped / ".gitattributes").write_text(".git_archival.txt export-subst\n")
    commit_all(stamped, "An archival file")
    add_fragment(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False, env=_wrong_login(index))  # fmt: skip
    assert proc.returncode == 1 and index.files() == []
    verified = _journal(stamped)["packages"][0]["files"]
    git(stamped, "branch", "keep-this")
    rebuilt = dists.build_commit(stamped, "v0.2.0", tmp_path / "rebuilt")
    assert hashlib.sha256(rebuilt.sdist.read_bytes()).hexdigest() != verified[SDIST]
    shutil.rmtree(stamped / "dist")

    # A kept file that is not what was verified is refused by name, and nothing goes up.
    wheel = stamped / ".releasekit/dist/demo-lib" / WHEEL
    good = wheel.read_bytes()
    wheel.write_bytes(good + b"\0")
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{WHEEL} in {wheel.parent} is not the file that was verified" in proc.stderr
    assert index.files() == []

    wheel.write_bytes(good)
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    assert "did not reproduce" not in proc.stderr
    assert _index_digests(index) == verified
    with tarfile.open(index.packages / SDIST) as tf:
        archival = tf.extractfile("demo_lib-0.2.0/.git_archival.txt")
        assert archival is not None
        assert b"keep-this" not in archival.read()
    assert not (stamped / ".releasekit").exists()
    assert git(stamped, "rev-parse", "HEAD") == git(stamped, "rev-parse", "v0.2.0^{commit}")


EDITS: list[tuple[dict[str, object], str]] = [
    ({"published": "no"}, "packages[0].'published' must be true or false"),
    ({"path": "../../elsewhere"}, "packages[0].'path' must be a path inside the workspace"),
    (
        {"files": {"../a.whl": "0" * 64}},
        "packages[0].'files' must map file names to sha256 digests",
    ),
    ({"name": 7}, "packages[0].'name' must be a string"),
]


def test_a_hand_edited_train_journal_is_one_line_and_no_action(
    tmp_path: Path, index: Index
) -> None:
    root = make_workspace(tmp_path, {"a": ""})
    fragment(root, "a")
    before = snapshot(root)
    # A wrong login for the index: the train's commit and tag are made, the upload fails.
    proc = nox("-s", "release", "--", "--yes", "--no-checks", "--repository", index.url,
               cwd=root, check=False, env=_wrong_login(index))  # fmt: skip
    assert proc.returncode != 0 and "run again with --resume" in proc.stderr
    path = root / ".releasekit/state.json"
    journal = path.read_text()

    def edited(edit: dict[str, object]) -> None:
        data = json.loads(journal)
        data["packages"][0].update(edit)
        path.write_text(json.dumps(data))

    for edit, problem in EDITS:
        edited(edit)
        for verb in ("--resume", "--abort"):
            proc = nox("-s", "release", "--", verb, "--yes", cwd=root, check=False,
                       env=index.twine_env())  # fmt: skip
            assert proc.returncode != 0
            assert (
                f"is not a release state that this releasekit can read ({problem})" in proc.stderr
            ), proc.stderr
            assert "Traceback" not in proc.stdout + proc.stderr
            assert remote_tags(root) == [] and index.files() == []
            assert git(root, "tag", "-l") == "a-v0.2.0"

    # A lie of the right type: the index is asked before any tag goes out.
    edited({"published": True})
    proc = nox("-s", "release", "--", "--resume", "--yes", "--no-confirm", cwd=root, check=False,
               env=index.twine_env())  # fmt: skip
    assert proc.returncode != 0
    assert "the journal says a is published, but a-0.2.0" in proc.stderr
    assert remote_tags(root) == [] and index.files() == []

    # The journal as the train wrote it: nothing reached the index, so --abort undoes it.
    path.write_text(journal)
    nox("-s", "release", "--", "--abort", cwd=root)
    assert snapshot(root) == before
    assert remote_tags(root) == [] and index.files() == []
    assert not (root / "packages/a/dist").exists()
