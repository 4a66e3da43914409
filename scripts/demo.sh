#!/usr/bin/env bash
# The main job (`npm start`): installs what is missing, starts Kafka, and runs a standalone worker on :8083 with
# the example pipeline in config/ (a file source fed by a small generator → Kafka → a file sink). Ctrl-C stops
# the worker and the generator; Kafka keeps running (`npm run services -- stop all` stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/services.sh start kafka
mkdir -p .services/demo
touch .services/demo/readings.txt

# A tiny device simulator: one reading a second appended to the source file.
(
  i=0
  while sleep 1; do
    i=$((i + 1))
    printf '{"device":"sensor-%d","ts":%s,"temperature":%s}\n' $((i % 5)) "$(date +%s%3N)" "$((200 + RANDOM % 100))e-1" >> .services/demo/readings.txt
  done
) &
gen=$!
trap 'kill $gen 2>/dev/null || true' EXIT

cat <<MSG

  kconnect demo: worker REST API on http://127.0.0.1:8083
    curl -s localhost:8083/connectors?expand=status | jq
    tail -f .services/demo/readings-out.txt        (records that went through Kafka)
    curl -s localhost:8083/metrics | grep kafka_connect_source
  Worker log below (pino JSON). Ctrl-C to stop.

MSG
node packages/cli/dist/main.js standalone config/worker.properties config/file-source.json config/file-sink.json
