#!/usr/bin/env bash
# What the browser tests (web/tests, marker `browser`) need on a fresh machine: Debian's chromium
# and the Python playwright driver (pinned in requirements.lock). Idempotent: a machine that has
# both does nothing. `playwright install` is never used: it downloads browser builds from a CDN,
# which this project's machines cannot reach; Playwright drives /usr/bin/chromium instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "install_browser_deps: installing Debian chromium" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium fonts-dejavu-core >/dev/null
fi

if ! "$PY" -c "import playwright" 2>/dev/null; then
    echo "install_browser_deps: installing playwright (pinned)" >&2
    pin="$(grep -iE '^(playwright|greenlet|pyee)==' requirements.lock)"
    # shellcheck disable=SC2086
    "$PY" -m pip install --quiet $pin
fi
