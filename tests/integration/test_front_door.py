"""The front door: every verb in every front end, help that only helps, quiet tools."""

from __future__ import annotations

import sys
from pathlib import Path

from releasekit import _options, commands
from tests.integration.conftest import invoke, nox, run, snapshot


def releasekit(*args: str, cwd: Path, check: bool = True) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "releasekit", *args], cwd, check=check)
    return proc.returncode, proc.stdout, proc.stderr


def test_help_only_helps_for_every_verb_in_every_front_end(stamped: Path) -> None:
    before = snapshot(stamped)
    sessions = {"release", "changelog", "build", "audit"}
    for verb in commands.RELEASE_VERBS:
        declared = commands.VERBS[verb]
        flags = [s.long for s in _options.specs(declared.options) if not s.flag.positional]
        outputs = {
            "releasekit": releasekit(verb, "-h", cwd=stamped)[1],
            "invoke": invoke(verb, "-h", cwd=stamped).stdout,
        }
        if verb in sessions:
            outputs["nox"] = nox("-s", verb, "--", "--help", cwd=stamped).stdout
        for front, out in outputs.items():
            for flag in flags:
                assert flag in out, f"{front} {verb} -h does not show {flag}"
            assert declared.summary.rstrip(".") in " ".join(out.split()), (front, verb)
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
