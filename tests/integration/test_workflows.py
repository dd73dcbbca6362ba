"""GitHub workflows: the template's (in a stamped repository) and this repository's.

Both pass GitHub's workflow schema (check-jsonschema's bundled copy) and
zizmor's offline audits, and say what the issue asks of them: a matrix over
the Python versions requires-python admits, the project's own nox sessions,
actions pinned by commit hash, trusted publishing with attestations.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import stat
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from tests.conftest import REPO_ROOT, git
from tests.integration.conftest import run, stamp

WORKFLOWS = ("ci.yml", "release.yml")
# `uses: owner/repo@<full commit hash> # vX.Y.Z`: zizmor's unpinned-uses wants
# the hash, and the comment is what a reader (and Dependabot) updates.
PINNED = re.compile(r"^\s*-?\s*uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+)*)$")
BLOCKING = {"Medium", "High"}


def bin_tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def load(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as the boolean true.
    if True in data:
        data["on"] = data.pop(True)
    return {str(key): value for key, value in data.items()}


def zizmor(paths: list[Path], cwd: Path) -> list[dict[str, Any]]:
    """zizmor's findings on ``paths``, offline, at every severity."""
    proc = run(
        [bin_tool("zizmor"), "--offline", "--no-progress", "--format", "json",
         *map(str, paths)],
        cwd, check=False,
    )  # fmt: skip
    # zizmor exits 10 + the highest severity when it finds something.
    assert proc.returncode == 0 or proc.returncode >= 10, proc.stderr
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def assert_valid_and_clean(directory: Path) -> None:
    paths = [directory / name for name in WORKFLOWS]
    proc = run(
        [bin_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, paths)],
        directory,
    )  # fmt: skip
    assert "ok -- validation done" in proc.stdout
    findings = zizmor(paths, directory)
    summary = [(f["ident"], f["determinations"]["severity"]) for f in findings]
    assert not [s for s in summary if s[1] in BLOCKING], summary
    # Not required (low and informational would pass), but the files have none.
    assert summary == []


