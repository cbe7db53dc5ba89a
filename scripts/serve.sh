#!/usr/bin/env bash
# Install policykg, build the graph from data/ into the embedded store, and serve the
# SPARQL endpoint and web page on http://127.0.0.1:8000/ (the README's main command).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
.venv/bin/policykg build
exec .venv/bin/policykg serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
