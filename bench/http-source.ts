/**
 * Benchmark: the HTTP source's webhook (listen mode) on loopback, beside a ceiling measured in the same run.
 *
 *   node bench/dist/http-source.js [--duration=10] [--connections=32] [--batch=1,10] [--kafka-client=platformatic|kafkajs]
 *
 * For each batch size (readings per request; 1 = one JSON object, n > 1 = an NDJSON body of n readings):
 *   - ceiling: a bare fastify 5 route that reads the body and answers 200, in a child process;
 *   - kconnect: `node packages/cli/dist/main.js standalone` (child process, testkit's CliWorker; the CLI bundles
 *     @kconnect/http-source), one route to a fresh 3-partition topic; every 200 means Kafka (acks=all) acknowledged every
 *     reading of the request.
 * The load generator (this process, undici Pool, `connections` concurrent requests in a closed loop) measures
 * requests/s, readings/s and the p50/p99 latency of the answer (= acknowledgement latency for kconnect), after a
 * 2 s warm-up. The topic's end offsets are checked against the acknowledged readings afterwards.
 * `--kafka-client` (or KCONNECT_BENCH_KAFKA_CLIENT): the worker's `kafka.client` and the bench's admin client
 * (default platformatic, the runtime's default).
 * Needs a built CLI (`npm run bench -- http` builds); KCONNECT_BOOTSTRAP_SERVERS (127.0.0.1:9092);
 * KCONNECT_BENCH_JSON=<file> writes the results as JSON too; KCONNECT_BENCH_CPU_PROF=<dir> profiles the worker
 * (`node --cpu-prof`; summarise with bench/dist/cpuprofile-summary.js).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliWorker, freePort } from '@kconnect/testkit';
import { Pool } from 'undici';
import { BOOTSTRAP, benchKafkaClient, describeKafkaClient, kafkaClientBackend, topicEndOffset, workerKafkaProps } from './kafka';

const REPO = path.join(__dirname, '../..');
const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const DURATION_S = Number(arg('duration', '10'));
const CONNECTIONS = Number(arg('connections', '32'));
const BATCHES = arg('batch', '1,10').split(',').map(Number);
const WARMUP_MS = 2000;

interface Result {
  target: 'ceiling' | 'kconnect';
  /** kconnect: the worker's Kafka client */
  kafkaClient?: string;
  batch: number;
  requests: number;
  errors: number;
  requestsPerSec: number;
  readingsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function body(batch: number, seq: number): string {
  const one = (i: number) => JSON.stringify({ device: `sensor-${i % 50}`, ts: Date.now(), temperature: 21.5, humidity: 40.25, seq: seq * batch + i });
  if (batch === 1) return one(0);
  return `${Array.from({ length: batch }, (_, i) => one(i)).join('\n')}\n`;
}

async function waitUp(port: number, pathName: string, alive: () => boolean, log: () => string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`child exited: ${log()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${pathName}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"probe":true}',
      });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`nothing answered on ${port}: ${log()}`);
}

async function load(port: number, pathName: string, batch: number): Promise<Omit<Result, 'target'>> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  const contentType = batch === 1 ? 'application/json' : 'application/x-ndjson';
  let seq = 0;
  const run = async (ms: number, latencies: number[] | null) => {
    let ok = 0;
    let errors = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < end) {
          const t0 = performance.now();
          try {
            const res = await pool.request({ path: pathName, method: 'POST', headers: { 'content-type': contentType }, body: body(batch, seq++) });
            await res.body.dump();
            if (res.statusCode === 200) {
              ok++;
              latencies?.push(performance.now() - t0);
            } else errors++;
          } catch {
            errors++;
          }
        }
      }),
    );
    return { ok, errors };
  };
  await run(WARMUP_MS, null);
  const latencies: number[] = [];
  const t0 = performance.now();
  const { ok, errors } = await run(DURATION_S * 1000, latencies);
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { batch, requests: ok, errors, requestsPerSec: ok / secs, readingsPerSec: (ok * batch) / secs, p50Ms: q(0.5), p99Ms: q(0.99) };
}

const CEILING = `
const app = require('fastify')({ logger: false });
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, b, done) => done(null, b));
app.post('/r', async () => ({ ok: true }));
app.listen({ port: Number(process.argv[1]), host: '127.0.0.1' });
`;

async function main(): Promise<void> {
  kafkaClientBackend(); // an unknown --kafka-client fails here, before any work
  const admin = await benchKafkaClient().admin();
  const results: Result[] = [];
  const children: ChildProcess[] = [];
  const workers: CliWorker[] = [];
  const topics: string[] = [];
  try {
    for (const batch of BATCHES) {
      // Ceiling: a bare fastify route.
      {
        const port = await freePort();
        let out = '';
        const c = spawn(process.execPath, ['-e', CEILING, String(port)], { cwd: path.join(REPO, 'connectors/http-source'), stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(c);
        c.stderr!.on('data', (d) => (out += String(d)));
        await waitUp(
          port,
          '/r',
          () => c.exitCode === null,
          () => out,
        );
        results.push({ target: 'ceiling', ...(await load(port, '/r', batch)) });
        c.kill('SIGKILL');
      }
      // kconnect: the webhook, answered after Kafka acknowledged.
      {
        const topic = `bench-http-${Date.now()}-${batch}`;
        topics.push(topic);
        await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]);
        const port = await freePort();
        const w = new CliWorker({
          props: {
            'bootstrap.servers': BOOTSTRAP,
            'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
            'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
            listeners: 'http://127.0.0.1:0',
            ...workerKafkaProps(),
          },
          connectors: [
            {
              name: 'bench-webhook',
              config: {
                'connector.class': 'io.kconnect.http.HttpSourceConnector',
                'http.listen.port': String(port),
                'http.listen.host': '127.0.0.1',
                'http.listen.routes': 'readings',
                'http.listen.route.readings.path': '/r',
                'http.listen.route.readings.topic': topic,
                'http.listen.route.readings.key': 'pointer:/device',
              },
            },
          ],
          logLevel: 'WARN',
          nodeArgs: process.env.KCONNECT_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KCONNECT_BENCH_CPU_PROF}`] : [],
        });
        workers.push(w);
        w.start();
        await waitUp(
          port,
          '/r',
          () => w.running,
          () => w.log,
        );
        const r = await load(port, '/r', batch);
        results.push({ target: 'kconnect', kafkaClient: kafkaClientBackend(), ...r });
        const inKafka = await topicEndOffset(admin, topic);
        // Every acknowledged reading (measured and warm-up) is in Kafka: at least the measured ones.
        if (inKafka < r.requests * batch) throw new Error(`only ${inKafka} records in ${topic} for ${r.requests * batch} acknowledged readings`);
        await w.stop(5000);
      }
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const w of workers) await w.close();
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
  }
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  console.log(
    `\nHTTP source webhook, ${CONNECTIONS} connections, ${DURATION_S} s per run (after ${WARMUP_MS / 1000} s warm-up), loopback; kconnect's Kafka client ${describeKafkaClient()}\n`,
  );
  console.log('| target | readings/request | requests/s | readings/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results)
    console.log(
      `| ${r.target === 'ceiling' ? 'ceiling (bare fastify, 200)' : 'kconnect (200 after Kafka ack)'} | ${r.batch} | ${f(r.requestsPerSec)} | ${f(r.readingsPerSec)} | ${f(r.p50Ms, 2)} | ${f(r.p99Ms, 2)} | ${r.errors} |`,
    );
  if (process.env.KCONNECT_BENCH_JSON) writeFileSync(process.env.KCONNECT_BENCH_JSON, JSON.stringify(results, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
