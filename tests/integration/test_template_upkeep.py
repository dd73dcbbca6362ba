"""The stamped repository keeps itself current and checks pull requests.

Dependabot's configuration passes its schema (check-jsonschema's vendored
copy), pre-commit's passes pre-commit itself, zizmor finds nothing in either,
and the workflow steps added for the maintainer's cycle (the pull-request
check, the GitHub release from the changelog) run as a runner would run them,
with releasekit from this checkout and a stand-in for the ``gh`` CLI.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from releasekit import changelog
from tests.conftest import git
from tests.integration.conftest import commit_all, run, stamp
from tests.integration.test_workflows import bin_tool, load, zizmor


def test_dependabot_and_pre_commit_configs(tmp_path: Path) -> None:
    repo = stamp(tmp_path)
    dependabot = repo / ".github" / "dependabot.yml"
    proc = run([bin_tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
                str(dependabot)], repo)  # fmt: skip
    assert "ok -- validation done" in proc.stdout
    config: dict[str, Any] = yaml.safe_load(dependabot.read_text())
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly"
        ((_, group),) = update["groups"].items()
        assert group["patterns"] == ["*"]  # one grouped pull request per ecosystem

    pre_commit = repo / ".pre-commit-config.yaml"
    run([bin_tool("pre-commit"), "validate-config", str(pre_commit)], repo)
    (hooks_repo,) = yaml.safe_load(pre_commit.read_text())["repos"]
    assert hooks_repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert hooks_repo["rev"].startswith("v") and hooks_repo["rev"].count(".") == 2
    # The rules are the style session's: ruff reads [tool.ruff] of pyproject.toml.
    assert [(h["id"], h.get("args")) for h in hooks_repo["hooks"]] == [
        ("ruff", None),
        ("ruff-format", None),
    ]
    # zizmor audits dependabot.yml too (cooldown) when given the whole repository.
    assert zizmor([repo], repo) == []

    # The gates are not vacuous.
    broken = tmp_path / "dependabot.yml"
    broken.write_text(dependabot.read_text().replace("interval: weekly", "interval: hourly"))
    proc = run([bin_tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
                str(broken)], repo, check=False)  # fmt: skip
    assert proc.returncode == 1
    bad = tmp_path / "pre-commit.yaml"
    bad.write_text(pre_commit.read_text().replace("rev:", "revision:"))
    proc = run([bin_tool("pre-commit"), "validate-config", str(bad)], repo, check=False)
    assert proc.returncode == 1


def _shims(tmp_path: Path) -> Path:
    """``uvx --from releasekit releasekit`` is this checkout's; ``gh`` logs its argv."""
    bindir = tmp_path / "shims"
    bindir.mkdir()
    releasekit = f'"{sys.executable}" -m releasekit'
    scripts = {
        "uvx": f'#!/bin/sh\n[ "$1" = --from ] && shift 2\nshift\nexec {releasekit} "$@"\n',
        "gh": f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/gh-argv"\n',
    }
    for name, text in scripts.items():
        path = bindir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return bindir


def _run_steps(job: dict[str, Any], cwd: Path, env: dict[str, str]) -> int:
    for step in job["steps"]:
        if "run" in step:
            proc = run(["bash", "-e", "-c", step["run"]], cwd, check=False, env=env)
            if proc.returncode:
                return proc.returncode
    return 0


def test_ci_checks_pull_requests_for_a_fragment(stamped: Path, tmp_path: Path) -> None:
    ci = load(stamped / ".github/workflows/ci.yml")
    job = ci["jobs"]["changelog"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read"}
    (checkout,) = [s for s in job["steps"] if "actions/checkout@" in s.get("uses", "")]
    assert checkout["with"]["fetch-depth"] == 0
    env = {"PATH": f"{_shims(tmp_path)}{os.pathsep}{os.environ['PATH']}", "BASE_REF": "main"}

    git(stamped, "checkout", "-q", "-b", "topic")
    init = stamped / "src/demo_lib/__init__.py"
    init.write_text(init.read_text() + "\nANSWER = 42\n")
    commit_all(stamped, "Change the package")
    assert _run_steps(job, stamped, env) == 1
    (stamped / "changelog.d" / "+answer.feature.md").write_text("Know the answer\n")
    commit_all(stamped, "Add a fragment")
    assert _run_steps(job, stamped, env) == 0


def test_release_creates_the_github_release_from_the_notes(stamped: Path, tmp_path: Path) -> None:
    release = load(stamped / ".github/workflows/release.yml")
    job = release["jobs"]["github-release"]
    assert job["needs"] == "publish"
    assert job["permissions"] == {"contents": "write"}
    others = [j["permissions"] for name, j in release["jobs"].items() if name != "github-release"]
    assert all("contents" not in p or p["contents"] == "read" for p in others)
    gh_step = next(s for s in job["steps"] if "gh release create" in s.get("run", ""))
    assert gh_step["env"]["GH_TOKEN"] == "${{ github.token }}"

    (stamped / "changelog.d" / "+greet.feature.md").write_text("Greet anyone by name\n")
    commit_all(stamped, "fragment")
    changelog.build(stamped, "0.2.0rc1")
    commit_all(stamped, "Release 0.2.0rc1")
    env = {"PATH": f"{_shims(tmp_path)}{os.pathsep}{os.environ['PATH']}", "TAG": "v0.2.0rc1",
           "GITHUB_REPOSITORY": "your-name/demo-lib"}  # fmt: skip
    assert _run_steps(job, stamped, env) == 0
    notes = (stamped / "release-notes.md").read_text()
    assert notes == "### Features\n\n- Greet anyone by name\n"
    argv = (tmp_path / "gh-argv").read_text().splitlines()
    assert argv == ["release", "create", "v0.2.0rc1", "--repo", "your-name/demo-lib",
                    "--verify-tag", "--title", "v0.2.0rc1", "--notes-file", "release-notes.md",
                    "--prerelease"]  # fmt: skip
