"""Tasks for {{ cookiecutter.project_name }}.

bump, fragment, changelog, version, release, build, publish, audit, check, clean, init, status.

They come from releasekit; `invoke --list` lists them.
"""

from releasekit.tasks import namespace

ns = namespace
