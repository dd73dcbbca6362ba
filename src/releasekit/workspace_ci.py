"""The GitHub workflows of a stamped workspace (``releasekit new layout=workspace``).

GitHub reads workflows at the repository's root only, so the members' own
(from the package template) are removed and these take their place: ``ci.yml``
runs every member's nox sessions, ``release.yml`` builds the members whose
release tags point at a pushed commit and publishes them through trusted
publishing, one upload per member in the order of their dependencies, from
one job. The actions are pinned by the same hashes as the package template's.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The newest CPython minor version the test matrix reaches (as the package template's).
NEWEST_MINOR = 14

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0"
SETUP_UV = "astral-sh/setup-uv@20cfd1bf945f4377ade1205e4dbc17946fc9a30d # v10.0.1"
UPLOAD = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0"
DOWNLOAD = "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1"
PYPI_PUBLISH = "pypa/gh-action-pypi-publish@ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e # v1.13.0"

CI = """\
# Checks every push and pull request with each member's own nox sessions (from
# releasekit), in every directory of packages/: `tests` on each Python version
# that requires-python admits, then `style`, `typecheck`, `docs` and `build`.
# A pull request that changes a member must add a changelog fragment to it
# (releasekit check --fragment, in each member).
name: CI

on:
  push:
    branches: ["main", "master"]
  pull_request:
  workflow_dispatch:

# Nothing by default; each job asks for what it needs (read the code).
permissions: {}

concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true

env:
  FORCE_COLOR: "1"
  # nox runs from uvx and its sessions make their environments with uv.
  NOX_DEFAULT_VENV_BACKEND: uv

