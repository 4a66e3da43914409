#!/usr/bin/env bash
# The main job (`npm start`): the IoT pipeline on real local services.
#   simulated devices ── HTTP POST (acked after Kafka) ──▶ HTTP source ─ JSON ─▶ Kafka ─▶ Cassandra sink ──────┐
#                     └─ MQTT QoS 1 (PUBACK after Kafka) ▶ MQTT source ─ Avro ─▶ Kafka ─▶ Cassandra sink (Avro) ─┴▶ iot.readings
#                                                                   (schemas in the registry)
# Installs what is missing, starts Kafka, Cassandra, Mosquitto and the schema registry (Apicurio, Confluent API),
# creates the table, runs a standalone worker on :8083 with config/iot/*, the device simulator and a watcher that
# prints the row count per source as rows arrive.
# Ctrl-C stops the worker, the devices and the watcher (the services keep running: `npm run services -- stop all`).
# DEMO_SECONDS=N stops by itself after N seconds, after checking that rows from both sources (the JSON path and the
# Avro path) still arrive in Cassandra: exit 0 when they do, 1 otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh

# Where the services are (config/iot reads these through ${env:…}; docker/compose.yaml sets its own).
export IOT_KAFKA_BOOTSTRAP="${IOT_KAFKA_BOOTSTRAP:-127.0.0.1:9092}" IOT_CASSANDRA_HOST="${IOT_CASSANDRA_HOST:-127.0.0.1}" \
  IOT_MQTT_URI="${IOT_MQTT_URI:-tcp://127.0.0.1:1883}" IOT_SCHEMA_REGISTRY_URL="${IOT_SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}" \
  IOT_LISTEN_HOST="${IOT_LISTEN_HOST:-127.0.0.1}" IOT_REST_LISTENER="${IOT_REST_LISTENER:-http://127.0.0.1:8083}" \
  IOT_DATA_DIR="${IOT_DATA_DIR:-.services/demo}"

bash scripts/setup.sh
bash scripts/services.sh start kafka cassandra mosquitto registry
mkdir -p .services/demo .services/logs
node scripts/demo/dist/watch.js --once >/dev/null   # creates keyspace iot and table iot.readings

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

node packages/cli/dist/main.js standalone config/iot/worker.properties \
  config/iot/http-readings.json config/iot/mqtt-readings.json \
  config/iot/cassandra-readings.json config/iot/cassandra-readings-avro.json \
  >.services/logs/demo-worker.log 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf localhost:8083/health >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf localhost:8083/health >/dev/null || { echo "demo: the worker did not start; see .services/logs/demo-worker.log" >&2; tail -20 .services/logs/demo-worker.log >&2; exit 1; }

cat <<MSG

  kconnect IoT demo — worker REST API on http://127.0.0.1:8083 (log: .services/logs/demo-worker.log)
    curl -s 'localhost:8083/connectors?expand=status'
    curl -s -X POST -H 'Authorization: Bearer demo-device-token' -H 'Content-Type: application/json' \\
         localhost:8090/readings -d '{"device":"me","day":"$(date -u +%F)","ts":$(date +%s%3N),"temperature":21.5}'
    mosquitto_pub -t devices/me/telemetry -q 1 -m '{"device":"me","day":"$(date -u +%F)","ts":$(date +%s%3N),"humidity":40}'
    curl -s localhost:8083/metrics | grep -E 'kafka_connect_(source|sink)_task_metrics'
  MQTT readings travel as Avro; their schema in the registry:
    curl -s localhost:8081/apis/ccompat/v7/subjects/iot-readings-mqtt-avro-value/versions/latest
  Devices and the Cassandra row count per source below. Ctrl-C to stop.

MSG
node scripts/demo/dist/devices.js --http http://127.0.0.1:8090/readings --mqtt mqtt://127.0.0.1:1883 --devices 6 --rate 2 &
pids+=($!)
node scripts/demo/dist/watch.js &
pids+=($!)
if [ -z "${DEMO_SECONDS:-}" ]; then wait "${pids[0]}"; exit; fi
sleep "$DEMO_SECONDS"
# The self-check: the worker still runs and rows from both paths keep arriving.
kill -0 "${pids[0]}" 2>/dev/null || { echo "demo: the worker exited; see .services/logs/demo-worker.log" >&2; exit 1; }
node scripts/demo/dist/watch.js --check 30
