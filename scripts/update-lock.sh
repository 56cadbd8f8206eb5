#!/usr/bin/env bash
# Refresh the dependency locks from pyproject.toml, then run the whole test suite against them
# in a new virtual environment. An upgrade is a deliberate, tested change:
#
#   scripts/update-lock.sh                         # add what pyproject.toml gained, keep the rest
#   scripts/update-lock.sh --upgrade               # every package to its newest allowed release
#   scripts/update-lock.sh --upgrade-package cryptography   # one package (repeatable)
#
# Writes requirements.lock (the tool) and requirements-test.lock (the tool, its tests and the
# dask extra): every package of the tree, pinned, with the SHA-256 of each file, for Python 3.11
# and later on any platform (uv's universal resolution). Commit both only if the suite passes.
set -euo pipefail
cd "$(dirname "$0")/.."

# uv resolves for every Python version at once, which pip-tools cannot; pinned like the rest.
UV_VERSION=0.13.9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Installation de uv $UV_VERSION dans un environnement temporaire…" >&2
python3 -m venv "$work/uv"
"$work/uv/bin/pip" install --quiet "uv==$UV_VERSION"
uv="$work/uv/bin/uv"

compile() {
  "$uv" pip compile pyproject.toml --quiet --universal --python-version 3.11 \
    --generate-hashes --custom-compile-command "scripts/update-lock.sh" "$@"
}
compile "$@" --output-file requirements.lock
# The test lock also covers the dask extra: CI runs the batch tests on a real Dask cluster.
compile "$@" --extra test --extra dask --output-file requirements-test.lock

echo "Suite de tests sur les nouvelles versions…" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --require-hashes --no-deps -r requirements-test.lock
"$work/venv/bin/pip" check
"$work/venv/bin/pip" install --quiet --no-deps -e .
"$work/venv/bin/pytest" -q
echo "Verrous à jour et suite passée : requirements.lock et requirements-test.lock à committer." >&2
