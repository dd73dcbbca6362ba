"""Generated workspaces of many small members, for the scale test and the benchmark."""

from __future__ import annotations

import subprocess
from pathlib import Path

MEMBER = """\
[build-system]
requires = ["hatchling>=1.27"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "0.1.0"
description = "Member {name} of a generated workspace"
readme = "README.md"
requires-python = ">=3.10"
dependencies = {dependencies}

[tool.hatch.build.targets.wheel]
packages = ["src/{name}"]

[tool.bumpversion]
current_version = "0.1.0"
commit = true
tag = true
tag_name = "{name}-v{{new_version}}"
tag_message = "Release {name} {{new_version}}"

[[tool.bumpversion.files]]
filename = "pyproject.toml"
search = 'version = "{{current_version}}"'
replace = 'version = "{{new_version}}"'

[tool.towncrier]
directory = "changelog.d"
filename = "CHANGELOG.md"
title_format = "## {{version}} ({{project_date}})"

[tool.releasekit]
checks = []
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def needs(count: int) -> dict[str, list[str]]:
    """A chain through the first half (m01 pins m00, m02 pins m01, ...: a patch of one
    widens the next), the rest fanning out from m00 in three styles of requirement."""
    styles = ["{}>=0.1,<0.2", "{}~=0.1.0", "{}==0.1.0"]
    result: dict[str, list[str]] = {"m00": []}
    half = max(1, count // 2)
    for i in range(1, count):
        name = f"m{i:02d}"
        if i < half:
            result[name] = [styles[2].format(f"m{i - 1:02d}")]
        else:
            result[name] = [styles[i % 3].format("m00")]
    return result


def generate(parent: Path, count: int, *, fragment_in: tuple[str, ...] = ("m00",)) -> Path:
    """A workspace root of ``count`` members under git, pushed to a bare remote."""
    remote = parent / "remote.git"
    _git(parent, "init", "-q", "--bare", "-b", "main", str(remote))
    root = parent / "work"
    packages = root / "packages"
    packages.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    (root / ".gitignore").write_text("dist/\n")
    (root / "noxfile.py").write_text("import releasekit.nox  # noqa: F401\n")
    (root / "tasks.py").write_text("from releasekit.tasks import namespace  # noqa: F401\n")
    for name, reqs in needs(count).items():
        member = packages / name
        (member / "src" / name).mkdir(parents=True)
        (member / "src" / name / "__init__.py").write_text("")
        (member / "README.md").write_text(f"# {name}\n\nA generated member.\n")
        (member / "changelog.d").mkdir()
        (member / "changelog.d" / ".gitkeep").write_text("")
        (member / "CHANGELOG.md").write_text(
            "# Changelog\n\n<!-- towncrier release notes start -->\n"
        )
        deps = "[" + ", ".join(f'"{r}"' for r in reqs) + "]"
        (member / "pyproject.toml").write_text(MEMBER.format(name=name, dependencies=deps))
        if name in fragment_in:
            (member / "changelog.d" / "+new.feature.md").write_text("A new feature\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"A workspace of {count} members")
    _git(root, "remote", "add", "origin", str(remote))
    _git(root, "push", "-q", "-u", "origin", "main")
    return root
