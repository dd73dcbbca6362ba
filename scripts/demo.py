"""The main job (see scripts/demo): a real release of a stamped project to a local index.

Stamps demo-lib from the template, puts it under git with a bare repository
as its remote, starts pypiserver on 127.0.0.1, adds a changelog fragment, shows
the plan (`nox -s release -- --dry-run`), releases (`nox -s release -- --yes`),
installs the new version from the index, and stops the index.
Pass --keep to keep the demo directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def step(title: str, *args: str, cwd: Path) -> str:
    print(f"\n=== {title}: {' '.join(args)}", flush=True)
    proc = subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.PIPE, text=True)
    print(proc.stdout, end="", flush=True)
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_index(packages: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
            "-a", ".", "-P", ".", "--disable-fallback", str(packages)]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "simple/", timeout=1).close()
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"pypiserver did not start:\n{log.read_text()}") from None
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("pypiserver did not answer within 30 s")


def main() -> int:
    keep = "--keep" in sys.argv
    work = Path(tempfile.mkdtemp(prefix="releasekit-demo-"))
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    # releasekit is installed beside nox here: no script-mode environment needed.
    os.environ["NOX_SCRIPT_MODE"] = "none"
    # The local index accepts any login; twine still wants one, and takes it from
    # its own environment variables, as it would a real token.
    os.environ.setdefault("TWINE_USERNAME", "demo")
    os.environ.setdefault("TWINE_PASSWORD", "demo-password")
    for key, value in {
        "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com",
    }.items():  # fmt: skip
        os.environ.setdefault(key, value)
    packages = work / "index"
    packages.mkdir()
    index, url = start_index(packages, work / "pypiserver.log")
    try:
        print(f"local index: {url} (files in {packages})")
        step("remote", "git", "init", "-q", "--bare", "-b", "main", "remote.git", cwd=work)
        step("stamp", "releasekit", "new", "--no-input", "-o", str(work),
             "project_name=Demo Lib", cwd=work)  # fmt: skip
        repo = work / "demo-lib"
        step("git", "git", "init", "-q", "-b", "main", cwd=repo)
        step("git", "git", "add", "-A", cwd=repo)
        step("git", "git", "commit", "-q", "-m", "Start from the template", cwd=repo)
        step("git", "git", "remote", "add", "origin", str(work / "remote.git"), cwd=repo)
        step("git", "git", "push", "-q", "-u", "origin", "main", cwd=repo)
        step("check the configuration", "releasekit", "check", cwd=repo)
        step("add a fragment", "invoke", "fragment", "feature", "Greet anyone by name", cwd=repo)
        step("git", "git", "add", "-A", cwd=repo)
        step("git", "git", "commit", "-q", "-m", "Add a changelog fragment", cwd=repo)
        step("plan", "nox", "-s", "release", "--", "--dry-run", "--repository", url, cwd=repo)
        step("release", "nox", "-s", "release", "--", "--yes", "--repository", url, cwd=repo)
        step("result", "git", "log", "--oneline", "--decorate", "-3", cwd=repo)
        print(f"\nthe index now holds: {', '.join(sorted(p.name for p in packages.iterdir()))}")
        env = work / "check-env"
        step("install", "uv", "venv", "-q", "--python", sys.executable, str(env), cwd=work)
        step("install", "uv", "pip", "install", "-q", "--python", str(env / "bin/python"),
             "--index-url", url + "simple/", "demo-lib", cwd=work)  # fmt: skip
        code = (
            "import demo_lib, importlib.metadata as m; "
            "print('installed demo-lib', m.version('demo-lib'))"
        )
        step("import", str(env / "bin/python"), "-c", code, cwd=work)
    finally:
        index.terminate()
        index.wait(timeout=10)
    if keep:
        print(f"\ndemo directory: {work}")
    else:
        shutil.rmtree(work)
        print("\ndemo passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
