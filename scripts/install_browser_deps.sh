#!/usr/bin/env bash
# What the browser tests (web/tests, marker `browser`) need on a fresh machine: Debian's chromium,
# the Python playwright driver (pinned in requirements.lock) and axe-core, the accessibility
# checker the tests run in each page (pinned below, from the npm registry into var/, never
# served by the app). Idempotent: a machine that has
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

AXE_VERSION="4.14.1"
AXE_DIR="var/browser-deps"
if [ "$(cat "$AXE_DIR/axe-version" 2>/dev/null)" != "$AXE_VERSION" ] \
    || [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        echo "install_browser_deps: installing Debian npm" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
    echo "install_browser_deps: installing axe-core $AXE_VERSION" >&2
    mkdir -p "$AXE_DIR"
    npm install --silent --no-audit --no-fund --no-save --prefix "$AXE_DIR" "axe-core@$AXE_VERSION"
    echo "$AXE_VERSION" > "$AXE_DIR/axe-version"
fi
