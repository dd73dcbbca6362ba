"""A bumpversion configuration that bump-my-version cannot read, moved to ``[tool.bumpversion]``.

bumpversion 0.x listed the files in its ``[bumpversion]`` section
(``files = setup.py pkg/__init__.py``); bump2version and bump-my-version read
one ``[bumpversion:file:NAME]`` section per file instead, and bump-my-version
refuses the old key. Kept as it is, every release would stop in its
preflight. init moves such a configuration, through bump-my-version's own
reader, to ``[tool.bumpversion]`` in pyproject.toml (the same files, patterns
and options) and removes the old sections, which bump-my-version would
otherwise still find first. Both edits are in the diff init shows, and are
written only on the user's yes (or ``--yes``).
"""

from __future__ import annotations

import configparser
import re
import tempfile
from pathlib import Path
from typing import Any

from releasekit._exceptions import InitError

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")


def problem(path: Path) -> str:
    """Why bump-my-version cannot read its configuration in ``path`` (empty when it can)."""
    from bumpversion.config import get_configuration

    try:
        get_configuration(path)
    except Exception as exc:  # bump-my-version raises several unrelated types here
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ""


def _parser(path: Path) -> configparser.RawConfigParser:
    """The parser bump-my-version uses for this file (setup.cfg interpolates)."""
    parser = (
        configparser.ConfigParser() if path.name == "setup.cfg" else configparser.RawConfigParser()
    )
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def _legacy_ini(path: Path, into: Path) -> Path:
    """The bumpversion sections of ``path`` with ``files =`` turned into file sections."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    if not parser.has_option("bumpversion", "files"):
        return path
    names = parser.get("bumpversion", "files").split()
    parser.remove_option("bumpversion", "files")
    out = configparser.RawConfigParser()
    out.optionxform = str  # type: ignore[assignment,method-assign]
    for section in parser.sections():
        if section.startswith("bumpversion"):
            out.add_section(section)
            for key, value in parser.items(section):
                out.set(section, key, value)
    for name in names:
        if not out.has_section(f"bumpversion:file:{name}"):
            out.add_section(f"bumpversion:file:{name}")
    legacy = into / path.name
    with legacy.open("w", encoding="utf-8") as f:
        out.write(f)
    return legacy


def _toml(options: dict[str, Any]) -> str:
    """``[tool.bumpversion]`` holding ``options`` as bump-my-version's reader returned them."""
    import tomlkit

    table = tomlkit.table()
    for key, value in options.items():
        if key not in ("files", "parts"):
            table[key] = value
    for name, part in options.get("parts", {}).items():
        table.setdefault("parts", tomlkit.table(is_super_table=True))
        table["parts"][name] = part
    files = tomlkit.aot()
    for entry in options.get("files", []):
        files.append(tomlkit.item(dict(entry)))
    if files:
        table["files"] = files
    doc = tomlkit.document()
    doc.append("tool", tomlkit.table(is_super_table=True))
    doc["tool"].append("bumpversion", table)
    comment = (
        "# bump-my-version moves the version in every file that carries it; moved here\n"
        "# from the bumpversion 0.x configuration it could not read (releasekit init).\n"
    )
    return comment + tomlkit.dumps(doc).lstrip("\n")


def without_sections(text: str) -> str:
    """``text`` of an INI file without its ``[bumpversion...]`` sections, the rest as it was."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        match = _SECTION.match(line)
        if match:
            dropping = match.group(1).strip().startswith("bumpversion")
        if not dropping:
            kept.append(line)
    result = "".join(kept)
    return result.rstrip("\r\n") + "\n" if result.strip() else ""


def migrate(path: Path, why: str) -> tuple[str, str]:
    """The ``[tool.bumpversion]`` TOML for the configuration in ``path``, and its new text.

    :param why: bump-my-version's complaint, for the one line when it cannot be moved.
    """
    from bumpversion.config.files_legacy import read_ini_file

    rel = path.name
    try:
        _parser(path)
        with tempfile.TemporaryDirectory(prefix="releasekit-bumpversion-") as tmp:
            options = read_ini_file(_legacy_ini(path, Path(tmp)))
    except (configparser.Error, AttributeError, TypeError, ValueError) as exc:
        msg = (
            f"bump-my-version cannot read the [bumpversion] configuration in {rel} ({why}), and "
            f"init cannot move it ({exc}): fix it or write [tool.bumpversion] by hand"
        ).replace("\n", " ")
        raise InitError(msg) from None
    if not options.get("current_version") or not isinstance(options.get("files"), list):
        msg = (
            f"bump-my-version cannot read the [bumpversion] configuration in {rel} ({why}): "
            "fix it or write [tool.bumpversion] by hand"
        )
        raise InitError(msg)
    return _toml(options), without_sections(path.read_text(encoding="utf-8"))
