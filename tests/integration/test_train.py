"""The release train: a uv workspace of members a and b (b requires a), released at the root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from releasekit import new
from tests.conftest import git
from tests.integration import workspaces
from tests.integration.conftest import (
    Index,
    add_build_hook,
    commit_all,
    invoke,
    nox,
    run,
    snapshot,
    start_release,
    wait_for,
)

ROOT_PYPROJECT = """\
[tool.uv.workspace]
members = ["packages/*"]

[tool.releasekit]
branches = ["main"]
"""
ROOT_NOXFILE = "import releasekit.nox  # noqa: F401\n"
ROOT_TASKS = "from releasekit.tasks import namespace  # noqa: F401\n"
ROOT_GITIGNORE = "dist/\n.nox/\n__pycache__/\n.venv/\n"


def stamp_member(packages: Path, name: str, *, requires: str = "", kind: str = "pure") -> Path:
    """A member stamped from the template, with its own tag name and maybe a need of another."""
    member = new.stamp(packages, extra_context={"project_name": name, "kind": kind})
    pyproject = member / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('tag_name = "v{new_version}"', f'tag_name = "{name}-v{{new_version}}"')
    if requires:
        needed = requires.split(">")[0].split("=")[0].split("<")[0].split("~")[0]
        text = text.replace("dependencies = []", f"dependencies = [{requires!r}]".replace("'", '"'))
        text += f"\n[tool.uv.sources]\n{needed} = {{ workspace = true }}\n"
    pyproject.write_text(text)
    return member


def make_workspace(
    parent: Path, members: dict[str, str], kinds: dict[str, str] | None = None
) -> Path:
    """A workspace root with ``members`` (name -> requirement), on main, pushed to a bare remote.

    :param kinds: the template's ``kind`` of some members (``extension``); the rest are pure.
    """
    remote = parent / "remote.git"
    git(parent, "init", "-q", "--bare", "-b", "main", str(remote))
    root = parent / "work"
    (root / "packages").mkdir(parents=True)
    (root / "pyproject.toml").write_text(ROOT_PYPROJECT)
    (root / "noxfile.py").write_text(ROOT_NOXFILE)
    (root / "tasks.py").write_text(ROOT_TASKS)
    (root / ".gitignore").write_text(ROOT_GITIGNORE)
    for name, requires in members.items():
        kind = (kinds or {}).get(name, "pure")
        stamp_member(root / "packages", name, requires=requires, kind=kind)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "A workspace of " + ", ".join(members))
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "-u", "origin", "main")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})


def fragment(root: Path, member: str, kind: str = "feature", text: str = "A change") -> None:
    (root / "packages" / member / "changelog.d" / f"+{kind}.{kind}.md").write_text(text + "\n")
    commit_all(root, f"A {kind} in {member}")


def remote_tags(root: Path) -> list[str]:
    out = git(root, "ls-remote", "--tags", "origin")
    return sorted(line.split("refs/tags/")[1] for line in out.splitlines() if "^{}" not in line)


def release(root: Path, index: Index, *extra: str, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return nox("-s", "release", "--", "--yes", "--no-checks", "--repository", index.url, *extra,
               cwd=root, check=check, env={**index.twine_env(), **(env or {})})  # fmt: skip


def test_a_feature_in_a_releases_a_and_widens_b(workspace: Path, index: Index) -> None:
    root = workspace
    fragment(root, "a", "feature", "Greet in French")
    dry = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=root)
    assert "tier 1:" in dry.stdout and "tier 2:" in dry.stdout
    assert "a 0.1.0 -> 0.2.0, tag a-v0.2.0 (minor, from the fragments: feature)" in dry.stdout
    assert (
        "b 0.1.0 -> 0.1.1, tag b-v0.1.1 (patch; a>=0.1,<0.2 widened to a>=0.1,<0.3 for a 0.2.0)"
        in dry.stdout
    )
    assert dry.stdout.index("a 0.1.0 -> 0.2.0") < dry.stdout.index("b 0.1.0 -> 0.1.1")
    assert index.files() == [] and git(root, "status", "--porcelain") == ""

    # As a new user would: the members' own checks run (b's tests with a from the workspace).
    proc = nox("-s", "release", "--", "--yes", "--repository", index.url, cwd=root,
               env=index.twine_env())  # fmt: skip
    assert "check tests: started in a" in proc.stdout + proc.stderr
    assert "check tests: started in b" in proc.stdout + proc.stderr
    assert "released a 0.2.0, b 0.1.1" in proc.stdout + proc.stderr
    # One release commit for the whole train, one tag per member, all pushed.
    assert git(root, "log", "-1", "--format=%s") == "Release a 0.2.0, b 0.1.1"
    assert git(root, "rev-parse", "HEAD") == git(root, "rev-parse", "origin/main")
    assert remote_tags(root) == ["a-v0.2.0", "b-v0.1.1"]
    assert git(root, "cat-file", "-t", "a-v0.2.0") == "tag"  # annotated
    assert git(root, "status", "--porcelain") == ""
    b_pyproject = (root / "packages/b/pyproject.toml").read_text()
    assert '"a>=0.1,<0.3"' in b_pyproject and 'version = "0.1.1"' in b_pyproject
    assert "## 0.1.1" in (root / "packages/b/CHANGELOG.md").read_text()
    assert "a>=0.1,<0.3" in (root / "packages/b/CHANGELOG.md").read_text()
    assert "Greet in French" in (root / "packages/a/CHANGELOG.md").read_text()
    assert not list((root / "packages/b/changelog.d").glob("+*"))
    assert not (root / ".releasekit").exists()
    # a's files reached the index before b's.
    files = index.files()
    assert files == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz",
                     "b-0.1.1-py3-none-any.whl", "b-0.1.1.tar.gz"]  # fmt: skip
    mtime = {name: (index.packages / name).stat().st_mtime_ns for name in files}
    assert max(mtime[n] for n in files if n.startswith("a-")) < min(
        mtime[n] for n in files if n.startswith("b-")
    )
    # A user installing b 0.1.1 from the index gets a 0.2.0 with it.
    env_dir = root.parent / "user-env"
    run(["uv", "venv", "--quiet", str(env_dir)], root)
    run(["uv", "pip", "install", "--quiet", "--python", str(env_dir / "bin/python"),
         "--index-url", index.simple, "b==0.1.1"], root)  # fmt: skip
    shown = run(["uv", "pip", "list", "--python", str(env_dir / "bin/python")], root).stdout
    assert "a " in shown and "0.2.0" in shown.split("a ", 1)[1].splitlines()[0]


def upload_as_is(root: Path, member: str, index: Index) -> list[str]:
    """Publish a member's current version by hand (a release made before the workspace's)."""
    out = root.parent / f"dist-{member}"
    run([sys.executable, "-m", "build", "--installer", "uv", "-o", str(out),
         str(root / "packages" / member)], root)  # fmt: skip
    run(["twine", "upload", "--repository-url", index.url, *map(str, sorted(out.iterdir()))],
        root, env=index.twine_env())  # fmt: skip
    return sorted(p.name for p in out.iterdir())


def test_a_fragment_only_in_b_releases_b_alone(workspace: Path, index: Index) -> None:
    root = workspace
    fragment(root, "b", "bugfix", "Fix the greeting")
    # b's verify installs it with a from the index: a 0.1.0 must be there, or b is refused.
    proc = release(root, index, check=False)
    assert "the wheel of b 0.1.1 does not install and import" in proc.stderr
    assert "nothing was uploaded" in proc.stderr and index.files() == []
    a_files = upload_as_is(root, "a", index)
    release(root, index)
    assert index.files() == sorted([*a_files, "b-0.1.1-py3-none-any.whl", "b-0.1.1.tar.gz"])
    assert remote_tags(root) == ["b-v0.1.1"]
    assert git(root, "log", "-1", "--format=%s") == "Release b 0.1.1"
    assert 'version = "0.1.0"' in (root / "packages/a/pyproject.toml").read_text()


def test_the_members_commit_args_go_to_the_trains_one_commit(workspace: Path, index: Index) -> None:
    """One commit for the train: the members' commit_args, when they agree (else refused)."""
    root = workspace
    for name, args in (("a", "--signoff"), ("b", "--no-verify")):
        pyproject = root / f"packages/{name}/pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            "tag = true\n", f'tag = true\ncommit_args = "{args}"\n', 1))  # fmt: skip
    commit_all(root, "commit_args in each member")
    fragment(root, "a", "feature", "Greet in French")
    before = git(root, "rev-parse", "HEAD")
    proc = release(root, index, "--no-publish", "--no-push", check=False)
    assert "the members give different commit_args ('--no-verify', '--signoff')" in proc.stderr
    assert git(root, "rev-parse", "HEAD") == before
    pyproject = root / "packages/b/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("--no-verify", "--signoff"))
    commit_all(root, "The same commit_args")
    dry = release(root, index, "--no-publish", "--no-push", "--dry-run")
    assert "on main (git commit --signoff)" in dry.stdout
    release(root, index, "--no-publish", "--no-push")
    assert "Signed-off-by:" in git(root, "log", "-1", "--format=%B")


