"""Packages with compiled code: the template's ``kind=extension`` and its release.

A stamped extension package compiles a small C module with setuptools, passes
its own sessions, and releases its sdist (and, on request, a wheel repaired by
auditwheel) to a real local index; a bare ``linux_*`` wheel never leaves the
machine. The tests that compile and release are marked ``slow``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from releasekit import new
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, nox, run, snapshot

pytestmark = pytest.mark.integration

EXTENSION_FILES = [
    "src/ext_lib/__init__.py",
    "src/ext_lib/_core.c",
    "src/ext_lib/_core.pyi",
    "src/ext_lib/py.typed",
    "tests/test_ext_lib.py",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
]


def stamp_extension(parent: Path, **context: str) -> Path:
    return new.stamp(
        parent, extra_context={"project_name": "Ext Lib", "kind": "extension", **context}
    )


@pytest.fixture
def extension(tmp_path: Path) -> Path:
    """An extension package stamped from the template, committed, with a bare remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = stamp_extension(tmp_path / "work")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start from the template")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    return repo


def test_console_script_stamps_an_extension_package(tmp_path: Path) -> None:
    proc = run(
        [sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(tmp_path),
         "kind=extension", 'project_name=Ext Lib'],
        tmp_path,
    )  # fmt: skip
    repo = Path(proc.stdout.strip())
    assert repo == tmp_path / "ext-lib"
    for name in EXTENSION_FILES:
        assert (repo / name).is_file(), name
    # The per-kind files were moved into place; nothing of the machinery is left.
    assert not (repo / "_kinds").exists()
    pyproject = (repo / "pyproject.toml").read_text()
    assert 'build-backend = "setuptools.build_meta"' in pyproject
    assert '{ name = "ext_lib._core", sources = ["src/ext_lib/_core.c"] }' in pyproject
    assert "[tool.hatch" not in pyproject and "hatchling" not in pyproject
    assert "{{" not in pyproject and "{%" not in pyproject
    assert "PyInit__core" in (repo / "src/ext_lib/_core.c").read_text()
    assert "*.so" in (repo / ".gitignore").read_text().splitlines()


def test_the_pure_kind_is_the_default_and_has_no_compiled_code(tmp_path: Path) -> None:
    default = new.stamp(tmp_path / "default", extra_context={"project_name": "Demo Lib"})
    pure = new.stamp(tmp_path / "pure", extra_context={"project_name": "Demo Lib", "kind": "pure"})
    files = sorted(str(p.relative_to(default)) for p in default.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(pure)) for p in pure.rglob("*") if p.is_file())
    for name in files:
        assert (default / name).read_bytes() == (pure / name).read_bytes(), name
    assert not list(default.rglob("*.c")) and not (default / "_kinds").exists()
    assert 'build-backend = "hatchling.build"' in (default / "pyproject.toml").read_text()


def test_an_unknown_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    proc = run(
        [sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(tmp_path / "out"),
         "kind=rust", "project_name=Ext Lib"],
        tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    # Refused before cookiecutter runs, with the kinds there are.
    assert line == "ERROR kind 'rust' is not one of pure, extension"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_stamped_extension_passes_its_own_sessions(extension: Path) -> None:
    proc = nox(cwd=extension)
    for name in ("tests", "style", "typecheck", "docs", "build"):
        assert f"* {name}: success" in proc.stderr, proc.stderr
    built = sorted(p.name for p in (extension / "dist").iterdir())
    assert built[1] == "ext_lib-0.1.0.tar.gz"
    wheel = built[0]
    assert wheel.startswith("ext_lib-0.1.0-cp3") and wheel.endswith("-linux_x86_64.whl"), wheel
    # The editable install compiled the module into src/; git ignores it.
    assert list((extension / "src/ext_lib").glob("_core.*.so"))
    assert git(extension, "status", "--porcelain") == ""


def sdist_installs_from_the_index(index: Index, tmp_path: Path, version: str) -> str:
    """Compile the published sdist, fetched from the local index alone, in a fresh env.

    The build backend comes from the usual registry first (the local index has
    only the release), hence no build isolation.
    """
    venv = tmp_path / "sdist-env"
    python = str(venv / "bin/python")
    run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(venv)],
        tmp_path)  # fmt: skip
    uv = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", python]
    run([*uv, "setuptools>=77"], tmp_path)
    run(
        [*uv, "--refresh", "--no-build-isolation", "--no-deps", "--no-binary", "ext-lib",
         "--index-url", index.simple, f"ext-lib=={version}"],
        tmp_path,
    )  # fmt: skip
    code = "import ext_lib, ext_lib._core as c; print(ext_lib.add(40, 2), c.__file__)"
    return run([python, "-c", code], tmp_path).stdout.strip()


