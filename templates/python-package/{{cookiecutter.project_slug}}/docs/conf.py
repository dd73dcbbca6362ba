"""Sphinx configuration for {{ cookiecutter.project_name }}."""

from importlib.metadata import version as _version

project = "{{ cookiecutter.project_name }}"
author = "{{ cookiecutter.author_name }}"
copyright = "{{ cookiecutter.year }}, {{ cookiecutter.author_name }}"
release = _version("{{ cookiecutter.project_slug }}")
version = release
extensions = ["sphinx.ext.autodoc"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
