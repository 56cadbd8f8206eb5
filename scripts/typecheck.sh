#!/usr/bin/env bash
# Type check: mypy, with the [tool.mypy] settings of pyproject.toml (strict; the lab without
# strict mode's annotation demands), on the package as the README's install lays it out.
#
#   scripts/typecheck.sh            # with .venv/bin/python (the README's test environment)
#   PYTHON=/path/python scripts/typecheck.sh
#
# The package is installed non-editable into a temporary folder: only there does the
# audit/ → rgpd_audit mapping of pyproject.toml exist as folders mypy can find (an editable
# install resolves it through an import hook mypy does not run). mypy runs from that folder,
# so the checkout's source folders are not mistaken for packages. Exit status 1 on any error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Built from a copy: setuptools never cleans build/, so a module removed from the sources but
# left there by an earlier build would end up in the wheel (tests/packaging/test_wheel.py too).
"$python" - "$root" "$work/source" <<'PY'
import shutil
import sys

shutil.copytree(
    sys.argv[1],
    sys.argv[2],
    ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "rgpd-audit-*"
    ),
)
PY
# --no-build-isolation: setuptools comes from the test lock, nothing is downloaded. Its
# output is shown only on failure (setuptools warns about the data folders lab/zones and
# report_templates/partials, which package-data ships on purpose).
if ! "$python" -m pip install --quiet --no-deps --no-build-isolation --target "$work/site" \
  "$work/source" >"$work/pip.out" 2>&1; then
  cat "$work/pip.out" >&2
  echo "typecheck : installation du paquet impossible" >&2
  exit 1
fi

# The cache outlives the run (third-party modules are then not analysed again); the package
# itself, at a new path each time, is always checked afresh.
cache=${MYPY_CACHE_DIR:-$root/.mypy_cache}
status=0
(cd "$work" && MYPYPATH="$work/site" "$python" -m mypy --config-file "$root/pyproject.toml" \
  --cache-dir "$cache" -p rgpd_audit) >"$work/mypy.out" 2>&1 || status=$?
# Paths relative to the package: rgpd_audit/net/smtp.py:12: error: …
sed -e "s#^site/##" -e "s#^$work/site/##" "$work/mypy.out"
errors=$(grep -c ': error: ' "$work/mypy.out" || true)
if [ "$status" -ne 0 ] || [ "$errors" -ne 0 ]; then
  echo "mypy : $errors erreur(s) de typage (code $status)" >&2
  exit 1
fi
echo "mypy : 0 erreur de typage" >&2