def test_a_build_failure_in_b_rolls_back_the_whole_train(workspace: Path, index: Index) -> None:
    root = workspace
    add_build_hook(root / "packages" / "b")
    fragment(root, "a", "feature")
    before = snapshot(root)
    proc = release(root, index, check=False, env={"RK_TEST_HOOK": "fail"})
    assert proc.returncode != 0
    assert "build b failed: building the sdist and wheel failed" in proc.stderr
    assert "the whole train is rolled back, nothing was uploaded" in proc.stderr
    assert "injected build failure" in proc.stdout + proc.stderr
    assert index.files() == []
    assert snapshot(root) == before
    assert remote_tags(root) == []


def test_colliding_tag_names_are_refused(tmp_path: Path, index: Index) -> None:
    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    pyproject = root / "packages/b/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("b-v{new_version}", "a-v{new_version}"))
    commit_all(root, "Collide")
    fragment(root, "a")
    before = snapshot(root)
    proc = release(root, index, check=False)
    assert proc.returncode != 0
    assert "workspace members a and b both tag their releases 'a-v{new_version}'" in proc.stderr
    assert 'tag_name = "b-v{new_version}"' in proc.stderr
    assert snapshot(root) == before and index.files() == []


def test_a_failed_upload_of_b_after_a_resumes(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    add_build_hook(root / "packages" / "b")
    fragment(root, "a", "feature")
    gate = tmp_path / "gate"
    proc = start_release(root, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    # Past the preflight, someone else's file takes b's name on the index: b's upload
    # fails after a's went up, so the train is journaled, not rolled back.
    (index.packages / "b-0.1.1.tar.gz").write_bytes(b"not b")
    (gate / "go").touch()
    out, err = proc.communicate(timeout=600)
    assert proc.returncode != 0, out + err
    assert "run again with --resume" in err
    journal = json.loads((root / ".releasekit/state.json").read_text())
    published = [(p["name"], p["published"]) for p in journal["packages"]]
    assert published == [("a", True), ("b", False)]
    assert remote_tags(root) == []
    assert index.files() == ["a-0.2.0-py3-none-any.whl", "a-0.2.0.tar.gz", "b-0.1.1.tar.gz"]
    (index.packages / "b-0.1.1.tar.gz").unlink()
    nox("-s", "release", "--", "--resume", "--yes", cwd=root, env=index.twine_env())
    assert remote_tags(root) == ["a-v0.2.0", "b-v0.1.1"]
    assert len(index.files()) == 4
    assert not (root / ".releasekit").exists()


def test_twenty_members_chain_and_fan_out_plan(tmp_path: Path, index: Index) -> None:
    root = workspaces.generate(tmp_path, 20)
    proc = invoke("release", "--dry-run", "--repository", index.url, cwd=root)
    out = proc.stdout
    # m00 first, then the chain one tier at a time, the fan-out in tier 2.
    tiers = [line.strip() for line in out.splitlines() if line.strip().startswith("tier ")]
    assert len(tiers) == 10
    assert "m00 0.1.0 -> 0.2.0" in out
    for i in range(1, 20):
        assert f"m{i:02d} 0.1.0 -> 0.1.1" in out, out
    assert "m01==0.1.0 widened to m01==0.1.1 for m01 0.1.1" in out  # transitively
    assert "m00>=0.1,<0.2 widened to m00>=0.1,<0.3 for m00 0.2.0" in out
    assert "m00~=0.1.0 widened to m00~=0.2.0" in out
    assert "m00==0.1.0 widened to m00==0.2.0" in out
    assert out.index("m00 0.1.0") < out.index("m01 0.1.0") < out.index("m09 0.1.0")
    assert git(root, "status", "--porcelain") == "" and index.files() == []


def test_refusals_change_nothing(workspace: Path, index: Index) -> None:
    root = workspace
    before = snapshot(root)
    proc = release(root, index, check=False)
    assert "no workspace member has a changelog fragment" in proc.stderr
    proc = invoke("release", "--part", "minor", "--no-checks", cwd=root, check=False)
    assert "--part and --new-version pick one project's version" in proc.stderr
    assert snapshot(root) == before
    pyproject = root / "packages/a/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("dependencies = []", 'dependencies = ["b"]'))
    commit_all(root, "a cycle")
    fragment(root, "a")
    before = snapshot(root)
    proc = release(root, index, check=False)
    assert "in a cycle: a -> b -> a" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(root) == before and index.files() == []


def test_killed_train_is_undone_by_abort(workspace: Path, index: Index, tmp_path: Path) -> None:
    root = workspace
    add_build_hook(root / "packages" / "b")
    fragment(root, "a", "feature")
    before = snapshot(root)
    gate = tmp_path / "gate"
    proc = start_release(root, index, gate)
    wait_for(gate / "started", proc, timeout=300)
    os.killpg(proc.pid, 9)  # the train's own process group, started above
    proc.communicate()
    assert git(root, "tag", "-l") == "a-v0.2.0\nb-v0.1.1"
    refused = release(root, index, check=False)
    assert "undo it with --abort" in refused.stderr
    nox("-s", "release", "--", "--abort", cwd=root)
    assert snapshot(root) == before
    assert index.files() == [] and remote_tags(root) == []


def test_a_train_killed_in_a_linked_worktree_is_named_from_the_other_one(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    from tests.integration.test_release_recovery import (
        killed_in_a_linked_worktree,
        refused_for_the_other_worktree,
    )

    root = workspace
    fragment(root, "a", "feature")
    linked, before = killed_in_a_linked_worktree(root, index, tmp_path, root / "packages" / "b")
    refused_for_the_other_worktree(root, index, (
        f"a release train is unfinished in another worktree of this repository, {linked}: "
        "undo it there with --abort; nothing was changed"
    ))  # fmt: skip
    assert index.files() == [] and remote_tags(root) == []
    invoke("release", "--abort", cwd=linked)
    assert snapshot(root) == before
    assert git(linked, "status", "--porcelain", "--untracked-files=all") == ""
    assert index.files() == [] and remote_tags(root) == []


@pytest.mark.slow
def test_twenty_members_release_in_tiers(tmp_path: Path, index: Index) -> None:
    root = workspaces.generate(tmp_path, 20)
    proc = release(root, index, "--no-confirm")
    assert "released m00 0.2.0" in proc.stdout + proc.stderr
    assert len(remote_tags(root)) == 20
    assert len(index.files()) == 40
    # Each tier went up after the one it needs: m00, then m01 (with the fan-out), m02, ...
    first: dict[str, int] = {}
    for name in index.files():
        member = name.split("-")[0]
        mtime = (index.packages / name).stat().st_mtime_ns
        first[member] = min(first.get(member, mtime), mtime)
    chain = [f"m{i:02d}" for i in range(10)]
    assert [first[m] for m in chain] == sorted(first[m] for m in chain)
    assert all(first[f"m{i:02d}"] > first["m00"] for i in range(10, 20))
    assert '"m08==0.1.1"' in (root / "packages/m09/pyproject.toml").read_text()
    assert '"m00>=0.1,<0.3"' in (root / "packages/m12/pyproject.toml").read_text()


def test_new_layout_workspace_stamps_a_train(tmp_path: Path, index: Index) -> None:
    run(["releasekit", "new", "--no-input", "-o", str(tmp_path), "layout=workspace",
         "project_name=Demo Space"], tmp_path)  # fmt: skip
    root = tmp_path / "demo-space"
    app = (root / "packages/demo-space-app/pyproject.toml").read_text()
    assert '"demo-space-core>=0.1,<0.2"' in app and "demo-space-core = {workspace = true}" in app
    assert 'tag_name = "demo-space-app-v{new_version}"' in app
    assert not (root / "packages/demo-space-app/.github").exists()
    listed = nox("-l", cwd=root).stdout
    assert "members" in listed and "release" in listed
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "Start from the workspace template")
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "-u", "origin", "main")
    news = root / "packages/demo-space-core/changelog.d/+hello.feature.md"
    news.write_text("Say hello\n")
    commit_all(root, "A feature in the core")
    nox("-s", "release", "--", "--yes", "--repository", index.url, cwd=root,
        env=index.twine_env())  # fmt: skip
    assert remote_tags(root) == ["demo-space-app-v0.1.1", "demo-space-core-v0.2.0"]
    assert len(index.files()) == 4
    assert (
        '"demo-space-core>=0.1,<0.3"'
        in (root / "packages/demo-space-app/pyproject.toml").read_text()
    )


def test_status_at_the_root_shows_one_row_per_member(workspace: Path) -> None:
    fragment(workspace, "a")
    proc = run([sys.executable, "-m", "releasekit", "status", "--json"], workspace)
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert set(rows) == {"a", "b"}
    assert rows["a"]["fragments"] and rows["a"]["next_version"] == "0.2.0"
    assert rows["b"]["fragments"] == [] and rows["b"]["next_version"] is None


def test_the_trains_git_hooks_never_see_the_upload_login(
    workspace: Path, index: Index, tmp_path: Path
) -> None:
    root = workspace
    seen = tmp_path / "hook-env"
    seen.mkdir()
    for hook in ("pre-commit", "post-commit", "reference-transaction", "pre-push"):
        path = root / ".git/hooks" / hook
        path.write_text(f'#!/bin/sh\nenv > "{seen}/{hook}.$$"\nexit 0\n')
        path.chmod(0o755)
    fragment(root, "a")
    release(root, index, env={"PYPI_API_TOKEN": "pypi-Tok3n-x"})
    assert "a-v0.2.0" in remote_tags(root)
    assert any(name.startswith("a-0.2.0") for name in index.files())
    hooks = {path.name.partition(".")[0] for path in seen.iterdir()}
    assert hooks == {"pre-commit", "post-commit", "reference-transaction", "pre-push"}
    for path in seen.iterdir():
        dump = path.read_text()
        names = {line.partition("=")[0] for line in dump.splitlines()}
        assert not {"TWINE_USERNAME", "TWINE_PASSWORD", "PYPI_API_TOKEN"} & names, path.name
        assert index.PASSWORD not in dump, path.name


def test_a_silent_git_remote_stops_the_trains_preflight_naming_its_host(
    workspace: Path, index: Index
) -> None:
    from tests import index_responder

    root = workspace
    fragment(root, "a")
    bare = git(root, "remote", "get-url", "origin")
    refs = git(root, "ls-remote", bare)
    with index_responder.silent() as host:
        git(root, "remote", "set-url", "origin", f"http://{host}/demo.git")
        before = snapshot(root)
        proc = release(root, index, check=False, env={"RELEASEKIT_NETWORK_TIMEOUT": "2"})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"the git remote 'origin' ({host}) did not answer within 2s" in proc.stderr
    assert snapshot(root) == before
    assert git(root, "ls-remote", bare) == refs
    assert index.files() == []
