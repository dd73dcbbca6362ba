"""``versions.choose``: the one next-version answer, from a project's own tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import versions
from releasekit._exceptions import VersionError
from releasekit.project import Project

# The template's [tool.bumpversion] version model: pre-release and development parts.
BUMPVERSION = r'''
[tool.bumpversion]
current_version = "CURRENT"
parse = """(?x)
    (?P<major>0|[1-9]\\d*)\\.
    (?P<minor>0|[1-9]\\d*)\\.
    (?P<patch>0|[1-9]\\d*)
    (?:(?P<pre_l>a|b|rc)(?P<pre_n>0|[1-9]\\d*))?
    (?:\\.(?P<dev_l>dev)(?P<dev_n>0|[1-9]\\d*))?
"""
serialize = [
    "{major}.{minor}.{patch}{pre_l}{pre_n}.{dev_l}{dev_n}",
    "{major}.{minor}.{patch}{pre_l}{pre_n}",
    "{major}.{minor}.{patch}.{dev_l}{dev_n}",
    "{major}.{minor}.{patch}",
]

[tool.bumpversion.parts.pre_l]
values = ["a", "b", "rc", "final"]
optional_value = "final"
first_value = "final"

[tool.bumpversion.parts.pre_n]
first_value = "1"

[tool.bumpversion.parts.dev_l]
values = ["dev", "final"]
optional_value = "final"
first_value = "final"

[tool.bumpversion.parts.dev_n]
first_value = "0"
'''


def project_at(tmp_path: Path, current: str) -> Project:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "demo-lib"\nversion = "{current}"\n'
        + BUMPVERSION.replace("CURRENT", current)
    )
    return Project(tmp_path)


@pytest.mark.parametrize(
    ("types", "new"), [(["bugfix"], "0.3.1"), (["feature"], "0.4.0"), (["removal"], "0.4.0")]
)
def test_after_a_development_version_the_fragments_finalize_it(
    tmp_path: Path, types: list[str], new: str
) -> None:
    choice = versions.choose(project_at(tmp_path, "0.3.1.dev0"), fragment_types=types)
    assert (choice.current, choice.new) == ("0.3.1.dev0", new)
    assert choice.reason.startswith("finalizes 0.3.1.dev0; ")
    # bump-my-version's own patch bump from there skips 0.3.1: the release's is the answer.
    assert versions.source_for(project_at(tmp_path, "0.3.1.dev0")).next("patch") == "0.3.2"


def test_from_a_final_version_the_source_bumps_the_part(tmp_path: Path) -> None:
    project = project_at(tmp_path, "0.3.0")
    choice = versions.choose(project, fragment_types=["bugfix", "doc", "bugfix"])
    assert (choice.new, choice.reason) == ("0.3.1", "patch, from the fragments: bugfix, doc")
    assert versions.choose(project, part="minor").new == "0.4.0"
    assert versions.choose(project, part="minor").reason == "--part minor"
    with pytest.raises(VersionError, match="cannot bump pre_l from 0.3.0: The part has already"):
        versions.choose(project, part="pre_l")  # bump-my-version's own refusal, in one line


def test_a_pre_release_and_its_final_release(tmp_path: Path) -> None:
    choice = versions.choose(project_at(tmp_path, "1.4.2"), pre="rc", fragment_types=["feature"])
    assert (choice.new, choice.reason) == (
        "1.5.0rc1",
        "--pre rc; minor, from the fragments: feature",
    )
    choice = versions.choose(project_at(tmp_path, "1.5.0rc1"))
    assert (choice.new, choice.reason) == ("1.5.0", "finalizes 1.5.0rc1")


def test_a_typed_version_is_cleaned_and_checked(tmp_path: Path) -> None:
    project = project_at(tmp_path, "1.4.2")
    choice = versions.choose(project, new_version=" v2.0.0 ")
    assert (choice.new, choice.reason) == ("2.0.0", "--new-version")
    with pytest.raises(VersionError, match="version 1.5 does not match"):
        versions.choose(project, new_version="1.5")
    with pytest.raises(VersionError, match="is not above the current version 1.4.2"):
        versions.choose(project, new_version="1.4.1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pre": "rc", "new_version": "2.0.0"}, "give either --pre or --new-version, not both"),
        ({"part": "minor", "new_version": "2.0.0"}, "give either a version part or a new version"),
        ({}, "say which version part to bump"),
        ({"part": "micro"}, "unknown version part 'micro'"),
    ],
)
def test_refusals(tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(VersionError, match=message):
        versions.choose(project_at(tmp_path, "1.4.2"), **kwargs)  # type: ignore[arg-type]


# bump-my-version warns that .cfg is deprecated through rich-click, which warns in turn.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_bumpversion_cfg_answers_through_the_same_model(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.2.0"\n')
    (tmp_path / ".bumpversion.cfg").write_text(
        "[bumpversion]\ncurrent_version = 1.2.0\n\n[bumpversion:file:pyproject.toml]\n"
    )
    project = Project(tmp_path)
    source = versions.source_for(project)
    assert source.next_versions() == (
        "1.2.0",
        {"major": "2.0.0", "minor": "1.3.0", "patch": "1.2.1"},
    )
    assert versions.choose(project, fragment_types=["feature"]).new == "1.3.0"
    # Its default parse has no pre-release parts: refused before anything changes.
    with pytest.raises(VersionError, match="cannot represent 1.3.0rc1 .* add the pre_l and pre_n"):
        versions.choose(project, pre="rc", fragment_types=["feature"])
    with pytest.raises(VersionError, match="version 1.3 does not match .* give every part"):
        versions.choose(project, new_version="1.3")
