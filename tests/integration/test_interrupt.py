"""Ctrl-C and Ctrl-D, as a person at a terminal sends them, in every front end.

Real signals to the front end's process group (what a terminal does on
Ctrl-C), a real pseudo-terminal whose line discipline turns Ctrl-D into the
end of input, real check sessions, a real pypiserver and a bare remote.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Index, add_fragment, snapshot
from tests.integration.test_release import remote_refs

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


def test_ctrl_d_at_the_template_questions_writes_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    releasekit = str(Path(sys.executable).with_name("releasekit"))
    proc = _on_a_terminal([releasekit, "new", "-o", str(out_dir)], tmp_path, CTRL_D)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr == "ERROR declined at the template's questions: nothing was written\n"
    assert list(out_dir.iterdir()) == []
