#!/usr/bin/env bash
# Benchmarks on the real local services: `npm run bench -- file [N]`. Prints numbers; see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/services.sh start kafka
which=${1:-file}
shift || true
case "$which" in
  file) node bench/dist/file-passthrough.js "$@" ;;
  *) echo "unknown benchmark '$which' (available: file)" >&2; exit 2 ;;
esac
