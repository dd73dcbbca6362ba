"""The public steps, finished from the journal: after the first run, or by ``--resume``.

:func:`finish` runs the public steps the journal does not record as done,
recording each; :func:`resume` checks the repository still holds the release
first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from releasekit import _console, git
from releasekit._exceptions import ReleaseError, ReleaseKitError
from releasekit.config import Settings
from releasekit.index import Target, environment_target, require_credentials, resolve_target
from releasekit.project import Project
from releasekit.release.interrupts import interrupted
from releasekit.release.journal import (
    KEPT_DIR,
    STATE_DIR,
    STATE_FILE,
    State,
    clear_state,
    kept_files,
    load_state,
    refuse,
    save_state,
    subject,
)
from releasekit.release.request import Request
from releasekit.release.steps import STEPS, Run


def finish(run: Run) -> None:
    """Do the public steps the state says are still to do, recording each one.

    For a single release and a train alike (:mod:`releasekit.release.tiers`
    does each step's work, package by package); a failure is one line that
    says the release is recorded, and ``--resume`` finishes it.
    """
    state = run.need_state()
    # "the release of 0.2.0", "the train (a 0.2.0, b 0.1.1)"
    what = (
        f"the train ({state.summary})" if state.train else f"the release of {state.package.version}"
    )
    for step in STEPS:
        if not step.public:
            continue
        if step.name in state.done:
            _console.info(f"{step.name}: already done")
            continue
        if not step.wanted(run.request, state):
            _console.info(f"{step.name}: skipped ({step.skip_flag})")
            continue
        assert step.action is not None, "a public step is the whole release's"
        with _console.step(step.name):
            try:
                step.action(run)
            except ReleaseKitError as exc:
                msg = (
                    f"{step.name} failed: {exc}; {what} is recorded in "
                    f"{STATE_DIR}/{STATE_FILE}: fix the cause and run again with --resume"
                )
                raise ReleaseError(msg, details=exc.details) from None
            except KeyboardInterrupt as exc:
                left = (
                    f"{what} is recorded in {STATE_DIR}/{STATE_FILE}; "
                    "run again with --resume to finish it"
                )
                raise interrupted(exc, step.name, left) from None
        state.done.append(step.name)
        save_state(run.root, state)
    clear_state(run.root)


def recorded_release(root: Path, *, train: bool = False) -> State:
    """The journal that ``--resume`` finishes: public, its commit under HEAD, its tags here.

    The push names the release commit by SHA, so commits made on top of it
    since may stay checked out: they are not pushed.
    """
    state = load_state(root)
    if state is None:
        kind = "release train" if train else "release"
        refuse(f"there is no {kind} in progress to resume (no {STATE_DIR}/{STATE_FILE})")
    what = subject(state)
    if state.train and not train:  # here the single path would push every member's tag
        refuse(
            f"the release in progress is a train of {len(state.packages)} packages "
            f"({state.summary}), recorded at the root of their workspace, which {root} is no "
            "longer: restore its [tool.uv.workspace] table in pyproject.toml as it was, then "
            "resume (or abort) the train there"
        )
    if state.phase == "local":
        refuse(
            f"{what} was interrupted before publishing: nothing is public, so undo it with "
            "--abort and release again"
        )
    if not git.contains(root, git.head(root), state.commit):
        refuse(
            f"HEAD no longer contains the release commit of {what} ({state.commit[:12]}): "
            "check it out again to resume"
        )
    missing = [t for t in state.tags if not git.local_tag_exists(root, t)]
    if missing:
        refuse(f"the tag {missing[0]} of {what} is missing")
    _console.info(f"resuming {what}")
    return state


def resume(
    project: Project,
    request: Request,
    members: Callable[[State], dict[str, Project]] | None = None,
) -> State:
    """Finish the public steps of a recorded release (of one package, or a train).

    :param members: a train's: each member's project by name, read from the
        journal (their own ``pypi_rules`` and ``post_release_dev`` apply).
    """
    root = project.root
    state = recorded_release(root, train=members is not None)
    projects = members(state) if members is not None else {state.package.name: project}
    left = [p for p in state.packages if not p.published]
    if request.dry_run:
        todo = [] if "publish" in state.done else [
            f"publish {p.name}" if state.train else "publish" for p in left]  # fmt: skip
        todo += [] if "push" in state.done or request.no_push else ["push"]
        print(f"Would finish {subject(state)}: {', '.join(todo) or 'nothing'}")
        return state
    # The target (retargeted by --repository) and its credentials before anything
    # else, as in the preflight; only for what is not uploaded yet.
    moved = False
    if left and "publish" not in state.done and not request.no_publish and state.target:
        moved = retarget_state(project.settings, request.repository, state)
    adding = []
    for package in left if "publish" not in state.done else []:
        # The files verified on the first run, kept beside the journal: never a rebuild.
        files = kept_files(package.kept_dir(root), package.files)
        _console.info(f"{STATE_DIR}/{KEPT_DIR}/{package.name}/ holds the verified files")
        if request.no_publish:
            continue
        from releasekit import pypi_rules

        own = projects[package.name]
        if moved:  # a new target's rules for the files (PyPI refuses what a mirror took)
            pypi_rules.verify(own, files, state.target)
        if state.target is not None and pypi_rules.enabled(own.settings, state.target):
            adding.append((package.name, package.version, files))
    if adding:  # PyPI closes a release to new files 14 days after its first upload
        from releasekit import pypi_rules

        assert state.target is not None
        pypi_rules.release_age(state.target, adding)
    if moved:  # recorded only once the new target took the release's files
        save_state(root, state)
    run = Run(project, request, state=state, resumed=True, projects=projects)
    finish(run)
    post_release(run)
    _console.info(f"released {state.summary} ({' '.join(state.tags)})")
    return state


def post_release(run: Run) -> None:
    """With ``post_release_dev``: back to a development version, in a commit of its own."""
    from releasekit.release.development import back_to_development

    state = run.need_state()
    back_to_development(
        run.root,
        [(p.name, run.projects[p.name], p.version) for p in state.packages],
        train=state.train,
        release_commit=run.pushed or state.commit,
        remote=state.remote,
        branch=state.branch,
        push="push" in state.done,
        timeout=run.project.settings.network_timeout,
    )


def retarget_state(settings: Settings, repository: str | None, state: State) -> bool:
    """The target of ``--resume`` for what is not uploaded yet: recorded, or given now.

    Refused once a package is published: the packages of one release install
    each other from one index.

    :returns: whether ``state`` now names another target (not saved yet: a
        refusal of the new target leaves the journal as it was).
    """
    assert state.target is not None
    recorded = state.target
    target = retarget(settings, repository, recorded)
    state.target = target  # the same, with the network timeout; or the one given now
    if (target.upload_url, target.name) == (recorded.upload_url, recorded.name):
        return False
    done = [p.name for p in state.packages if p.published]
    if done:
        refuse(
            f"{done[0]} of the train is published on {recorded.shown} already: the rest "
            f"cannot go to {target.shown} (its members install each other from one index); "
            "resume without --repository"
        )
    return True


def retarget(settings: Settings, repository: str | None, recorded: Target) -> Target:
    """Resolve the target of ``--resume`` as the first run did, and require its credentials.

    ``--repository`` given now retargets what is not yet uploaded; twine's
    environment does so only when the recorded target came from it (a
    ``[tool.releasekit] repository`` or a ``--repository`` of the first run
    beats a stale ``TWINE_REPOSITORY_URL`` in the shell), as it did then. For
    a release and a train alike.

    :param repository: the ``--repository`` given to ``--resume`` (``""``: none).
    """
    given, source = repository or "", "command line"
    if not given and recorded.source == "environment":
        given, source = environment_target(), "environment"
    timeout = settings.network_timeout
    target = dataclasses.replace(recorded, timeout=timeout)
    if given:
        target = resolve_target(given, index_url=settings.index_url, timeout=timeout)
        target = dataclasses.replace(target, source=source)
    require_credentials(target)
    if (target.upload_url, target.name) != (recorded.upload_url, recorded.name):
        _console.info(f"publishing to {target.shown} (given now) instead of the recorded "
                      f"{recorded.shown}")  # fmt: skip
    return target
