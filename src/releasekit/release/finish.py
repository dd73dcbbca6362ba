"""The public steps, finished from the journal: after the first run, or by ``--resume``.

:func:`finish` runs the public steps the journal does not record as done,
recording each; :func:`resume` checks the repository still holds the release
first. :func:`load_state` reads the journal back and checks it field by field
against the steps.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from releasekit import _console, git, publish, versions
from releasekit._exceptions import ReleaseError, ReleaseKitError
from releasekit.config import Settings
from releasekit.project import Project
from releasekit.release.journal import (
    KEPT_DIR,
    PHASES,
    STATE_DIR,
    STATE_FILE,
    UPLOADS,
    State,
    clear_state,
    is_digest,
    is_file_name,
    kept_files,
    read_journal,
    refuse,
    save_state,
    state_path,
)
from releasekit.release.request import Request
from releasekit.release.steps import STEPS, Run


def _state_problem(data: Any) -> str:
    """What is wrong with a journal read from disk, or ``""``."""
    if not isinstance(data, dict):
        return "it is not a JSON object"
    hints = {f.name: f for f in dataclasses.fields(State)}
    unknown = sorted(set(data) - set(hints))
    if unknown:
        return f"unknown field {unknown[0]!r}"
    required = [n for n, f in hints.items() if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]  # fmt: skip
    missing = [n for n in required if n not in data]
    if missing:
        return f"field {missing[0]!r} is missing"
    strings = ("project", "version", "tag", "commit", "branch", "remote", "upload_url",
               "simple_url", "repository_name", "repository_source", "phase",
               "head_before")  # fmt: skip
    for name in strings:
        if name in data and not isinstance(data[name], str):
            return f"{name!r} must be a string, not {type(data[name]).__name__}"
    epoch = data["source_date_epoch"]
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        return "'source_date_epoch' must be an integer"
    files = data["files"]
    if not isinstance(files, dict) or not all(
        is_file_name(k) and is_digest(v) for k, v in files.items()
    ):
        return "'files' must map file names to sha256 digests"
    done = data.get("done", [])
    public = [s.name for s in STEPS if s.public]
    if not isinstance(done, list) or not all(isinstance(d, str) and d in public for d in done):
        return f"'done' must be a list of steps among {', '.join(public)}"
    if data.get("phase", "public") not in PHASES:
        return f"'phase' must be one of {', '.join(PHASES)}"
    if data.get("upload", "") not in UPLOADS:
        return "'upload' must be empty, 'started' or 'done'"
    writing = [s.name for s in STEPS if s.writes]
    if data.get("writing", "") not in ("", *writing):
        return f"'writing' must be empty or one of {', '.join(writing)}"
    touched = data.get("touched", {})
    if not isinstance(touched, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in touched.items()
    ):
        return "'touched' must map paths to sha256 digests"
    return ""


def load_state(root: Path) -> State | None:
    """Read the journal; anything off is one line and no action."""
    data = read_journal(state_path(root), _state_problem, "a release state")
    return None if data is None else State(**data)


def finish(run: Run) -> None:
    """Do the public steps the state says are still to do, recording each one."""
    state = run.need_state()
    for step in STEPS:
        if not step.public:
            continue
        if step.name in state.done:
            _console.info(f"{step.name}: already done")
            continue
        if not step.wanted(run.request, state):
            _console.info(f"{step.name}: skipped ({step.skip_flag})")
            continue
        with _console.step(step.name):
            try:
                step.action(run)
            except ReleaseKitError as exc:
                msg = (
                    f"{step.name} failed: {exc}; the release of {state.version} is recorded in "
                    f"{STATE_DIR}/{STATE_FILE}: fix the cause and run again with --resume"
                )
                raise ReleaseError(msg, details=exc.details) from None
            except KeyboardInterrupt:
                _console.error(
                    f"interrupted during {step.name}: the release of {state.version} is "
                    f"recorded in {STATE_DIR}/{STATE_FILE}; run again with --resume to finish it"
                )
                raise
        state.done.append(step.name)
        save_state(run.root, state)
    clear_state(run.root)


def resume(project: Project, request: Request) -> State:
    """Finish the public steps of a recorded release."""
    root = project.root
    state = load_state(root)
    if state is None:
        refuse(f"there is no release in progress to resume (no {STATE_DIR}/{STATE_FILE})")
    if state.phase == "local":
        refuse(
            f"the release of {state.project} {state.version} was interrupted before publishing: "
            "nothing is public, so undo it with --abort and release again"
        )
    # The push names the release commit by SHA, so commits made on top of it since
    # may stay checked out: they are not pushed.
    if not git.contains(root, git.head(root), state.commit):
        refuse(
            f"HEAD no longer contains the release commit of {state.version} "
            f"({state.commit[:12]}): check it out again to resume"
        )
    if not git.local_tag_exists(root, state.tag):
        refuse(f"the tag {state.tag} of the release in progress is missing")
    _console.info(f"resuming the release of {state.project} {state.version}")
    if request.dry_run:
        todo = [s.name for s in STEPS if s.public and s.name not in state.done]
        print(f"Would finish the release of {state.version}: {', '.join(todo) or 'nothing'}")
        return state
    moved = _retarget(project, request, state)
    if "publish" not in state.done:
        # The files verified on the first run, kept beside the journal: never a rebuild.
        files = kept_files(root / STATE_DIR / KEPT_DIR, state.files)
        _console.info(f"{STATE_DIR}/{KEPT_DIR}/ holds the verified files")
        if not request.no_publish:
            from releasekit import pypi_rules

            if moved:  # a new target's rules for the files (PyPI refuses what a mirror took)
                pypi_rules.verify(project, files, state.target)
            pypi_rules.resume(project.settings, state.target,
                              [(state.project, state.version, files)])  # fmt: skip
    if moved:  # recorded only once the new target took the release's files
        save_state(root, state)
    run = Run(project, request, state=state)
    finish(run)
    post_release(run)
    return state


def post_release(run: Run) -> None:
    """With ``post_release_dev``: back to a development version, in its own commit."""
    project, state = run.project, run.need_state()
    if project.settings.post_release_dev:
        from releasekit.versions.development import post_release as back_to_development

        back_to_development(versions.source_for(project), project.root, project.settings,
                            state.version, branch=state.branch, push=not run.request.no_push,
                            base=run.pushed or state.commit)  # fmt: skip


def _retarget(project: Project, request: Request, state: State) -> bool:
    """The recorded target of ``--resume``, or the one given now (:func:`retarget`).

    :returns: whether ``state`` now names another target (not saved yet: a
        refusal of the new target leaves the journal as it was).
    """
    if "publish" in state.done or request.no_publish or state.target is None:
        return False
    target = retarget(project.settings, request.repository, state.target)
    if (target.upload_url, target.name) == (state.upload_url, state.repository_name):
        return False
    state.upload_url, state.simple_url = target.upload_url, target.simple_url
    state.repository_name, state.repository_source = target.name, target.source
    return True


def retarget(
    settings: Settings, repository: str | None, recorded: publish.Target
) -> publish.Target:
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
        given, source = publish.environment_target(), "environment"
    timeout = settings.network_timeout
    target = dataclasses.replace(recorded, timeout=timeout)
    if given:
        target = publish.resolve_target(given, index_url=settings.index_url, timeout=timeout)
        target = dataclasses.replace(target, source=source)
    publish.require_credentials(target)
    if (target.upload_url, target.name) != (recorded.upload_url, recorded.name):
        _console.info(f"publishing to {target.shown} (given now) instead of the recorded "
                      f"{recorded.shown}")  # fmt: skip
    return target
