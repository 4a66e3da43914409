/**
 * Benchmark: the MQTT source at QoS 1, beside a ceiling measured in the same run.
 *
 *   node bench/dist/mqtt-source.js [--messages=20000] [--window=200] [--version=5|3.1.1] [--set=<connector key>=<value> …]
 *                                  [--kafka-client=platformatic|kafkajs]
 *
 *   - Kafka client alone: the runtime's KafkaClient producer of the worker's backend (acks=all) sending the same
 *     number of 100-byte records to a fresh topic, `window` records in flight (batches of 100), measuring records/s
 *     and the send → ack latency of each record;
 *   - MQTT only: the same publisher and broker with a bare mqtt.js subscriber acking on receipt (no Kafka), to show
 *     what the broker and client alone allow on this machine;
 *   - kconnect: `node packages/cli/dist/main.js standalone` (child process, testkit's CliWorker; the CLI bundles
 *     @kconnect/mqtt-source), QoS 1, ByteArrayConverter, to a fresh topic; a publisher in this process keeps `window` QoS 1
 *     messages in flight to Mosquitto. Measured: records/s (first publish → last record in Kafka), the connector's
 *     ack latency (receive → PUBACK, i.e. including the Kafka round trip; p50/p99 interpolated from the
 *     `mqtt_source_ack_latency_seconds` histogram) and the end-to-end latency publish → record read from Kafka.
 * The publisher is not throttled by the connector (the broker acks it at once), so the broker queues the backlog:
 * the bench starts its own `mosquitto` with `max_queued_messages 0` (Mosquitto's default of 1000 queued messages
 * per session would drop QoS 1 messages beyond that); KCONNECT_MQTT_URL uses a given broker instead. The
 * end-to-end latency therefore includes the time spent in that backlog; the ack latency does not.
 * `--kafka-client` (or KCONNECT_BENCH_KAFKA_CLIENT): the worker's `kafka.client`, the client measured alone and the
 * bench's reader (default platformatic, the runtime's default).
 * Needs Kafka (KCONNECT_BOOTSTRAP_SERVERS, 127.0.0.1:9092), `mosquitto` on the PATH, a built CLI (`npm run bench -- mqtt` builds). KCONNECT_BENCH_JSON=<file> writes the results as JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import type { KafkaClient } from '@kconnect/runtime';
import { CliWorker, freePort } from '@kconnect/testkit';
import mqtt from 'mqtt';
import { asBuffer, BOOTSTRAP, benchKafkaClient, describeKafkaClient, kafkaClientBackend, workerKafkaProps } from './kafka';
/** Set by main(): our own Mosquitto (unlimited session queue), unless KCONNECT_MQTT_URL names a broker. */
let MQTT_URL = process.env.KCONNECT_MQTT_URL ?? '';
const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const N = Number(arg('messages', '20000'));
const WINDOW = Number(arg('window', '200'));
const VERSION = arg('version', '5');
const PAYLOAD_BYTES = 100;
/** `--set=key=value` (repeatable): extra connector settings, e.g. --set=mqtt.headers.enabled=false. */
const EXTRA = Object.fromEntries(
  process.argv
    .filter((a) => a.startsWith('--set='))
    .map((a) => {
      const kv = a.slice(6);
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p-th percentile from a Prometheus histogram's cumulative buckets, interpolated linearly inside a bucket. */
function histogramPercentile(buckets: Array<[number, number]>, p: number): number {
  const total = buckets[buckets.length - 1]![1];
  const rank = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      const inBucket = count - prevCount;
      return inBucket === 0 ? le : prevLe + ((rank - prevCount) / inBucket) * (le - prevLe);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function payload(seq: number): Buffer {
  const b = Buffer.alloc(PAYLOAD_BYTES, 0x61);
  b.writeDoubleBE(now(), 0);
  b.writeUInt32BE(seq, 8);
  return b;
}

/** The worker's Kafka client alone: its producer sending the same records, `WINDOW` in flight. */
async function kafkaClientAlone(kafka: KafkaClient, topic: string) {
  const producer = await kafka.producer({ clientId: `${topic}-producer` });
  const latencies: number[] = [];
  const batch = Math.min(100, WINDOW);
  const concurrency = Math.max(1, Math.floor(WINDOW / batch));
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const n = Math.min(batch, N - next);
        const start = next;
        next += n;
        const sent = now();
        await producer.send(Array.from({ length: n }, (_, i) => ({ topic, key: Buffer.from(`k${start + i}`), value: payload(start + i) })));
        const lat = now() - sent;
        for (let i = 0; i < n; i++) latencies.push(lat);
      }
    }),
  );
  const elapsed = (now() - t0) / 1000;
  await producer.close();
  latencies.sort((a, b) => a - b);
  return { recordsPerSec: N / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** MQTT-only reference: the same publisher and broker, a bare mqtt.js subscriber that acks on receipt (no Kafka). */
async function mqttOnly(stamp: string) {
  const sub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `bench-${stamp}-sub`, clean: true, properties: { receiveMaximum: 1000 } });
  let got = 0;
  let lastAt = 0;
  sub.on('message', () => {
    got++;
    lastAt = now();
  });
  await sub.subscribeAsync(`bench/${stamp}/+`, { qos: 1 });
  const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `bench-${stamp}-pub0`, clean: true });
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < N) {
        const seq = next++;
        await pub.publishAsync(`bench/${stamp}/d${seq % 10}`, payload(seq), { qos: 1 });
      }
    }),
  );
  for (let i = 0; got < N && i < 600; i++) await sleep(50);
  await pub.endAsync();
  await sub.endAsync();
  return { recordsPerSec: N / ((lastAt - t0) / 1000), received: got };
}

