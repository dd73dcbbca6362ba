"""Workspaces: widening a requirement in the author's style, tiers, discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import workspace
from releasekit._exceptions import ConfigError, WorkspaceError


@pytest.mark.parametrize(
    ("requirement", "new", "expected"),
    [
        ("a>=0.1,<0.2", "0.2.0", "a>=0.1,<0.3"),
        ("a >= 0.1, < 0.2", "0.2.0", "a >= 0.1, < 0.3"),
        ("a<0.2,>=0.1", "0.2.0", "a<0.3,>=0.1"),
        ("a>=1.2,<2", "2.0.0", "a>=1.2,<3"),
        ("a>=0.1.0,<0.1.5", "0.1.5", "a>=0.1.0,<0.1.6"),
        ("a>=0.1,<0.2", "0.4.0", "a>=0.1,<0.5"),
        ("a~=0.1.0", "0.2.0", "a~=0.2.0"),
        ("a~=0.1", "1.0.0", "a~=1.0"),
        ("a==0.1.0", "0.2.0", "a==0.2.0"),
        ("a==0.1.*", "0.2.0", "a==0.2.*"),
        ("a<=0.1.0", "0.1.1", "a<=0.1.1"),
        ("a>=0.1,!=0.2.0", "0.2.0", "a>=0.1"),
        ("a>=0.1,<0.2; python_version >= '3.8'", "0.2.0", "a>=0.1,<0.3; python_version >= '3.8'"),
        ("a[extra]>=0.1,<0.2", "0.2.0", "a[extra]>=0.1,<0.3"),
        ("a>=0.1,<0.2", "0.2.0rc1", "a>=0.1,<0.3"),
    ],
)
def test_widen_keeps_the_authors_style(requirement: str, new: str, expected: str) -> None:
    assert workspace.widen(requirement, new) == expected


@pytest.mark.parametrize(
    ("requirement", "new"), [("a>=0.1", "0.2.0"), ("a", "3.0.0"), ("a>=0.1,<0.3", "0.2.0")]
)
def test_widen_leaves_a_requirement_that_admits_the_version(requirement: str, new: str) -> None:
    assert workspace.widen(requirement, new) is None


def test_widen_refuses_what_no_bound_move_admits() -> None:
    with pytest.raises(WorkspaceError, match="change it by hand"):
        workspace.widen("a>0.3", "0.2.0")


def test_tiers_follow_the_needs() -> None:
    graph = {"app": {"core", "util"}, "util": {"core"}, "core": set(), "cli": {"app"}, "doc": set()}
    assert workspace.tiers(graph) == [["core", "doc"], ["util"], ["app"], ["cli"]]


def test_tiers_ignore_needs_outside_the_graph() -> None:
    assert workspace.tiers({"a": {"requests"}, "b": {"a"}}) == [["a"], ["b"]]


def test_a_cycle_is_one_line_naming_it() -> None:
    with pytest.raises(WorkspaceError) as info:
        workspace.tiers({"a": {"c"}, "b": {"a"}, "c": {"b"}, "d": {"a"}})
    message = str(info.value)
    assert "a -> c -> b -> a" in message
    assert "\n" not in message


def _member(root: Path, name: str, deps: list[str], tag: str = "", sources: str = "") -> None:
    path = root / "packages" / name
    path.mkdir(parents=True)
    tag_line = f'tag_name = "{tag}"\n' if tag else ""
    (path / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = {deps!r}\n'
        f'[tool.bumpversion]\ncurrent_version = "0.1.0"\n{tag_line}{sources}'
    )


def _root(root: Path, members: str = '["packages/*"]', extra: str = "") -> None:
    (root / "pyproject.toml").write_text(f"[tool.uv.workspace]\nmembers = {members}\n{extra}")


def test_discover_reads_members_needs_and_order(tmp_path: Path) -> None:
    _root(tmp_path, extra='exclude = ["packages/skip"]\n')
    _member(tmp_path, "Core_Lib", [])
    _member(tmp_path, "app", ["core-lib>=0.1,<0.2", "requests>=2"])
    _member(tmp_path, "cli", [], sources="[tool.uv.sources]\napp = { workspace = true }\n")
    _member(tmp_path, "skip", ["app"])
    ws = workspace.discover(tmp_path)
    assert sorted(ws.members) == ["app", "cli", "core-lib"]
    assert ws.members["app"].needs == (workspace.Edge("core-lib", "core-lib>=0.1,<0.2"),)
    assert ws.members["cli"].needs == (workspace.Edge("app", ""),)
    assert ws.tiers == [["core-lib"], ["app"], ["cli"]]
    assert ws.members["app"].path == "packages/app"
    assert workspace.is_workspace(tmp_path)
    assert not workspace.is_workspace(tmp_path / "packages" / "app")


def test_a_root_package_is_a_member(tmp_path: Path) -> None:
    _root(tmp_path, extra='[project]\nname = "top"\nversion = "1.0"\ndependencies = ["a"]\n')
    _member(tmp_path, "a", [])
    ws = workspace.discover(tmp_path)
    assert ws.tiers == [["a"], ["top"]]
    assert ws.members["top"].path == "."


def test_a_glob_matching_nothing_is_refused(tmp_path: Path) -> None:
    _root(tmp_path, members='["libs/*"]')
    with pytest.raises(ConfigError, match="matches no directory"):
        workspace.discover(tmp_path)


def test_a_member_cycle_is_refused_on_discovery(tmp_path: Path) -> None:
    _root(tmp_path)
    _member(tmp_path, "a", ["b"])
    _member(tmp_path, "b", ["a>=0.1"])
    with pytest.raises(WorkspaceError, match="cycle: a -> b -> a"):
        workspace.discover(tmp_path)


def test_colliding_tag_templates_are_refused_with_the_fix(tmp_path: Path) -> None:
    _root(tmp_path)
    _member(tmp_path, "a", [])
    _member(tmp_path, "b", ["a"])
    ws = workspace.discover(tmp_path)
    with pytest.raises(WorkspaceError) as info:
        workspace.check_tags(ws, {})
    message = str(info.value)
    assert "a and b both tag their releases 'v{new_version}'" in message
    assert 'tag_name = "b-v{new_version}"' in message


def test_distinct_tag_templates_pass(tmp_path: Path) -> None:
    _root(tmp_path)
    _member(tmp_path, "a", [], tag="a-v{new_version}")
    _member(tmp_path, "b", ["a"], tag="b-v{new_version}")
    workspace.check_tags(workspace.discover(tmp_path), {})


def test_rewrite_requirement_keeps_the_file_as_written(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = (
        '[project]\nname = "b"\ndependencies = [\n    "a>=0.1,<0.2",  # our own\n'
        '    "requests>=2",\n]\n\n[tool.x]\nkey = 1\n'
    )
    pyproject.write_text(text)
    workspace.rewrite_requirement(pyproject, "a>=0.1,<0.2", "a>=0.1,<0.3")
    assert pyproject.read_text() == text.replace("<0.2", "<0.3")


def test_member_roots_in_release_order_even_with_a_cycle(tmp_path: Path) -> None:
    _root(tmp_path)
    _member(tmp_path, "a", ["b"])
    _member(tmp_path, "b", [])
    packages = (tmp_path / "packages").resolve()
    assert workspace.member_roots(tmp_path) == [packages / "b", packages / "a"]
    (packages / "b" / "pyproject.toml").write_text(
        '[project]\nname = "b"\nversion = "0.1.0"\ndependencies = ["a"]\n'
    )
    assert workspace.member_roots(tmp_path) == [packages / "a", packages / "b"]


def test_editable_needs_brings_the_members_needed_transitively(tmp_path: Path) -> None:
    _root(tmp_path)
    _member(tmp_path, "a", [])
    _member(tmp_path, "b", ["a>=0.1"])
    _member(tmp_path, "c", ["b"])
    packages = (tmp_path / "packages").resolve()
    assert workspace.editable_needs(packages / "c") == [
        "-e", str(packages / "a"), "-e", str(packages / "b")
    ]  # fmt: skip
    assert workspace.editable_needs(packages / "a") == []
    assert workspace.editable_needs(tmp_path / "elsewhere") == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"part": "minor"}, "--part and --new-version pick one project's version"),
        ({"new_version": "1.0.0"}, "--part and --new-version pick one project's version"),
    ],
)
def test_train_refuses_single_project_options(
    tmp_path: Path, given: dict[str, str], message: str
) -> None:
    import types

    from releasekit import train
    from releasekit._exceptions import UsageError

    options = types.SimpleNamespace(**{"part": None, "new_version": None, **given})
    with pytest.raises(UsageError, match=message):
        train.release(tmp_path, options)  # type: ignore[arg-type]


def test_an_unknown_layout_is_one_line(tmp_path: Path) -> None:
    from releasekit import layouts
    from releasekit._exceptions import TemplateError

    with pytest.raises(TemplateError, match="layout 'monorepo' is not one of package, workspace"):
        layouts.stamp_workspace(tmp_path, extra_context={"layout": "monorepo"})
    assert list(tmp_path.iterdir()) == []
