from importlib.metadata import version

import {{ cookiecutter.package_name }}


def test_greet() -> None:
    assert {{ cookiecutter.package_name }}.greet("releasekit") == "Hello, releasekit!"


def test_version_matches_metadata() -> None:
    assert {{ cookiecutter.package_name }}.__version__ == version("{{ cookiecutter.project_slug }}")
