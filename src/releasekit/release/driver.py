"""The driver: cut, ``--resume`` or ``--abort`` a release, one at a time per repository.

:func:`locked` takes the repository's lock and installs the signal handlers
(for a single release and a train alike); :func:`release` runs the preflight,
the local steps (rolled back on any failure) and then the public ones,
journaled; :func:`resume` finishes those from the journal, which
:func:`load_state` reads back and checks against the steps; :func:`abort`
undoes a release of which nothing is public yet, after :func:`reached` found
nothing of it on the index or the remote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from releasekit import _console, git, workspace
from releasekit._exceptions import ReleaseError, ReleaseKitError
from releasekit.index import Target, index_for
from releasekit.project import Project
from releasekit.release.cut import Plan
from releasekit.release.finish import finish, post_release, resume
from releasekit.release.interrupts import SIGNALS, failure
from releasekit.release.journal import (
    STATE_DIR,
    STATE_FILE,
    Package,
    State,
    load_state,
    refuse,
    save_state,
    subject,
)
from releasekit.release.plan import confirmed, show_plan
from releasekit.release.preflight import preflight, touched_paths, unchanged_since_preflight
from releasekit.release.request import Request
from releasekit.release.restore import (
    copies_for,
    outcome,
    recorded,
    release_commit,
    rollback,
    snapshot,
    unfit_head_before,
)
from releasekit.release.steps import STEPS, Run, record_written

T = TypeVar("T")


#: The journal of a release (or a train), relative to the project (or workspace) root.
JOURNAL = f"{STATE_DIR}/{STATE_FILE}"


def _described(journal: Path) -> tuple[str, str]:
    """What an unfinished journal records and how to end it, read leniently (any shape)."""
    try:
        data: Any = json.loads(journal.read_text())
    except (OSError, ValueError):
        data = None
    data = data if isinstance(data, dict) else {}
    packages = data.get("packages")
    packages = [p for p in packages if isinstance(p, dict)] if isinstance(packages, list) else []
    what = "a release train"
    if len(packages) == 1 and data.get("train") is not True:
        what = f"a release of {packages[0].get('name', '?')} {packages[0].get('version', '?')}"
    local = data.get("phase") == "local"
    return what, "undo it there with --abort" if local else "finish it there with --resume"


def unfinished_elsewhere(root: Path) -> None:
    """Refuse while another worktree holds this project's journal and this one holds none.

    The worktrees share the tags: a release killed in one of them must be
    undone (or finished) there, where its journal and its files are; here it
    would only meet its tag. Asked under the lock, so that journal is no live run's.
    """
    found = git.in_every_worktree(root, JOURNAL)
    if not found or found[0].parent.parent == root.resolve():
        return
    journal = found[0]
    what, how = _described(journal)
    refuse(
        f"{what} is unfinished in another worktree of this repository, "
        f"{journal.parent.parent}: {how}; nothing was changed"
    )


def unfinished_nested(root: Path) -> None:
    """Refuse while a journal is unfinished above ``root`` (a train's) or in a member of it.

    They share the branch: a member's release would push the train's release
    commit, unpublished, and a train a member's. Not asked for ``--abort``,
    which only undoes what is its own: each of two such journals can be undone.
    """
    here = root.resolve()
    top = git.toplevel(here).resolve()
    above = [d for d in here.parents if d.is_relative_to(top)]
    where = "above this project"
    found = [d / JOURNAL for d in above if (d / JOURNAL).is_file()]
    if not found:
        try:
            members = workspace.member_roots(here) if workspace.is_workspace(here) else []
        except ReleaseKitError:  # the preflight names what is wrong with the configuration
            members = []
        where = "in a member of this workspace"
        found = [m / JOURNAL for m in members if m != here and (m / JOURNAL).is_file()]
    if found:
        what, how = _described(found[0])
        refuse(f"{what} is unfinished {where}, {found[0].parent.parent}: {how}; "
               "nothing was changed")  # fmt: skip


def locked(
    root: Path,
    request: Request,
    *,
    cut: Callable[[], T | None],
    resume: Callable[[], T],
    abort: Callable[[], None],
) -> T | None:
    """Cut, ``--resume`` or ``--abort``, one at a time per repository, signals rolling back.

    The one place that takes the repository's lock and installs the signal
    handlers, for a single release and a workspace train alike.
    """
    from releasekit import _lock

    with _lock.held(root), SIGNALS.installed():
        SIGNALS.received.clear()
        unfinished_elsewhere(root)
        if request.abort:
            abort()
            return None
        unfinished_nested(root)
        if request.resume:
            return resume()
        return cut()


def release(project: Project, request: Request) -> State | None:
    """Cut (or resume, or abort) a release of ``project``, holding the repository's lock."""
    from releasekit.release.preflight import single

    git.toplevel(project.root)
    return locked(
        project.root,
        request,
        cut=lambda: cut(
            project,
            request,
            lambda branch: single(project, request, branch),
            show=show_plan,
            question=_question,
        ),
        resume=lambda: resume(project, request),
        abort=lambda: abort(project.root, request),
    )


def _question(plan: Plan) -> str:
    return f"Release {plan.one.settings.project_name} {plan.one.new}?"


def cut(
    project: Project,
    request: Request,
    planned: Callable[[str], Plan],
    *,
    show: Callable[[Run], None],
    question: Callable[[Plan], str],
) -> State | None:
    """Cut the release that ``planned`` gives (one package, or a train): the one sequence.

    The preflight; then the local steps of :data:`STEPS`, each for every
    package, all rolled back on any failure (Ctrl-C included); then the
    public ones, journaled. ``project`` is the root's; ``show`` prints the
    plan and ``question`` asks for it on a terminal (a train's are its tiers).
    """
    root = project.root
    state = load_state(root)
    if state is not None:
        what = f"a release train ({state.summary})" if state.train else (
            f"a release of {state.summary}")  # fmt: skip
        if state.phase == "local":
            refuse(f"{what} was interrupted before publishing: undo it with --abort")
        refuse(f"{what} is already in progress ({JOURNAL}): finish it with --resume")
    run = Run(project, request)

    def decide(plan: Plan) -> bool:  # asked while the checks run
        run.plan = plan
        return confirmed(run, show, question(plan))

    with _console.step("preflight"):
        try:
            run.plan = plan = preflight(project, request, planned,
                                        None if request.dry_run else decide)  # fmt: skip
        except ReleaseKitError:
            raise
        except Exception as exc:  # a library's error (a tarfile's): one line, nothing changed
            raise failure(exc, "preflight", "nothing was changed") from None
    with _console.step("version"):
        for planned_cut in plan.cuts:
            named = f"{planned_cut.name} " if plan.train else ""
            _console.info(f"{named}{planned_cut.current} -> {planned_cut.new} "
                          f"({planned_cut.reason})")  # fmt: skip
    if request.dry_run:
        show(run)
        return None
    unchanged_since_preflight(root, plan.head)

    run.head = git.head(root)
    run.projects = {c.name: c.project for c in plan.cuts}
    # The journal exists before the first change: after kill -9 the next run
    # knows what to undo (--abort).
    run.state = state = State(
        packages=[Package(c.name, c.path, c.new, c.tag, c.import_name, siblings=c.siblings)
                  for c in plan.cuts],
        tiers=[list(tier) for tier in plan.tiers],
        branch=plan.branch,
        remote=project.settings.remote,
        head_before=run.head,
        target=plan.target,
        touched=dict.fromkeys(touched_paths(root, plan)),
        train=plan.train,
    )  # fmt: skip
    before = snapshot(root, state.tags, sorted(state.touched))
    save_state(root, state)
    current = STEPS[0].name
    try:
        for step in STEPS:
            if step.public:
                break
            current = step.name
            if not step.wanted(request, state):
                _console.info(f"{step.name}: skipped ({step.skip_flag})")
                continue
            if step.writes:  # until its writes are recorded, what is in the files is ours
                state.writing = step.name
                save_state(root, state)
            if step.each is not None:
                for each in plan.cuts:
                    current = plan.label(step.name, each)
                    with _console.step(current):
                        step.each(run, each)
            else:
                assert step.action is not None
                with _console.step(step.name):
                    step.action(run)
            record_written(run)
    except BaseException as exc:  # anything, releasekit's or not: roll back, then say it once
        with SIGNALS.held():
            run.stop_checks()
            rolled_back = rollback(root, state, before)
        if plan.train and not isinstance(exc, KeyboardInterrupt) and not SIGNALS.received:
            rolled_back = f"the whole train is rolled back, nothing was uploaded; {rolled_back}"
        raise failure(exc, current, rolled_back) from None
    finally:
        run.stop_checks()  # whatever ended the steps, no check outlives them

    state.phase = "public"
    state.source_date_epoch = run.epoch
    save_state(root, state)
    finish(run)
    post_release(run)
    _console.info(f"released {state.summary} ({' '.join(state.tags)})")
    return state


def reached(
    root: Path,
    remote: str,
    target: Target | None,
    files: dict[str, dict[str, str]],
    tags: list[str],
    commit: str,
    *,
    upload: str = "",
) -> str:
    """What of a release already left this machine, by the journal, the index and the remote.

    ``files``: project -> file name -> sha256. An upload the journal records as
    done is public whatever the index lists (its listing may lag behind, a
    CDN's page). Once an upload started, a file of that name on the index is
    taken as ours even if its listed sha256 differs (a listing may lie); before,
    a file whose bytes are not ours, or a tag of that name on another commit,
    is someone else's. Not knowing (the index or the remote does not answer) is
    a refusal, never a guess. Returns ``""`` when nothing did.
    """
    if target is not None and upload == "done":
        return f"its files were uploaded to {target.shown}"
    if target is not None:
        for project, recorded in files.items():
            try:
                listed = index_for(target).listing(project)
                for name, digest in recorded.items():
                    entry = listed.get(name)
                    if entry and index_for(target).sha256(name, entry) == digest:
                        return f"{name} is on {target.shown}"
                    if entry and upload == "started":
                        return (
                            f"{name} is on {target.shown} with another sha256, after an upload "
                            "began; if it is not this release's, remove it from the index first"
                        )
            except ReleaseKitError as exc:
                msg = (
                    f"cannot tell whether a file of {project} reached {target.shown} ({exc}): "
                    "run --abort again when the index answers, or finish with --resume"
                )
                raise ReleaseError(msg) from None
    if commit and git.has_remote(root, remote):
        for tag in tags:
            if git.remote_tag_commit(root, remote, tag) == commit:
                return f"the tag {tag} is on the remote {remote!r}"
    return ""


def abort(root: Path, request: Request, *, train: bool = False) -> None:
    """Undo a release (or a train) of which nothing is public yet: its journal says what it did."""
    state = load_state(root)
    if state is None:
        kind = "release train" if train else "release"
        refuse(f"there is no {kind} in progress to abort (no {STATE_DIR}/{STATE_FILE})")
    what = subject(state)
    if state.train and not train:
        refuse(
            f"{what} was recorded at a workspace root and {root} is no longer one (its "
            "pyproject.toml declares no [tool.uv.workspace]): put that back, then run --abort "
            "again; nothing was changed"
        )
    git.check_index_unlocked(root)
    unfit = unfit_head_before(root, state.head_before, state.commit)
    if unfit:
        refuse(
            f"{what} cannot be undone from its journal ({unfit}): it would move the branch "
            f"past commits that are not the release's; undo it by hand, then remove "
            f"{STATE_DIR}/; nothing was changed"
        )
    if state.phase != "local":
        done = [f"{p.name} is published" for p in state.packages if p.published]
        done += ["it is pushed"] if "push" in state.done else []
        public = ", ".join(done) or reached(
            root, state.remote, state.target, {p.name: p.files for p in state.packages},
            state.tags, state.commit, upload=state.upload,
        )  # fmt: skip
        if public:
            refuse(f"{what} cannot be undone ({public}): finish it with --resume")
    paths = sorted(state.touched)
    if request.dry_run:
        tags = f"its tag{'s' if len(state.tags) > 1 else ''} {' '.join(state.tags)}"
        print(f"Would undo {what}: its commit, {tags}, and {', '.join(paths)}")
        return
    commit = release_commit(root, state.head_before, state.commit, paths)
    before = recorded(root, state.head_before, commit, state.tags, paths)
    copies = copies_for(root, state)
    with _console.step("abort"), SIGNALS.held():
        rolled_back = rollback(root, state, before, copies)
    saved = f"; what {', '.join(copies.made)} held is saved in {copies.directory}"
    saved = saved if copies.made else ""
    if rolled_back != outcome([]):
        refuse(f"undid what {what} made, but {rolled_back}{saved}")
    if copies.made:
        _console.info(f"undid {what}: the repository is back at {state.head_before[:12]}, as it "
                      f"was before the release{saved}: check it")  # fmt: skip
        return
    _console.info(f"undid {what}: the repository is back at {state.head_before[:12]}, "
                  "as it was")  # fmt: skip
