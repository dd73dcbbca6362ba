"""The release of one package or N: named steps, all or nothing before publishing, resumable after.

A single release is the release of one package; a workspace's train the
release of its releasing members (:mod:`releasekit.train` plans them): one
preflight, one list of steps (:data:`STEPS`), one journal, one driver. The
preflight only reads; then the local steps run for every package:
changelog, commit and tag (each version moved, the requirements widened,
uv.lock re-locked, one commit, a tag each), build, verify, checks (on the
release commit, started with the build). Until the first public step every
change is local and is undone on any failure (Ctrl-C included). Publishing
is final, so from there on releasekit records where the release stands in
``.releasekit/state.json`` (ignored by git) and ``--resume`` finishes the
public steps that are left (publish tier by tier, push), doing nothing twice.

Everything that goes out is named by identity: the files are built into
``.releasekit/dist/<package>/`` beside the journal, recorded by sha256 before verify
reads them and uploaded only as those bytes; the push names the release
commit and its tags by SHA, never whatever HEAD is then.

The modules, each importing only the ones before it: ``request`` (what the
engine is asked, built by the command layer), ``cut`` (the :class:`Plan`
of a release: one :class:`Cut` per package), ``journal`` (the one journal,
read back field by field, and the directories releasekit owns),
``restore`` (the snapshot, the undo, the one rollback and the comparison
after it), ``checks`` (the nox sessions), ``preflight`` (what is refused
before anything changes, asked of every package, and a single release's
plan), ``artifacts`` (one package's files, built to confirmed), ``tiers``
(the public steps' work, tier by tier published and confirmed, then the
push), ``steps`` (:data:`STEPS` and what they share), ``plan`` (a single
release's dry-run plan), ``interrupts`` (the signals, the one-line
failure), ``finish`` (the public steps in order, journaled, ``--resume``
and its retarget) and ``driver`` (the lock, the cut, the one ``--abort``).
This package re-exports what the other modules use.
"""

from releasekit._exceptions import ReleaseError
from releasekit.release.checks import check_sessions, run_checks
from releasekit.release.cut import Cut, Plan
from releasekit.release.driver import abort, cut, locked, reached, release
from releasekit.release.finish import finish, recorded_release, resume, retarget, retarget_state
from releasekit.release.interrupts import SIGNALS, failure
from releasekit.release.journal import (
    PHASES,
    UPLOADS,
    Package,
    State,
    check_own_dirs,
    clear_state,
    is_digest,
    is_file_name,
    kept_files,
    load_state,
    mirror,
    own_dir,
    read_journal,
    remove_journal,
    save_state,
    write_journal,
)
from releasekit.release.preflight import (
    check_gitlinks,
    check_index_holds_only,
    check_one_parent,
    check_touched,
    unchanged_since_preflight,
    version_on_index,
)
from releasekit.release.request import Request
from releasekit.release.restore import (
    Before,
    differences,
    outcome,
    recorded,
    release_commit,
    rollback,
    snapshot,
    undo,
)
from releasekit.release.steps import STEPS, Run
from releasekit.release.tiers import published

__all__ = [
    "PHASES",
    "SIGNALS",
    "STEPS",
    "UPLOADS",
    "Before",
    "Cut",
    "Package",
    "Plan",
    "ReleaseError",
    "Request",
    "Run",
    "State",
    "abort",
    "check_gitlinks",
    "check_index_holds_only",
    "check_one_parent",
    "check_own_dirs",
    "check_sessions",
    "check_touched",
    "clear_state",
    "cut",
    "differences",
    "failure",
    "finish",
    "is_digest",
    "is_file_name",
    "kept_files",
    "load_state",
    "locked",
    "mirror",
    "outcome",
    "own_dir",
    "published",
    "reached",
    "read_journal",
    "recorded",
    "recorded_release",
    "release",
    "release_commit",
    "remove_journal",
    "resume",
    "retarget",
    "retarget_state",
    "rollback",
    "run_checks",
    "save_state",
    "snapshot",
    "unchanged_since_preflight",
    "undo",
    "version_on_index",
    "write_journal",
]
