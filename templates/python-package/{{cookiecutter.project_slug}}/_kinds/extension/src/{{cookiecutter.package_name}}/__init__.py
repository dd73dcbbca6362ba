"""{{ cookiecutter.description }}"""

from {{ cookiecutter.package_name }}._core import add

__version__ = "{{ cookiecutter.version }}"

__all__ = ["__version__", "add", "greet"]


def greet(name: str = "world") -> str:
    """Return a greeting for ``name``."""
    return f"Hello, {name}!"
