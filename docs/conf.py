"""Sphinx configuration for releasekit's own documentation.

The reference pages are generated at build time from the declarations
(``releasekit._docs``, through ``_ext/releasekit_reference.py``); nothing here
reaches the network (no intersphinx), so ``nox -s docs`` builds offline.
"""

import sys
from pathlib import Path

HERE = Path(__file__).parent
# The checkout's declarations, whatever releasekit is installed beside Sphinx.
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE / "_ext"))

from releasekit import __version__  # noqa: E402

project = "releasekit"
author = "releasekit developers"
copyright = "releasekit developers"
release = __version__
version = __version__
extensions = ["myst_parser", "releasekit_reference"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {
    "description": "Release automation for Python packages",
    "page_width": "1100px",
}
# Options are spelled with two hyphens: never turn ``--check`` into an en dash.
smartquotes = False
