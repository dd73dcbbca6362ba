"""{{ cookiecutter.description }}"""

__version__ = "{{ cookiecutter.version }}"

__all__ = ["__version__", "greet"]


def greet(name: str = "world") -> str:
    """Return a greeting for ``name``."""
    return f"Hello, {name}!"
