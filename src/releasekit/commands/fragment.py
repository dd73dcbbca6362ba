"""``fragment``: a changelog fragment, made by towncrier."""

from __future__ import annotations

from pathlib import Path

from releasekit.commands import FragmentOptions, Verb, not_at_a_workspace_root


def fragment(root: Path, options: FragmentOptions) -> None:
    from releasekit import changelog
    from releasekit._exceptions import UsageError

    issue = (options.issue or "").strip()
    if issue and not issue.isdigit():
        msg = f"--issue {options.issue!r} is not an issue number: give its digits, e.g. --issue 42"
        raise UsageError(msg)
    not_at_a_workspace_root(root, "fragment")
    path = changelog.create(root, options.type, options.text, issue=issue)
    print(f"created {path.relative_to(root)}")


VERB = Verb(
    "fragment",
    FragmentOptions,
    fragment,
    "Add a changelog fragment (towncrier create).",
    console=True,
    invoke="fragment",
    in_project=True,
)
