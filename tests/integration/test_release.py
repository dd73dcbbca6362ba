"""`nox -s release` / `invoke release` against a real pypiserver and a bare remote."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from releasekit import commands
from releasekit import release as engine
from releasekit._exceptions import ReleaseKitError
from releasekit.commands import ReleaseOptions
from releasekit.index import Target, index_for
from tests.conftest import git
from tests.integration.conftest import (
    Index,
    add_build_hook,
    add_fragment,
    commit_all,
    invoke,
    nox,
    run,
    snapshot,
    start_release,
    wait_for,
)

STEPS = ["preflight", "version", "changelog", "commit and tag", "build", "verify", "checks",
         "publish", "push"]  # fmt: skip


def remote_refs(repo: Path) -> str:
    return git(repo, "ls-remote", "origin")


def installed_version(index: Index, tmp_path: Path) -> str:
    venv = tmp_path / "check-env"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    run(
        [sys.executable, "-m", "uv", "pip", "install", "--refresh", "--python",
         str(venv / "bin/python"), "--index-url", index.simple, "demo-lib"],
        tmp_path,
    )  # fmt: skip
    code = "import demo_lib, importlib.metadata as m; print(m.version('demo-lib'))"
    return run([str(venv / "bin/python"), "-c", code], tmp_path).stdout.strip()


def test_release_end_to_end_with_nox(stamped: Path, index: Index, tmp_path: Path) -> None:
    add_fragment(stamped, "feature", "Greet anyone by name")
    proc = nox("-s", "release", "--", "--yes", "--repository", index.url,
               cwd=stamped, env=index.twine_env())  # fmt: skip
    output = proc.stdout + proc.stderr
    # Every step is named and timed, in order.
    positions = [output.index(f"✓ {step} (") for step in STEPS]
    assert positions == sorted(positions)
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert installed_version(index, tmp_path) == "0.2.0"
    head = git(stamped, "rev-parse", "HEAD")
    refs = remote_refs(stamped)
    assert f"{head}\trefs/heads/main" in refs
    assert "refs/tags/v0.2.0" in refs
    assert git(stamped, "cat-file", "-t", "v0.2.0") == "tag"  # annotated
    changelog = (stamped / "CHANGELOG.md").read_text()
    assert re.search(r"## 0\.2\.0 .*\n+### Features\n+- Greet anyone by name", changelog)
    assert not (stamped / "changelog.d/+test.feature.md").exists()
    assert git(stamped, "status", "--porcelain") == ""
    assert not (stamped / ".releasekit").exists()
    assert index.PASSWORD not in output
    # The preflight ran the configured checks; the release's own build served `build`.
    assert "$ nox --no-color -s tests" in output
    assert "$ nox --no-color -s style" in output
    assert "build: done by the release's own build and verify steps" in output


def test_dry_run_prints_the_plan_and_changes_nothing(stamped: Path, index: Index) -> None:
    add_fragment(stamped, "bugfix", "Fix the greeting")
    before = snapshot(stamped)
    refs = remote_refs(stamped)
    proc = invoke("release", "--dry-run", "--repository", index.url, cwd=stamped)
    plan = proc.stdout
    assert "0.1.0 -> 0.1.1 (patch, from the fragments: bugfix)" in plan
    assert "CHANGELOG.md, pyproject.toml, src/demo_lib/__init__.py" in plan
    assert "changelog.d/+test.bugfix.md" in plan
    assert "'Release 0.1.1' on main" in plan
    assert "v0.1.1 (annotated, not signed)" in plan
    assert index.url in plan
    assert "- Fix the greeting" in plan
    assert snapshot(stamped) == before
    assert remote_refs(stamped) == refs
    assert index.files() == []


def _refused(repo: Path, index: Index, **options: object) -> str:
    before = snapshot(repo)
    opts = ReleaseOptions(yes=True, repository=index.url, no_checks=True, **options)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as env, pytest.raises(ReleaseKitError) as info:
        for key, value in index.twine_env().items():  # a login: the refusal is another's
            env.setenv(key, value)
        commands.run("release", repo, opts)
    assert snapshot(repo) == before, "a refused release changed the repository"
    message = str(info.value)
    assert "\n" not in message
    return message


def test_preflight_refusals(stamped: Path, index: Index, tmp_path: Path) -> None:
    assert "no changelog fragment in changelog.d/" in _refused(stamped, index)
    add_fragment(stamped)

    (stamped / "notes.txt").write_text("draft")
    assert "the work tree is not clean (1 changed or untracked, e.g. notes.txt)" in _refused(
        stamped, index
    )
    (stamped / "notes.txt").unlink()

    git(stamped, "checkout", "-q", "-b", "feature-x")
    assert "branch 'feature-x' is not a release branch" in _refused(stamped, index)
    git(stamped, "checkout", "-q", "main")

    assert "unknown version part 'banana'" in _refused(stamped, index, part="banana")
    assert "not a valid PEP 440" in _refused(stamped, index, new_version="1.0.0final1")

    git(stamped, "tag", "v0.2.0")
    assert "the tag v0.2.0 already exists in this repository" in _refused(stamped, index)
    git(stamped, "push", "-q", "origin", "v0.2.0")
    git(stamped, "tag", "-d", "v0.2.0")
    assert "the tag v0.2.0 already exists on the remote 'origin'" in _refused(stamped, index)
    git(stamped, "push", "-q", "origin", ":refs/tags/v0.2.0")

    # Someone else pushed to main: this clone is behind.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(stamped / "../../remote.git"), str(other))
    (other / "README.md").write_text("changed elsewhere\n")
    commit_all(other, "Elsewhere")
    git(other, "push", "-q", "origin", "main")
    assert "branch 'main' is 1 commit(s) behind origin/main" in _refused(stamped, index)
    git(stamped, "pull", "-q", "--rebase")

    # The version is already on the index.
    (index.packages / "demo_lib-0.2.0.tar.gz").write_bytes(b"not really")
    assert f"demo-lib 0.2.0 is already on {index.url}" in _refused(stamped, index)
    (index.packages / "demo_lib-0.2.0.tar.gz").unlink()

    # verify's configuration, unreadable: refused before anything changes, naming the file.
    (stamped / "tox.ini").write_text("this is no INI file\n")
    commit_all(stamped, "A tox.ini")
    refusal = _refused(stamped, index)
    assert f"check-wheel-contents cannot read {stamped / 'tox.ini'}" in refusal
    assert "MissingSectionHeaderError" in refusal
    git(stamped, "reset", "-q", "--hard", "HEAD~1")

    index.stop()
    assert "is unreachable" in _refused(stamped, index)


def test_failing_check_is_refused_with_its_output(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    (stamped / "src/demo_lib/ugly.py").write_text("import os\nx=1\n")
    commit_all(stamped, "Unformatted code")
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'checks = ["tests", "style", "build"]', 'checks = ["style"]'))  # fmt: skip
    commit_all(stamped, "Only the style check")
    before = snapshot(stamped)
    proc = invoke("release", "--yes", "--repository", index.url, cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "ERROR the configured check style failed (nox -s style)" in proc.stderr
    assert "Remove unused import" in proc.stdout + proc.stderr  # ruff's own output
    assert "Traceback" not in proc.stdout + proc.stderr
    assert snapshot(stamped) == before
    assert index.files() == []


def test_failing_pre_commit_hook_rolls_back_exactly(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    hook = stamped / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no: release commits are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "ERROR commit and tag failed:" in proc.stderr
    assert "the repository is back as it was" in proc.stderr
    assert "hook says no" in proc.stdout + proc.stderr
    assert snapshot(stamped) == before
    assert index.files() == []


def test_commit_and_tag_messages_are_rendered_as_bump_my_version_renders_them(
    stamped: Path, index: Index
) -> None:
    """The release commits and tags itself, in bump-my-version's context ({now}, the parts)."""
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    assert 'message = "Release {new_version}"' in text
    text = text.replace('tag_message = "Release {new_version}"',
                        'tag_message = "Tag {new_major}.{new_minor} of {now:%Y}"')  # fmt: skip
    pyproject.write_text(
        text.replace(
            'message = "Release {new_version}"',
            'message = "Ship {current_version} to {new_version}"',
        )
    )
    commit_all(stamped, "Messages with more fields")
    add_fragment(stamped)
    invoke("release", "--yes", "--no-checks", "--no-push", "--no-publish", cwd=stamped)
    assert git(stamped, "log", "-1", "--format=%s") == "Ship 0.1.0 to 0.2.0"
    year = git(stamped, "log", "-1", "--format=%cd", "--date=format:%Y")
    tag = git(stamped, "tag", "-l", "--format=%(contents:subject)", "v0.2.0")
    assert tag == f"Tag 0.2 of {year}"

    # A field it does not know: refused in the preflight, in one line, nothing changed.
    pyproject.write_text(pyproject.read_text().replace("{now:%Y}", "{moon_phase}"))
    commit_all(stamped, "A field bump-my-version does not know")
    add_fragment(stamped, text="Another change")
    before = snapshot(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--no-publish", cwd=stamped,
                  check=False)  # fmt: skip
    assert proc.returncode == 1
    assert (
        "bump-my-version cannot write the message 'Tag {new_major}.{new_minor} of "
        "{moon_phase}' for 0.3.0" in proc.stderr
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert snapshot(stamped) == before


def _bumpversion(stamped: Path, old: str, new: str) -> None:
    pyproject = stamped / "pyproject.toml"
    text = pyproject.read_text()
    assert old in text
    pyproject.write_text(text.replace(old, new, 1))


def _release_locally(stamped: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    return invoke("release", "--yes", "--no-checks", "--no-push", "--no-publish", cwd=stamped,
                  check=check)  # fmt: skip


def _refused_locally(stamped: Path) -> str:
    """A fragment, a local release refused in the preflight: its stderr; nothing changed."""
    add_fragment(stamped)
    before = snapshot(stamped)
    proc = _release_locally(stamped, check=False)
    assert proc.returncode == 1
    assert snapshot(stamped) == before
    return proc.stderr


def test_tag_names_and_commit_args_are_bump_my_versions(stamped: Path) -> None:
    """The release commits and tags as bump-my-version would: tag_name's fields, commit_args."""
    _bumpversion(
        stamped,
        'tag_name = "v{new_version}"',
        'tag_name = "v{new_major}.{new_minor}.{new_patch}"\ncommit_args = "--signoff"',
    )
    commit_all(stamped, "Tags from the parts, signed off")
    add_fragment(stamped)
    _release_locally(stamped)
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert "Signed-off-by:" in git(stamped, "log", "-1", "--format=%B")


def test_a_tag_name_git_refuses_is_refused_before_anything_changes(stamped: Path) -> None:
    _bumpversion(stamped, 'tag_name = "v{new_version}"', 'tag_name = "release {new_version}"')
    commit_all(stamped, "A tag name with a space")
    assert "'release 0.2.0' is not a name git takes for a tag" in _refused_locally(stamped)


@pytest.mark.parametrize(
    ("commit_args", "refused"),
    [("--amend", "commit_args has '--amend'"), ("-m extra", "commit_args has '-m'"),
     ('--author="unclosed', "cannot be read (No closing quotation)")],
)  # fmt: skip
def test_commit_args_that_change_which_commit_is_made_are_refused(
    stamped: Path, commit_args: str, refused: str
) -> None:
    _bumpversion(stamped, 'tag_name = "v{new_version}"',
                 f"tag_name = \"v{{new_version}}\"\ncommit_args = '{commit_args}'")  # fmt: skip
    commit_all(stamped, "commit_args the release commit does not take")
    assert refused in _refused_locally(stamped)


def test_a_tag_lock_git_left_behind_is_removed_by_the_rollback(stamped: Path) -> None:
    """Stopped while git writes the tag, git leaves its lock: the rollback takes it away."""
    lock = stamped / ".git/refs/tags/v0.2.0.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    add_fragment(stamped)
    before = snapshot(stamped)
    proc = _release_locally(stamped, check=False)
    assert "git could not make the release tag v0.2.0" in proc.stderr
    assert "the repository is back as it was" in proc.stderr
    assert not lock.exists() and snapshot(stamped) == before
    _release_locally(stamped)
    assert git(stamped, "tag", "-l") == "v0.2.0"


def test_an_ignored_file_the_release_writes_is_refused_and_kept(stamped: Path) -> None:
    """Ignored, the commit could not take it and a rollback could not give it back."""
    (stamped / "VERSION").write_text("0.1.0\n")
    (stamped / ".gitignore").write_text((stamped / ".gitignore").read_text() + "VERSION\n")
    _bumpversion(
        stamped,
        "[[tool.bumpversion.files]]\n",
        '[[tool.bumpversion.files]]\nfilename = "VERSION"\n\n[[tool.bumpversion.files]]\n',
    )
    commit_all(stamped, "An ignored VERSION file")
    assert "VERSION is not tracked by git (it is ignored)" in _refused_locally(stamped)
    assert (stamped / "VERSION").read_text() == "0.1.0\n"


def test_the_version_comes_from_the_file_bump_my_version_writes(stamped: Path) -> None:
    """A .bumpversion.toml beside an old [tool.bumpversion]: it is the one bump-my-version reads."""
    pyproject = (stamped / "pyproject.toml").read_text()
    table = pyproject[pyproject.index("[tool.bumpversion]") : pyproject.index("# towncrier owns")]
    (stamped / ".bumpversion.toml").write_text(
        table.replace('current_version = "0.1.0"', 'current_version = "1.4.0"')
    )
    project = re.sub(r'(?m)^version = "0.1.0"', 'version = "1.4.0"', pyproject)
    assert 'current_version = "0.1.0"' in project  # the old table stays behind
    (stamped / "pyproject.toml").write_text(project)
    init = stamped / "src/demo_lib/__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', '"1.4.0"'))
    commit_all(stamped, "Version 1.4.0 in .bumpversion.toml; pyproject's table left behind")
    add_fragment(stamped)
    _release_locally(stamped)
    assert git(stamped, "tag", "-l") == "v1.5.0"


def test_a_file_a_hook_puts_in_the_release_commit_is_refused_and_named(stamped: Path) -> None:
    """Not the release's: refused and rolled back; the hook's file is the hook's, left staged."""
    add_fragment(stamped)
    hook = stamped / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\ndate > BUILDINFO.txt\ngit add BUILDINFO.txt\n")
    hook.chmod(0o755)
    head = git(stamped, "rev-parse", "HEAD")
    proc = _release_locally(stamped, check=False)
    assert proc.returncode == 1
    assert "ERROR commit and tag failed: BUILDINFO.txt went into the release commit" in proc.stderr
    assert "the repository is back as it was" in proc.stderr
    assert git(stamped, "status", "--porcelain") == "A  BUILDINFO.txt"
    assert git(stamped, "rev-parse", "HEAD") == head
    assert git(stamped, "tag", "-l") == ""
    assert (stamped / "changelog.d/+test.feature.md").is_file()


def test_remote_rejecting_the_push_then_resume(stamped: Path, index: Index) -> None:
    add_fragment(stamped)
    hook = stamped / "../../remote.git/hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'remote: pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    env = index.twine_env()
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False, env=env)  # fmt: skip
    assert proc.returncode == 1
    assert "push failed: the remote 'origin' refused the push" in proc.stderr
    assert "--resume" in proc.stderr
    assert "pushes are closed today" in proc.stdout + proc.stderr
    state = json.loads((stamped / ".releasekit/state.json").read_text())
    assert state["done"] == ["publish"]
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert git(stamped, "status", "--porcelain") == ""  # the state dir ignores itself
    uploaded = {p: p.stat().st_mtime_ns for p in index.packages.iterdir()}

    hook.unlink()
    proc = invoke("release", "--resume", "--yes", cwd=stamped, env=env)
    assert "publish: already done" in proc.stderr
    assert "twine" not in proc.stderr  # nothing uploaded twice
    assert {p: p.stat().st_mtime_ns for p in index.packages.iterdir()} == uploaded
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert not (stamped / ".releasekit").exists()
    for text in (proc.stdout, proc.stderr, json.dumps(state)):
        assert index.PASSWORD not in text


def test_wrong_credentials_at_publish_never_show_them_then_resume(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    wrong = {"TWINE_USERNAME": index.USER, "TWINE_PASSWORD": "Wrong-Secret-123456"}
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False, env=wrong)  # fmt: skip
    assert proc.returncode == 1
    assert "publish failed: twine could not upload" in proc.stderr
    assert "Wrong-Secret-123456" not in proc.stdout + proc.stderr
    assert "403" in proc.stdout + proc.stderr or "401" in proc.stdout + proc.stderr
    for path in (stamped / ".releasekit").rglob("*"):  # the journal and the kept files
        assert path.is_dir() or b"Wrong-Secret" not in path.read_bytes()
    assert index.files() == []
    assert "v0.2.0" not in remote_refs(stamped)

    proc = invoke("release", "--resume", "--yes", cwd=stamped, env=index.twine_env())
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    assert index.PASSWORD not in proc.stdout + proc.stderr


def test_resume_skips_identical_files_and_refuses_different_ones(
    stamped: Path, index: Index
) -> None:
    add_fragment(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=stamped, check=False, env={"TWINE_USERNAME": index.USER,
                                                 "TWINE_PASSWORD": "nope-nope-nope"})  # fmt: skip
    assert proc.returncode == 1
    state = json.loads((stamped / ".releasekit/state.json").read_text())
    # Half an upload: the sdist made it, the wheel did not.
    sdist = stamped / "dist/demo_lib-0.2.0.tar.gz"
    (index.packages / sdist.name).write_bytes(sdist.read_bytes())
    wheel = "demo_lib-0.2.0-py3-none-any.whl"
    (index.packages / wheel).write_bytes(b"a different file under the same name")
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped, check=False,
                  env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert f"{wheel} is already on {index.url} with a different sha256" in proc.stderr
    (index.packages / wheel).unlink()
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    assert f"{sdist.name} is already on the index with the same sha256: skipped" in proc.stderr
    listed = index_for(Target(index.url, index.simple)).listing("demo-lib")
    assert {name: f.sha256 for name, f in listed.items()} == state["packages"][0]["files"]


def test_failing_build_rolls_back_exactly(stamped: Path, index: Index) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    before = snapshot(stamped)
    env = {**index.twine_env(), "RK_TEST_HOOK": "fail"}
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url,
                  cwd=stamped, check=False, env=env)  # fmt: skip
    assert proc.returncode == 1
    assert "ERROR build failed: building the sdist and wheel failed" in proc.stderr
    assert "injected build failure" in proc.stdout + proc.stderr
    assert snapshot(stamped) == before
    assert index.files() == []


