"""Trial runs of the candidate checks, to keep those that pass."""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from releasekit import _runner
from releasekit._exceptions import CommandError

#: Checks that init tries on the repository; ``build`` is always kept, since
#: the release's own build and verify steps serve it.
CANDIDATE_CHECKS = ("tests", "style", "typecheck", "docs")

# The scratch noxfile of the trial runs lives outside the repository (init
# writes nothing before it is confirmed); its sessions run in the project.
_TRIAL_NOXFILE = """import releasekit.nox

releasekit.nox.register(root={root!r})
"""


def _reason(exc: CommandError) -> str:
    """The tool's last words, not nox's own summary lines."""
    lines = [line.strip() for line in exc.details.splitlines() if line.strip()]
    failed = next((ln for ln in reversed(lines) if re.search(r"Command .* failed", ln)), "")
    tool_lines = [ln for ln in lines if not ln.startswith("nox >")]
    last = tool_lines[-1].strip("= ") if tool_lines else ""  # pytest's "=== 1 failed ==="
    failed = re.sub(r"^nox > ", "", failed)
    return "; ".join(part for part in (failed, last[:160]) if part) or "failed"


def choose_checks(root: Path, docs_dir: str) -> tuple[list[str], list[str]]:
    """Run each candidate session once; return the checks to keep and why others were left out."""
    left_out = []
    todo = []
    for name in CANDIDATE_CHECKS:
        if name == "docs" and not (root / docs_dir / "conf.py").is_file():
            left_out.append(f"docs: no Sphinx project ({docs_dir}/conf.py)")
        else:
            todo.append(name)
    with tempfile.TemporaryDirectory(prefix="releasekit-init-") as scratch:
        noxfile = Path(scratch, "noxfile.py")
        noxfile.write_text(_TRIAL_NOXFILE.format(root=str(root)))
        # The tools' caches go to the scratch directory too: nothing lands in the repository.
        env = _runner.child_env(
            {
                "NOX_SCRIPT_MODE": "none",
                "MYPY_CACHE_DIR": str(Path(scratch, "mypy")),
                "RUFF_CACHE_DIR": str(Path(scratch, "ruff")),
                "PYTEST_ADDOPTS": "-p no:cacheprovider",
            }
        )

        def trial(session: str) -> tuple[str, str | None]:
            args = [*_runner.tool("nox"), "--no-color", "-f", str(noxfile),
                    "--envdir", str(Path(scratch, "envs")), "-s", session]  # fmt: skip
            try:
                result = _runner.run(args, cwd=root, env=env, mutates=False)
            except CommandError as exc:
                return session, _reason(exc)
            if re.search(r"Session \S+ was skipped", result.output):
                return session, "skipped by the session"
            return session, None

        workers = max(1, min(len(todo), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(trial, todo))
    kept = [name for name, reason in results if reason is None]
    left_out += [f"{name}: {reason}" for name, reason in results if reason is not None]
    return [*kept, "build"], left_out