@pytest.mark.slow
def test_release_publishes_the_sdist_and_leaves_wheels_to_ci(
    extension: Path, index: Index, tmp_path: Path
) -> None:
    add_fragment(extension)
    plan = invoke("release", "--dry-run", "--repository", index.url, cwd=extension).stdout
    assert "ext_lib-0.2.0.tar.gz only" in plan, plan
    assert "src/ext_lib/_core.c" in plan and "cibuildwheel" in plan
    assert index.files() == []

    started = time.monotonic()
    proc = nox("-s", "release", "--", "--yes", "--repository", index.url,
               cwd=extension, env=index.twine_env())  # fmt: skip
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert index.files() == ["ext_lib-0.2.0.tar.gz"], output
    # The wheel built here from the sdist was repaired, and its module loaded.
    repaired = [p.name for p in (extension / "dist").glob("*.whl")]
    assert len(repaired) == 1 and "manylinux" in repaired[0], repaired
    assert not list((extension / "dist").glob("*linux_x86_64.whl"))
    assert "auditwheel repaired ext_lib-0.2.0-" in output
    assert "loaded ext_lib._core add" in output
    assert git(extension, "tag", "-l") == "v0.2.0"
    assert "v0.2.0" in git(extension, "ls-remote", "origin")
    assert index.PASSWORD not in output
    # The published sdist compiles and imports in a fresh environment.
    result = sdist_installs_from_the_index(index, tmp_path, "0.2.0")
    assert result.startswith("42 ") and result.endswith(".so"), result
    print(f"release of the extension package (sdist only): {elapsed:.1f}s; {repaired[0]}")


@pytest.mark.slow
def test_release_uploads_the_repaired_wheel_on_request(extension: Path, index: Index) -> None:
    pyproject = extension / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace('publish_wheels = "sdist-only"', 'publish_wheels = "repaired"')
    )
    add_fragment(extension)
    plan = invoke("release", "--dry-run", "--repository", index.url, cwd=extension).stdout
    assert "ext_lib-0.2.0.tar.gz and the manylinux wheel auditwheel repairs here" in plan
    started = time.monotonic()
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=extension, env=index.twine_env())  # fmt: skip
    elapsed = time.monotonic() - started
    files = index.files()
    assert len(files) == 2 and files[1] == "ext_lib-0.2.0.tar.gz", files
    wheel = files[0]
    assert wheel.startswith("ext_lib-0.2.0-cp3") and "manylinux" in wheel, wheel
    assert "linux_x86_64" not in wheel.replace("manylinux", "")
    print(f"release with the repaired wheel (no checks): {elapsed:.1f}s; {wheel}")
    assert "released ext-lib 0.2.0" in proc.stderr


@pytest.mark.slow
def test_a_bare_linux_wheel_is_refused_before_any_upload(extension: Path, index: Index) -> None:
    # `nox -s build` leaves the wheel as the compiler made it: linux_x86_64.
    nox("-s", "build", cwd=extension)
    (bare,) = (extension / "dist").glob("*.whl")
    assert bare.name.endswith("-linux_x86_64.whl")
    before = snapshot(extension)
    proc = invoke("publish", "--repository", index.url, cwd=extension, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    (line,) = [text for text in proc.stderr.splitlines() if text.strip()]
    assert f"{bare.name} is a bare linux_x86_64 wheel, which PyPI refuses" in line, line
    assert index.files() == []
    assert snapshot(extension) == before


#: An existing setuptools project (no releasekit yet) with a compiled module
#: that exposes nothing public, only a constant, as ``_speedups`` modules do.
SPEEDUPS_C = """#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef speedups = {PyModuleDef_HEAD_INIT, "speedy._speedups", NULL, 0, NULL};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    PyObject *module = PyModule_Create(&speedups);
    if (module != NULL && PyModule_AddIntConstant(module, "FAST", 1) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
"""
SPEEDY = {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=77"]\n'
    'build-backend = "setuptools.build_meta"\n\n'
    '[project]\nname = "speedy"\nversion = "1.2.0"\ndescription = "Fast."\n'
    'readme = "README.md"\n\n'
    '[tool.setuptools]\npackages = ["speedy"]\n'
    'ext-modules = [{ name = "speedy._speedups", sources = ["speedy/_speedups.c"] }]\n\n'
    '[dependency-groups]\ntest = ["pytest"]\n',
    "README.md": "# speedy\n\nFast.\n",
    "speedy/__init__.py": '"""Fast."""\n\nfrom speedy._speedups import FAST\n\n'
    '__all__ = ["FAST"]\n__version__ = "1.2.0"\n',
    "speedy/_speedups.c": SPEEDUPS_C,
    "tests/test_speedy.py": "import speedy\n\n\ndef test_fast() -> None:\n"
    "    assert speedy.FAST == 1\n",
}


@pytest.mark.slow
def test_an_extension_project_is_adopted_and_released(tmp_path: Path, index: Index) -> None:
    from tests.integration.test_init_layouts import release, with_remote, write

    repo = write(tmp_path / "speedy", SPEEDY)
    with_remote(repo)
    out = run([sys.executable, "-m", "releasekit", "init", "--yes"], repo)
    output = out.stdout + out.stderr
    ignores = (repo / ".gitignore").read_text().splitlines()
    assert "*.so" in ignores and "*.pyd" in ignores, output
    # The trial's build loaded the compiled module that defines nothing public.
    assert "verify: the current tree's build passes the release's verify" in output
    checks = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["releasekit"]["checks"]
    assert "tests" in checks, output
    commit_all(repo, "Adopt releasekit")
    (repo / "changelog.d" / "+a.feature.md").write_text("Faster.\n")
    commit_all(repo, "A fragment")
    # The tests session builds the module in place, beside its source: git ignores it.
    output = release(repo, index)
    assert index.files() == ["speedy-1.3.0.tar.gz"], output
    assert list((repo / "speedy").glob("_speedups.*.so")), output
    assert "loaded speedy._speedups (no public callable)" in output
    assert git(repo, "tag", "-l") == "v1.3.0"
    assert git(repo, "status", "--porcelain") == ""
