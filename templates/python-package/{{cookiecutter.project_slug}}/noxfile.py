# /// script
# dependencies = ["nox>=2025.2.9", "releasekit"]
# ///
"""Sessions for {{ cookiecutter.project_name }}.

tests, style, typecheck, docs, build, audit, changelog, release.

They come from releasekit; `nox -l` lists them. `nox` alone runs the checks,
never a release.
"""

import releasekit.nox  # noqa: F401  (registers the sessions)
