"""What the project's tests need, from where projects keep it.

The ``tests`` session installs the project and ``test_requires``; init fills
that key from the first dependency group and extra of the usual names, the
requirements files of the usual names and tox.ini's ``[testenv]``, so that
the trial run (and every later run) has the project's own test dependencies.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

GROUPS = ("test", "tests", "dev")
EXTRAS = ("test", "tests", "testing")
REQUIREMENTS = (
    "requirements*test*.txt",
    "requirements-dev.txt",
    "requirements_dev.txt",
    "test-requirements.txt",
    "test_requirements.txt",
    "dev-requirements.txt",
    "requirements/test*.txt",
    "requirements/dev.txt",
    "tests/requirements.txt",
)
# A tox.ini line that is not one requirement for every environment: a
# substitution ({[base]deps}), a factor condition (py38: mock), an option.
_TOX_SKIP = re.compile(r"[{}]|^[\w.,!-]+:\s|^-[ce]|^--")


def _setup_cfg_extras(root: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except configparser.Error:
        return {}
    if not parser.has_section("options.extras_require"):
        return {}
    return dict(parser.items("options.extras_require"))


def _tox_testenv(root: Path) -> tuple[list[str], list[str]]:
    """The requirements and extras of tox.ini's ``[testenv]``, as ``test_requires`` items."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "tox.ini", encoding="utf-8")
    except configparser.Error:
        return [], []
    if not parser.has_section("testenv"):
        return [], []
    deps: list[str] = []
    for raw in parser.get("testenv", "deps", fallback="").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or _TOX_SKIP.search(line):
            continue
        if line.startswith("-r"):
            path = line.removeprefix("-r").strip()
            if (root / path).is_file():
                deps.append(f"-r {path}")
            continue
        try:
            Requirement(line)
        except InvalidRequirement:
            continue
        deps.append(line)
    extras = re.split(r"[\s,]+", parser.get("testenv", "extras", fallback="").strip())
    return deps, [f"extra:{e}" for e in extras if e and not _TOX_SKIP.search(e)]


def test_requires(root: Path, pyproject: dict[str, Any]) -> list[str]:
    """``test_requires`` for the project at ``root``; empty when it keeps none of them."""
    found: list[str] = []
    text: list[str] = []  # what they install, to tell whether pytest is among it
    groups = pyproject.get("dependency-groups", {})
    group = next((g for g in GROUPS if g in groups), None)
    if group:
        found.append(f"group:{group}")
        text.append(str(groups[group]))
    extras = dict(pyproject.get("project", {}).get("optional-dependencies", {}))
    extras |= {k: v for k, v in _setup_cfg_extras(root).items() if k not in extras}
    extra = next((e for e in EXTRAS if e in extras), None)
    if extra:
        found.append(f"extra:{extra}")
        text.append(str(extras[extra]))
    poetry = pyproject.get("tool", {}).get("poetry", {}).get("group", {})
    poetry_group = next((g for g in GROUPS if g in poetry), None)
    if poetry_group and not group:  # poetry's own groups: the names, as poetry resolves them
        names = [n for n in poetry[poetry_group].get("dependencies", {}) if n != "python"]
        found += names
        text += names
    # The first file only: requirements/tests37.txt beside tests.txt pins for another Python.
    files = (p for pattern in REQUIREMENTS for p in sorted(root.glob(pattern)) if p.is_file())
    path = next(files, None)
    if path is not None:
        found.append(f"-r {path.relative_to(root).as_posix()}")
        text.append(path.read_text(encoding="utf-8", errors="replace"))
    tox_deps, tox_extras = _tox_testenv(root)
    if not extra:  # one extra only: the tests session installs ".[extra]"
        found += tox_extras[:1]
    for dep in tox_deps:
        if dep not in found:
            found.append(dep)
            text.append(dep)
    if found and "pytest" not in " ".join(text).lower():
        found.append("pytest")
    return found
