"""releasekit's own documentation builds strictly, and its reference lists everything declared.

The site is built with the real Sphinx (warnings are errors, as in ``nox -s
docs``); the generated reference must then name every option of every verb,
every ``[tool.releasekit]`` key with its default, every variable, every error
class and every step of the release. That the generator follows a changed
declaration is tested on the generator itself (tests/unit/test_docs.py).
"""

from __future__ import annotations

import html
import re
import sys
import typing
from pathlib import Path

import pytest

from releasekit import _docs, _options, commands, config
from tests.conftest import REPO_ROOT, git
from tests.integration.conftest import nox, run


def text_of(page: Path) -> str:
    """A built page as a reader sees it: tags stripped, entities decoded."""
    body = page.read_text()
    body = body[body.index('<div class="body"') :]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(REPO_ROOT / "docs"), str(out)],
        REPO_ROOT,
    )  # fmt: skip
    return out


def verb_sections(page: Path) -> dict[str, str]:
    """The text of each verb's section of the verbs page, by verb name."""
    body = page.read_text()
    parts = re.split(r"<h2>(.*?)<a class=\"headerlink\"", body)
    return {
        html.unescape(re.sub(r"<[^>]+>", "", parts[i])).strip(): html.unescape(
            re.sub(r"<[^>]+>", "", parts[i + 1])
        )
        for i in range(1, len(parts) - 1, 2)
    }


def test_every_verb_lists_every_option(site: Path) -> None:
    sections = verb_sections(site / "reference/verbs.html")
    assert list(sections) == list(commands.VERBS)
    for name, verb in commands.VERBS.items():
        for spec in _options.specs(verb.options):
            spelled = spec.flag.metavar or spec.name.upper() if spec.flag.positional else spec.long
            assert spelled in sections[name], (name, spelled)
            assert spec.flag.help.split(" (")[0] in sections[name], (name, spec.name)


def test_the_front_ends_are_named_with_their_verbs(site: Path) -> None:
    import releasekit.nox as rk_nox
    from releasekit.tasks import TASKS

    sections = verb_sections(site / "reference/verbs.html")
    for task, verb in TASKS.items():
        assert f"invoke {task}" in sections[verb], task
    for session, verb in rk_nox.SESSION_VERBS.items():
        assert f"nox -s {session} --" in sections[verb], session
    console = _docs.console_verbs()
    assert {"new", "status", "notes"} <= set(console)
    for command, verb in console.items():
        assert f"releasekit {command}" in sections[verb], command
    verbs = text_of(site / "reference/verbs.html")
    for session in rk_nox.SESSIONS:
        assert f"nox -s {session}" in verbs, session


def test_every_key_appears_with_its_default_and_variable(site: Path) -> None:
    page = text_of(site / "reference/configuration.html")
    for key, field in config.keys().items():
        default = field.default_factory() if callable(field.default_factory) else field.default
        row = page[page.index(f"\n{key}\n") :]
        shown = "unset" if default is None else _docs.toml_value(default)
        assert shown in row[:400], key
    variables = text_of(site / "reference/environment.html")
    hints = typing.get_type_hints(config.Settings)
    keys = config.keys()
    settable = [key for key in keys if _docs.from_environment(hints[key])]
    assert "branches" in settable and "bump_map" not in settable  # a table is not
    for key in settable:
        assert _docs.env_name(key) in variables, key
    for name in ("TWINE_USERNAME", "TWINE_PASSWORD", "TWINE_REPOSITORY_URL", "RELEASEKIT_VERBOSE"):
        assert name in variables, name


def test_every_error_class_and_step_is_shown(site: Path) -> None:
    from releasekit import _exceptions
    from releasekit.release.steps import STEPS

    errors = text_of(site / "reference/errors.html")
    for name, obj in vars(_exceptions).items():
        if isinstance(obj, type) and issubclass(obj, _exceptions.ReleaseKitError):
            assert name in errors, name
    assert "unknown key {key} in [tool.releasekit] of {source}" in errors
    release = text_of(site / "explanation/release.html")
    for step in STEPS:
        assert step.name in release, step.name


