"""The TOML that init writes, appended to pyproject.toml byte for byte."""

from __future__ import annotations

from typing import Any

from packaging.version import Version

from releasekit._exceptions import InitError
from releasekit.init.versions import Detected


def _toml_str(value: str) -> str:
    import tomlkit

    literal = "'" not in value and "\n" not in value
    return tomlkit.string(value, literal=literal).as_string()


def bumpversion_toml(detected: Detected, tag_format: str) -> str:
    two_parts = len(Version(detected.current).release) == 2
    serialize = (
        '["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}{pre_l}{pre_n}", '
        '"{major}.{minor}.{patch}", "{major}.{minor}"]'
        if two_parts
        else '["{major}.{minor}.{patch}{pre_l}{pre_n}", "{major}.{minor}.{patch}"]'
    )
    patch = "(?:\\\\.(?P<patch>0|[1-9]\\\\d*))?" if two_parts else "\\\\.(?P<patch>0|[1-9]\\\\d*)"
    lines = [
        "# bump-my-version moves the version in every file that carries it (releasekit init).",
        "[tool.bumpversion]",
        f"current_version = {_toml_str(detected.current)}",
        'parse = """(?x)',
        "    (?P<major>0|[1-9]\\\\d*)\\\\.",
        "    (?P<minor>0|[1-9]\\\\d*)",
        f"    {patch}",
        "    (?:(?P<pre_l>a|b|rc)(?P<pre_n>0|[1-9]\\\\d*))?",
        '"""',
        f"serialize = {serialize}",
        "commit = true",
        "tag = true",
        "sign_tags = false",
        f"tag_name = {_toml_str(tag_format)}",
        'tag_message = "Release {new_version}"',
        'message = "Release {new_version}"',
        "",
        "[tool.bumpversion.parts.pre_l]",
        'values = ["a", "b", "rc", "final"]',
        'optional_value = "final"',
        'first_value = "final"',
        "",
        "[tool.bumpversion.parts.pre_n]",
        'first_value = "1"',
    ]
    for file in detected.files:
        lines += [
            "",
            "[[tool.bumpversion.files]]",
            f"filename = {_toml_str(file.path)}",
            f"search = {_toml_str(file.search)}",
            f"replace = {_toml_str(file.search.replace('{current_version}', '{new_version}'))}",
        ]
    return "\n".join(lines) + "\n"


def table_toml(name: str, values: dict[str, Any], comment: str) -> str:
    """``[tool.<name>]`` as TOML text under ``# comment``, a dict value as an inline table.

    The text :func:`edit_pyproject` appends to a project's pyproject.toml:
    one table, written by tomlkit as a maintainer would write it.
    """
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            value = inline
        table[key] = value
    doc = tomlkit.document()
    doc.append("tool", tomlkit.table(is_super_table=True))
    doc["tool"].append(name, table)
    return f"# {comment}\n" + tomlkit.dumps(doc).lstrip("\n")


def edit_pyproject(old: str, additions: list[str]) -> str:
    """Append TOML tables to pyproject.toml's text, keeping everything it had, byte for byte."""
    import tomlkit

    doc = tomlkit.parse(old)
    text = tomlkit.dumps(doc)
    if text != old:  # tomlkit's promise: an unchanged document is unchanged text
        msg = "tomlkit cannot round-trip pyproject.toml unchanged: edit it by hand"
        raise InitError(msg)
    for addition in additions:
        text = text.rstrip("\n") + "\n\n" + addition.strip("\n") + "\n"
    merged = tomlkit.parse(text)  # raises on a duplicate table: never write a broken file
    return tomlkit.dumps(merged)
