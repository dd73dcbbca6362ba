"""Kept build environments: one per interpreter and build requirements, made with real uv."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from releasekit import _buildenv, dists

REQUIRES = ["hatchling>=1.27"]  # the template's [build-system] requires


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the environments it made."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _kept() -> list[Path]:
    root = _buildenv.cache_root()
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def test_builds_share_one_kept_environment_and_give_the_same_bytes(
    stamped: Path, tmp_path: Path
) -> None:
    first = dists.build_commit(stamped, "HEAD", tmp_path / "one")
    [env] = _kept()
    made = (env / ".releasekit-made").stat().st_mtime_ns
    second = dists.build_commit(stamped, "HEAD", tmp_path / "two")
    assert _kept() == [env]
    assert (env / ".releasekit-made").stat().st_mtime_ns == made  # reused, not made again
    fresh = dists.build_commit(stamped, "HEAD", tmp_path / "fresh", fresh_env=True)
    assert _kept() == [env]  # a fresh build leaves the kept one alone
    for built in (second, fresh):
        for a, b in zip(first.files, built.files, strict=True):
            assert a.name == b.name
            assert a.read_bytes() == b.read_bytes()
    # Its backend was compiled once, at install: every hook imports it without parsing.
    assert list(env.glob("lib/python*/site-packages/hatchling/__pycache__/*.pyc"))


def test_the_key_is_the_interpreter_and_the_set_of_requirements() -> None:
    assert _buildenv.key(["a", "b>=1"]) == _buildenv.key(["b>=1", "a", "a"])
    assert _buildenv.key(["a"]) != _buildenv.key(["a", "b"])


def test_a_half_made_environment_is_made_again() -> None:
    root = _buildenv.cache_root()
    path = root / f"{_buildenv.key(REQUIRES)}-{time.strftime('%Y%m%d')}"
    path.mkdir(parents=True)
    (path / "leftover").write_text("an interrupted creation\n")
    with _buildenv.environment(REQUIRES) as env:
        python = Path(env.python_executable)
        assert python.parent.parent == path
        assert python.exists()
    assert not (path / "leftover").exists()
    assert (path / ".releasekit-made").is_file()


def test_an_environment_whose_interpreter_is_gone_is_made_again() -> None:
    with _buildenv.environment(REQUIRES) as env:
        python = Path(env.python_executable)
    python.unlink()
    with _buildenv.environment(REQUIRES) as env:
        assert Path(env.python_executable) == python
        assert python.exists()


def test_environments_of_earlier_days_are_swept() -> None:
    root = _buildenv.cache_root()
    name = _buildenv.key(REQUIRES)
    old, recent = root / f"{name}-20200101", root / f"{name}-20200102"
    for path in (old, recent):
        path.mkdir(parents=True)
    three_days, one_day = time.time() - 3 * 86400, time.time() - 86400
    os.utime(old, (three_days, three_days))
    os.utime(recent, (one_day, one_day))  # yesterday's may still be in use
    with _buildenv.environment(REQUIRES):
        pass
    assert not old.exists()
    assert recent.exists()


def test_the_editable_wheel_asks_for_its_requirements_only_when_it_lacks_them(
    stamped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One hook (one process) once the kept environment holds what the backend asked for."""
    import zipfile

    from releasekit import _runner

    hooks: list[str] = []
    run = _runner.run

    def noting_hooks(args: list[str], **kwargs: object) -> _runner.Result:
        if len(args) > 2 and Path(args[1]).name == "_in_process.py":
            hooks.append(args[2])
        return run(args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_runner, "run", noting_hooks)
    first = dists.editable_wheel(stamped, tmp_path / "one")
    # A new environment lacks hatchling's `editables`: the build fails, asks, installs.
    assert hooks == ["build_editable", "get_requires_for_build_editable", "build_editable"]
    hooks.clear()
    second = dists.editable_wheel(stamped, tmp_path / "two")
    assert hooks == ["build_editable"]
    assert first.name == second.name == "demo_lib-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as two:
        assert sorted(one.namelist()) == sorted(two.namelist())
        assert all(one.read(n) == two.read(n) for n in one.namelist())
