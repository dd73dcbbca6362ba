"""The one exception tree of releasekit.

``str(exc)`` is a single line written for the user: what is wrong and what to
do. Whatever a tool printed goes into ``details`` so that front ends can show
it below that line. Both are text to show, so credentials are masked in them
here, once, whoever raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from releasekit import _secrets


class ReleaseKitError(Exception):
    """Base of every error that releasekit reports to its user."""

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(_secrets.mask(message))
        self.details = _secrets.mask(details)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or a signal stopped a release, which says where and what is left.

    Still an interrupt (the front ends exit 130, nothing catches it as an
    error), but one whose line the front end prints instead of a bare
    "interrupted": one ERROR line, not two.
    """

    def __init__(self, message: str) -> None:
        super().__init__(_secrets.mask(message))

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "interrupted"


class ConfigError(ReleaseKitError):
    """The repository's configuration is missing, unknown or of the wrong type."""


class ToolNotFoundError(ReleaseKitError):
    """An external tool that releasekit drives is not installed."""


class CommandError(ReleaseKitError):
    """An external command exited with a non-zero status."""

    def __init__(
        self, args: Sequence[str], returncode: int, tail: str, *, shown: str, message: str = ""
    ) -> None:
        self.command = list(args)
        self.returncode = returncode
        super().__init__(message or f"{shown} failed with exit status {returncode}", details=tail)


class VersionError(ReleaseKitError):
    """A version or version part is invalid."""


class ChangelogError(ReleaseKitError):
    """The changelog or its fragments are unusable."""


class GitError(ReleaseKitError):
    """The git repository is not in a state that releasekit can work with."""


class DistError(ReleaseKitError):
    """Building or checking the distributions failed."""


class WheelError(DistError):
    """A wheel cannot be published as it is (a bare ``linux_*`` wheel), or not repaired."""


class AuditError(ReleaseKitError):
    """The audit found vulnerabilities, or could not look for them."""


class UsageError(ReleaseKitError):
    """A command line that the verb cannot take (an unknown or malformed option)."""


class ReleaseError(ReleaseKitError):
    """A step of the release failed or was refused; the message says what state it left."""


class PyPIRuleError(ReleaseError):
    """The metadata or the files break a rule by which PyPI refuses an upload (pypi_rules)."""


class WorkspaceError(ReleaseKitError):
    """A workspace cannot be released as a train as it is (a cycle, colliding tags, ...)."""


class PublishError(ReleaseKitError):
    """The index could not be read, or refused the upload."""


class InitError(ReleaseKitError):
    """releasekit init cannot adopt the repository as it is."""


class TemplateError(ReleaseKitError):
    """The template cannot be stamped with the values given."""


class FragmentCheckError(ReleaseKitError):
    """The pull-request check failed: a change without a fragment, or a bad fragment."""
