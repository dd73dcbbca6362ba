"""`nox -s audit` in a stamped repository, against the database and responder under tests/.

The dependencies are resolved from PyPI for real (old releases of urllib3 and
jinja2 are only resolved, never imported); the advisories come from the
safety 2 database in ``tests/data/safety-db`` and, for pip-audit, from the
OSV responder in ``tests/osv_responder.py``. One nox environment directory is
shared by the tests of this module so that the backends install once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import osv_responder
from tests.integration.conftest import add_fragment, commit_all, invoke, nox, run, snapshot

DB = Path(__file__).resolve().parents[1] / "data" / "safety-db"

JINJA_LINE = "jinja2 3.1.2: 64227 (CVE-2024-22195), fixed in 3.1.3"
URLLIB3_LINE = "urllib3 1.25.11: 43975 (CVE-2021-33503), fixed in 1.26.5"


@pytest.fixture(scope="module")
def envdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nox-envs")


@pytest.fixture
def osv() -> Iterator[osv_responder.Responder]:
    with osv_responder.serve() as responder:
        yield responder


def set_dependencies(repo: Path, *requirements: str, releasekit: str = "") -> None:
    """Set the project's dependencies; add ``releasekit`` lines to its ``[tool.releasekit]``.

    The stamped pyproject.toml ends with ``[tool.releasekit]``, which shows every
    key with its default: a key given here replaces that line, so lines appended
    to the file belong to that table and no key is defined twice.
    """
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text().replace(
        "dependencies = []", f"dependencies = {json.dumps(list(requirements))}"
    )
    head, table = text.split("[tool.releasekit]\n")
    given = {line.split("=")[0].strip() for line in releasekit.splitlines() if " = " in line}
    kept = [line for line in table.splitlines() if line.split("=")[0].strip() not in given]
    assert kept, "the stamped pyproject.toml should end with [tool.releasekit]"
    pyproject.write_text(head + "[tool.releasekit]\n" + "\n".join(kept) + "\n" + releasekit)


def audit(
    repo: Path, envdir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return nox("--envdir", str(envdir), "-s", "audit", "--", *args, cwd=repo, check=False, env=env)


def safety_env() -> dict[str, str]:
    return {"RELEASEKIT_SAFETY_DB": str(DB)}


def findings(report: Path) -> set[tuple[str, str, str, tuple[str, ...]]]:
    data = json.loads(report.read_text())
    return {(f["package"], f["version"], f["cve"], tuple(f["fixed"])) for f in data["findings"]}


def test_nothing_configured_fails_in_every_front_end_saying_what_to_set(
    stamped: Path, envdir: Path
) -> None:
    proc = audit(stamped, envdir)
    assert proc.returncode == 1
    assert "no vulnerability database: set RELEASEKIT_SAFETY_DB" in proc.stderr
    assert "SAFETY_API_KEY" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    cli = run([sys.executable, "-m", "releasekit", "check", "--audit"], stamped, check=False)
    assert cli.returncode == 1
    assert "ERROR the audit failed (nox -s audit): the audit has no vulnerability database" in (
        cli.stderr
    )
    task = invoke("check", "--audit-only", cwd=stamped, check=False)
    assert task.returncode == 1
    assert "ERROR the audit failed (nox -s audit): the audit has no vulnerability database" in (
        task.stderr
    )
    for output in (cli.stdout + cli.stderr, task.stdout + task.stderr):
        assert "Traceback" not in output


def test_clean_project_passes_with_the_database(stamped: Path, envdir: Path) -> None:
    proc = audit(stamped, envdir, env=safety_env())
    assert proc.returncode == 0, proc.stderr
    assert "no known vulnerabilities in 0 resolved packages" in proc.stderr
    set_dependencies(stamped, "jinja2>=3.1.4", "urllib3>=1.26.5")
    proc = audit(stamped, envdir, "-v", env=safety_env())
    assert proc.returncode == 0, proc.stderr
    assert "resolved 3 packages (runtime dependencies) for install" in proc.stderr
    assert "  markupsafe==" in proc.stderr  # the resolved list, at -v
    assert "no known vulnerabilities in 3 resolved packages" in proc.stderr


def test_vulnerable_pin_fails_naming_package_version_and_advisory(
    stamped: Path, envdir: Path
) -> None:
    set_dependencies(stamped, "jinja2==3.1.2")
    proc = audit(stamped, envdir, "--json", "audit.json", env=safety_env())
    assert proc.returncode == 1
    assert JINJA_LINE in proc.stderr
    assert "jinja2 3.1.2: 71591 (CVE-2024-34064), fixed in 3.1.4" in proc.stderr
    assert "Session audit aborted: 2 known vulnerabilities in jinja2 3.1.2" in proc.stderr
    report = json.loads((stamped / "audit.json").read_text())
    assert report["passed"] is False
    assert {p["name"] for p in report["packages"]} == {"jinja2", "markupsafe"}
    assert [f["advisory"] for f in report["findings"]] == ["64227", "71591"]


def test_unpinned_range_is_caught_at_the_version_it_resolves_to(
    stamped: Path, envdir: Path
) -> None:
    set_dependencies(stamped, "urllib3<1.26")
    proc = audit(stamped, envdir, env=safety_env())
    assert proc.returncode == 1
    assert URLLIB3_LINE in proc.stderr


def test_ignores_need_reasons_pass_findings_expire_and_are_reported_when_unused(
    stamped: Path, envdir: Path
) -> None:
    entries = (
        '  { id = "CVE-2024-22195", reason = "our templates never use xmlattr" },\n'
        '  { id = "pyup.io-71591", reason = "our templates never use xmlattr", '
        "expires = 2999-12-31 },\n"
        '  { id = "GHSA-0000-0000-0000", reason = "was fixed long ago" },\n'
    )
    set_dependencies(stamped, "jinja2==3.1.2", releasekit=f"audit_ignore = [\n{entries}]\n")
    proc = audit(stamped, envdir, env=safety_env())
    assert proc.returncode == 0, proc.stderr
    assert f"ignored {JINJA_LINE} (our templates never use xmlattr)" in proc.stderr
    assert "WARNING audit_ignore entry GHSA-0000-0000-0000 matches no finding" in proc.stderr

    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("2999-12-31", "2020-01-31"))
    proc = audit(stamped, envdir, env=safety_env())
    assert proc.returncode == 1
    assert "jinja2 3.1.2: 71591 (CVE-2024-34064), fixed in 3.1.4" in proc.stderr
    assert "the audit_ignore entry pyup.io-71591 expired on 2020-01-31" in proc.stderr

    pyproject.write_text(pyproject.read_text().replace(', reason = "was fixed long ago"', ""))
    proc = audit(stamped, envdir, env=safety_env())
    assert proc.returncode == 1
    assert "audit_ignore[2] (GHSA-0000-0000-0000) in " in proc.stderr
    assert "pyproject.toml needs a reason" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_both_backends_find_the_same_vulnerabilities(
    stamped: Path, envdir: Path, osv: osv_responder.Responder
) -> None:
    set_dependencies(stamped, "jinja2==3.1.2", "urllib3<1.26")
    by_safety = audit(stamped, envdir, "--json", "safety.json", env=safety_env())
    assert by_safety.returncode == 1
    env = {"RELEASEKIT_OSV_URL": osv.url}
    by_pip_audit = audit(stamped, envdir, "--backend", "pip-audit", "--json", "osv.json", env=env)
    assert by_pip_audit.returncode == 1
    assert f"pip-audit (OSV at {osv.url})" in by_pip_audit.stderr
    assert "urllib3 1.25.11: PYSEC-2021-108 (CVE-2021-33503, GHSA-q2q7-5pp4-w6pg)" in (
        by_pip_audit.stderr
    )
    assert {q["package"]["name"] for q in osv.queries} == {"jinja2", "markupsafe", "urllib3"}
    expected = {
        ("jinja2", "3.1.2", "CVE-2024-22195", ("3.1.3",)),
        ("jinja2", "3.1.2", "CVE-2024-34064", ("3.1.4",)),
        ("urllib3", "1.25.11", "CVE-2021-33503", ("1.26.5",)),
    }
    assert findings(stamped / "safety.json") == expected
    assert findings(stamped / "osv.json") == expected


def test_pip_audit_without_a_reachable_service_fails(stamped: Path, envdir: Path) -> None:
    set_dependencies(stamped, "urllib3>=1.26.5")
    env = {"RELEASEKIT_OSV_URL": "http://127.0.0.1:9/v1/query"}
    proc = audit(stamped, envdir, env=env)
    assert proc.returncode == 1
    assert "Session audit aborted: pip-audit could not audit the dependencies" in proc.stderr
    assert "no known vulnerabilities" not in proc.stderr


def test_release_preflight_runs_the_audit_when_configured(stamped: Path) -> None:
    set_dependencies(
        stamped, "urllib3<1.26", releasekit=f'audit_on_release = true\nsafety_db = "{DB}"\n'
    )
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('checks = ["tests", "style", "build"]', "checks = []")
    )
    commit_all(stamped, "Depend on an old urllib3")
    add_fragment(stamped)
    before = snapshot(stamped)
    proc = nox("-s", "release", "--", "--no-publish", "--no-push", cwd=stamped, check=False)
    assert proc.returncode == 1
    assert "the configured check audit failed (nox -s audit)" in proc.stderr
    assert URLLIB3_LINE in proc.stderr
    assert snapshot(stamped) == before
