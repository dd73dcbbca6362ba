from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from releasekit import _runner, _secrets
from releasekit._exceptions import CommandError, ToolNotFoundError

PY = sys.executable


def test_output_is_captured() -> None:
    result = _runner.run([PY, "-c", "print('out'); import sys; print('err', file=sys.stderr)"])
    assert result.returncode == 0
    assert result.stdout.strip() == "out"
    assert result.stderr.strip() == "err"


def test_failure_carries_the_tail_of_the_output() -> None:
    code = "import sys\nfor i in range(50): print(f'line {i}')\nsys.exit(3)"
    with pytest.raises(CommandError) as info:
        _runner.run([PY, "-c", code])
    exc = info.value
    assert exc.returncode == 3
    assert "exit status 3" in str(exc)
    lines = exc.details.splitlines()
    assert len(lines) == _runner.TAIL_LINES
    assert lines[-1] == "line 49"


def test_check_false_returns_the_failure() -> None:
    result = _runner.run([PY, "-c", "raise SystemExit(4)"], check=False)
    assert result.returncode == 4


def test_dry_run_skips_commands_that_change_things(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    code = f"open({str(marker)!r}, 'w').close()"
    result = _runner.run([PY, "-c", code], dry_run=True)
    assert not marker.exists()
    assert result.returncode == 0
    _runner.run([PY, "-c", code], dry_run=True, mutates=False)
    assert marker.exists()


def test_dry_run_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    _runner.run(["git", "push", "origin"], dry_run=True)
    assert "[dry-run] $ git push origin" in capsys.readouterr().err


def test_missing_tool_has_an_install_hint() -> None:
    with pytest.raises(ToolNotFoundError, match="no-such-tool-xyz is not installed"):
        _runner.tool("no-such-tool-xyz")
    with pytest.raises(ToolNotFoundError):
        _runner.run(["/nonexistent/binary"])


def test_python_tools_run_with_this_interpreter() -> None:
    assert _runner.tool("twine") == [sys.executable, "-m", "twine"]


def test_secrets_are_masked_where_shown_never_in_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", "s3cr3t-token-value")
    _secrets.add("tmp-pw")
    code = "import sys; print('pw=tmp-pw in /srv/tmp-pw/x'); sys.exit(sys.argv[1] == 'fail')"
    # The data a caller reads is exact, though a secret occurs in it (a path).
    result = _runner.run([PY, "-c", code, "ok"], mutates=False)
    assert result.stdout.strip() == "pw=tmp-pw in /srv/tmp-pw/x"
    with pytest.raises(CommandError) as info:
        _runner.run([PY, "-c", code, "fail", "https://user:hunter22@example.com/simple"])
    logged = capsys.readouterr().err
    assert "hunter22" not in logged
    assert "https://********@example.com/simple" in logged
    assert "tmp-pw" not in info.value.details
    assert "pw=******** in /srv/********/x" in info.value.details
    assert "hunter22" not in str(info.value)


def test_children_get_no_credentials_unless_they_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("TWINE_PASSWORD", "s3cr3t-1"), ("TWINE_USERNAME", "bot"),
                        ("GITHUB_TOKEN", "ghp-x"), ("UV_PUBLISH_TOKEN", "pypi-x"),
                        ("UV_INDEX_MIRROR_PASSWORD", "mirror-pw"), ("PLAIN", "kept"),
                        ("TWINE_REPOSITORY_URL", "http://u:urlpass@127.0.0.1:9/")):  # fmt: skip
        monkeypatch.setenv(name, value)
    code = "import os, json; print(json.dumps(dict(os.environ)))"
    seen = json.loads(_runner.run([PY, "-c", code], mutates=False).stdout)
    assert not {"TWINE_PASSWORD", "TWINE_USERNAME", "GITHUB_TOKEN", "UV_PUBLISH_TOKEN",
                "TWINE_REPOSITORY_URL"} & set(seen)  # fmt: skip
    assert "urlpass" not in json.dumps(seen)
    assert (seen["UV_INDEX_MIRROR_PASSWORD"], seen["PLAIN"]) == ("mirror-pw", "kept")
    asked = json.loads(_runner.run([PY, "-c", code], mutates=False, secrets=True).stdout)
    assert asked["TWINE_PASSWORD"] == "s3cr3t-1"


def test_child_env_sets_and_unsets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEP", "1")
    monkeypatch.setenv("DROP", "1")
    env = _runner.child_env({"DROP": None, "NEW": "x"})
    assert env["KEEP"] == "1"
    assert env["NEW"] == "x"
    assert "DROP" not in env


