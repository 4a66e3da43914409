/**
 * Benchmark: FileStreamSource → Kafka → FileStreamSink pass-through on the real local broker.
 * Starts a standalone worker as a child process, loads N lines through the source, then through the sink, and
 * prints records/s for each stage, the worker's CPU seconds and peak RSS.
 *
 *   npm run bench -- file [N]        (default N = 200000 lines of ~100 bytes)
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KafkajsClient, LoggerRegistry } from '@kconnect/runtime';
import { cpuSeconds, peakRssMiB } from './proc';

const BOOTSTRAP = process.env.KCONNECT_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
const N = Number(process.argv[2] ?? 200_000);
const PORT = 18083;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${PORT}${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function waitFor(fn: () => Promise<boolean> | boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const buf = readFileSync(file);
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
  return n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kconnect-bench-'));
  const input = path.join(dir, 'in.txt');
  const output = path.join(dir, 'out.txt');
  const topic = `bench-file-${Date.now()}`;
  const line = (i: number) => `{"device":"sensor-${i % 1000}","ts":${1700000000000 + i},"temperature":21.5,"humidity":40.25,"seq":${i}}\n`;
  const ws = createWriteStream(input);
  for (let i = 0; i < N; i++) if (!ws.write(line(i))) await new Promise<void>((r) => ws.once('drain', () => r()));
  await new Promise<void>((r) => ws.end(() => r()));
  const bytes = statSync(input).size;

  const admin = await new KafkajsClient([BOOTSTRAP], new LoggerRegistry({ level: 'ERROR' }).get('bench')).admin();
  await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  const props = path.join(dir, 'worker.properties');
  writeFileSync(props, [
    `bootstrap.servers=${BOOTSTRAP}`,
    'key.converter=org.apache.kafka.connect.storage.StringConverter',
    'value.converter=org.apache.kafka.connect.storage.StringConverter',
    `offset.storage.file.filename=${path.join(dir, 'offsets.json')}`,
    'offset.flush.interval.ms=1000',
    `listeners=http://127.0.0.1:${PORT}`,
  ].join('\n'));
  const cli = path.join(__dirname, '../../packages/cli/dist/main.js');
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, 'standalone', props], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KCONNECT_LOG_LEVEL: 'WARN' } });
  const pid = child.pid!;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${PORT}/health`).then((r) => r.ok, () => false)), 'worker start', 30_000);
    const startupMs = Date.now() - t0;
    const cpu0 = cpuSeconds(pid);

    const s0 = Date.now();
    await api('POST', '/connectors', { name: 'bench-src', config: { 'connector.class': 'FileStreamSource', file: input, topic, 'batch.size': '2000' } });
    await waitFor(async () => {
      const o = await api('GET', '/connectors/bench-src/offsets');
      return o.offsets[0]?.offset.position === bytes;
    }, 'source to reach the end of the file');
    const sourceMs = Date.now() - s0;
    const cpu1 = cpuSeconds(pid);

    const k0 = Date.now();
    await api('POST', '/connectors', { name: 'bench-sink', config: { 'connector.class': 'FileStreamSink', file: output, topics: topic } });
    await waitFor(() => countLines(output) >= N, 'sink to write every line');
    const sinkMs = Date.now() - k0;
    const cpu2 = cpuSeconds(pid);

    const rss = peakRssMiB(pid);
    const r = (n: number, ms: number) => Math.round((n / ms) * 1000);
    console.log(`file pass-through benchmark: ${N} records, ${(bytes / 1024 / 1024).toFixed(1)} MiB, 1 partition, kafkajs, Node ${process.version}`);
    console.log(`  worker startup to healthy:        ${startupMs} ms`);
    console.log(`  source (file → Kafka, acks=all):  ${r(N, sourceMs)} records/s  (${(sourceMs / 1000).toFixed(2)} s, CPU ${(cpu1 - cpu0).toFixed(2)} s)`);
    console.log(`  sink   (Kafka → file):            ${r(N, sinkMs)} records/s  (${(sinkMs / 1000).toFixed(2)} s, CPU ${(cpu2 - cpu1).toFixed(2)} s)`);
    console.log(`  worker peak RSS:                  ${rss.toFixed(0)} MiB`);
    console.log(`  worker CPU total:                 ${cpuSeconds(pid).toFixed(2)} s`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.deleteGroup('connect-bench-sink').catch(() => undefined);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
