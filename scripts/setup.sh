#!/usr/bin/env bash
# Installs what the project needs on a fresh clone: npm packages (from package-lock.json, cached in ~/.npm) and a
# build of the TypeScript workspaces. Safe to run again: skips the install when node_modules matches the lock.
# (`npm install` rather than `npm ci`: npm 11.19 writes lock files without other platforms' optional packages
# and then refuses them in `npm ci`.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v node >/dev/null || { echo "setup: Node.js >= 20.19 is required (https://nodejs.org or apt-get install nodejs)" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "setup: Node.js >= 20.19 is required, found $(node -v)" >&2; exit 1; }

stamp=node_modules/.kconnect-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "[setup] npm install"
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
echo "[setup] tsc -b (build + type check)"
npx --no-install tsc -b
