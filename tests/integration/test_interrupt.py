"""Ctrl-C and Ctrl-D, as a person at a terminal sends them, in every front end.

Real signals to the front end's process group (what a terminal does on
Ctrl-C), a real pseudo-terminal whose line discipline turns Ctrl-D into the
end of input, real check sessions, a real pypiserver and a bare remote.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Index, add_fragment, commit_all, snapshot, wait_for
from tests.integration.test_release import remote_refs
from tests.integration.test_release_checks import _processes_in
from tests.integration.test_train import fragment, make_workspace

CTRL_D = b"\x04"


def _on_a_terminal(args: list[str], cwd: Path, typed: bytes, env: dict[str, str] | None = None
                   ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run with a pseudo-terminal as stdin, ``typed`` already waiting in its input."""
    controller, terminal = pty.openpty()
    os.write(controller, typed)
    try:
        return subprocess.run(
            args, cwd=cwd, stdin=terminal, capture_output=True, text=True, timeout=300,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)


RELEASE_FRONT_ENDS = {
    "invoke": [sys.executable, "-m", "invoke", "release"],
    "nox": [sys.executable, "-m", "nox", "-s", "release", "--"],
}


@pytest.mark.parametrize("front_end", sorted(RELEASE_FRONT_ENDS))
def test_ctrl_d_at_the_question_declines_in_one_line(
    stamped: Path, index: Index, front_end: str
) -> None:
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    args = [*RELEASE_FRONT_ENDS[front_end], "--no-checks", "--repository", index.url]
    proc = _on_a_terminal(args, stamped, CTRL_D, env=index.twine_env())
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Release plan for demo-lib" in proc.stdout
    assert "Traceback" not in out and "EOFError" not in out
    # The question ends its line: the refusal is a line of its own.
    assert proc.stdout.rstrip().endswith("Release demo-lib 0.2.0? [y/N]")
    declined = [line for line in out.splitlines() if "declined" in line]
    assert len(declined) == 1, out
    assert "the release was declined: nothing was changed" in declined[0]
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def test_ctrl_d_at_a_train_s_question_declines_in_one_line(tmp_path: Path, index: Index) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    fragment(root, "a")
    before, refs = snapshot(root), remote_refs(root)
    args = [*RELEASE_FRONT_ENDS["invoke"], "--no-checks", "--repository", index.url]
    proc = _on_a_terminal(args, root, CTRL_D, env=index.twine_env())
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "EOFError" not in out
    assert proc.stdout.rstrip().endswith("[y/N]")
    assert proc.stderr.splitlines()[-1] == "ERROR the release was declined: nothing was changed"
    assert snapshot(root) == before
    assert remote_refs(root) == refs
    assert index.files() == []


def test_ctrl_d_at_the_template_questions_writes_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    releasekit = str(Path(sys.executable).with_name("releasekit"))
    proc = _on_a_terminal([releasekit, "new", "-o", str(out_dir)], tmp_path, CTRL_D)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr == "ERROR declined at the template's questions: nothing was written\n"
    assert list(out_dir.iterdir()) == []


SLOW_TEST = """\
import time
from pathlib import Path


def test_takes_ten_minutes():
    Path({started!r}).touch()
    deadline = time.monotonic() + 600
    while not Path({stop!r}).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    Path({finished!r}).touch()
    raise AssertionError("not stopped by Ctrl-C")
"""


def _a_ten_minute_check(project: Path, gates: Path) -> None:
    """The project's only check is a test that takes ten minutes, unless ``gates/stop`` appears."""
    gates.mkdir()
    names = {name: str(gates / name) for name in ("started", "stop", "finished")}
    (project / "tests/test_slow.py").write_text(SLOW_TEST.format(**names))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'checks = ["tests", "style", "build"]', 'checks = ["tests"]'))  # fmt: skip


def _ctrl_c_during_the_checks(args: list[str], repo: Path, gates: Path) -> None:
    """Start ``args``, press Ctrl-C once the check runs; it stops at once and changes nothing."""
    before, refs = snapshot(repo), remote_refs(repo)
    proc = subprocess.Popen(
        args, cwd=repo, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(gates / "started", proc)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        # The check would run for ten minutes: stopping takes well under a second
        # (measured: 0.3 s for invoke, 0.4 s for nox); half a minute is the bound.
        out, err = proc.communicate(timeout=30)
    finally:
        (gates / "stop").touch()  # if the front end did not stop it, the slow test ends (failing)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    (gates / "stop").unlink()
    (gates / "started").unlink()
    assert proc.returncode == 130, (args, out, err)
    assert "Traceback" not in out + err
    assert "interrupted" in err.splitlines()[-1], (args, err)
    assert _processes_in(repo) == [], args  # the session's pytest is gone too
    assert not (gates / "finished").exists()
    assert snapshot(repo) == before
    assert remote_refs(repo) == refs


def test_ctrl_c_during_the_checks_stops_every_front_end_at_once(
    stamped: Path, tmp_path: Path
) -> None:
    """The check sessions run in process groups of their own, which Ctrl-C does not reach.

    Before, the front end caught the interrupt and then waited for the checks
    to finish (the whole test run); now it stops them and is gone at once.
    """
    gates = tmp_path / "gates"
    _a_ten_minute_check(stamped, gates)
    commit_all(stamped, "A test that takes ten minutes")
    add_fragment(stamped)
    for front_end in sorted(RELEASE_FRONT_ENDS):
        args = [*RELEASE_FRONT_ENDS[front_end], "--yes", "--no-publish", "--no-cache"]
        _ctrl_c_during_the_checks(args, stamped, gates)


def test_ctrl_c_during_a_train_s_checks_stops_it_at_once(tmp_path: Path) -> None:
    """The train runs each member's checks from its main thread: the same stop."""
    root = make_workspace(tmp_path, {"a": ""})
    gates = tmp_path / "gates"
    _a_ten_minute_check(root / "packages/a", gates)
    commit_all(root, "A test that takes ten minutes")
    fragment(root, "a")
    args = [*RELEASE_FRONT_ENDS["invoke"], "--yes", "--no-publish", "--no-cache"]
    _ctrl_c_during_the_checks(args, root, gates)
