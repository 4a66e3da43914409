#!/usr/bin/env bash
# Benchmarks on the real local services: `npm run bench -- file [N] [--runtimes=kconnect,java]`, `-- http`, `-- mqtt`,
# `-- cassandra`, `-- producer [N]`, `-- transforms`, `-- converters`, `-- failover`. Each takes `--kafka-client=platformatic|kafkajs` (or KCONNECT_BENCH_KAFKA_CLIENT):
# the kconnect worker's Kafka client (`kafka.client`) and the bench's own; `producer` compares the clients themselves.
# Builds, starts Kafka, fetches Apache Kafka Connect (Java) — the reference the file numbers are compared with — and
# prints both runtimes' numbers and their ratio. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh
bash scripts/setup.sh
bash scripts/services.sh start kafka
which=${1:-file}
shift || true
case "$which" in
  file)
    if [[ " $* " != *" --runtimes=kconnect "* ]]; then bash scripts/services.sh fetch connect; fi
    node bench/dist/file-passthrough.js "$@" ;;
  http) node bench/dist/http-source.js "$@" ;;
  mqtt) bash scripts/services.sh start mosquitto; node bench/dist/mqtt-source.js "$@" ;;
  cassandra) bash scripts/services.sh start cassandra; node bench/dist/cassandra-sink.js "$@" ;;
  producer) node bench/dist/producer.js "$@" ;;
  transforms) node bench/dist/transforms.js "$@" ;;
  failover)
    if [[ " $* " == *java* ]]; then bash scripts/services.sh fetch connect; fi
    node bench/dist/failover.js "$@" ;;
  converters) bash scripts/services.sh start registry; node bench/dist/converters.js "$@" ;;
  *) echo "unknown benchmark '$which' (available: file, http, mqtt, cassandra, producer, transforms, converters, failover)" >&2; exit 2 ;;
esac
