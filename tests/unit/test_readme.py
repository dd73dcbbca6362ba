"""README.md documents what the code defines, so that the two cannot drift.

Everything is derived from the code: a new ``[tool.releasekit]`` key, release
option, nox session or invoke task fails here until the README has a row for it.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Any

import pytest

from releasekit import _options, config
from releasekit.commands import ReleaseOptions
from tests.conftest import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = (REPO_ROOT / "README.md").read_text()


def table_after(heading: str, text: str = README) -> list[list[str]]:
    """The rows (cells stripped) of the first Markdown table after ``heading``."""
    start = text.index(heading + "\n")
    rows: list[list[str]] = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    assert len(rows) > 2, f"no table after {heading!r}"
    _header, rule, *body = rows
    assert set(rule[0]) <= set("-: "), f"the table after {heading!r} has no header rule"
    return body


def first_code(cell: str) -> str:
    match = re.search(r"`([^`]+)`", cell)
    assert match, f"no `code` in {cell!r}"
    return match.group(1)


def key_rows() -> dict[str, str]:
    return {first_code(row[0]): row[1] for row in table_after("### `[tool.releasekit]`")}


def default_of(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def test_table_parser_reads_rows_and_stops_at_the_table_end() -> None:
    text = "## T\n\n| a | b |\n|---|---|\n| `x` | `1` |\n| `y` | `2` |\n\nafter | not a row\n"
    assert table_after("## T", text) == [["`x`", "`1`"], ["`y`", "`2`"]]


def test_every_releasekit_key_is_documented() -> None:
    documented, known = key_rows(), config.keys()
    missing = [key for key in known if key not in documented]
    assert not missing, f"README's [tool.releasekit] table lacks {missing}"
    unknown = [key for key in documented if key not in known]
    assert not unknown, f"README documents keys the code does not have: {unknown}"


@pytest.mark.parametrize("key", list(config.keys()))
def test_documented_default_is_the_code_default(key: str) -> None:
    """The default cell starts with the default as a TOML value, as a user would write it."""
    cell = key_rows().get(key)
    if cell is None:
        pytest.fail(f"README's [tool.releasekit] table lacks {key}")
    if default_of(config.keys()[key]) is None:  # absent means something TOML cannot write
        assert cell.startswith("unset"), key
        return
    documented = tomllib.loads(f"value = {first_code(cell)}")["value"]
    assert documented == default_of(config.keys()[key]), key


def test_every_release_option_is_documented() -> None:
    documented = [first_code(row[0]).split()[0] for row in table_after("### The release")]
    options = [spec.long for spec in _options.specs(ReleaseOptions)]
    assert options, "the release verb has no options"
    missing = [option for option in options if option not in documented]
    assert not missing, f"README's release options table lacks {missing}"


def test_every_nox_session_is_documented() -> None:
    import releasekit.nox as rk_nox

    documented = [first_code(row[0]) for row in table_after("### nox sessions")]
    missing = [name for name in rk_nox.SESSIONS if name not in documented]
    assert not missing, f"README's sessions table lacks {missing}"


def test_every_invoke_task_is_documented() -> None:
    from releasekit.tasks import namespace

    documented = [first_code(row[0]).split()[0] for row in table_after("### invoke tasks")]
    missing = [name for name in namespace.task_names if name not in documented]
    assert not missing, f"README's tasks table lacks {missing}"


def test_the_template_shows_every_key_with_its_default() -> None:
    from releasekit import new

    text = (new.template_dir() / "{{cookiecutter.project_slug}}/pyproject.toml").read_text()
    start = text.index("[tool.releasekit]")
    table = tomllib.loads(text[start:])["tool"]["releasekit"]
    assert list(table) == list(config.keys())
    defaults = config.Settings()
    # Unset means "by the target"; the template's CI publishes to PyPI, so it says so.
    chosen = {"pypi_rules": True}
    for key, value in table.items():
        assert value == chosen.get(key, getattr(defaults, key)), key


def test_the_template_lists_every_task_and_session() -> None:
    import re

    import releasekit.nox as rk_nox
    from releasekit import new
    from releasekit.tasks import TASKS

    stamped = new.template_dir() / "{{cookiecutter.project_slug}}"
    tasks_doc = (stamped / "tasks.py").read_text()
    readme = (stamped / "README.md").read_text()
    listed = re.search(r"invoke --list\s+#\s*(.+)", readme)
    assert listed is not None, "the stamped README shows no `invoke --list` line"
    for name in TASKS:
        assert re.search(rf"\b{name}\b", tasks_doc.split('"""')[1]), f"tasks.py lacks {name}"
        assert re.search(rf"\b{name}\b", listed.group(1)), f"README lacks the task {name}"
    nox_doc = (stamped / "noxfile.py").read_text().split('"""')[1]
    for name in rk_nox.SESSIONS:
        assert re.search(rf"\b{name}\b", nox_doc), f"noxfile.py's docstring lacks {name}"