async function kconnect(kafka: KafkaClient, topic: string) {
  const port = await freePort();
  const base = `bench/${topic}`;
  const name = topic;
  const worker = new CliWorker({
    props: {
      'bootstrap.servers': BOOTSTRAP,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      'offset.flush.interval.ms': '1000',
      listeners: `http://127.0.0.1:${port}`,
      ...workerKafkaProps(),
    },
    connectors: [
      {
        name,
        config: {
          'connector.class': 'MqttSource',
          'mqtt.server.uri': MQTT_URL,
          'mqtt.version': VERSION,
          'mqtt.topics': `${base}/+`,
          'kafka.topic': topic,
          'mqtt.qos': '1',
          'mqtt.clean.session.enabled': 'true',
          'mqtt.queue.max.messages': String(Math.max(WINDOW, 1000)),
          ...EXTRA,
        },
      },
    ],
    logLevel: 'WARN',
    nodeArgs: (process.env.KCONNECT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), // e.g. --cpu-prof
  });
  worker.start();
  const api = async (p: string) => fetch(`http://127.0.0.1:${port}${p}`).then((r) => r.text());
  try {
    for (let i = 0; ; i++) {
      const s = await api(`/connectors/${name}/status`).catch(() => '');
      if (s.includes('"RUNNING"') && s.includes('"tasks":[{')) break;
      if (i > 300) throw new Error('connector did not start');
      await sleep(100);
    }
    await sleep(500);

    // Reader: end-to-end latency and completion.
    const consumer = await kafka.consumer({ clientId: `${topic}-check`, groupId: `${topic}-check` });
    const e2e: number[] = [];
    const seen = new Set<number>();
    let lastAt = 0;
    let crashed: Error | undefined;
    await consumer.run([topic], {
      onBatch: async (records) => {
        const t = now();
        for (const m of records) {
          if (!m.value) continue;
          const value = asBuffer(m.value);
          e2e.push(t - value.readDoubleBE(0));
          seen.add(value.readUInt32BE(8));
        }
        lastAt = t;
        return true;
      },
      onAssigned: async () => undefined,
      onRebalancing: async () => undefined,
      onCrash: (e) => {
        crashed = e;
      },
    });
    await sleep(1000);

    const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `${topic}-pub`, clean: true });
    const t0 = now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < N) {
          const seq = next++;
          await pub.publishAsync(`${base}/d${seq % 10}`, payload(seq), { qos: 1 });
        }
      }),
    );
    for (let i = 0; seen.size < N; i++) {
      if (crashed) throw new Error(`the Kafka reader crashed: ${crashed.message}`);
      if (i > 1200) throw new Error(`only ${seen.size} of ${N} records reached Kafka`);
      await sleep(50);
    }
    const elapsed = (lastAt - t0) / 1000;
    await pub.endAsync();
    await sleep(300);
    const metrics = await api('/metrics');
    const buckets: Array<[number, number]> = [];
    for (const line of metrics.split('\n')) {
      const m = /^mqtt_source_ack_latency_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
      if (m) buckets.push([m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])]);
    }
    buckets.sort((a, b) => a[0] - b[0]);
    await consumer.close();
    e2e.sort((a, b) => a - b);
    return {
      recordsPerSec: N / elapsed,
      ackP50Ms: histogramPercentile(buckets, 50) * 1000,
      ackP99Ms: histogramPercentile(buckets, 99) * 1000,
      e2eP50Ms: percentile(e2e, 50),
      e2eP99Ms: percentile(e2e, 99),
      duplicates: e2e.length - seen.size,
    };
  } finally {
    await worker.stop(5000);
    await worker.close();
  }
}

