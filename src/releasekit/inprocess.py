"""bump-my-version and towncrier through their Python APIs, in releasekit's process.

A new interpreter for bump-my-version, towncrier or twine costs about as long as
the work it does (their imports: pydantic, rich, click, jinja2), and a
release asked them three times on its critical path: ``towncrier build``,
``bump`` for the commit and tag, ``twine check`` in verify (the plan asks
bump-my-version's version model, :mod:`releasekit.versions.bumpmyversion`).
Here the same functions their command lines call (``get_configuration``,
``do_bump``, towncrier's click command, twine's ``check``) run in this process: each tool still
reads its own configuration, writes its files and runs git itself. Both find
the repository from the working directory, as their command lines do, so
they run inside it; the release calls them from its main thread, with no
other thread running.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from releasekit import _console, _runner, _secrets
from releasekit._exceptions import ChangelogError, DistError, VersionError

__all__ = ["bump", "towncrier_build", "twine_check"]


@contextlib.contextmanager
def _inside(root: Path) -> Iterator[None]:
    """In ``root``, with git printing paths as they are, and the secrets withheld.

    bump-my-version finds the repository from the working directory, as its
    CLI does; towncrier parses ``git ls-files`` to choose between ``git rm``
    and a bare delete, which left a non-ASCII fragment's deletion unstaged.
    Both tools start git with this process's environment, and git runs the
    repository's hooks: the secrets are withheld meanwhile.
    """
    before = Path.cwd()
    saved = dict(os.environ)
    with _secrets.withheld():
        os.environ.update(_runner.unquoted_paths(os.environ))
        os.chdir(root)
        try:
            yield
        finally:
            os.chdir(before)
            for name in [n for n in os.environ if n.startswith("GIT_CONFIG_") and n not in saved]:
                del os.environ[name]
            os.environ.update({n: v for n, v in saved.items() if n.startswith("GIT_CONFIG_")})


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def bump(
    root: Path,
    config_file: Path,
    new_version: str,
    *,
    commit: bool,
    tag: bool,
    message: str | None = None,
) -> None:
    """``bump-my-version bump --allow-dirty --new-version NEW [--commit] [--tag]``, in-process.

    :param message: the commit message instead of the configured one (``--message``).
    """
    from bumpversion import bump as bmv
    from bumpversion.config import get_configuration

    overrides: dict[str, Any] = {"allow_dirty": True, "commit": commit, "tag": tag}
    if message:
        overrides["message"] = message
    # Its log says a failure again, with a traceback (logger.exception), which
    # no handler of releasekit's shows: the error below says it in one line.
    import logging

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    bmv_logger = logging.getLogger("bumpversion")
    propagate, bmv_logger.propagate = bmv_logger.propagate, False
    bmv_logger.addHandler(handler)
    with _inside(root):
        try:
            cfg = get_configuration(config_file, **overrides)
            bmv.do_bump(None, new_version, cfg, config_file)
        except Exception as exc:  # its own errors, git's (CalledProcessError), a hook's
            details = getattr(exc, "stderr", None) or getattr(exc, "output", None) or ""
            if isinstance(details, bytes):
                details = details.decode(errors="replace")
            msg = f"bump-my-version could not move the version to {new_version}: {_reason(exc)}"
            raise VersionError(msg, details=str(details) or str(exc)) from None
        finally:
            bmv_logger.removeHandler(handler)
            bmv_logger.propagate = propagate


def towncrier_build(root: Path, version: str, *, keep: bool = False) -> None:
    """``towncrier build --yes --version VERSION`` in-process: it stages and removes, as ever.

    :param keep: ``--keep`` instead of ``--yes``: the fragments stay (a pre-release).
    """
    import click
    from towncrier.build import _main

    args = ["--keep" if keep else "--yes", "--version", version, "--dir", str(root)]
    _console.command(f"towncrier build {' '.join(args)}")
    out = io.StringIO()
    with _inside(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            _main.main(args=args, prog_name="towncrier build", standalone_mode=False)
            failed = ""
        except click.ClickException as exc:
            failed = exc.format_message()
        except click.exceptions.Abort as exc:  # click's word for Ctrl-C (or a signal): still one
            cause = exc.__cause__
            raise cause if isinstance(cause, KeyboardInterrupt) else KeyboardInterrupt from None
        except SystemExit as exc:  # its own configuration errors end the process
            failed = "" if exc.code in (0, None) else f"exit status {exc.code}"
        except Exception as exc:  # whatever it raises is its failure
            failed = _reason(exc)
    if _console.is_verbose() and out.getvalue():
        _console.output(out.getvalue())
    if failed:
        msg = f"towncrier build failed: {failed}".splitlines()[0]
        raise ChangelogError(msg, details=out.getvalue() or failed)


def twine_check(files: list[Path]) -> None:
    """``twine check --strict`` on ``files``, in-process; its report becomes the details.

    Call it from the main thread: twine prints its verdicts to stdout, which is
    redirected meanwhile (other threads may only run captured subprocesses).
    """
    import logging

    from twine.commands.check import check

    names = [str(f) for f in files]
    _console.command(f"twine check --strict {' '.join(names)}")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    twine_logger = logging.getLogger("twine")
    twine_logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(out):
            failed = check(names, strict=True)
    except Exception as exc:  # an unreadable file: twine's own error
        failed, out = True, io.StringIO(f"{out.getvalue()}\n{_reason(exc)}")
    finally:
        twine_logger.removeHandler(handler)
    if _console.is_verbose() and out.getvalue():
        _console.output(out.getvalue())
    if failed:
        msg = "twine check --strict found problems in the distributions"
        raise DistError(msg, details=out.getvalue())


def twine_upload(args: list[str], login: Any = None) -> tuple[bool, str]:
    """``twine upload ARGS`` in-process, as its command line would; (failed, its output).

    ``login`` (a :class:`releasekit.index.Credentials`) is the one the
    preflight resolved: put into the parsed options, never in ``os.environ``
    or argv, so twine uses exactly it. The output reads as the command line's would: twine's own
    ``ERROR`` line for the failures its ``main`` knows, else the traceback.
    Call it from the main thread (stdout is redirected meanwhile).
    """
    import argparse
    import http
    import logging
    import traceback

    import requests
    from twine import exceptions, settings
    from twine.commands.upload import upload

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    twine_logger = logging.getLogger("twine")
    twine_logger.addHandler(handler)
    # keyring, which twine asks for a login the target did not need, logs a
    # backend it cannot start (KWallet without D-Bus) with a traceback through
    # Python's last-resort handler: keep it with twine's output (-v, or a failure).
    keyring_logger = logging.getLogger("keyring")
    keyring_logger.addHandler(handler)
    keyring_propagate, keyring_logger.propagate = keyring_logger.propagate, False
    failed = True
    try:
        with contextlib.redirect_stdout(out):
            parser = argparse.ArgumentParser(prog="twine upload")
            settings.Settings.register_argparse_arguments(parser)
            parser.add_argument("dists", nargs="+")
            parsed = parser.parse_args(args)
            if "--repository" in args:
                # The target is releasekit's resolution alone: twine's parser
                # would let a stale TWINE_REPOSITORY_URL override the name.
                parsed.repository_url = None
            if login is not None:
                parsed.username, parsed.password = login.username, login.password
            upload(settings.Settings.from_argparse(parsed), parsed.dists)
            failed = False
    except requests.HTTPError as exc:  # as twine's main says it
        response = exc.response
        code = response.status_code if response is not None else 0
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            phrase = "Unknown Status"
        url = response.url if response is not None else ""
        out.write(f"\nERROR HTTPError: {code} {phrase} from {url}\n")
    except exceptions.TwineException as exc:
        out.write(f"\nERROR {type(exc).__name__}: {exc.args[0] if exc.args else exc}\n")
    except SystemExit as exc:  # argparse: a bad option
        failed = exc.code not in (0, None)
    except Exception as exc:  # an index that is down: the traceback, as twine's would be
        out.write("".join(traceback.format_exception(exc)))
    finally:
        twine_logger.removeHandler(handler)
        keyring_logger.removeHandler(handler)
        keyring_logger.propagate = keyring_propagate
    # Our option, not twine's: its --verbose is releasekit's -v.
    return failed, out.getvalue().replace("Retry with the --verbose option", "Retry with -v")
