"""Each verb's options are declared once; argparse and invoke's tasks come from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import _options, commands
from releasekit._exceptions import UsageError
from releasekit.commands import NewOptions, ReleaseOptions


def parse(cls: type[commands.Common], argv: list[str]) -> object:
    return _options.parse(cls, argv, prog="test --", description="")


def test_defaults_come_from_the_declaration() -> None:
    assert parse(ReleaseOptions, []) == ReleaseOptions()
    assert parse(commands.CheckOptions, []) == commands.CheckOptions(root=".")
    new = parse(NewOptions, ["-o", "out", "project_name=Demo", "kind=pure"])
    assert new == NewOptions(output_dir="out", extra_context=("project_name=Demo", "kind=pure"))


def test_short_flags_are_only_the_chosen_ones() -> None:
    shorts = {
        verb.name: {s.flag.short for s in _options.specs(verb.options) if s.flag.short}
        for verb in commands.VERBS.values()
    }
    assert shorts["release"] == {"-y", "-r", "-v"}
    assert all("-h" not in chosen for chosen in shorts.values())
    # Every verb takes --verbose / -v.
    assert all("-v" in chosen for chosen in shorts.values())


def test_help_is_not_an_error_and_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(ReleaseOptions, ["-h"]) is None
    out = capsys.readouterr().out
    assert "--no-publish" in out and "-y, --yes" in out


def test_a_bad_option_is_one_line_naming_it() -> None:
    with pytest.raises(UsageError) as info:
        parse(ReleaseOptions, ["--no-pubish"])
    assert str(info.value) == "unrecognized arguments: --no-pubish (see test -- --help)"


def test_invoke_values_become_the_same_options() -> None:
    values = {"part": "", "new_version": "1.2.0", "yes": True, "repository": "", "no_push": True}
    options = _options.from_keywords(ReleaseOptions, values)
    assert options == ReleaseOptions(new_version="1.2.0", yes=True, no_push=True)
    audit = _options.from_keywords(commands.AuditOptions, {"extra": ["web"], "json": "r.json"})
    assert audit == commands.AuditOptions(extra=("web",), json=Path("r.json"))


def test_the_invoke_task_has_the_verbs_flags_and_no_automatic_short_flags() -> None:
    from releasekit.tasks import namespace

    release = namespace["release"]
    names = {name for arg in release.get_arguments() for name in arg.names}
    assert {"yes", "y", "repository", "r", "verbose", "v", "no-checks", "abort"} <= names
    assert "h" not in names and "n" not in names and "e" not in names
    assert {spec.long.lstrip("-") for spec in _options.specs(ReleaseOptions)} <= names


def test_a_positional_without_a_default_is_required() -> None:
    fragment = {s.name: s for s in _options.specs(commands.FragmentOptions)}
    assert fragment["type"].required and fragment["text"].required
    notes = {s.name: s for s in _options.specs(commands.NotesOptions)}
    assert not notes["version"].required
    with pytest.raises(UsageError, match="the following arguments are required: type, text"):
        parse(commands.FragmentOptions, [])
