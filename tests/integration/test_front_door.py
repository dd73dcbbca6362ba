"""The front door: every verb in every front end, help that only helps, quiet tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from releasekit import _options, cli, commands, new
from tests.conftest import git
from tests.integration import workspaces
from tests.integration.conftest import (
    Index,
    add_fragment,
    commit_all,
    invoke,
    nox,
    run,
    snapshot,
    stamp,
)
from tests.integration.test_commands import releasekit


def console_help(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The console script's help, in this process (argparse's, as its subprocess prints it)."""
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_help_only_helps_for_every_verb_in_every_front_end(
    stamped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(stamped)
    sessions = {"release", "changelog", "build", "audit"}
    for verb in commands.RELEASE_VERBS:
        declared = commands.VERBS[verb]
        flags = [s.long for s in _options.specs(declared.options) if not s.flag.positional]
        outputs = {
            "releasekit": console_help(verb, "-h", capsys=capsys),
            "invoke": invoke(verb, "-h", cwd=stamped).stdout,
        }
        if verb in sessions:
            outputs["nox"] = nox("-s", verb, "--", "--help", cwd=stamped).stdout
        for front, out in outputs.items():
            for flag in flags:
                assert flag in out, f"{front} {verb} -h does not show {flag}"
            assert declared.summary.rstrip(".") in " ".join(out.split()), (front, verb)
    for task in ("check", "clean", "init", "status"):  # the other tasks and subcommands
        assert invoke(task, "-h", cwd=stamped).stdout.startswith(
            f"Usage: inv[oke] [--core-opts] {task} "
        )
    for command in ("new", "check", "init", "status", "notes"):
        assert console_help(command, "-h", capsys=capsys).startswith(
            f"usage: releasekit {command} "
        )
    assert snapshot(stamped) == before


def test_invoke_help_wins_over_a_missing_positional_argument(stamped: Path) -> None:
    """pyinvoke/invoke#982: a task still waiting for a positional took -h as its value."""
    before = snapshot(stamped)
    for argv in (["fragment", "-h"], ["fragment", "--help"], ["fragment", "feature", "-h"],
                 ["fragment", "--issue", "7", "--help"], ["build", "fragment", "-h"]):  # fmt: skip
        proc = invoke(*argv, cwd=stamped)
        assert proc.stdout.startswith("Usage: inv[oke] [--core-opts] fragment"), argv
        assert "--issue=STRING" in proc.stdout and "the changelog entry" in proc.stdout
        assert "did not receive" not in proc.stderr
    assert not (stamped / "dist").exists()  # `build` never ran before the help
    assert snapshot(stamped) == before
    # Without -h, a missing argument is still named, and a given one is still taken.
    missing = invoke("fragment", "feature", cwd=stamped, check=False)
    assert "did not receive required positional arguments: 'text'" in missing.stderr
    invoke("fragment", "feature", "Explain -h and --help", cwd=stamped)
    [created] = (stamped / "changelog.d").glob("+*.feature.md")
    assert created.read_text().strip() == "Explain -h and --help"


def test_one_project_verbs_at_a_workspace_root_send_the_user_to_a_member(tmp_path: Path) -> None:
    root = workspaces.generate(tmp_path, 2)
    before = snapshot(root)
    for argv in (["fragment", "feature", "Greet"], ["version"], ["changelog", "--draft"]):
        proc = invoke(*argv, cwd=root, check=False)
        assert proc.returncode == 1, argv
        assert proc.stderr.strip() == (
            f"ERROR {root} is a workspace root: run {argv[0]} in a member "
            "(packages/m00, packages/m01)"
        )
    assert snapshot(root) == before


def test_fragment_refuses_an_issue_that_is_no_number(stamped: Path) -> None:
    before = snapshot(stamped)
    proc = invoke("fragment", "feature", "Greet", "--issue", "abc", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "ERROR --issue 'abc' is not an issue number: give its digits, e.g. --issue 42"
    )
    assert snapshot(stamped) == before
    invoke("fragment", "feature", "Greet", "--issue", "42", cwd=stamped)
    assert (stamped / "changelog.d/42.feature.md").read_text().strip() == "Greet"


def test_bump_dry_run_shows_the_commit_message_it_would_write(stamped: Path) -> None:
    proc = invoke("bump", "--part", "patch", "--dry-run", cwd=stamped)
    assert "would commit 'Release 0.1.1' locally" in proc.stdout
    assert "{new_version}" not in proc.stdout


def test_status_shows_text_literally_and_whole_when_piped(stamped: Path, tmp_path: Path) -> None:
    long_name = "acme-widgets-for-the-whole-fleet-and-then-some"
    repo = stamp(tmp_path / "fleet", long_name.replace("-", " ").title())
    nameless = tmp_path / "nameless"
    nameless.mkdir()
    (nameless / "pyproject.toml").write_text("[tool.releasekit]\n")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # piped: rich's own width
    proc = subprocess.run(
        [sys.executable, "-m", "releasekit", "status", str(stamped), str(repo), str(nameless)],
        cwd=tmp_path, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 1
    assert long_name in proc.stdout  # not "acme-w…"
    assert "…" not in proc.stdout
    assert f"{nameless}: no [project] name in {nameless / 'pyproject.toml'}" in proc.stdout


def test_status_at_a_workspace_root_is_its_members_however_it_is_named(tmp_path: Path) -> None:
    root = workspaces.generate(tmp_path, 2)
    answers = []
    for argv in ([], ["."], [str(root)]):
        code, out, err = releasekit("status", "--json", *argv, cwd=root)
        assert code == 0, err
        answers.append(json.loads(out))
    assert answers[0] == answers[1] == answers[2]
    assert [row["name"] for row in answers[0]] == ["m00", "m01"]
    assert [row["path"] for row in answers[0]] == [str(root / "packages/m00"),
                                                   str(root / "packages/m01")]  # fmt: skip


def test_status_asks_the_index_given_with_repository(tmp_path: Path, index: Index) -> None:
    repo = new.stamp(tmp_path, extra_context={"project_name": "Ext Lib", "kind": "extension"})
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start")
    git(repo, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    (index.packages / "ext_lib-0.1.0.tar.gz").write_bytes(b"the sdist the release uploaded")
    for flag in ("--repository", "-r"):
        _, out, _ = releasekit("status", "--json", flag, index.url, cwd=repo)
        assert json.loads(out)[0]["published"] == "sdist only"
    proc = invoke("status", "--json", "--repository", index.url, cwd=repo)
    assert json.loads(proc.stdout)[0]["published"] == "sdist only"


def test_new_refuses_a_bad_value_of_any_key_before_cookiecutter_runs(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"  # the temporary directory of the stamps below: must stay empty
    temp.mkdir()
    out_dir = tmp_path / "out"
    refused = {  # every other key: tests/unit/test_cli.py
        "version=abc": "version 'abc' is not a PEP 440 version: give one like 0.1.0",
        "version=1.0": "version 1.0 does not match the template's [tool.bumpversion] parse",
    }
    for item, message in refused.items():
        proc = run([sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(out_dir),
                    item], tmp_path, check=False, env={"TMPDIR": str(temp)})  # fmt: skip
        assert proc.returncode == 1, item
        assert proc.stderr.startswith(f"ERROR {message}"), (item, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, item
    assert not out_dir.exists()
    proc = run([sys.executable, "-m", "releasekit", "new", "--no-input", "-o", str(out_dir),
                "version=2.0.0rc1"], tmp_path, env={"TMPDIR": str(temp)})  # fmt: skip
    assert 'current_version = "2.0.0rc1"' in (out_dir / "demo-lib/pyproject.toml").read_text()
    assert list(temp.iterdir()) == []  # cookiecutter's rendered hook (tmp*.py) went too


def test_new_help_shows_the_defaults_a_stamp_would_use(tmp_path: Path) -> None:
    code, out, _ = releasekit("new", "--help", cwd=tmp_path)
    assert code == 0
    assert "{{" not in out and "{%" not in out
    keys = dict(line.split(None, 1) for line in out.split("defaults:\n")[1].splitlines())
    assert keys["project_slug"].startswith("demo-lib ")
    assert keys["package_name"].startswith("demo_lib ")
    assert keys["year"][:4].isdigit()
    assert keys["kind"] == "pure, extension"


class OpenIndex(Index):
    """A pypiserver that takes uploads without a login: twine then asks keyring for one."""

    AUTHENTICATED = "."

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.htpasswd = Path(".")  # pypiserver: no password file when nothing needs a login


KEYRING_BACKEND = """
from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential


class TestKeyring(KeyringBackend):
    priority = 20

    def get_credential(self, service, username):
        return SimpleCredential("anyone", "from-the-keyring")

    def get_password(self, service, username):
        return "from-the-keyring"

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
"""


def keyring_plugins(parent: Path) -> Path:
    """Two keyring backend plugins: one that gives a login, one that cannot start
    (as KWallet cannot without D-Bus)."""
    site = parent / "plugins"
    info = site / "test_backends-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: test-backends\nVersion: 0\n")
    (info / "entry_points.txt").write_text(
        "[keyring.backends]\nBroken = broken_backend\nGood = good_backend\n"
    )
    (site / "broken_backend.py").write_text(
        'raise RuntimeError("The KWallet daemon is neither running nor activatable")\n'
    )
    (site / "good_backend.py").write_text(KEYRING_BACKEND)
    return site


def test_publish_keeps_keyring_and_twine_noise_for_verbose(stamped: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(keyring_plugins(tmp_path))}
    invoke("build", cwd=stamped)
    with OpenIndex(tmp_path / "open") as index:
        quiet = invoke("publish", "--repository", index.url, cwd=stamped, env=env)
        assert len(index.files()) == 2
        assert "KWallet" not in quiet.stdout + quiet.stderr
        assert "Traceback" not in quiet.stdout + quiet.stderr
    with OpenIndex(tmp_path / "open-again") as index:  # the same files to a new index
        verbose = invoke("publish", "-v", "--repository", index.url, cwd=stamped, env=env)
        assert "KWallet daemon is neither running" in verbose.stdout + verbose.stderr
    with Index(tmp_path / "closed") as index:  # a wrong password: twine's advice in our words
        proc = invoke("publish", "--repository", index.url, cwd=stamped, check=False,
                      env={"TWINE_USERNAME": index.USER, "TWINE_PASSWORD": "wrong"})  # fmt: skip
        assert proc.returncode == 1
        output = proc.stdout + proc.stderr
        assert "Retry with -v for more details" in output
        assert "--verbose option" not in output
        assert index.files() == []


def test_a_train_of_one_asks_about_one_member(tmp_path: Path, index: Index) -> None:
    from tests.integration.test_interrupt import CTRL_D, _on_a_terminal
    from tests.integration.test_train import fragment, make_workspace

    root = make_workspace(tmp_path, {"a": "", "b": ""})
    fragment(root, "a")
    before = snapshot(root)
    argv = [sys.executable, "-m", "releasekit", "release", "--no-checks", "--repository", index.url]
    proc = _on_a_terminal(argv, root, CTRL_D, env=index.twine_env())
    assert proc.returncode == 1
    question = proc.stdout.rstrip().splitlines()[-1]
    assert question.startswith("Release 1 member (") and question.endswith("? [y/N]"), question
    assert snapshot(root) == before


def test_the_build_backend_s_warnings_come_once_and_only_verbose(tmp_path: Path) -> None:
    repo = new.stamp(tmp_path, extra_context={"project_name": "Ext Lib", "kind": "extension"})
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Start")
    _, out, err = releasekit("build", cwd=repo)
    assert "experimental" not in out + err  # setuptools on [tool.setuptools] ext-modules
    assert len(list((repo / "dist").iterdir())) == 2
    _, out, err = releasekit("build", "-v", cwd=repo)
    assert (out + err).count("`[tool.setuptools.ext-modules]` in `pyproject.toml` is still") == 1


def test_pip_audit_without_its_service_is_one_line_and_the_traceback_verbose(
    stamped: Path,
) -> None:
    from tests.integration.test_audit import set_dependencies

    set_dependencies(stamped, "urllib3>=1.26.5")
    env = {"RELEASEKIT_OSV_URL": "http://127.0.0.1:9/v1/query"}
    argv = [sys.executable, "-m", "releasekit", "audit", "--backend", "pip-audit"]
    quiet = run(argv, stamped, check=False, env=env)
    assert quiet.returncode == 1
    error = [line for line in quiet.stderr.splitlines() if line.startswith("ERROR")]
    assert error == [
        "ERROR pip-audit could not audit the dependencies (exit status 1): "
        "ConnectionError ([Errno 111] Connection refused)"
    ]
    assert "Traceback" not in quiet.stdout + quiet.stderr
    assert "resolved 1 package (runtime dependencies)" in quiet.stderr
    verbose = run([*argv, "-v"], stamped, check=False, env=env)
    assert verbose.returncode == 1
    assert "Traceback (most recent call last)" in verbose.stdout + verbose.stderr


def test_releasekit_release_is_invoke_release(stamped: Path, index: Index) -> None:
    """The same plan from the console script (run in a subdirectory) and from invoke."""
    add_fragment(stamped)
    before = snapshot(stamped)
    argv = ["release", "--dry-run", "--no-checks", "--repository", index.url]
    _, console_out, _ = releasekit(*argv, cwd=stamped / "src")
    task_out = invoke(*argv, cwd=stamped).stdout
    assert "0.1.0 -> 0.2.0" in console_out
    assert console_out == task_out
    assert snapshot(stamped) == before
