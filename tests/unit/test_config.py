from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import config
from releasekit._exceptions import ConfigError


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-lib"\n' + body)
    return tmp_path


def test_defaults_suit_a_new_repository(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, ""))
    assert settings.branches == ["main", "master"]
    assert settings.checks == ["tests", "style", "build"]
    assert settings.bump_map["feature"] == "minor"
    assert settings.bump_map["removal"] == "major"
    assert settings.import_name == "demo_lib"
    assert settings.root == tmp_path.resolve()


def test_table_values_are_read(tmp_path: Path) -> None:
    settings = config.load(
        write(tmp_path, '[tool.releasekit]\nbranches = ["trunk"]\nrepository = "testpypi"\n')
    )
    assert settings.branches == ["trunk"]
    assert settings.repository == "testpypi"


def test_unknown_key_names_key_file_and_suggestion(tmp_path: Path) -> None:
    write(tmp_path, '[tool.releasekit]\nbranchs = ["main"]\n')
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    message = str(info.value)
    assert "'branchs'" in message
    assert str(tmp_path / "pyproject.toml") in message
    assert "did you mean 'branches'" in message
    assert "\n" not in message


def test_wrong_type_names_key_and_expected_type(tmp_path: Path) -> None:
    write(tmp_path, '[tool.releasekit]\nchecks = "tests"\n')
    with pytest.raises(ConfigError, match=r"checks in .*pyproject.toml must be a list of strings"):
        config.load(tmp_path)


def test_bool_is_not_accepted_as_string(tmp_path: Path) -> None:
    write(tmp_path, "[tool.releasekit]\nrepository = true\n")
    with pytest.raises(ConfigError, match=r"repository .* must be a string"):
        config.load(tmp_path)


def test_bump_map_must_map_strings(tmp_path: Path) -> None:
    write(tmp_path, "[tool.releasekit]\nbump_map = { feature = 1 }\n")
    with pytest.raises(ConfigError, match=r"bump_map .* must be a table of strings"):
        config.load(tmp_path)


def test_environment_beats_table_and_overrides_beat_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[tool.releasekit]\nrepository = "table"\n')
    monkeypatch.setenv("RELEASEKIT_REPOSITORY", "env")
    monkeypatch.setenv("RELEASEKIT_BRANCHES", "main, release")
    monkeypatch.setenv("RELEASEKIT_CONFIRM_INSTALL", "no")
    settings = config.load(tmp_path)
    assert settings.repository == "env"
    assert settings.branches == ["main", "release"]
    assert settings.confirm_install is False
    assert config.load(tmp_path, repository="override").repository == "override"


def test_bad_boolean_in_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "")
    monkeypatch.setenv("RELEASEKIT_CONFIRM_INSTALL", "maybe")
    with pytest.raises(ConfigError, match="RELEASEKIT_CONFIRM_INSTALL='maybe' is not a boolean"):
        config.load(tmp_path)


def test_missing_pyproject(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no pyproject\.toml in"):
        config.load(tmp_path)


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml is not valid TOML"):
        config.load(tmp_path)


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, ""))
    with pytest.raises(AttributeError):
        settings.remote = "upstream"  # type: ignore[misc]


def test_missing_tool_tables_say_what_to_add(tmp_path: Path) -> None:
    write(tmp_path, "")
    with pytest.raises(ConfigError, match=r"no \[tool.bumpversion\] .* with current_version"):
        config.require_bumpversion(tmp_path)
    with pytest.raises(ConfigError, match=r"no \[tool.towncrier\] .* add one with directory"):
        config.towncrier_table(tmp_path)


def test_keys_are_the_user_facing_fields() -> None:
    assert "root" not in config.keys()  # noqa: SIM118
    assert {"branches", "checks", "repository", "bump_map"} <= set(config.keys())


def test_publish_wheels_takes_one_of_two_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.load(write(tmp_path, "")).publish_wheels == "sdist-only"
    write(tmp_path, '[tool.releasekit]\npublish_wheels = "repaired"\n')
    assert config.load(tmp_path).publish_wheels == "repaired"
    write(tmp_path, '[tool.releasekit]\npublish_wheels = "all"\n')
    with pytest.raises(ConfigError, match=r"publish_wheels 'all' in \[tool.releasekit\] of .*"):
        config.load(tmp_path)
    write(tmp_path, "")
    monkeypatch.setenv("RELEASEKIT_PUBLISH_WHEELS", "bare")
    with pytest.raises(ConfigError, match="publish_wheels 'bare' in RELEASEKIT_PUBLISH_WHEELS"):
        config.load(tmp_path)


def test_network_timeout_is_a_key_with_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config.load(tmp_path).network_timeout == 300
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "7")
    assert config.load(tmp_path).network_timeout == 7
    for bad, problem in (("soon", "is not a whole number"), ("0", "must be a positive")):
        monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", bad)
        with pytest.raises(ConfigError, match=problem):
            config.load(tmp_path)


def test_a_tool_table_is_read_again_when_the_file_changes_even_within_a_tick(
    tmp_path: Path,
) -> None:
    """Parsed once per content: a same-size rewrite with the same mtime is still seen."""
    import os

    root = write(tmp_path, '[tool.bumpversion]\ncurrent_version = "0.1.0"\n')
    pyproject = root / "pyproject.toml"
    stat = pyproject.stat()
    assert config.tool_table(root, "bumpversion") == {"current_version": "0.1.0"}
    pyproject.write_text(pyproject.read_text().replace("0.1.0", "0.1.1"))
    os.utime(pyproject, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as if in the same tick
    assert pyproject.stat().st_size == stat.st_size
    assert config.tool_table(root, "bumpversion") == {"current_version": "0.1.1"}


def test_a_tool_table_is_the_callers_own_copy(tmp_path: Path) -> None:
    root = write(tmp_path, '[tool.bumpversion]\ncurrent_version = "0.1.0"\nfiles = []\n')
    first = config.tool_table(root, "bumpversion")
    assert first is not None
    first["current_version"] = "9.9.9"
    first["files"].append("x")
    assert config.tool_table(root, "bumpversion") == {"current_version": "0.1.0", "files": []}
    assert config.tool_table(root, "nothing") is None


def test_a_tool_table_of_a_missing_or_broken_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no pyproject\.toml in .*: releasekit works at"):
        config.tool_table(tmp_path, "bumpversion")
    (tmp_path / "pyproject.toml").write_text("[tool\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml is not valid TOML"):
        config.tool_table(tmp_path, "bumpversion")
