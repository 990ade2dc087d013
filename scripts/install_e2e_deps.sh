#!/usr/bin/env bash
# What `make e2e` needs beyond the virtual environment, installed only when missing (safe to run again):
#   - Debian's chromium package at /usr/bin/chromium (never a browser downloaded by a test tool);
#   - the pinned Agents Playground and playwright-core: npm ci --prefix tools/playground;
#   - Python playwright in the venv (normally there already from the `test` extra; it downloads no browser).
# Node.js itself is not installed here: it must already be on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"
PLAYGROUND_DIR="tools/playground"

die() { echo "install_e2e_deps: $*" >&2; exit 1; }

if [ ! -x /usr/bin/chromium ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "/usr/bin/chromium is missing and this is not root: apt-get install chromium"
    SUDO=(sudo)
  fi
  echo "install_e2e_deps: installing Debian's chromium"
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
/usr/bin/chromium --version 2>/dev/null | grep -i chromium || die "/usr/bin/chromium does not run"

command -v node >/dev/null || die "node is not installed (Node.js 20+ is needed for the Agents Playground)"
command -v npm >/dev/null || die "npm is not installed"
pinned="$(node -p "require('./$PLAYGROUND_DIR/package.json').dependencies['@microsoft/m365agentsplayground']")"
installed="$(node -p "try { require('./$PLAYGROUND_DIR/node_modules/@microsoft/m365agentsplayground/package.json').version } catch (e) { '' }")"
if [ "$pinned" != "$installed" ] || [ ! -d "$PLAYGROUND_DIR/node_modules/playwright-core" ]; then
  npm ci --prefix "$PLAYGROUND_DIR" --no-audit --no-fund
fi
echo "install_e2e_deps: Agents Playground $pinned in $PLAYGROUND_DIR/node_modules"

if [ -x "$VENV/bin/python" ]; then
  if ! "$VENV/bin/python" -c "import playwright" 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q "playwright>=1.45"
  fi
  "$VENV/bin/python" -c "from importlib.metadata import version; print('install_e2e_deps: Python playwright', version('playwright'))"
else
  echo "install_e2e_deps: no $VENV yet; the test extra (pip install -e '.[test]') brings Python playwright"
fi
