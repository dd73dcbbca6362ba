"""Trial runs of the candidate checks, to keep those that pass."""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit import _runner
from releasekit._exceptions import ReleaseKitError

if TYPE_CHECKING:
    from releasekit.dists import Dists

#: Checks that init tries on the repository; ``build`` is always kept, since
#: the release's own build and verify steps serve it.
CANDIDATE_CHECKS = ("tests", "style", "typecheck", "docs")

# The scratch noxfile of the trial runs lives outside the repository (init
# writes nothing before it is confirmed); its sessions run in the project.
_TRIAL_NOXFILE = """import releasekit.nox

releasekit.nox.register(root={root!r})
"""


# The first line that names a real error, tool by tool: pytest's short summary,
# mypy's and pyright's "error:", ruff's rule codes and its formatter, Sphinx's
# warnings, nox's missing program. A summary ("Found 1 error.") is never one.
_ERROR_LINES = (
    re.compile(r"^FAILED \S"),
    re.compile(r"^ERROR \S+\.py"),
    re.compile(r"(?::\d+: | - )error: "),
    re.compile(r"^\S+:\d+:\d+: [A-Z]+\d+ "),
    re.compile(r"^[A-Z]+\d+ (?:\[\*\] )?\S"),
    re.compile(r"^(?:Would reformat: |unformatted: )"),
    re.compile(r"(?:^|: )(?:WARNING|ERROR): "),
    re.compile(r"^nox > Program \S+ not found"),
)


def _reason(output: str) -> str:
    """The first real error line of a failed session, not the tool's or nox's summary."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    for pattern in _ERROR_LINES:
        for i, line in enumerate(lines):
            if pattern.search(line):
                found = re.sub(r"^nox > ", "", line.strip())
                after = lines[i + 1].strip() if i + 1 < len(lines) else ""
                if after.startswith("-->"):  # ruff's full format puts the place below
                    found += f" ({after.removeprefix('-->').strip()})"
                return found[:200]
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
            # Unchecked: the reason is read from the whole output, not its last lines.
            result = _runner.run(args, cwd=root, env=env, mutates=False, check=False)
            if result.returncode != 0:
                # Named as in the project: the copy's path means nothing to the user.
                return session, _reason(result.output).replace(f"{root}{os.sep}", "")
            if re.search(r"Session \S+ was skipped", result.output):
                return session, "skipped by the session"
            return session, None

        workers = max(1, min(len(todo), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(trial, todo))
    kept = [name for name, reason in results if reason is None]
    left_out += [f"{name}: {reason}" for name, reason in results if reason is not None]
    return [*kept, "build"], left_out


# check-wheel-contents reports "WHEEL: W004: message:" and indents what it concerns below.
_CWC_FAILURE = re.compile(r"^\S.*?: ([WE]\d{3}): (.*?):?$")


def broken_wheel_rules(details: str) -> dict[str, str]:
    """The rules check-wheel-contents reported as broken, each with its message and first item."""
    found: dict[str, str] = {}
    code = ""
    for line in details.splitlines():
        match = _CWC_FAILURE.match(line)
        if match:
            code = match.group(1)
            found.setdefault(code, match.group(2))
        elif code and line.startswith(" ") and line.strip() and ": " not in found[code]:
            found[code] += f": {line.strip()}"
    return found


def build_for_verify(project: Path, dist_dir: Path) -> tuple[Dists | None, dict[str, str], str]:
    """Build the project as it is; the check-wheel-contents rules its wheel already breaks.

    Returns the files (None when the build failed), the broken rules with their
    reasons, and a problem to show (empty when none).
    """
    from releasekit import dists

    try:
        dists.build(project, dist_dir)
        built = dists.find(dist_dir)
    except ReleaseKitError as exc:
        return None, {}, f"the project does not build: {exc}"
    try:
        dists.wheel_contents_check(built.wheel, project)
    except ReleaseKitError as exc:
        rules = broken_wheel_rules(getattr(exc, "details", ""))
        if not rules:
            return built, {}, f"{exc}"
        return built, rules, ""
    return built, {}, ""


def verify_build(built: Dists, import_name: str, project: Path) -> str:
    """The release's own verify on the files of the trial build: the problem, or empty."""
    from releasekit import wheels
    from releasekit.release import artifacts

    def install(wheel: Path) -> None:
        artifacts.install_and_import([wheel], import_name, None, subject="the wheel",
                                     what=f"{import_name!r} in a fresh environment")  # fmt: skip

    try:
        artifacts.check_files(built, import_name, project, install=install,
                              pure=wheels.is_universal(built.wheel))  # fmt: skip
    except ReleaseKitError as exc:
        lines = [ln.strip() for ln in getattr(exc, "details", "").splitlines()]
        first = next((ln for ln in lines if ln and not ln.startswith("Checking ")), "")
        return f"{exc} ({first[:160]})" if first else str(exc)
    return ""