def assert_pinned(path: Path) -> dict[str, str]:
    """Every action is pinned by a full commit hash with its version in a comment."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "uses:" not in line:
            continue
        match = PINNED.match(line)
        assert match, f"{path.name}: not pinned by commit hash with a version comment: {line}"
        action, sha, tag = match.groups()
        assert pins.setdefault(action, f"{sha} {tag}") == f"{sha} {tag}", action
    return pins


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]


def assert_trusted_publishing(release: dict[str, Any]) -> None:
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert steps_using(build, "actions/upload-artifact")
    # Only the publishing job may mint an OIDC token, and only in an environment
    # that can carry protection rules (required reviewers, tag filters).
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    assert steps_using(publish, "actions/download-artifact")
    (pypa,) = steps_using(publish, "pypa/gh-action-pypi-publish")
    assert pypa["with"]["attestations"] is True
    assert not {"password", "user"} & set(pypa["with"]), "trusted publishing needs no token"
    # The publishing job neither checks out nor builds: it uploads what was checked.
    assert not steps_using(publish, "actions/checkout")
    assert not [s for s in publish["steps"] if "run" in s]


def assert_checkouts_keep_no_credentials(workflow: dict[str, Any]) -> None:
    for job in workflow["jobs"].values():
        for step in steps_using(job, "actions/checkout"):
            assert step["with"]["persist-credentials"] is False


def load_ci(workflows: Path) -> dict[str, Any]:
    """``ci.yml``, checked to run on each push and pull request with read-only jobs."""
    ci = load(workflows / "ci.yml")
    assert set(ci["on"]) >= {"push", "pull_request"}
    assert ci["permissions"] == {}
    for job in ci["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    return ci


def test_stamped_workflows_validate_and_pass_zizmor(tmp_path: Path) -> None:
    repo = stamp(tmp_path)
    workflows = repo / ".github" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == sorted(WORKFLOWS)
    assert_valid_and_clean(workflows)
    for name in WORKFLOWS:
        assert_pinned(workflows / name)
        assert_checkouts_keep_no_credentials(load(workflows / name))

    ci = load_ci(workflows)
    # The matrix is exactly the Python versions the stamped requires-python admits.
    requires = re.search(r'requires-python = "(.+)"', (repo / "pyproject.toml").read_text())
    assert requires is not None
    matrix = ci["jobs"]["tests"]["strategy"]["matrix"]["python-version"]
    assert {"3.10", "3.11", "3.12", "3.13"} <= set(matrix)
    assert all(v in SpecifierSet(requires.group(1)) for v in matrix)
    # The project's own nox sessions, run by nox from uvx (uv-backed).
    commands = " ".join(s.get("run", "") for j in ci["jobs"].values() for s in j["steps"])
    for session in ("tests", "style", "typecheck", "docs", "build"):
        assert re.search(rf"uvx nox -s [\w ]*\b{session}\b", commands), session

    release = load(workflows / "release.yml")
    assert_trusted_publishing(release)
    # The stamped docs tell the maintainer what to set up on PyPI and GitHub.
    docs = (repo / "docs/releasing.rst").read_text()
    environment = release["jobs"]["publish"]["environment"]["name"]
    for needed in ("release.yml", f"``{environment}``", "trusted publisher", "ci.yml",
                   "nox -s release -- --no-publish", "attestations"):  # fmt: skip
        assert needed in docs, needed


def test_matrix_follows_requires_python(tmp_path: Path) -> None:
    repo = Path(
        run(
            [sys.executable, "-m", "releasekit", "new", "--no-input", "-o",
             str(tmp_path / "newer"), "project_name=Newer Lib", "requires_python=3.12"],
            tmp_path,
        ).stdout.strip()
    )  # fmt: skip
    ci = repo / ".github/workflows/ci.yml"
    matrix = load(ci)["jobs"]["tests"]["strategy"]["matrix"]["python-version"]
    assert matrix[0] == "3.12" and "3.11" not in matrix
    assert 'requires-python = ">=3.12"' in (repo / "pyproject.toml").read_text()
    assert_valid_and_clean(ci.parent)


def test_zizmor_gate_catches_an_unsafe_workflow(tmp_path: Path) -> None:
    """The gate above is not vacuous: the classic mistakes are medium or high."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    unsafe = workflows / "unsafe.yml"
    unsafe.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    found = {f["ident"]: f["determinations"]["severity"] for f in zizmor([unsafe], tmp_path)}
    assert found.get("unpinned-uses") in BLOCKING
    assert found.get("artipacked") in BLOCKING
    assert found.get("template-injection") in BLOCKING


def _uvx_shim(tmp_path: Path) -> Path:
    """A ``uvx`` on PATH that is this environment's uv (``uv tool run``)."""
    bindir = tmp_path / "shim"
    bindir.mkdir()
    uvx = bindir / "uvx"
    uvx.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m uv tool run "$@"\n')
    uvx.chmod(uvx.stat().st_mode | stat.S_IXUSR)
    return bindir


def test_release_build_job_runs_and_checks_the_tag(stamped: Path, tmp_path: Path) -> None:
    """The shell steps of the release workflow's build job, run as the runner would."""
    build = load(stamped / ".github/workflows/release.yml")["jobs"]["build"]
    scripts = [s for s in build["steps"] if "run" in s]
    path = f"{_uvx_shim(tmp_path)}{os.pathsep}{os.environ['PATH']}"

    def run_job(tag: str) -> int:
        for step in scripts:
            env = {"PATH": path, "TAG": tag}
            proc = run(["bash", "-e", "-c", step["run"]], stamped, check=False, env=env)
            if proc.returncode:
                return proc.returncode
        return 0

    assert run_job("v0.1.0") == 0
    assert sorted(p.name for p in (stamped / "dist").iterdir()) == [
        "demo_lib-0.1.0-py3-none-any.whl",
        "demo_lib-0.1.0.tar.gz",
    ]
    # A tag that does not name the built version stops the workflow before upload.
    assert run_job("v0.2.0") != 0
    # SOURCE_DATE_EPOCH is the tagged commit's time (hatchling's own default
    # is 2020-02-02), so a rebuild from the tag gives the same bytes.
    epoch = int(git(stamped, "log", "-1", "--format=%ct"))
    with zipfile.ZipFile(stamped / "dist/demo_lib-0.1.0-py3-none-any.whl") as wheel:
        stamps = {calendar.timegm((*info.date_time, 0, 0, 0)) for info in wheel.infolist()}
    assert all(abs(stamp - epoch) <= 2 for stamp in stamps), (stamps, epoch)


