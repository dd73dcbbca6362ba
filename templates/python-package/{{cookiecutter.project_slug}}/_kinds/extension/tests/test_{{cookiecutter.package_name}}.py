from importlib.metadata import version

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }} import _core


def test_greet() -> None:
    assert {{ cookiecutter.package_name }}.greet("releasekit") == "Hello, releasekit!"


def test_add_runs_in_the_compiled_module() -> None:
    assert {{ cookiecutter.package_name }}.add(2, 40) == 42
    assert _core.__file__ is not None
    assert not _core.__file__.endswith(".py")


def test_add_refuses_an_overflow() -> None:
    with pytest.raises(OverflowError):
        {{ cookiecutter.package_name }}.add(2**63 - 1, 1)


def test_version_matches_metadata() -> None:
    assert {{ cookiecutter.package_name }}.__version__ == version("{{ cookiecutter.project_slug }}")
