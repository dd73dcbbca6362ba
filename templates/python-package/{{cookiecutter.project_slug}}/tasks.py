"""Tasks for {{ cookiecutter.project_name }}: bump, fragment, changelog, version, build, check, clean.

They come from releasekit; `invoke --list` lists them.
"""

from releasekit.tasks import namespace

ns = namespace
