"""Will PyPI take it? Its upload rules refused before anything changes, against real parts.

A stamped project (hatchling, ``pypi_rules = true`` as the template sets it),
a bare remote, pypiserver as the local index (which takes all of it), and a
loopback responder that answers as PyPI does, with upload times. The rules
themselves are tested one by one on metadata text in tests/unit.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from releasekit import backend_metadata, commands, pypi_rules
from releasekit._exceptions import PyPIRuleError
from releasekit.commands import ReleaseOptions
from releasekit.index import Target
from releasekit.project import Project
from tests import index_responder
from tests.conftest import git
from tests.integration.conftest import Index, add_fragment, commit_all, invoke, run, snapshot
from tests.integration.test_release import remote_refs
from tests.integration.test_target import _configure

PYPI = "https://upload.pypi.org/legacy/"
DIRECT = "speedups @ https://example.org/speedups-1.0.tar.gz"


def _append(repo: Path, text: str, what: str) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + text)
    commit_all(repo, what)


def _direct_reference_in_an_extra(repo: Path) -> None:
    """A direct reference (in an extra, so that the install of verify never fetches it)."""
    extra = f'\n[project.optional-dependencies]\nfast = ["{DIRECT}"]\n'
    _append(repo, extra + "\n[tool.hatch.metadata]\nallow-direct-references = true\n", "Direct")


def _classifier(repo: Path, classifier: str) -> None:
    pyproject = repo / "pyproject.toml"
    typed = '    "Typing :: Typed",\n'
    text = pyproject.read_text().replace(typed, f'{typed}    "{classifier}",\n')
    pyproject.write_text(text)
    commit_all(repo, f"Classifier {classifier}")


def _local_versions(repo: Path) -> None:
    """Teach [tool.bumpversion] a local part (``+N``), which the template's never writes."""
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    dev = '    (?:\\\\.(?P<dev_l>dev)(?P<dev_n>0|[1-9]\\\\d*))?\n"""'
    assert dev in text
    text = text.replace(dev, dev[:-3] + '    (?:\\\\+(?P<local>\\\\d+))?\n"""')
    text = text.replace(
        "serialize = [\n", 'serialize = [\n    "{major}.{minor}.{patch}+{local}",\n'
    )
    pyproject.write_text(text)
    commit_all(repo, "Local versions")


def _back(repo: Path) -> None:
    git(repo, "reset", "-q", "--hard", "HEAD~1")


def _refused_everywhere(
    repo: Path, index: Index, *, repository: str = "", **options: object
) -> str:
    """Refused in one line, and the repository, the remote and the index are as they were."""
    before, refs, files = snapshot(repo), remote_refs(repo), index.files()
    opts = ReleaseOptions(yes=True, repository=repository or index.url, no_checks=True,
                          **options)  # type: ignore[arg-type]  # fmt: skip
    with pytest.MonkeyPatch.context() as env, pytest.raises(PyPIRuleError) as info:
        for key, value in index.twine_env().items():  # a login: the refusal is the rules'
            env.setenv(key, value)
        commands.run("release", repo, opts)
    assert snapshot(repo) == before, "a refused release changed the repository"
    assert remote_refs(repo) == refs
    assert index.files() == files
    message = str(info.value)
    assert "\n" not in message
    return message


def test_each_rule_is_refused_before_anything_changes(
    stamped: Path, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_fragment(stamped)

    _direct_reference_in_an_extra(stamped)
    message = _refused_everywhere(stamped, index)
    assert message.startswith(
        "Requires-Dist \"speedups @ https://example.org/speedups-1.0.tar.gz ; extra == 'fast'\": "
        "PyPI refuses a direct URL reference"
    ), message
    assert message.endswith("([tool.releasekit] pypi_rules)")
    _back(stamped)

    _local_versions(stamped)
    message = _refused_everywhere(stamped, index, new_version="0.2.0+1")
    assert message.startswith("Version '0.2.0+1': PyPI refuses a local version (+1)"), message
    _back(stamped)

    # hatchling checks classifiers itself, unless told not to: the rules do not rely on it.
    monkeypatch.setenv("HATCH_METADATA_CLASSIFIERS_NO_VERIFY", "1")
    _classifier(stamped, "Framework :: Nothing :: 9")
    message = _refused_everywhere(stamped, index)
    assert message.startswith("Classifier 'Framework :: Nothing :: 9': PyPI refuses"), message
    # A refused answer is not kept: it may hang on more than the tree (an environment variable).
    head = git(stamped, "rev-parse", "HEAD")
    assert backend_metadata.cached(backend_metadata.tree_of(Project(stamped), head, "")) is None
    _back(stamped)
    _classifier(stamped, "Framework :: Django CMS :: 4.2")
    message = _refused_everywhere(stamped, index)
    assert "a deprecated classifier; use 'Framework :: Django CMS :: 5.0' instead" in message
    _back(stamped)
    monkeypatch.delenv("HATCH_METADATA_CLASSIFIERS_NO_VERIFY")

    # Private classifiers are what an index of one's own is for; PyPI refuses them, and
    # the rules refuse them before the index is asked (which is unreachable from here).
    _classifier(stamped, "Private :: Do Not Upload")
    message = _refused_everywhere(stamped, index, repository=PYPI)
    assert message.startswith("Classifier 'Private :: Do Not Upload': PyPI refuses every"), message
    proc = invoke("release", "--dry-run", "--no-checks", "--repository", index.url, cwd=stamped)
    assert "0.1.0 -> 0.2.0" in proc.stdout
    _back(stamped)

    (stamped / "README.md").unlink()
    (stamped / "README.rst").write_text("Demo Lib\n========\n\n.. no-such-directive:: x\n")
    pyproject = stamped / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('readme = "README.md"',
                                                       'readme = "README.rst"'))  # fmt: skip
    commit_all(stamped, "A README that does not render")
    message = _refused_everywhere(stamped, index)
    assert message.startswith("Description (text/x-rst): does not render on PyPI (line "), message


