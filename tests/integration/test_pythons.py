"""The oldest and the newest Python: the unit tests, a check session and a release.

The suite itself runs on one interpreter (``.venv``); this runs it again, in
environments made with uv for the oldest Python that ``requires-python``
admits and the newest here, with releasekit and its test tools installed from
this checkout. Under the oldest, a stamped project is released for real
(check sessions, build, verify, upload to pypiserver, push); under the newest,
the same release without the checks. The project's own CI runs the whole
suite on every version (``.github/workflows/ci.yml``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, git
from tests.integration.conftest import Index, add_fragment, run
from tests.integration.test_release import remote_refs

#: The oldest Python that requires-python admits, and the newest on these machines.
OLDEST, NEWEST = "3.10", "3.13"


def interpreter(version: str) -> str:
    """pyenv's build of ``version`` (the machines' own), else ``pythonX.Y`` on PATH."""
    home = pwd.getpwuid(os.getuid()).pw_dir  # HOME is a throwaway one in the tests
    builds = sorted(glob.glob(f"{home}/.pyenv/versions/{version}.*/bin/python"))
    found = builds[-1] if builds else shutil.which(f"python{version}")
    if found is None:
        pytest.skip(f"no Python {version} here (~/.pyenv/versions, or python{version} on PATH)")
    return found


def environment(version: str, where: Path) -> tuple[Path, dict[str, str]]:
    """A fresh environment of ``version`` with releasekit (this checkout) and its test tools."""
    run([sys.executable, "-m", "uv", "venv", "-q", "-p", interpreter(version), str(where)],
        REPO_ROOT)  # fmt: skip
    python = where / "bin" / "python"
    run([sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(python),
         "-e", ".", "--group", "test"], REPO_ROOT)  # fmt: skip
    assert run([str(python), "-c", "import sys; print(sys.version)"], REPO_ROOT).stdout.startswith(
        version + "."
    )
    # Its tools first on PATH, as an activated environment has them.
    return python, {"PATH": f"{where / 'bin'}{os.pathsep}{os.environ['PATH']}"}


IMPORT_ALL = """\
import importlib, pkgutil, releasekit
names = [m.name for m in pkgutil.walk_packages(releasekit.__path__, "releasekit.")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def session_python(repo: Path, session: str) -> str:
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    return run([str(repo / ".nox" / session / "bin" / "python"), "-c", probe], repo).stdout.strip()


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_the_unit_tests_and_a_release_pass_under(
    version: str, stamped: Path, index: Index, tmp_path: Path
) -> None:
    python, env = environment(version, tmp_path / f"python{version}")
    # Every module imports (the front ends import the engine lazily, inside functions).
    imported = run([str(python), "-W", "error", "-c", IMPORT_ALL], REPO_ROOT, env=env)
    assert int(imported.stdout) > 40
    unit = run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q",
                "tests/unit"], REPO_ROOT, env=env)  # fmt: skip
    assert " passed" in unit.stdout and " failed" not in unit.stdout

    add_fragment(stamped)
    checks = [] if version == OLDEST else ["--no-checks"]
    proc = run([str(python), "-m", "invoke", "release", "--yes", *checks,
                "--repository", index.url], stamped, env={**env, **index.twine_env()})  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    assert git(stamped, "status", "--porcelain") == ""
    if version == OLDEST:  # the check sessions ran, on that Python, before and on the commit
        assert "tests, style passed on the release commit" in proc.stderr
        assert session_python(stamped, "tests") == session_python(stamped, "style") == version
