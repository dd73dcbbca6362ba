"""The audit's own logic: choosing a backend, reading reports, the ignore list."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from releasekit import _options, audit, config
from releasekit._exceptions import ConfigError, UsageError
from releasekit.commands import AuditOptions

DB = Path(__file__).resolve().parents[1] / "data" / "safety-db"
TODAY = datetime.date(2025, 6, 1)


def write(tmp_path: Path, body: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-lib"\n' + body)
    return tmp_path


def finding(advisory: str = "43975", *aliases: str) -> audit.Finding:
    return audit.Finding(
        "urllib3", "1.25.11", advisory, aliases or ("CVE-2021-33503",), ("1.26.5",)
    )


# --- configuration ----------------------------------------------------------------


def test_audit_keys_default_to_off(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path))
    assert settings.audit_on_release is False
    assert settings.audit_ignore == []
    assert (settings.audit_backend, settings.safety_db, settings.osv_url) == ("", "", "")


def test_ignore_entries_are_read_with_dates(tmp_path: Path) -> None:
    settings = config.load(
        write(
            tmp_path,
            "[tool.releasekit]\naudit_ignore = [\n"
            '  { id = "CVE-2021-33503", reason = "no URLs from users", expires = 2025-12-31 },\n'
            '  { id = "64227", reason = "templates are ours", expires = "2026-01-31" },\n'
            '  { id = "71591", reason = "no xmlattr" },\n]\n',
        )
    )
    assert settings.audit_ignore == [
        config.AuditIgnore("CVE-2021-33503", "no URLs from users", datetime.date(2025, 12, 31)),
        config.AuditIgnore("64227", "templates are ours", datetime.date(2026, 1, 31)),
        config.AuditIgnore("71591", "no xmlattr", None),
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            '{ id = "CVE-2021-33503" }',
            r"audit_ignore\[0\] \(CVE-2021-33503\) in .*pyproject.toml "
            "needs a reason",
        ),
        ('{ id = "CVE-2021-33503", reason = " " }', "needs a reason"),
        ('{ reason = "why" }', r"audit_ignore\[0\] in .*pyproject.toml needs an id"),
        ('{ id = "X", reason = "why", expires = "soon" }', "expires in .* must be a date"),
        ('{ id = "X", reason = "why", expire = 2025-01-01 }', "unknown key 'expire'.*did you mean"),
        ('"CVE-2021-33503"', "audit_ignore in .* must be a list of tables"),
    ],
)
def test_bad_ignore_entries_are_one_line_config_errors(
    tmp_path: Path, entry: str, expected: str
) -> None:
    write(tmp_path, f"[tool.releasekit]\naudit_ignore = [{entry}]\n")
    with pytest.raises(ConfigError, match=expected) as info:
        config.load(tmp_path)
    assert "\n" not in str(info.value)


def test_unknown_backend_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[tool.releasekit]\naudit_backend = "snyk"\n')
    with pytest.raises(ConfigError, match="audit_backend 'snyk' in .*pyproject.toml is not one"):
        config.load(tmp_path)
    write(tmp_path)
    monkeypatch.setenv("RELEASEKIT_AUDIT_BACKEND", "osv")
    with pytest.raises(ConfigError, match="audit_backend 'osv' in RELEASEKIT_AUDIT_BACKEND"):
        config.load(tmp_path)


def test_ignore_list_cannot_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASEKIT_AUDIT_IGNORE", "CVE-2021-33503")
    with pytest.raises(ConfigError, match="cannot be set from the environment"):
        config.load(write(tmp_path))


# --- choosing the backend ------------------------------------------------------------


def test_nothing_configured_says_what_to_set(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path))
    with pytest.raises(ConfigError) as info:
        audit.choose_backend(settings, env={})
    message = str(info.value)
    for what in ("RELEASEKIT_SAFETY_DB", "safety_db", "SAFETY_API_KEY", "pip-audit", "osv_url"):
        assert what in message
    assert "\n" not in message


def test_backend_follows_what_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELEASEKIT_SAFETY_DB", str(DB))
    settings = config.load(write(tmp_path))
    chosen = audit.choose_backend(settings, env={})
    assert chosen == audit.SafetyDatabase(DB)
    assert (chosen.kind, chosen.requirements) == ("safety check", ("safety<3",))
    key = audit.choose_backend(settings, env={"SAFETY_API_KEY": "k" * 12})
    assert (key.kind, key.requirements) == ("safety scan", ("safety>=3",))
    osv = audit.choose_backend(settings, "pip-audit", env={})
    assert osv == audit.PipAudit("")
    assert (osv.kind, osv.requirements) == ("pip-audit", ("pip-audit>=2.7",))


def test_osv_url_alone_chooses_pip_audit(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, '[tool.releasekit]\nosv_url = "http://x/v1/query"\n'))
    chosen = audit.choose_backend(settings, env={})
    assert chosen == audit.PipAudit("http://x/v1/query")


def test_safety_backend_without_database_or_key_fails(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, '[tool.releasekit]\naudit_backend = "safety"\n'))
    with pytest.raises(ConfigError, match="needs SAFETY_API_KEY .* or a local database"):
        audit.choose_backend(settings, env={})


def test_database_directory_must_hold_both_files(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "insecure.json").write_text("{}")
    settings = config.load(write(tmp_path, '[tool.releasekit]\nsafety_db = "db"\n'))
    with pytest.raises(ConfigError, match=r"db has no insecure_full.json: point safety_db"):
        audit.choose_backend(settings, env={})


# --- reading resolvers and backends -------------------------------------------------------


def test_requirements_are_parsed_and_unpinned_lines_kept_apart() -> None:
    packages, unpinned = audit.parse_requirements(
        "# comment\nJinja2==3.1.2\nmarkupsafe==2.1.5  # via jinja2\n"
        "urllib3[socks]==1.25.11 ; python_version >= '3'\n"
        "demo @ git+https://example.invalid/demo\n-e ./local\n"
    )
    assert [str(p) for p in packages] == ["jinja2==3.1.2", "markupsafe==2.1.5", "urllib3==1.25.11"]
    assert unpinned == ["demo @ git+https://example.invalid/demo", "-e ./local"]


def test_safety_report_becomes_findings() -> None:
    data = {
        "vulnerabilities": [
            {
                "vulnerability_id": "43975",
                "package_name": "urllib3",
                "analyzed_version": "1.25.11",
                "CVE": "CVE-2021-33503",
                "fixed_versions": ["1.26.5", ""],
                "advisory": "ReDoS",
            },
            {
                "vulnerability_id": "1",
                "package_name": "Foo_Bar",
                "analyzed_version": "1.0",
                "CVE": None,
                "fixed_versions": None,
            },
        ]
    }
    first, second = audit.parse_safety_check(data)
    assert first == audit.Finding(
        "urllib3", "1.25.11", "43975", ("CVE-2021-33503",), ("1.26.5",), "ReDoS"
    )
    assert first.line() == "urllib3 1.25.11: 43975 (CVE-2021-33503), fixed in 1.26.5"
    assert (second.package, second.aliases, second.cve) == ("foo-bar", (), "")
    assert second.line() == "foo-bar 1.0: 1, no fixed version known"


def test_pip_audit_report_becomes_findings_and_checked_names() -> None:
    data = {
        "dependencies": [
            {
                "name": "urllib3",
                "version": "1.25.11",
                "vulns": [
                    {
                        "id": "PYSEC-2021-108",
                        "fix_versions": ["1.26.5"],
                        "aliases": ["GHSA-q2q7-5pp4-w6pg", "CVE-2021-33503"],
                        "description": "ReDoS",
                    }
                ],
            },
            {"name": "MarkupSafe", "version": "2.1.5", "vulns": []},
            {"name": "skipped", "skip_reason": "not on PyPI"},
        ]
    }
    findings, checked = audit.parse_pip_audit(data)
    assert checked == {"urllib3", "markupsafe"}
    assert findings[0].aliases == ("CVE-2021-33503", "GHSA-q2q7-5pp4-w6pg")
    assert findings[0].cve == "CVE-2021-33503"


def test_safety_scan_report_becomes_findings() -> None:
    dep = {
        "name": "urllib3",
        "specifications": [
            {
                "raw": "urllib3==1.25.11",
                "vulnerabilities": {
                    "known_vulnerabilities": [
                        {"id": "43975", "vulnerable_spec": "<1.26.5"},
                        {"id": "9", "vulnerable_spec": "<2", "ignored": {"code": "x"}},
                    ],
                    "remediation": {"vulnerabilities_found": 1, "recommended": "1.26.5"},
                },
            }
        ],
    }
    data = {"scan_results": {"projects": [{"files": [{"results": {"dependencies": [dep]}}]}]}}
    findings, checked = audit.parse_safety_scan(data)
    assert checked == {"urllib3"}
    assert findings == [audit.Finding("urllib3", "1.25.11", "43975", fixed=("1.26.5",))]


# --- the ignore list --------------------------------------------------------------------


def test_an_ignore_matches_by_id_or_alias_in_any_case() -> None:
    by_cve = config.AuditIgnore("cve-2021-33503", "no URLs from users")
    failing, ignored, expired, unused = audit.apply_ignores([finding()], [by_cve], TODAY)
    assert (failing, expired, unused) == ([], [], [])
    assert ignored == [(finding(), by_cve)]
    by_pyup = config.AuditIgnore("pyup.io-43975", "no URLs from users")
    assert audit.apply_ignores([finding()], [by_pyup], TODAY)[1] == [(finding(), by_pyup)]


def test_an_expired_ignore_ignores_nothing_and_is_reported() -> None:
    old = config.AuditIgnore("43975", "waiting for 1.26.5", datetime.date(2025, 5, 31))
    failing, ignored, expired, unused = audit.apply_ignores([finding()], [old], TODAY)
    assert (failing, ignored, expired, unused) == ([finding()], [], [old], [])
    today = config.AuditIgnore("43975", "waiting", TODAY)
    assert audit.apply_ignores([finding()], [today], TODAY)[2] == []


def test_an_ignore_that_matches_nothing_is_unused() -> None:
    stale = config.AuditIgnore("CVE-2000-0001", "long gone")
    failing, ignored, expired, unused = audit.apply_ignores([finding()], [stale], TODAY)
    assert (failing, ignored, expired, unused) == ([finding()], [], [], [stale])


def test_summary_names_findings_and_expired_entries() -> None:
    old = config.AuditIgnore("64227", "old", datetime.date(2024, 1, 1))
    report = audit.Report(
        audit.SafetyDatabase(DB),
        [audit.Package("urllib3", "1.25.11")],
        [finding()],
        [],
        [old],
        [],
    )
    assert not report.passed
    assert report.summary() == (
        "1 known vulnerability in urllib3 1.25.11; the audit_ignore entry 64227 expired on "
        "2024-01-01: renew it with a new date or remove it"
    )
    assert report.as_dict()["findings"][0]["cve"] == "CVE-2021-33503"


def test_options_after_double_dash() -> None:
    def parse(argv: list[str]) -> AuditOptions | None:
        return _options.parse(AuditOptions, argv, prog="nox -s audit --", description="")

    options = parse(
        ["--json", "out.json", "--backend", "pip-audit", "--extra", "web", "--group", "test"]
    )
    assert options == AuditOptions(
        backend="pip-audit", extra=("web",), group=("test",), json=Path("out.json")
    )
    with pytest.raises(UsageError, match="invalid choice: 'snyk'"):
        parse(["--backend", "snyk"])


def test_nox_failure_reason_is_found() -> None:
    output = "nox > Running session audit\nnox > Session audit aborted: 1 known vulnerability."
    assert audit._nox_reason(output) == "1 known vulnerability"