def test_with_the_key_off_a_local_version_and_a_direct_reference_go_through(
    stamped: Path, index: Index, tmp_path: Path
) -> None:
    _configure(stamped, pypi_rules=False)
    _local_versions(stamped)
    _direct_reference_in_an_extra(stamped)
    add_fragment(stamped)
    invoke("release", "--yes", "--no-checks", "--new-version", "0.2.0+1", "--repository",
           index.url, cwd=stamped, env=index.twine_env())  # fmt: skip
    assert index.files() == ["demo_lib-0.2.0+1-py3-none-any.whl", "demo_lib-0.2.0+1.tar.gz"]
    assert "refs/tags/v0.2.0+1" in remote_refs(stamped)


@pytest.fixture
def pypi_like() -> Iterator[index_responder.Responder]:
    """A loopback index that lists a release's files with upload times, as PyPI does."""
    with index_responder.serve(index_responder.Behaviour("listing")) as responder:
        yield responder


def _ago(days: float) -> str:
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_files_are_not_added_to_a_release_older_than_14_days(
    pypi_like: index_responder.Responder, tmp_path: Path
) -> None:
    target = Target(pypi_like.url + "/legacy/", pypi_like.url + "/simple/")
    wheel, sdist = tmp_path / "demo_lib-0.2.0-py3-none-any.whl", tmp_path / "demo_lib-0.2.0.tar.gz"
    pypi_like.behaviour.files = {sdist.name: _ago(20)}
    with pytest.raises(PyPIRuleError) as info:
        pypi_rules.release_age(target, [("demo-lib", "0.2.0", [wheel, sdist])])
    first = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=20)).date()
    assert str(info.value) == (
        f"demo-lib 0.2.0 was first uploaded on {first.isoformat()}, over 14 days ago: PyPI takes "
        "no new files for it (demo_lib-0.2.0-py3-none-any.whl); release a new version instead"
    )
    pypi_like.behaviour.files = {sdist.name: _ago(3)}  # still open
    pypi_rules.release_age(target, [("demo-lib", "0.2.0", [wheel, sdist])])
    pypi_like.behaviour.files = {sdist.name: _ago(20), wheel.name: _ago(20)}  # nothing to add
    pypi_rules.release_age(target, [("demo-lib", "0.2.0", [wheel, sdist])])
    pypi_like.behaviour.files = {"demo_lib-0.1.0.tar.gz": _ago(400)}  # another release
    pypi_rules.release_age(target, [("demo-lib", "0.2.0", [wheel, sdist])])
    pypi_like.behaviour.files = {"demo-lib-0.2.0.zip": _ago(1)}  # a second sdist
    with pytest.raises(PyPIRuleError, match="PyPI takes only one sdist per release"):
        pypi_rules.release_age(target, [("demo-lib", "0.2.0", [wheel, sdist])])


def _failed_at_publish(repo: Path, index: Index) -> None:
    """A release whose upload failed (a wrong password): recorded, nothing on the index."""
    add_fragment(repo)
    wrong = {**index.twine_env(), "TWINE_PASSWORD": "wrong-wrong-wrong"}
    proc = invoke("release", "--yes", "--no-checks", "--no-push", "--repository", index.url,
                  cwd=repo, check=False, env=wrong)  # fmt: skip
    assert proc.returncode == 1 and "twine could not upload" in proc.stderr, proc.stderr
    assert index.files() == []


