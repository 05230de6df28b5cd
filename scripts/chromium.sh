#!/usr/bin/env bash
# Install Debian's Chromium (/usr/bin/chromium) and the playwright Python package into the
# venv, for the browser tests of the dashboard (tests/test_serve_browser.py) and the
# screenshots.  Idempotent: does nothing that is already done.  Never runs
# `playwright install` (the tests drive /usr/bin/chromium through executable_path).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
      || echo "chromium.sh: could not install chromium; the browser tests will be skipped" >&2
  else
    echo "chromium.sh: /usr/bin/chromium missing and apt-get not usable (root needed);" \
         "the browser tests will be skipped" >&2
  fi
fi

if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c "import playwright" 2>/dev/null; then
  "$VENV/bin/pip" install -q "playwright>=1.40" \
    || echo "chromium.sh: could not install playwright; the browser tests will be skipped" >&2
fi
if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version 2>/dev/null || true; fi
