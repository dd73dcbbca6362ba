"""Fixtures that make real repositories: stamped from the template, under git,
with a bare repository as their remote."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from releasekit import new
from tests.conftest import git


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


def stamp(parent: Path, name: str = "Demo Lib") -> Path:
    return new.stamp(parent, extra_context={"project_name": name})


def commit_all(repo: Path, message: str = "work") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def stamped(tmp_path: Path) -> Path:
    """A repository stamped from the template, committed on main, pushed to a bare remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = stamp(tmp_path / "work")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start from the template")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    return repo


def run(
    args: list[str],
    cwd: Path,
    *,
    check: bool = True,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{args} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def nox(
    *args: str, cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "nox", *args], cwd, check=check, env=env)


def invoke(
    *args: str, cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "invoke", *args], cwd, check=check, env=env)


def bmv_next(repo: Path, part: str) -> str:
    """bump-my-version's own command line: the version bumping ``part`` gives (or its error)."""
    bmv = str(Path(sys.executable).with_name("bump-my-version"))
    proc = run([bmv, "show", "new_version", "--increment", part], repo, check=False)
    if proc.returncode:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise AssertionError(lines[-1] if lines else f"bump-my-version exited {proc.returncode}")
    return proc.stdout.strip().splitlines()[-1].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Index:
    """A real pypiserver on loopback; uploads need ``user`` / ``PASSWORD``."""

    USER = "uploader"
    PASSWORD = "pa55-Secret-9f8e7d"
    #: pypiserver's ``-a``: what wants the login (a private index: ``download,list,update``).
    AUTHENTICATED = "update"

    def __init__(self, root: Path, *, hashes: bool = True) -> None:
        self.hashes = hashes
        self.packages = root / "packages"
        self.packages.mkdir(parents=True)
        self.htpasswd = root / "htpasswd"
        digest = base64.b64encode(hashlib.sha1(self.PASSWORD.encode()).digest()).decode()
        self.htpasswd.write_text(f"{self.USER}:{{SHA}}{digest}\n")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.simple = f"{self.url}simple/"
        self.log = root / "pypiserver.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [
            sys.executable, "-m", "pypiserver", "run",
            "-i", "127.0.0.1", "-p", str(self.port),
            "-a", self.AUTHENTICATED, "-P", str(self.htpasswd),
            "--disable-fallback", str(self.packages),
        ]  # fmt: skip
        if not self.hashes:  # an index whose pages list no hash at all
            args[-1:-1] = ["--hash-algo", "off"]
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.simple, timeout=1):
                    return
            except urllib.error.HTTPError:  # it answers: it wants the login to read
                return
            except OSError:
                if self._proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                time.sleep(0.1)
        raise RuntimeError(f"pypiserver did not start on port {self.port}")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None

    def __enter__(self) -> Index:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def files(self) -> list[str]:
        return sorted(p.name for p in self.packages.iterdir())

    def twine_env(self) -> dict[str, str]:
        return {"TWINE_USERNAME": self.USER, "TWINE_PASSWORD": self.PASSWORD}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Index]:
    with Index(tmp_path / "index") as server:
        yield server


@pytest.fixture
def index_without_hashes(tmp_path: Path) -> Iterator[Index]:
    """A pypiserver whose simple pages give no hash fragment (``--hash-algo off``)."""
    with Index(tmp_path / "index-nohash", hashes=False) as server:
        yield server


def snapshot(repo: Path) -> dict[str, object]:
    """Everything a failed release must leave as it was, byte for byte."""
    files = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        # Any level: a project may sit in a subdirectory of its repository, and
        # tools keep their own directories wherever it sits (a member's .nox).
        skipped = {".git", ".nox", "dist", ".releasekit", "__pycache__"}
        if skipped & set(rel.parts) or any(p.endswith("_cache") for p in rel.parts):
            continue
        if not path.is_file():
            continue
        files[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "files": files,
        "head": git(repo, "rev-parse", "HEAD"),
        "index": git(repo, "ls-files", "--stage"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "tags": git(repo, "tag", "-l"),
        "state": (repo / ".releasekit").exists(),
    }


def add_fragment(repo: Path, kind: str = "feature", text: str = "Greet anyone by name") -> None:
    (repo / "changelog.d" / f"+test.{kind}.md").write_text(text + "\n")
    commit_all(repo, f"Add a {kind} fragment")


BUILD_HOOK = '''
import os
import time
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    """Faults injected by the tests through RK_TEST_HOOK."""

    def initialize(self, version, build_data):
        mode = os.environ.get("RK_TEST_HOOK", "")
        if mode == "fail":
            raise RuntimeError("injected build failure")
        if mode.startswith("wait:"):
            gate = Path(mode[5:])
            (gate / "started").touch()
            deadline = time.monotonic() + 120
            while not (gate / "go").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
'''


def add_build_hook(repo: Path) -> None:
    """A hatchling build hook that can fail or pause the build on request."""
    (repo / "hatch_build.py").write_text(BUILD_HOOK)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.hatch.build.hooks.custom]\n")
    commit_all(repo, "Add a build hook")


def scale_up(repo: Path, fragments: int = 200, files: int = 50) -> None:
    """Many fragments of every type and many files that carry the version."""
    types = ["feature", "bugfix", "doc", "misc"]
    for n in range(fragments):
        kind = types[n % len(types)]
        (repo / "changelog.d" / f"{1000 + n}.{kind}.md").write_text(f"Change number {n}\n")
    pkg = repo / "src/demo_lib"
    entries = []
    for n in range(files - 2):  # pyproject.toml and __init__.py carry it already
        (pkg / f"version_{n:02d}.py").write_text(f'VERSION = "0.1.0"  # file {n}\n')
        entries.append(
            f'\n[[tool.bumpversion.files]]\nfilename = "src/demo_lib/version_{n:02d}.py"\n'
        )
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    marker = "# towncrier owns"
    pyproject.write_text(text.replace(marker, "".join(entries) + "\n" + marker))
    commit_all(repo, f"{fragments} fragments and {files} files carrying the version")


def start_release(
    repo: Path, index: Index, gate: Path, *extra: str, checks: bool = False
) -> subprocess.Popen[str]:
    """``invoke release --yes`` in its own process group, its build paused at ``gate``.

    The build hook (``add_build_hook``) touches ``gate/started`` and waits for
    ``gate/go``; without ``checks`` the release runs with ``--no-checks``.
    """
    gate.mkdir()
    env = {**os.environ, **index.twine_env(), "RK_TEST_HOOK": f"wait:{gate}"}
    no_checks = [] if checks else ["--no-checks"]
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "release", "--yes", *no_checks,
         "--repository", index.url, *extra],
        cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Wait until ``path`` exists; fail with the output if ``proc`` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            out, err = proc.communicate()
            raise AssertionError(f"the build never started\n{out}\n{err}")
        time.sleep(0.05)


def refused_each_time(
    root: Path, where: Path, index: Index, expected: str, runs: list[list[str]]
) -> None:
    """Each release run (its args) at ``where`` says ``expected`` once; ``root`` is unchanged."""
    before = snapshot(root)
    for args in runs:
        proc = invoke("release", *args, cwd=where, check=False, env=index.twine_env())
        assert proc.returncode == 1, args
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        assert errors == [f"ERROR {expected}"], proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert snapshot(root) == before