def test_this_repositorys_workflows(tmp_path: Path) -> None:
    workflows = REPO_ROOT / ".github" / "workflows"
    assert_valid_and_clean(workflows)
    pins = {}
    for name in WORKFLOWS:
        pins.update(assert_pinned(workflows / name))
        assert_checkouts_keep_no_credentials(load(workflows / name))
    # One set of pins: bumping an action means bumping it in the template too.
    template = REPO_ROOT / "templates/python-package/{{cookiecutter.project_slug}}"
    paths = [template / ".github/workflows" / name for name in WORKFLOWS]
    paths.append(template / "_kinds/extension/.github/workflows/release.yml")
    for path in paths:
        for action, pin in assert_pinned(path).items():
            assert pins.setdefault(action, pin) == pin, action

    ci = load(workflows / "ci.yml")
    assert set(ci["on"]) >= {"push", "pull_request"}
    assert ci["permissions"] == {}
    (job,) = ci["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert [s["run"] for s in job["steps"] if "run" in s] == ["bash scripts/test"]
    requires = re.search(r'requires-python = "(.+)"', (REPO_ROOT / "pyproject.toml").read_text())
    assert requires is not None
    matrix = job["strategy"]["matrix"]["python-version"]
    assert {"3.10", "3.11", "3.12", "3.13"} <= set(matrix)
    assert all(v in SpecifierSet(requires.group(1)) for v in matrix)

    release = load(workflows / "release.yml")
    assert_trusted_publishing(release)
    # releasekit builds itself with its own build session.
    build_runs = " ".join(s.get("run", "") for s in release["jobs"]["build"]["steps"])
    assert "nox -s build" in build_runs


# --- the extension kind: platform wheels from cibuildwheel --------------------------

# pypa/cibuildwheel's tag v4.2.0, read from its own repository.
CIBUILDWHEEL = "1828c10ab37f080699c7b81cea34097c684a7074 v4.2.0"


def stamp_extension(parent: Path, *context: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    proc = run(
        [sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(parent),
         "kind=extension", "project_name=Ext Lib", *context],
        parent,
    )  # fmt: skip
    return Path(proc.stdout.strip())


def test_extension_release_workflow_builds_wheels_everywhere(tmp_path: Path) -> None:
    repo = stamp_extension(tmp_path)
    workflows = repo / ".github" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == sorted(WORKFLOWS)
    assert_valid_and_clean(workflows)
    for name in WORKFLOWS:
        assert_checkouts_keep_no_credentials(load(workflows / name))
    pins = assert_pinned(workflows / "release.yml")
    assert pins["pypa/cibuildwheel"] == CIBUILDWHEEL

    release = load(workflows / "release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert list(jobs) == ["sdist", "wheels", "check", "publish", "github-release"]
    # The GitHub release comes after the upload, and alone may write to the repository.
    assert jobs["github-release"]["needs"] == "publish"
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    for name in ("sdist", "wheels", "check"):
        assert jobs[name]["permissions"] == {"contents": "read"}, name
    # The sdist is built once; the wheels are built from it, on three systems.
    sdist_runs = " ".join(s.get("run", "") for s in jobs["sdist"]["steps"])
    assert sdist_runs.count("pyproject-build") == 1 and "--sdist" in sdist_runs
    wheels = jobs["wheels"]
    assert wheels["needs"] == "sdist"
    systems = wheels["strategy"]["matrix"]["os"]
    for system in ("ubuntu", "macos", "windows"):
        assert any(os_.startswith(system) for os_ in systems), system
    (cibw,) = steps_using(wheels, "pypa/cibuildwheel")
    assert cibw["with"]["package-dir"] == "${{ steps.sdist.outputs.path }}"
    assert not steps_using(wheels, "actions/checkout")
    # One job checks everything; one job, with nothing but OIDC, uploads it all.
    check = jobs["check"]
    assert check["needs"] == ["sdist", "wheels"]
    assert "uvx twine check --strict dist/*" in [s.get("run") for s in check["steps"]]
    publish = jobs["publish"]
    assert publish["needs"] == "check"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (pypa,) = steps_using(publish, "pypa/gh-action-pypi-publish")
    assert pypa["with"]["attestations"] is True
    assert not {"password", "user"} & set(pypa["with"])
    assert not [s for s in publish["steps"] if "run" in s]
    assert not steps_using(publish, "actions/checkout")


def build_identifiers(repo: Path, platform: str) -> list[str]:
    proc = run(
        [bin_tool("cibuildwheel"), "--print-build-identifiers", "--platform", platform, "."],
        repo,
    )  # fmt: skip
    return proc.stdout.split()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="cibuildwheel 3 runs on Python 3.11+")
def test_cibuildwheel_builds_every_python_that_requires_python_admits(tmp_path: Path) -> None:
    """cibuildwheel itself reads requires-python: each CPython from 3.10 on, on each system."""
    repo = stamp_extension(tmp_path / "default")
    for platform in ("linux", "macos", "windows"):
        found = {i.split("-")[0] for i in build_identifiers(repo, platform)}
        assert {"cp310", "cp311", "cp312", "cp313", "cp314"} <= found, (platform, found)
        assert not {"cp38", "cp39"} & found and not any(i.startswith("pp") for i in found)
    newer = stamp_extension(tmp_path / "newer", "requires_python=3.12")
    found = {i.split("-")[0] for i in build_identifiers(newer, "linux")}
    assert "cp312" in found and not {"cp310", "cp311"} & found, found
    assert_valid_and_clean(newer / ".github/workflows")


def test_extension_check_job_runs_and_refuses_bare_wheels(tmp_path: Path) -> None:
    """The shell steps of the check job, run as the runner would, on real files."""
    repo = stamp_extension(tmp_path)
    check = load(repo / ".github/workflows/release.yml")["jobs"]["check"]
    scripts = [s["run"] for s in check["steps"] if "run" in s]
    dist = repo / "dist"
    dist.mkdir()
    path = f"{_uvx_shim(tmp_path)}{os.pathsep}{os.environ['PATH']}"

    def run_job(tag: str) -> int:
        for script in scripts:
            proc = run(["bash", "-e", "-c", script], repo, check=False,
                       env={"PATH": path, "TAG": tag})  # fmt: skip
            if proc.returncode:
                return proc.returncode
        return 0

    # The sdist job's build step makes the sdist, as in CI.
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Start")
    sdist_job = load(repo / ".github/workflows/release.yml")["jobs"]["sdist"]
    (build,) = [s["run"] for s in sdist_job["steps"] if "run" in s]
    run(["bash", "-e", "-c", build], repo, env={"PATH": path})
    assert [p.name for p in dist.iterdir()] == ["ext_lib-0.1.0.tar.gz"]
    # A wheel as cibuildwheel leaves it: built from that sdist, repaired.
    wheelhouse = tmp_path / "wheelhouse"
    run([sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(wheelhouse),
         str(dist / "ext_lib-0.1.0.tar.gz")], repo)  # fmt: skip
    (bare,) = wheelhouse.glob("*.whl")
    run([sys.executable, "-m", "auditwheel", "repair", "--wheel-dir", str(dist), str(bare)],
        repo, env={"PATH": path})  # fmt: skip
    assert run_job("v0.1.0") == 0
    assert run_job("v0.2.0") != 0
    # A bare linux wheel among them stops the workflow before the upload.
    (dist / bare.name).write_bytes(bare.read_bytes())
    assert run_job("v0.1.0") != 0


# --- the workspace layout: root workflows for every member ---------------------------


def stamp_workspace(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    proc = run(
        [sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(parent),
         "layout=workspace"],
        parent,
    )  # fmt: skip
    return Path(proc.stdout.strip())


MEMBERS = ["demo-workspace-core", "demo-workspace-app"]  # the app requires the core


def test_workspace_workflows_validate_and_run_every_member(tmp_path: Path) -> None:
    root = stamp_workspace(tmp_path)
    workflows = root / ".github" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == sorted(WORKFLOWS)
    assert not list(root.glob("packages/*/.github"))  # GitHub would never read them
    assert_valid_and_clean(workflows)
    # One set of pins with the package template's workflows.
    package = stamp(tmp_path / "package") / ".github" / "workflows"
    pins = {a: p for name in WORKFLOWS for a, p in assert_pinned(package / name).items()}
    for name in WORKFLOWS:
        for action, pin in assert_pinned(workflows / name).items():
            assert pins.setdefault(action, pin) == pin, action
        assert_checkouts_keep_no_credentials(load(workflows / name))

    ci = load_ci(workflows)
    matrix = ci["jobs"]["tests"]["strategy"]["matrix"]["python-version"]
    assert (
        matrix == load(package / "ci.yml")["jobs"]["tests"]["strategy"]["matrix"]["python-version"]
    )
    # Each session runs in every member's directory.
    commands = " ".join(s.get("run", "") for j in ci["jobs"].values() for s in j["steps"])
    assert commands.count("for member in packages/*/; do") == 3
    for session in ("tests", "style", "typecheck", "docs", "build"):
        assert re.search(rf'cd "\$\{{member\}}" && uvx nox -s [\w ]*\b{session}\b', commands)
    assert "releasekit check --fragment" in commands

    release = load(workflows / "release.yml")
    # A train pushes its tags with its commit: the branch push starts the workflow.
    assert release["on"] == {"push": {"branches": ["main", "master"]}}
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert list(jobs) == ["build", "publish", "github-release"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    (build,) = [s for s in jobs["build"]["steps"] if "run" in s]
    assert build["env"]["MEMBERS"] == " ".join(MEMBERS)  # in dependency order
    # One publishing job, with nothing but OIDC, one upload per member, the core first.
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert steps_using(publish, "actions/download-artifact")
    uploads = steps_using(publish, "pypa/gh-action-pypi-publish")
    assert [u["with"]["packages-dir"] for u in uploads] == [f"dist/{m}/" for m in MEMBERS]
    for upload in uploads:
        assert upload["with"]["attestations"] is True
        assert not {"password", "user"} & set(upload["with"]), "trusted publishing needs no token"
    assert not steps_using(publish, "actions/checkout")
    assert not [s for s in publish["steps"] if "run" in s]
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["github-release"]["needs"] == ["build", "publish"]


def test_workspace_release_build_job_builds_the_tagged_members(tmp_path: Path) -> None:
    """The build job's shell step, run as the runner would: only the tagged members, checked."""
    root = stamp_workspace(tmp_path / "ws")
    (build,) = [
        s for s in load(root / ".github/workflows/release.yml")["jobs"]["build"]["steps"]
        if "run" in s
    ]  # fmt: skip
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start")
    path = f"{_uvx_shim(tmp_path)}{os.pathsep}{os.environ['PATH']}"
    output = tmp_path / "github-output"

    def run_job() -> tuple[int, str]:
        output.write_text("")
        env = {"PATH": path, "GITHUB_OUTPUT": str(output), **build["env"]}
        proc = run(["bash", "-e", "-c", build["run"]], root, check=False, env=env)
        return proc.returncode, output.read_text()

    # No release tag on the commit: nothing is built, nothing to publish.
    assert run_job() == (0, "tags=\n")
    assert not (root / "dist").exists()
    # The core released alone: only the core is built, in its own directory.
    git(root, "tag", "-a", "demo-workspace-core-v0.1.0", "-m", "core 0.1.0")
    assert run_job() == (0, "tags=demo-workspace-core-v0.1.0\n")
    assert sorted(p.name for p in (root / "dist").iterdir()) == ["demo-workspace-core"]
    assert sorted(p.name for p in (root / "dist/demo-workspace-core").iterdir()) == [
        "demo_workspace_core-0.1.0-py3-none-any.whl",
        "demo_workspace_core-0.1.0.tar.gz",
    ]
    # A tag that does not name the built version stops the job before any upload.
    git(root, "tag", "-a", "demo-workspace-app-v0.2.0", "-m", "app 0.2.0")
    assert run_job()[0] != 0
    assert output.read_text() == ""  # no tags for the publishing job
