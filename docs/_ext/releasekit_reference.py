"""``.. releasekit-reference:: NAME``: a section of the reference, generated at build time.

The text comes from ``releasekit._docs.SECTIONS`` (the verbs, the
configuration keys, the environment, the errors, the release's steps), made
from the declarations the front ends use, so the reference cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


class ReferenceDirective(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from releasekit import _docs

        name = self.arguments[0]
        if name not in _docs.SECTIONS:
            known = ", ".join(_docs.SECTIONS)
            raise self.error(f"no reference section {name!r} (there are: {known})")
        # The page is made from releasekit's sources: an incremental build
        # (sphinx-build reuses its doctrees) must read it again when they change.
        for source in sorted(Path(_docs.__file__).parent.rglob("*.py")):
            self.env.note_dependency(str(source))
        lines = _docs.SECTIONS[name]()
        container = nodes.section() if name in ("verbs", "errors") else nodes.container()
        nested_parse_with_titles(
            self.state, StringList(lines, source=f"<releasekit reference: {name}>"), container
        )
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("releasekit-reference", ReferenceDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