jobs:
  tests:
    name: tests (Python ${{ matrix.python-version }})
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    strategy:
      fail-fast: false
      matrix:
        python-version: [@MATRIX@]
    steps:
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
      - uses: @SETUP_PYTHON@
        id: python
        with:
          python-version: ${{ matrix.python-version }}
      - uses: @SETUP_UV@
        with:
          enable-cache: false
      - name: nox -s tests, in every member
        env:
          UV_PYTHON: ${{ steps.python.outputs.python-path }}
        run: |
          for member in packages/*/; do
            echo "::group::${member}"
            (cd "${member}" && uvx nox -s tests)
            echo "::endgroup::"
          done

  checks:
    name: style, typecheck, docs, build
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    steps:
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
      - uses: @SETUP_PYTHON@
        id: python
        with:
          python-version: "3.@NEWEST@"
      - uses: @SETUP_UV@
        with:
          enable-cache: false
      - name: nox -s style typecheck docs build, in every member
        env:
          UV_PYTHON: ${{ steps.python.outputs.python-path }}
        run: |
          for member in packages/*/; do
            echo "::group::${member}"
            (cd "${member}" && uvx nox -s style typecheck docs build)
            echo "::endgroup::"
          done

  changelog:
    name: changelog fragments
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
    steps:
      - uses: @CHECKOUT@
        with:
          # The whole history: the check compares with where the branch left the base.
          fetch-depth: 0
          persist-credentials: false
      - uses: @SETUP_UV@
        with:
          enable-cache: false
      - name: releasekit check --fragment, in every member
        env:
          BASE_REF: ${{ github.base_ref }}
        run: |
          for member in packages/*/; do
            (cd "${member}" \\
              && uvx --from releasekit releasekit check --fragment --base "origin/${BASE_REF}")
          done
"""

RELEASE = """\
# Publishes the members whose release tags point at a pushed commit. A release
# (`nox -s release -- --no-publish` at the root: the train) pushes its commit
# and one tag per member it released, in one atomic push; GitHub starts no
# workflow for a push of more than three tags, so this one runs on the push
# of the branch and reads the tags itself (a push without them builds nothing).
# Each tagged member is built once, checked, and handed to one job that
# publishes them through trusted publishing, with attestations, one upload per
# member in the order of their dependencies on each other: no token is stored
# anywhere. Then each tag gets its GitHub release, with the member's notes.
# On PyPI, add a trusted publisher for each member's project: this repository,
# the workflow file `release.yml` and the environment `pypi`.
name: Release

on:
  push:
    branches: ["main", "master"]

permissions: {}

# One release at a time per commit; never cancel one that is publishing.
concurrency:
  group: ${{ github.workflow }}-${{ github.sha }}
  cancel-in-progress: false

jobs:
  build:
    name: Build and check the tagged members
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    outputs:
      tags: ${{ steps.build.outputs.tags }}
    steps:
      - uses: @CHECKOUT@
        with:
          # The tags, to find the members released by this commit.
          fetch-depth: 0
          persist-credentials: false
      - uses: @SETUP_UV@
        with:
          # No cache in a release: nothing from another run may reach the files.
          enable-cache: false
      - name: Build the tagged members (reproducibly, from the tagged commit), in order
        id: build
        env:
          # The members, in the order of their dependencies on each other.
          MEMBERS: "@MEMBERS@"
        run: |
          SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"
          export SOURCE_DATE_EPOCH
          built=""
          for member in ${MEMBERS}; do
            tag="$(git tag --points-at HEAD --list "${member}-v*")"
            if [ -z "${tag}" ]; then
              continue
            fi
            version="${tag#"${member}"-v}"
            package="$(echo "${member}" | tr '-' '_')"
            uvx --from build pyproject-build --installer uv \\
              --outdir "dist/${member}/" "packages/${member}"
            uvx twine check --strict "dist/${member}/"*
            # The tag names the version that was built.
            test -f "dist/${member}/${package}-${version}.tar.gz"
            test -f "dist/${member}/${package}-${version}-py3-none-any.whl"
            built="${built} ${tag}"
          done
          echo "tags=${built# }" >> "${GITHUB_OUTPUT}"
      - uses: @UPLOAD@
        if: steps.build.outputs.tags != ''
        with:
          name: dist
          path: dist/
          if-no-files-found: error

  publish:
    name: Publish to PyPI
    needs: build
    if: needs.build.outputs.tags != ''
    runs-on: ubuntu-latest
    timeout-minutes: 10
    environment:
      name: pypi
    permissions:
      # PyPI trusts this job's OIDC token; it signs the attestations.
      id-token: write # trusted publishing, with attestations
    steps:
      - uses: @DOWNLOAD@
        with:
          name: dist
          path: dist/
      # One upload per member, in the order of their dependencies: a member's
      # requirement on a sibling's new version finds it on the index.
@PUBLISH_STEPS@
  github-release:
    name: Create the GitHub releases
    needs: [build, publish]
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: write # gh release create: the only job that may write to the repository
    steps:
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
      - uses: @SETUP_UV@
        with:
          enable-cache: false
      - name: gh release create, for each tag, with the member's notes
        env:
          GH_TOKEN: ${{ github.token }}
          TAGS: ${{ needs.build.outputs.tags }}
        run: |
          for tag in ${TAGS}; do
            member="${tag%-v*}"
            version="${tag##*-v}"
            (cd "packages/${member}" && uvx --from releasekit releasekit notes "${version}") \\
              > release-notes.md
            prerelease=""
            case "${version}" in
              *a[0-9]* | *b[0-9]* | *rc[0-9]*) prerelease="--prerelease" ;;
            esac
            gh release create "${tag}" --repo "${GITHUB_REPOSITORY}" --verify-tag \\
              --title "${tag}" --notes-file release-notes.md ${prerelease}
          done
"""

PUBLISH_STEP = """\
      - name: Publish @MEMBER@
        if: hashFiles('dist/@MEMBER@/*') != ''
        uses: @PYPI_PUBLISH@
        with:
          packages-dir: dist/@MEMBER@/
          attestations: true
"""

_PINS = {
    "@CHECKOUT@": CHECKOUT,
    "@SETUP_PYTHON@": SETUP_PYTHON,
    "@SETUP_UV@": SETUP_UV,
    "@UPLOAD@": UPLOAD,
    "@DOWNLOAD@": DOWNLOAD,
    "@PYPI_PUBLISH@": PYPI_PUBLISH,
}


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in {**_PINS, **values}.items():
        text = text.replace(key, value)
    return text


def workflows(members: Sequence[str], requires_python: str = "3.10") -> dict[str, str]:
    """``ci.yml`` and ``release.yml`` for ``members`` (directories of packages/, in order).

    :param members: the members, each before those that depend on it.
    :param requires_python: the lowest Python version, as the template's context gives it.
    """
    lowest = int(requires_python.split(".")[1])
    matrix = ", ".join(f'"3.{minor}"' for minor in range(lowest, NEWEST_MINOR + 1))
    steps = "".join(_fill(PUBLISH_STEP, {"@MEMBER@": member}) for member in members)
    return {
        "ci.yml": _fill(CI, {"@MATRIX@": matrix, "@NEWEST@": str(NEWEST_MINOR)}),
        "release.yml": _fill(RELEASE, {"@MEMBERS@": " ".join(members), "@PUBLISH_STEPS@": steps}),
    }
