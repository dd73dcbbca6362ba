"""The compiled part of {{ cookiecutter.package_name }} (src/{{ cookiecutter.package_name }}/_core.c)."""

def add(a: int, b: int, /) -> int:
    """Return a + b, computed in C."""