def test_a_rich_traceback_box_does_not_hide_the_cause(tmp_path: Path) -> None:
    script = tmp_path / "boxed.py"
    script.write_text(
        "import sys\n"
        "print('  Failed to run git commit: hook says no')\n"
        "for n in range(40):\n"
        "    print(f'│ {n:4} │ retcode = process.poll()  │')\n"
        "print('╰──────────╯')\n"
        "sys.exit(1)\n"
    )
    with pytest.raises(CommandError) as info:
        _runner.run([sys.executable, str(script)], mutates=False)
    assert "hook says no" in info.value.details
    assert "retcode" not in info.value.details


def test_git_prints_paths_unquoted_after_the_config_it_was_given(tmp_path: Path) -> None:
    env = _runner.unquoted_paths({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.quotePath",
                                  "GIT_CONFIG_VALUE_0": "true"})  # fmt: skip
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert (env["GIT_CONFIG_KEY_1"], env["GIT_CONFIG_VALUE_1"]) == ("core.quotePath", "false")
    _runner.run(["git", "init", "-q", str(tmp_path)])
    (tmp_path / "ü a.md").write_text("x\n")
    _runner.run(["git", "add", "-A"], cwd=tmp_path)
    assert _runner.run(["git", "ls-files"], cwd=tmp_path).stdout == "ü a.md\n"


def test_a_login_without_a_scheme_is_masked_and_a_username_alone_is_not() -> None:
    shown = _secrets.mask("'bot:pw-1@127.0.0.1:8/' //bot:pw-2@h/ git@github.com:o/r.git", {})
    assert shown == "'bot:********@127.0.0.1:8/' //bot:********@h/ git@github.com:o/r.git"


def test_git_gets_no_upload_login_and_its_host_token_only_on_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"TWINE_PASSWORD": "s3cr3t-1", "TWINE_USERNAME": "bot", "TWINE_REPOSITORY_URL": "u",
           "GH_TOKEN": "gh-x", "GIT_ASKPASS": "/bin/ask", "GIT_PASSWORD": "gp",
           "UV_INDEX_MIRROR_PASSWORD": "mirror-pw", "PLAIN": "kept"}  # fmt: skip
    assert set(_secrets.for_git(env, network=False)) == {"GIT_ASKPASS", "PLAIN"}
    network = set(_secrets.for_git(env, network=True))
    assert network == {"GIT_ASKPASS", "GIT_PASSWORD", "GH_TOKEN", "PLAIN"}


def test_secrets_are_withheld_from_this_process_and_stay_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", "withheld-pw-1")
    monkeypatch.setenv("TWINE_USERNAME", "bot")
    monkeypatch.setenv("UV_INDEX_MIRROR_PASSWORD", "mirror-pw")
    with _secrets.withheld():
        with _secrets.withheld():  # nested: the inner one takes nothing, puts nothing back
            assert "TWINE_PASSWORD" not in os.environ
        assert not {"TWINE_PASSWORD", "TWINE_USERNAME"} & set(os.environ)
        assert os.environ["UV_INDEX_MIRROR_PASSWORD"] == "mirror-pw"  # the re-lock's login
        assert _secrets.mask("pw withheld-pw-1") == "pw ********"
        os.environ["TWINE_USERNAME"] = "set-meanwhile"
    assert os.environ["TWINE_PASSWORD"] == "withheld-pw-1"
    assert os.environ["TWINE_USERNAME"] == "set-meanwhile"


def test_an_error_box_keeps_its_reason(tmp_path: Path) -> None:
    """rich-click's error panel (bump-my-version's refusals) is the reason: its text is kept."""
    script = tmp_path / "panel.py"
    script.write_text(
        "import sys\n"
        "print(' Usage: bump-my-version bump [OPTIONS] [ARGS]...')\n"
        "print('╭─ Error ──────────────╮')\n"
        "print('│ Git working directory is not clean:  │')\n"
        "print('│                                      │')\n"
        "print('│ A  changelog.d/+n.feature.md         │')\n"
        "print('╰──────────────────────╯')\n"
        "sys.exit(1)\n"
    )
    with pytest.raises(CommandError) as info:
        _runner.run([sys.executable, str(script)], mutates=False)
    assert "Git working directory is not clean:" in info.value.details
    assert "A  changelog.d/+n.feature.md" in info.value.details
    assert "│" not in info.value.details
