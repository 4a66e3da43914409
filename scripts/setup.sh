#!/usr/bin/env bash
# Installs what the project needs on a fresh clone: npm packages (from package-lock.json, cached in ~/.npm) and a
# build of the TypeScript workspaces. Safe to run again: skips the install when node_modules matches the lock.
# (`npm install` rather than `npm ci`: npm 11.19 writes lock files without other platforms' optional packages
# and then refuses them in `npm ci`.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/node-env.sh

# The stamp is the lock file and the Node version it was installed with (native packages follow the Node).
stamp=node_modules/.kconnect-lock-stamp
want="$(node -v; cat package-lock.json)"
if [ ! -f "$stamp" ] || [ "$want" != "$(cat "$stamp")" ]; then
  echo "[setup] npm install"
  npm install --no-audit --no-fund --loglevel=error
  { node -v; cat package-lock.json; } >"$stamp"
fi
echo "[setup] tsc -b (build + type check)"
npx --no-install tsc -b
bash scripts/build-info.sh
