"""What a release may be trusted with: the right bytes, and no secret let out.

Each test reproduces one way a release could publish what the maintainer did
not mean, or leak a credential, with real parts: git, a bare remote, a real
pypiserver, twine, towncrier.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from releasekit import dists, publish
from releasekit import release as engine
from releasekit._exceptions import ReleaseKitError
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, invoke


def _release(repo: Path, index: Index, monkeypatch: pytest.MonkeyPatch, **options: object) -> None:
    for key, value in index.twine_env().items():
        monkeypatch.setenv(key, value)
    opts = engine.Options(yes=True, repository=index.url, checks=False, push=False, **options)  # type: ignore[arg-type]
    engine.release(repo, opts)


def test_untracked_files_never_reach_the_dists_and_the_tag_rebuilds_bit_for_bit(
    stamped: Path, index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A file git ignores only through .git/info/exclude, inside the package:
    # hatchling reads .gitignore, not this, so a build of the work tree ships it.
    secret = stamped / "src" / "demo_lib" / "local_notes.txt"
    secret.write_text("not for publishing\n")
    with (stamped / ".git" / "info" / "exclude").open("a") as f:
        f.write("src/demo_lib/local_notes.txt\n.env\n")
    (stamped / ".env").write_text("TOKEN=do-not-ship\n")
    add_fragment(stamped, "feature")
    assert git(stamped, "status", "--porcelain") == ""

    _release(stamped, index, monkeypatch)

    sdist = index.packages / "demo_lib-0.2.0.tar.gz"
    wheel = index.packages / "demo_lib-0.2.0-py3-none-any.whl"
    assert index.files() == sorted([sdist.name, wheel.name])
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
    assert "demo_lib-0.2.0/src/demo_lib/__init__.py" in names
    assert not [n for n in names if n.endswith(("local_notes.txt", ".env"))], names
    assert secret.exists()  # the work tree is left alone

    # A stranger clones the repository and rebuilds the tag: the same bytes.
    clone = tmp_path / "stranger"
    git(tmp_path, "clone", "-q", str(stamped), str(clone))
    rebuilt = dists.build_commit(clone, "v0.2.0", tmp_path / "rebuilt")
    assert rebuilt.sdist.read_bytes() == sdist.read_bytes()
    assert rebuilt.wheel.read_bytes() == wheel.read_bytes()


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "ERROR" in line or "error:" in line]


def test_an_index_without_hashes_is_asked_for_the_bytes(
    stamped: Path, index_without_hashes: Index
) -> None:
    index = index_without_hashes
    add_fragment(stamped)
    wrong = {"TWINE_USERNAME": index.USER, "TWINE_PASSWORD": "nope-nope-nope"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False, env=wrong)  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    state = json.loads((stamped / ".releasekit/state.json").read_text())
    sdist = stamped / "dist/demo_lib-0.2.0.tar.gz"
    wheel = stamped / "dist/demo_lib-0.2.0-py3-none-any.whl"
    # The sdist made it; someone else's wheel sits under the release's wheel name.
    (index.packages / sdist.name).write_bytes(sdist.read_bytes())
    (index.packages / wheel.name).write_bytes(b"PK a foreign wheel under the same name")
    target = publish.Target(index.url, index.simple)
    assert publish.index_files(target, "demo-lib") == {sdist.name: "", wheel.name: ""}

    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = error_lines(proc.stderr)
    assert f"{wheel.name} is already on {index.url} with a different sha256" in line
    assert sdist.name not in line
    # Same in the confirmation after an upload.
    with pytest.raises(ReleaseKitError, match=f"^{wheel.name} on .* does not have the local"):
        publish.confirm_listed(target, "demo-lib", [sdist, wheel])

    (index.packages / wheel.name).unlink()
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    assert f"{sdist.name} is already on the index with the same sha256: skipped" in proc.stderr
    assert index.files() == sorted([sdist.name, wheel.name])
    assert (index.packages / wheel.name).read_bytes() == wheel.read_bytes()
    assert {p.name: publish.sha256(p) for p in index.packages.iterdir()} == state["files"]
