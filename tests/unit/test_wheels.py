"""What the release makes of a wheel: pure or compiled, bare or repaired."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from releasekit import wheels
from releasekit._exceptions import WheelError


def make_wheel(directory: Path, name: str, files: list[str], *, purelib: bool) -> Path:
    """A minimal wheel file: enough for the checks that read names and WHEEL."""
    path = directory / name
    dist_info = "demo_lib-0.1.0.dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        for file in files:
            zf.writestr(file, b"")
        wheel = f"Wheel-Version: 1.0\nRoot-Is-Purelib: {str(purelib).lower()}\n"
        zf.writestr(f"{dist_info}/WHEEL", wheel)
    return path


def test_pure_and_compiled_wheels_are_told_apart(tmp_path: Path) -> None:
    pure = make_wheel(tmp_path, "demo_lib-0.1.0-py3-none-any.whl", ["demo_lib/__init__.py"],
                      purelib=True)  # fmt: skip
    # Tagged any, yet the backend says platlib: not pure.
    platlib = make_wheel(tmp_path, "other-0.1.0-py3-none-any.whl", ["other/__init__.py"],
                         purelib=False)  # fmt: skip
    bare = make_wheel(
        tmp_path, "demo_lib-0.1.0-cp311-cp311-linux_x86_64.whl",
        ["demo_lib/__init__.py", "demo_lib/_core.cpython-311-x86_64-linux-gnu.so",
         "demo_lib.libs/libfoo-1a2b3c.so.1", "demo_lib/sub/_fast.abi3.so"],
        purelib=False,
    )  # fmt: skip
    repaired = (
        tmp_path / "demo_lib-0.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    repaired.write_bytes(bare.read_bytes())
    assert wheels.is_pure(pure)
    assert not wheels.is_pure(platlib) and wheels.is_universal(platlib)
    assert not wheels.is_universal(bare)
    assert not wheels.is_pure(bare)
    assert wheels.is_bare_linux(bare) and not wheels.is_bare_linux(repaired)
    assert not wheels.is_bare_linux(pure)
    assert wheels.compiled_modules(bare) == ["demo_lib._core", "demo_lib.sub._fast"]
    assert wheels.compiled_modules(pure) == []


def test_a_bare_linux_wheel_is_refused_in_one_line(tmp_path: Path) -> None:
    sdist = tmp_path / "demo_lib-0.1.0.tar.gz"
    sdist.write_bytes(b"")
    bare = make_wheel(tmp_path, "demo_lib-0.1.0-cp311-cp311-linux_x86_64.whl", [], purelib=False)
    wheels.refuse_bare([sdist])
    with pytest.raises(WheelError) as caught:
        wheels.refuse_bare([sdist, bare])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{bare.name} is a bare linux_x86_64 wheel, which PyPI refuses")
    assert 'publish_wheels = "repaired"' in message


def _sdist(tmp_path: Path, pyproject: str) -> Path:
    path = tmp_path / "demo_lib-0.1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        data = pyproject.encode()
        info = tarfile.TarInfo("demo_lib-0.1.0/pyproject.toml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return path


def test_build_requires_only_when_the_sdist_is_published_alone(tmp_path: Path) -> None:
    sdist = _sdist(tmp_path, '[build-system]\nrequires = ["setuptools>=77"]\n')
    wheel = make_wheel(tmp_path, "demo_lib-0.1.0-py3-none-any.whl", [], purelib=True)
    assert wheels.sdist_only_build_requires([sdist]) == ["setuptools>=77"]
    assert wheels.sdist_only_build_requires([sdist, wheel]) == []


def test_the_plan_names_the_published_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[build-system]\nbuild-backend = "hatchling.build"\n')
    pure = wheels.plan(tmp_path, ["src/demo_lib/__init__.py"], "Demo-Lib", "1.2.0", "sdist-only")
    assert pure == "demo_lib-1.2.0.tar.gz and its py3-none-any wheel"
    tracked = ["src/demo_lib/__init__.py", "src/demo_lib/_core.c", "tests/helper.c"]
    only = wheels.plan(tmp_path, tracked, "demo-lib", "1.2.0", "sdist-only")
    assert only.startswith("demo_lib-1.2.0.tar.gz only; compiled code (src/demo_lib/_core.c)")
    assert "tests/helper.c" not in only and "from CI (cibuildwheel" in only
    repaired = wheels.plan(tmp_path, tracked, "demo-lib", "1.2.0", "repaired")
    assert repaired.startswith("demo_lib-1.2.0.tar.gz and the manylinux wheel auditwheel repairs")
