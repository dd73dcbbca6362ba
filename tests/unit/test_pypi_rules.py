"""PyPI's upload rules, each held against core metadata text and built files.

The metadata is what backends write (``METADATA``/``PKG-INFO``); each case
breaks one rule and checks that exactly that rule answers, in one line naming
the field and the value, and that the metadata without the fault passes.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from releasekit import config, pypi_rules
from releasekit._exceptions import ConfigError, PyPIRuleError, ReleaseError
from releasekit.index import Target, simple_url_for
from releasekit.project import Project

GOOD = {
    "Metadata-Version": "2.4",
    "Name": "demo-lib",
    "Version": "0.2.0",
    "Summary": "A demo library",
    "License-Expression": "MIT",
    "License-File": "LICENSE",
    "Classifier": "Programming Language :: Python :: 3",
    "Requires-Dist": "requests>=2",
    "Description-Content-Type": "text/x-rst",
}
BODY = "Demo Lib\n========\n\nIt greets.\n"


def metadata_text(body: str = BODY, **fields: str | list[str] | None) -> str:
    """METADATA text: the good fields, some replaced (None drops one), then the body."""
    values: dict[str, str | list[str] | None] = {**GOOD}
    values.update({k.replace("_", "-"): v for k, v in fields.items()})
    lines = []
    for key, value in values.items():
        for item in [value] if isinstance(value, str) else value or []:
            lines.append(f"{key}: {item}")
    return "\n".join(lines) + "\n\n" + body


def meta(
    body: str = BODY, *, pypi: bool = True, **fields: str | list[str] | None
) -> pypi_rules.Metadata:
    return pypi_rules.parse(metadata_text(body, **fields), "METADATA", pypi=pypi,
                            has_file=lambda path: path == "LICENSE")  # fmt: skip


def test_good_metadata_breaks_no_rule() -> None:
    assert pypi_rules.problems(meta()) == []


CASES = [
    pytest.param({"Requires_Dist": ["requests>=2", "tool @ https://example.org/tool-1.0.tar.gz"]},
                 pypi_rules.direct_references, "Requires-Dist 'tool @ https://example.org/",
                 id="direct-reference"),
    pytest.param({"Requires_Dist": 'extra-tool @ file:///tmp/x.whl ; extra == "x"'},
                 pypi_rules.direct_references, "Requires-Dist 'extra-tool @ file:///tmp/x.whl",
                 id="direct-reference-in-an-extra"),
    pytest.param({"Version": "0.2.0+local.1"}, pypi_rules.local_version,
                 "Version '0.2.0+local.1': PyPI refuses a local version (+local.1)", id="local"),
    pytest.param({"Classifier": ["Framework :: Nothing :: 9"]}, pypi_rules.classifiers,
                 "Classifier 'Framework :: Nothing :: 9': PyPI refuses a classifier", id="unknown"),
    pytest.param({"Classifier": ["Framework :: Django CMS :: 4.2"]}, pypi_rules.classifiers,
                 "refuses a deprecated classifier; use 'Framework :: Django CMS :: 5.0' instead",
                 id="deprecated"),
    pytest.param({"Classifier": ["Private :: Do Not Upload"]}, pypi_rules.private_classifiers,
                 "Classifier 'Private :: Do Not Upload': PyPI refuses every Private ::",
                 id="private"),
    pytest.param({"License": "MIT License"}, pypi_rules.license_with_expression,
                 "License beside License-Expression 'MIT'", id="license-and-expression"),
    pytest.param({"License_File": ["LICENSE", "NOTICE"]}, pypi_rules.license_files,
                 "License-File 'NOTICE': not in METADATA", id="license-file"),
    pytest.param({"Summary": "x" * 513}, pypi_rules.summary,
                 "longer than 512 characters (513)", id="long-summary"),
    pytest.param({"Metadata_Version": "2.6"}, pypi_rules.metadata_version,
                 "Metadata-Version '2.6': PyPI takes only 1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4, 2.5",
                 id="metadata-version-pypi"),
    pytest.param({"Metadata_Version": "3.0"}, pypi_rules.metadata_version,
                 "Metadata-Version '3.0': twine ", id="metadata-version-twine"),
    pytest.param({"Project_URL": "The documentation of this library online, https://x.org"},
                 pypi_rules.urls, "longer than 32 characters (40)", id="url-label"),
    pytest.param({"Project_URL": "Issues, github.com/you/demo-lib/issues"}, pypi_rules.urls,
                 "Project-URL 'Issues' = 'github.com/you/demo-lib/issues': PyPI refuses a link",
                 id="url-scheme"),
    pytest.param({"Home_page": "ftp://example.org/demo"}, pypi_rules.urls,
                 "Home-page 'ftp://example.org/demo': PyPI refuses", id="home-page"),
    pytest.param({"Author_email": "Your Name <dev@localhost>"}, pypi_rules.emails,
                 "Author-email 'dev@localhost': PyPI refuses it", id="author-email"),
    pytest.param({"Metadata_Version": "2.1"}, pypi_rules.core_metadata,
                 "License-Expression: twine refuses the metadata (license-expression introduced "
                 "in metadata version 2.4, not 2.1)", id="field-newer-than-version"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "rule", "expected"), CASES)
def test_each_rule_names_the_field_and_the_value(
    fields: dict[str, str | list[str] | None], rule: pypi_rules.Rule, expected: str
) -> None:
    broken = meta(BODY, pypi=True, **fields)
    problem = rule(broken)
    assert problem is not None and expected in problem
    assert "\n" not in problem and not problem.endswith(".")
    assert problem in pypi_rules.problems(broken)
    assert rule(meta()) is None


def test_a_multi_line_summary_is_refused() -> None:
    # Folded as a backend folds a long header: the second line is indented.
    broken = pypi_rules.parse(metadata_text(Summary="first line\n second line"), "METADATA")
    assert "\n" in broken.string("summary")
    problem = pypi_rules.summary(broken)
    assert problem is not None and problem.startswith("Summary 'first line ...'")


def test_license_files_below_metadata_2_4_are_not_sent() -> None:
    # setuptools wrote License-File into 2.1 metadata; twine drops it, PyPI never sees it.
    old = meta(Metadata_Version="2.1", License_Expression=None, License_File=["NOTICE"])
    assert pypi_rules.problems(old) == []


def test_private_classifiers_go_to_an_index_of_ones_own() -> None:
    private = meta(pypi=False, Classifier=["Private :: Do Not Upload"])
    assert pypi_rules.problems(private) == []


def test_a_description_that_does_not_render() -> None:
    broken = meta("Title\n=====\n\n.. unknown-directive:: x\n\n`unclosed\n")
    problem = pypi_rules.long_description(broken)
    assert problem is not None
    assert problem.startswith("Description (text/x-rst): does not render on PyPI (line ")
    markdown = meta("# Title\n\n`unclosed\n", Description_Content_Type="text/markdown")
    assert pypi_rules.long_description(markdown) is None  # markdown always renders


def _wheel(directory: Path, filename: str, text: str, licenses: list[str]) -> Path:
    path = directory / filename
    info = "-".join(filename.split("-")[:2]) + ".dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{info}/METADATA", text)
        for name in licenses:
            zf.writestr(f"{info}/licenses/{name}", "text")
    return path


def _sdist(directory: Path, filename: str, text: str, files: list[str]) -> Path:
    path = directory / filename
    top = filename.removesuffix(".tar.gz")
    with tarfile.open(path, "w:gz") as tf:
        for name, content in [("PKG-INFO", text), *((f, "text") for f in files)]:
            data = content.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def test_the_built_files_names_and_license_files(tmp_path: Path) -> None:
    text = metadata_text()
    good = [_wheel(tmp_path, "demo_lib-0.2.0-py3-none-any.whl", text, ["LICENSE"]),
            _sdist(tmp_path, "demo_lib-0.2.0.tar.gz", text, ["LICENSE"])]  # fmt: skip
    assert pypi_rules.file_problems(good) == []

    old_name = _sdist(tmp_path, "demo-lib-0.2.0.tar.gz", text, ["LICENSE"])
    found = pypi_rules.file_problems([good[0], old_name])
    assert found == [
        "sdist 'demo-lib-0.2.0.tar.gz': PyPI refuses an sdist not named as PEP 625 says "
        "('demo_lib-0.2.0.tar.gz'); upgrade the build backend"
    ]
    wheel = _wheel(tmp_path, "Demo.Lib-0.2.0-py3-none-any.whl", text, ["LICENSE"])
    (problem,) = pypi_rules.file_problems([wheel])
    assert problem.startswith("wheel 'Demo.Lib-0.2.0-py3-none-any.whl': PyPI refuses a wheel")

    (tmp_path / "bare").mkdir()
    bare = _wheel(tmp_path / "bare", "demo_lib-0.2.0-py3-none-any.whl", text, [])
    (problem,) = pypi_rules.file_problems([bare])
    assert problem.startswith("License-File 'LICENSE': not in demo_lib-0.2.0-py3-none-any.whl")


def test_one_sdist_per_release(tmp_path: Path) -> None:
    sdist = _sdist(tmp_path, "demo_lib-0.2.0.tar.gz", metadata_text(), ["LICENSE"])
    assert pypi_rules.file_problems([sdist], listed=["demo_lib-0.2.0-py3-none-any.whl"]) == []
    (problem,) = pypi_rules.file_problems([sdist], listed=["demo-lib-0.2.0.zip"])
    assert problem == (
        "sdists demo-lib-0.2.0.zip, demo_lib-0.2.0.tar.gz: PyPI takes only one sdist per "
        "release; upload one of them"
    )


def test_verify_refuses_in_one_line_naming_the_key(tmp_path: Path) -> None:
    text = metadata_text(Version="0.2.0+local")
    wheel = _wheel(tmp_path, "demo_lib-0.2.0+local-py3-none-any.whl", text, ["LICENSE"])
    on = Project(tmp_path, pypi_rules=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-lib"\n')
    with pytest.raises(PyPIRuleError) as info:
        pypi_rules.verify(on, [wheel], None)
    assert isinstance(info.value, ReleaseError)
    assert str(info.value).startswith("Version '0.2.0+local': PyPI refuses a local version")
    assert str(info.value).endswith("([tool.releasekit] pypi_rules)")
    pypi_rules.verify(Project(tmp_path, pypi_rules=False), [wheel], None)  # off: nothing said
    two = metadata_text(Version="0.2.0+local", License="MIT License")
    both = _wheel(tmp_path, "demo_lib-0.2.0+local-py3-none-any.whl", two, ["LICENSE"])
    with pytest.raises(PyPIRuleError) as info:
        pypi_rules.verify(on, [both], None)
    assert str(info.value).endswith(" (and 1 more) ([tool.releasekit] pypi_rules)")


@pytest.mark.parametrize(
    ("value", "url", "expected"),
    [
        (None, "https://upload.pypi.org/legacy/", True),
        (None, "https://test.pypi.org/legacy/", True),
        (None, "http://127.0.0.1:8080/", False),
        (True, "http://127.0.0.1:8080/", True),
        (False, "https://upload.pypi.org/legacy/", False),
        (None, None, False),  # --no-publish: unset is off
        (True, None, True),
    ],
)
def test_unset_means_on_for_pypi_targets(
    value: bool | None, url: str | None, expected: bool
) -> None:
    target = Target(url, simple_url_for(url)) if url else None
    assert pypi_rules.enabled(config.Settings(pypi_rules=value), target) is expected


def test_the_key_is_read_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[tool.releasekit]\npypi_rules = true\n')
    assert config.load(tmp_path).pypi_rules is True
    pyproject.write_text('[project]\nname = "x"\n')
    assert config.load(tmp_path).pypi_rules is None
    monkeypatch.setenv("RELEASEKIT_PYPI_RULES", "false")
    assert config.load(tmp_path).pypi_rules is False
    monkeypatch.delenv("RELEASEKIT_PYPI_RULES")
    pyproject.write_text('[project]\nname = "x"\n[tool.releasekit]\npypi_rules = "yes"\n')
    with pytest.raises(ConfigError, match="pypi_rules in .* must be true or false"):
        config.load(tmp_path)
