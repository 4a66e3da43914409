#!/usr/bin/env bash
# Runs every test (unit and integration) on real local services, as a newcomer would with `npm test`:
# installs what is missing, builds, starts Kafka (and stops it again if this script started it), runs jest.
# Jest's machine-readable results land in .cache/jest-results.json (read by .ci/run).
# Extra arguments go to jest, e.g. `npm test -- packages/api`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh

bash scripts/setup.sh

needed=(kafka cassandra mosquitto registry)
started=()
for s in "${needed[@]}"; do
  if ! bash scripts/services.sh health "$s" >/dev/null 2>&1; then
    bash scripts/services.sh start "$s"
    started+=("$s")
  fi
done
cleanup() {
  if [ ${#started[@]} -gt 0 ]; then bash scripts/services.sh stop "${started[@]}" || true; fi
}
trap cleanup EXIT
# Kafka's own command-line tools (console producer/consumer, log dump) for the interoperability tests: fetched here
# once (a no-op when cached) rather than inside a test's time limit.
bash scripts/services.sh fetch kafka-tools
# Apache Kafka Connect (Java), for the tests that migrate a distributed cluster between it and kconnect.
bash scripts/services.sh fetch connect
# Debian's Chromium, for the web console test in a headless browser (test/integration/ui.test.ts, playwright-core).
# apt keeps the downloaded packages in its cache, so a second install on the machine does not download again.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing chromium with apt-get (for test/integration/ui.test.ts)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    fi
  else
    echo "[test] /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get): sudo apt-get install -y chromium" >&2
  fi
fi

mkdir -p .cache
echo "[test] tsc -p tsconfig.test.json (type-check tests) and biome (lint, format)"
npx --no-install tsc -p tsconfig.test.json
npx --no-install biome ci --reporter=summary
export KCONNECT_BOOTSTRAP_SERVERS="${KCONNECT_BOOTSTRAP_SERVERS:-127.0.0.1:9092}"
# @platformatic/kafka is an ES module: jest loads it with Node's require(esm), which needs vm modules.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules --disable-warning=ExperimentalWarning"
npx --no-install jest --ci --runInBand --json --outputFile=.cache/jest-results.json "$@"
