#!/usr/bin/env bash
# Install everything the tests need, then run them: the README's test command and CI's.
# System packages (headless Chromium, a CJK font, LibreOffice for PDF fixtures, Virtuoso for
# the benchmark/remote tests) come from Debian when run as root; Python packages from PyPI
# into .venv. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(chromium chromium-driver fonts-noto-cjk libreoffice-calc-nogui virtuoso-opensource poppler-utils)
missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "== installing system packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "== missing system packages (browser/PDF/Virtuoso tests will be skipped): ${missing[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
