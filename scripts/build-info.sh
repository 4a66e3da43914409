#!/usr/bin/env bash
# Records the build's git commit (16 hex digits, as Java Connect reports Kafka's) in packages/runtime/dist/build-info.json,
# which `GET /` reports as `commit`. Run after `tsc -b` (by `npm run build` and scripts/setup.sh); without git the
# worker reports "unknown".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
commit=$(git rev-parse HEAD 2>/dev/null | cut -c1-16) || commit=""
[ -n "$commit" ] || exit 0
mkdir -p packages/runtime/dist
printf '{"commit":"%s"}\n' "$commit" > packages/runtime/dist/build-info.json
