"""The release: named steps, all or nothing before publishing, resumable after.

preflight and version only read; then the steps of :data:`STEPS` run in
order: changelog, commit and tag, build, verify, checks (on the release
commit, started with the build), publish, push. Until the
first public step every change is local and is undone on any failure (Ctrl-C
included). Publishing is final, so from there on releasekit records where the
release stands in ``.releasekit/state.json`` (ignored by git) and ``--resume``
finishes the public steps that are left, doing nothing twice. The driver,
the dry-run plan and ``--resume`` all read the same list of steps.

Everything that goes out is named by identity: the files are built into
``.releasekit/dist/<package>/`` beside the journal, recorded by sha256 before verify
reads them and uploaded only as those bytes; the push names the release
commit and its tag by SHA, never whatever HEAD is then.

The modules, each importing only the ones before it: ``request`` (what the
engine is asked, built by the command layer), ``journal`` (the one journal
of a release of one package or N, read back field by field, and the
directories releasekit owns), ``restore`` (the snapshot, the undo, the one
rollback and the comparison after it), ``checks`` (the nox sessions),
``preflight`` (what is refused before anything changes, and the
:class:`~releasekit.release.preflight.Plan`), ``artifacts`` (one package's
files, built to confirmed: a release's and each train member's), ``tiers``
(the public steps' work for N packages, one for a single release: tier by
tier published and confirmed, then the push), ``steps`` (:data:`STEPS` and
what they share), ``plan`` (the dry-run plan), ``interrupts`` (the signals,
the one-line failure), ``finish`` (the public steps in order, journaled,
``--resume`` and its retarget, for a release and a train alike) and
``driver`` (the lock, the release, the one ``--abort``). This package
re-exports what the other modules use; a workspace's train
(``releasekit.train``) adds discovery, tiers, the widening and its plan.
"""

from releasekit._exceptions import ReleaseError
from releasekit.release.checks import check_sessions, run_checks
from releasekit.release.driver import abort, locked, reached, release
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
    "Package",
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