async function ownBroker(dir: string): Promise<ChildProcess> {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, `user ${userInfo().username}`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', 'log_type error'].join(
      '\n',
    ) + '\n',
  );
  const child = spawn(['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p)) ?? 'mosquitto', ['-c', conf], { stdio: 'ignore' });
  MQTT_URL = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return child;
    await sleep(50);
  }
  throw new Error('mosquitto did not start');
}

async function main() {
  const kafka = benchKafkaClient(kafkaClientBackend(), 'bench-mqtt');
  const admin = await kafka.admin();
  const stamp = Date.now().toString(36);
  const ceilTopic = `bench-mqtt-${stamp}-ceiling`;
  const kcTopic = `bench-mqtt-${stamp}-kconnect`;
  await admin.createTopics([ceilTopic, kcTopic].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })));
  const dir = mkdtempSync(path.join(tmpdir(), 'kconnect-bench-mqtt-'));
  const broker = MQTT_URL ? null : await ownBroker(dir);
  try {
    console.log(
      `MQTT source benchmark: ${N} messages of ${PAYLOAD_BYTES} bytes, QoS 1, MQTT ${VERSION}, ${WINDOW} in flight; Kafka client ${describeKafkaClient()}`,
    );
    const c = await kafkaClientAlone(kafka, ceilTopic);
    console.log(
      `Kafka client alone (${kafkaClientBackend()}, producer, acks=all): ${c.recordsPerSec.toFixed(0)} records/s, send→ack p50 ${c.p50Ms.toFixed(1)} ms, p99 ${c.p99Ms.toFixed(1)} ms`,
    );
    const m = await mqttOnly(stamp);
    console.log(`MQTT only (bare mqtt.js subscriber, ack on receipt, no Kafka): ${m.recordsPerSec.toFixed(0)} messages/s (${m.received} received)`);
    const k = await kconnect(kafka, kcTopic);
    console.log(
      `kconnect (MQTT → Kafka, ack after Kafka): ${k.recordsPerSec.toFixed(0)} records/s (${((100 * k.recordsPerSec) / c.recordsPerSec).toFixed(0)}% of the Kafka client alone, ${((100 * k.recordsPerSec) / m.recordsPerSec).toFixed(0)}% of MQTT only), ` +
        `receive→PUBACK p50 ${k.ackP50Ms.toFixed(1)} ms, p99 ${k.ackP99Ms.toFixed(1)} ms; publish→Kafka reader p50 ${k.e2eP50Ms.toFixed(1)} ms, p99 ${k.e2eP99Ms.toFixed(1)} ms; duplicates ${k.duplicates}`,
    );
    if (process.env.KCONNECT_BENCH_JSON)
      writeFileSync(
        process.env.KCONNECT_BENCH_JSON,
        JSON.stringify(
          { messages: N, window: WINDOW, version: VERSION, kafkaClient: kafkaClientBackend(), kafkaClientAlone: c, mqttOnly: m, kconnect: k },
          null,
          2,
        ),
      );
  } finally {
    await admin.deleteTopics([ceilTopic, kcTopic]).catch(() => undefined);
    await admin.deleteGroup(`${kcTopic}-check`).catch(() => undefined);
    await admin.close();
    broker?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
