"""What a person sees while the checks run: the plan and the question early, the checks' progress.

Real check sessions (nox, pytest) that wait on gate files, a real
pseudo-terminal, a real pypiserver and a bare remote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pty
import re
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Index, add_fragment, commit_all, snapshot, wait_for
from tests.integration.test_release import remote_refs
from tests.integration.test_release_checks import _processes_in

GATED_TEST = """\
import time
from pathlib import Path

import pytest


def test_waits_for_its_gate():
    Path({started!r}).touch()
    print("checking the gate")
    deadline = time.monotonic() + 600
    while not Path({stop!r}).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    Path({finished!r}).touch()
"""


def _gated_check(project: Path, gates: Path) -> dict[str, Path]:
    """The project's only check is a test that runs until ``gates/stop`` appears (ten minutes)."""
    gates.mkdir()
    names = {name: gates / name for name in ("started", "stop", "finished")}
    text = GATED_TEST.format(**{name: str(path) for name, path in names.items()})
    (project / "tests/test_gated.py").write_text(text)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'checks = ["tests", "style", "build"]', 'checks = ["tests"]'))  # fmt: skip
    commit_all(project, "a check that waits for its gate")
    return names


class _Reader:
    """Collect a stream in a thread, so a test can wait for a line without blocking."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = b""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(self.fd, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                return
            if not chunk:
                return
            self.data += chunk

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")

    def join(self) -> None:
        self._thread.join(timeout=10)


def _wait_for_text(
    reader: _Reader, text: str, proc: subprocess.Popen[bytes], other: _Reader | None = None
) -> None:
    for _ in range(1200):
        if text in reader.text:
            return
        if proc.poll() is not None:
            break
        threading.Event().wait(0.1)
    raise AssertionError(f"{text!r} never appeared:\n{reader.text}\n{other.text if other else ''}")


@dataclasses.dataclass
class _Asked:
    """A release with a terminal as its stdin (to answer at) and its output read as it comes."""

    proc: subprocess.Popen[bytes]
    controller: int
    out: _Reader
    err: _Reader

    def answer(self, text: bytes) -> None:
        os.write(self.controller, text)


@contextlib.contextmanager
def _asked(args: list[str], cwd: Path, env: dict[str, str], stop: Path) -> Iterator[_Asked]:
    """Run ``args`` to be answered at a terminal; afterwards ``stop`` ends the gated check and
    the process is gone, its output read to the end."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        args, cwd=cwd, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, **env}, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    asked = _Asked(proc, controller, _Reader(proc.stdout.fileno()), _Reader(proc.stderr.fileno()))
    try:
        yield asked
    finally:
        stop.touch()
        if proc.poll() is None:
            proc.kill()
        os.close(terminal)
        os.close(controller)
        asked.out.join()
        asked.err.join()
        proc.stdout.close()
        proc.stderr.close()


RELEASE = [sys.executable, "-m", "invoke", "release"]