def test_resume_to_a_closed_release_is_refused_naming_the_date(
    stamped: Path, index: Index, pypi_like: index_responder.Responder
) -> None:
    _failed_at_publish(stamped, index)
    state = (stamped / ".releasekit/state.json").read_text()
    pypi_like.behaviour.files = {"demo_lib-0.2.0.tar.gz": _ago(30)}
    before = snapshot(stamped)
    proc = invoke("release", "--resume", "--yes", "--no-push", "--repository", pypi_like.url,
                  cwd=stamped, check=False, env=index.twine_env())  # fmt: skip
    first = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)).date()
    assert proc.returncode == 1
    assert f"demo-lib 0.2.0 was first uploaded on {first.isoformat()}, over 14 days ago" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert not [s for s in pypi_like.seen if s.path.endswith("/files/")]
    assert snapshot(stamped) == before
    # The refused target is not recorded: a plain --resume goes where the first run went.
    assert json.loads((stamped / ".releasekit/state.json").read_text()) == json.loads(state)


def test_resume_to_an_index_without_upload_times_says_so_once(stamped: Path, index: Index) -> None:
    _failed_at_publish(stamped, index)
    # The sdist reached the index meanwhile (by hand): the resume adds the wheel to it.
    kept = stamped / ".releasekit/dist/demo-lib/demo_lib-0.2.0.tar.gz"
    (index.packages / kept.name).write_bytes(kept.read_bytes())
    proc = invoke("release", "--resume", "--yes", "--no-push", cwd=stamped,
                  env=index.twine_env())  # fmt: skip
    said = "gives no upload times: the 14-day rule for adding files to a release is not checked"
    assert proc.stderr.count(said) == 1, proc.stderr
    assert index.files() == ["demo_lib-0.2.0-py3-none-any.whl", "demo_lib-0.2.0.tar.gz"]
    # Verify kept the wheel's metadata for the release commit's tree: the next release's
    # preflight (the same tree but for a fragment) finds it without asking the backend.
    add_fragment(stamped, "bugfix", "Another change")
    tree = backend_metadata.tree_of(Project(stamped), git(stamped, "rev-parse", "HEAD"), "")
    found = backend_metadata.cached(tree)
    assert found is not None and "\nVersion: 0.2.0\n" in found[0]
    assert found[1] == "hatchling" and found[2] == frozenset({"LICENSE"})


def test_the_pull_request_check_runs_the_rules(stamped: Path) -> None:
    git(stamped, "checkout", "-q", "-b", "topic")
    _direct_reference_in_an_extra(stamped)
    (stamped / "changelog.d/+fast.feature.md").write_text("Faster with speedups\n")
    commit_all(stamped, "A fragment")
    proc = run([sys.executable, "-m", "releasekit", "check", "--fragment"], stamped, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith('ERROR Requires-Dist "speedups @ https://example.org/'), (
        proc.stderr
    )
    assert proc.stdout == ""


def test_a_train_member_that_breaks_a_rule_stops_the_train(tmp_path: Path, index: Index) -> None:
    from tests.integration.test_train import fragment, make_workspace, release

    root = make_workspace(tmp_path, {"a": "", "b": "a>=0.1,<0.2"})
    member = root / "packages/b"
    _direct_reference_in_an_extra(member)
    fragment(root, "b")
    before, refs = snapshot(root), remote_refs(root)
    proc = release(root, index, check=False)
    assert proc.returncode == 1
    assert 'aborted: Requires-Dist "speedups @ https://example.org/' in proc.stderr, proc.stderr
    assert snapshot(root) == before and remote_refs(root) == refs and index.files() == []


ADDS_A_DIRECT_REFERENCE = '''
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    """Adds a requirement at build time: the wheel's metadata only, never the prepared one."""

    def initialize(self, version, build_data):
        build_data["dependencies"].append("speedups @ https://example.org/speedups-1.0.tar.gz")
'''


def test_verify_holds_the_built_files_to_the_rules_and_rolls_back(
    stamped: Path, index: Index
) -> None:
    (stamped / "hatch_build.py").write_text(ADDS_A_DIRECT_REFERENCE)
    _append(stamped, "\n[tool.hatch.build.targets.wheel.hooks.custom]\n", "A build hook")
    add_fragment(stamped)
    before, refs = snapshot(stamped), remote_refs(stamped)
    proc = invoke("release", "--yes", "--no-checks", "--repository", index.url, cwd=stamped,
                  check=False, env=index.twine_env())  # fmt: skip
    assert proc.returncode == 1
    assert "✓ preflight" in proc.stderr and "✗ verify" in proc.stderr, proc.stderr
    refused = (
        "ERROR verify failed: Requires-Dist 'speedups @ https://example.org/speedups-1.0.tar.gz': "
        "PyPI refuses a direct URL reference"
    )
    assert refused in proc.stderr, proc.stderr
    assert snapshot(stamped) == before and remote_refs(stamped) == refs and index.files() == []