def test_ctrl_c_during_the_build_rolls_back_exactly(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    before = snapshot(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate)
    wait_for(gate / "started", proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in out + err
    assert snapshot(stamped) == before
    assert index.files() == []


def test_index_down_at_publish_then_up_and_resume(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    add_build_hook(stamped)
    add_fragment(stamped)
    gate = tmp_path / "gate"
    proc = start_release(stamped, index, gate)
    wait_for(gate / "started", proc)
    index.stop()  # preflight has seen it; it goes down before the upload
    (gate / "go").touch()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, out + err
    assert "ERROR publish failed:" in err
    assert "run again with --resume" in err
    # Nothing public happened, nothing local was undone.
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert "v0.2.0" not in remote_refs(stamped)
    assert (stamped / ".releasekit/state.json").is_file()

    index.start()
    proc2 = invoke("release", "--resume", "--yes", cwd=stamped, env=index.twine_env())
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    assert "refs/tags/v0.2.0" in remote_refs(stamped)
    assert git(stamped, "tag", "-l") == "v0.2.0"
    assert "demo-lib 0.2.0 installs from" in proc2.stderr
    assert not (stamped / ".releasekit").exists()
    assert index.PASSWORD not in out + err + proc2.stdout + proc2.stderr


def test_resume_without_a_release_in_progress(stamped: Path) -> None:
    proc = invoke("release", "--resume", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "ERROR there is no release in progress to resume (no .releasekit/state.json)"
    )


def test_checks_that_passed_on_this_tree_are_not_run_again(
    stamped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nox("-s", "style", cwd=stamped)
    engine.run_checks(stamped, ["style", "build"])
    err = capsys.readouterr().err
    assert "style: passed on this tree before (cached" in err
    assert "build: done by the release's own build" in err
    assert "$ nox" not in err

    engine.run_checks(stamped, ["style"], cache=False)
    assert "$ nox --no-color -s style" in capsys.readouterr().err

    # A new tree is a new question.
    (stamped / "README.md").write_text("# Demo Lib\n\nChanged.\n")
    commit_all(stamped, "Change the readme")
    engine.run_checks(stamped, ["style"])
    assert "$ nox --no-color -s style" in capsys.readouterr().err

    # A dirty tree is never taken for a committed one.
    nox("-s", "style", cwd=stamped)
    (stamped / "src/demo_lib/extra.py").write_text("x = 1\n")
    with pytest.raises(ReleaseKitError, match="the configured check style failed"):
        (stamped / "src/demo_lib/extra.py").write_text("import os\n")
        engine.run_checks(stamped, ["style"])