def test_no_at_the_question_stops_a_running_check_at_once(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    gates = _gated_check(stamped, tmp_path / "gates")
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    args = [*RELEASE, "--repository", index.url]
    with _asked(args, stamped, index.twine_env(), gates["stop"]) as asked:
        proc, out, err = asked.proc, asked.out, asked.err
        wait_for(gates["started"], proc)  # type: ignore[arg-type]
        # The plan and the question come while the check is still running.
        _wait_for_text(out, "Release demo-lib 0.2.0? [y/N]", proc, err)
        assert "Release plan for demo-lib" in out.text
        assert not gates["finished"].exists()
        asked.answer(b"n\n")
        proc.wait(timeout=30)  # the check would run for ten minutes
    assert proc.returncode == 1, err.text
    assert not gates["finished"].exists(), "the check ran to its end instead of being stopped"
    assert _processes_in(stamped) == []
    lines = err.text.splitlines()
    assert "  check tests: started" in lines
    assert any(re.fullmatch(r"  check tests: stopped \(\d+\.\ds\)", line) for line in lines), lines
    assert lines[-1] == "ERROR the release was declined: nothing was changed"
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def test_yes_at_the_question_waits_for_the_running_check(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    gates = _gated_check(stamped, tmp_path / "gates")
    (stamped / "pyproject.toml").write_text(
        (stamped / "pyproject.toml")
        .read_text()
        .replace("check_release_commit = true", "check_release_commit = false")
    )
    commit_all(stamped, "the tree's checks only")
    add_fragment(stamped)
    args = [*RELEASE, "--repository", index.url, "--no-push"]
    with _asked(args, stamped, index.twine_env(), gates["stop"]) as asked:
        proc, out, err = asked.proc, asked.out, asked.err
        _wait_for_text(out, "[y/N]", proc, err)
        asked.answer(b"y\n")
        # Answered: the release waits for the check, which is still running.
        threading.Event().wait(1.0)
        assert proc.poll() is None
        assert not gates["finished"].exists()
        assert "▶ changelog" not in err.text
        gates["stop"].touch()
        proc.wait(timeout=300)
    assert proc.returncode == 0, err.text
    lines = err.text.splitlines()
    passed = next(i for i, line in enumerate(lines) if line.startswith("  check tests: passed"))
    assert passed < next(i for i, line in enumerate(lines) if line == "▶ changelog")
    assert sorted(index.files()) == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]


def test_on_a_terminal_each_running_check_has_a_live_line(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    gates = _gated_check(stamped, tmp_path / "gates")
    add_fragment(stamped)
    env = {**os.environ, **index.twine_env(), "TERM": "xterm", "COLUMNS": "120"}
    for name in ("CI", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [*RELEASE, "--repository", index.url, "--no-push", "--yes"], cwd=stamped,
        stdin=terminal, stdout=terminal, stderr=terminal, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    screen = _Reader(controller)
    try:
        wait_for(gates["started"], proc)  # type: ignore[arg-type]
        # The line shows the session's name, the time it has run and its last line of output.
        live = re.compile(r"check tests\s+\d+s\s+\S")
        for _ in range(300):
            if live.search(screen.text):
                break
            threading.Event().wait(0.1)
        assert live.search(screen.text), screen.text
        gates["stop"].touch()
        proc.wait(timeout=300)
    finally:
        gates["stop"].touch()
        if proc.poll() is None:
            proc.kill()
    screen.join()
    os.close(controller)
    assert proc.returncode == 0, screen.text
    assert re.search(r"check tests: passed \(\d+\.\ds\)", screen.text)
    # A started line of its own is for logs without a terminal: the live line says it here.
    assert "check tests: started" not in screen.text


def test_without_a_terminal_a_check_has_a_line_as_it_starts_and_ends_and_v_streams_it(
    stamped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from releasekit import _console
    from releasekit import release as engine

    engine.run_checks(stamped, ["style"], cache=False)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "  check style: started"
    assert lines[1] == "$ nox --no-color -s style"
    assert re.fullmatch(r"  check style: passed \(\d+\.\ds\)", lines[2]), lines
    assert len(lines) == 3, lines  # the session's own output stays out of the way

    _console.set_verbose(True)
    try:
        engine.run_checks(stamped, ["style"], cache=False)
    finally:
        _console.set_verbose(False)
    err = capsys.readouterr().err
    assert "  style| nox > Running session style" in err.splitlines(), err


LEAKY_TEST = """\
import os


def test_prints_the_pypirc():
    print(open(os.path.expanduser("~/.pypirc")).read())
    raise AssertionError("shown with its output")
"""


def test_a_check_that_prints_pypirc_shows_its_password_masked(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    """The checks start before the target is resolved: .pypirc's passwords are secrets already."""
    home = tmp_path / "home"
    home.mkdir()
    password = "pa55-Secret-9f8e7d"
    (home / ".pypirc").write_text(
        f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {index.url}\n"
        f"username = {index.twine_env()['TWINE_USERNAME']}\npassword = {password}\n"
    )
    (stamped / "tests/test_leaky.py").write_text(LEAKY_TEST)
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'checks = ["tests", "style", "build"]', 'checks = ["tests"]'))  # fmt: skip
    commit_all(stamped, "a test that prints the machine's .pypirc")
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    caches = os.path.expanduser("~/.cache")
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": caches,
           "UV_CACHE_DIR": os.path.join(caches, "uv")}  # fmt: skip
    for name in ("TWINE_USERNAME", "TWINE_PASSWORD", "TWINE_REPOSITORY", "TWINE_REPOSITORY_URL"):
        env.pop(name, None)
    proc = subprocess.run(
        [*RELEASE, "--repository", "local", "--yes", "-v"], cwd=stamped, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "tests| " in out and "password = ********" in out, out
    assert password not in out
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def test_a_trains_question_comes_while_a_members_check_runs(tmp_path: Path, index: Index) -> None:
    from tests.integration.test_train import fragment, make_workspace

    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    gates = _gated_check(root / "packages/a", tmp_path / "gates")
    fragment(root, "a")
    before, refs = snapshot(root), remote_refs(root)
    args = [*RELEASE, "--repository", index.url]
    with _asked(args, root, index.twine_env(), gates["stop"]) as asked:
        proc, out, err = asked.proc, asked.out, asked.err
        wait_for(gates["started"], proc)  # type: ignore[arg-type]
        _wait_for_text(out, "[y/N]", proc, err)
        assert not gates["finished"].exists()
        asked.answer(b"n\n")
        proc.wait(timeout=30)
    assert proc.returncode == 1, err.text
    assert not gates["finished"].exists(), "the member's check ran to its end"
    assert "check tests: stopped" in err.text
    assert err.text.splitlines()[-1] == "ERROR the release was declined: nothing was changed"
    assert snapshot(root) == before
    assert remote_refs(root) == refs
    assert index.files() == []