def test_every_page_is_reachable_from_the_index(site: Path) -> None:
    sources = {
        p.relative_to(REPO_ROOT / "docs").with_suffix("").as_posix()
        for p in (REPO_ROOT / "docs").rglob("*")
        if p.suffix in (".md", ".rst") and "_build" not in p.parts
    }
    built = {p.relative_to(site).with_suffix("").as_posix() for p in site.rglob("*.html")}
    assert sources <= built
    assert "Tutorial: a first release in five minutes" in text_of(site / "index.html")


@pytest.mark.slow
def test_the_docs_session_builds_the_site_in_a_fresh_clone(tmp_path: Path) -> None:
    """``nox -s docs`` in a clone: its own environment, the docs group, warnings as errors."""
    clone = tmp_path / "releasekit"
    git(tmp_path, "clone", "-q", str(REPO_ROOT), str(clone))
    result = nox("-s", "docs", cwd=clone)
    assert "Session docs was successful" in result.stdout + result.stderr
    assert (clone / "docs/_build/html/reference/verbs.html").is_file()


def test_read_the_docs_builds_what_the_docs_session_builds() -> None:
    """Same dependency group, same strict flags, and a configuration RTD's schema accepts."""
    import inspect

    import yaml

    import releasekit.nox as rk_nox

    path = REPO_ROOT / ".readthedocs.yaml"
    jobs = yaml.safe_load(path.read_text())["build"]["jobs"]
    assert any(line.endswith("install -e . --group docs") for line in jobs["install"])
    (build,) = jobs["build"]["html"]
    session = inspect.getsource(rk_nox.docs)
    for flag in ("-W", "--keep-going", "-b", "html"):
        assert f" {flag} " in build and f'"{flag}"' in session, flag
    assert " docs " in build and config.Settings().docs_dir == "docs"
    checker = Path(sys.executable).parent / "check-jsonschema"
    run([str(checker), "--builtin-schema", "vendor.readthedocs", str(path)], REPO_ROOT)


def test_the_built_reference_follows_a_changed_declaration(tmp_path: Path) -> None:
    """A copy of the checkout: drop an option and add a key, rebuild, and the pages follow.

    The second build is incremental, as a maintainer's repeated ``nox -s
    docs`` is: the reference pages depend on the sources they are made from.
    """
    import shutil

    shutil.copytree(REPO_ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO_ROOT / "src", tmp_path / "src")
    # The console script's parser lists the template's keys: it reads the template.
    shutil.copytree(REPO_ROOT / "templates", tmp_path / "templates")
    out = tmp_path / "docs/_build/html"
    build = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
             str(tmp_path / "docs"), str(out)]  # fmt: skip
    run(build, tmp_path)
    assert "--no-confirm" in verb_sections(out / "reference/verbs.html")["release"]
    assert "added_key" not in text_of(out / "reference/configuration.html")

    options = tmp_path / "src/releasekit/options.py"
    lines = options.read_text().splitlines(keepends=True)
    (line,) = [i for i, text in enumerate(lines) if text.strip().startswith("no_confirm:")]
    options.write_text("".join(lines[:line] + lines[line + 1 :]))
    settings = tmp_path / "src/releasekit/config.py"
    marker = "    # Not keys of the table: where it was read from.\n"
    added = '    #: A key the test added.\n    added_key: str = "here"\n\n'
    settings.write_text(settings.read_text().replace(marker, added + marker))
    run(build, tmp_path)

    release = verb_sections(out / "reference/verbs.html")["release"]
    assert "--no-confirm" not in release and "--no-push" in release
    keys = text_of(out / "reference/configuration.html")
    assert "added_key" in keys and "A key the test added." in keys and '"here"' in keys
    assert "RELEASEKIT_ADDED_KEY" in text_of(out / "reference/environment.html")
