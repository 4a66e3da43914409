/**
 * Benchmark: the runtime's Kafka producer alone, per backend (`kafka.client`), side by side: the client cost a source
 * connector pays for every record, without a worker around it.
 *
 *   npm run bench -- producer [N] [--kafka-client=platformatic,kafkajs] [--batch=2000] [--record-bytes=90] [--warmup=10000]
 *
 * For each backend, in a fresh Node process of its own (so neither inherits the other's heap, JIT state or CPU
 * time) and a fresh 1-partition topic: a KafkaProducer from `createKafkaClient` (acks=all, the runtime's default
 * producer settings), `--warmup` records first (not measured), then N records (default 1,000,000) as `send()` calls
 * of `--batch` records, one call in flight, each record a `--record-bytes`-byte value (a JSON reading, as the file
 * bench's lines) and no key. Measured over the N records:
 *   - records/s: N / wall time of the sends (every call resolved = every record acknowledged);
 *   - CPU µs per record: `process.cpuUsage()` (user + system, all threads of the process: GC, libuv) / N;
 *   - the broker's CPU µs per record in the same interval (when it was started by scripts/services.sh);
 *   - peak RSS of the process.
 * Backends run one after the other in the order given (default: platformatic, kafkajs); with two, the table has their
 * ratio (first / second). `--kafka-client` (or KCONNECT_BENCH_KAFKA_CLIENT) takes a comma-separated list here.
 * KCONNECT_BOOTSTRAP_SERVERS (127.0.0.1:9092); KCONNECT_BENCH_JSON=<file> writes the results as JSON too.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { KafkaClientBackend, ProducerRecord } from '@kconnect/runtime';
import { BOOTSTRAP, benchKafkaClient, describeKafkaClient, kafkaClientArg, parseKafkaClient, topicEndOffset } from './kafka';
import { serviceCpu } from './proc';

const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const BATCH = Number(arg('batch', '2000'));
const RECORD_BYTES = Number(arg('record-bytes', '90'));
const WARMUP = Number(arg('warmup', '10000'));
const CHILD = arg('child', '');

interface ProducerResult {
  backend: KafkaClientBackend;
  client: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  cpuSeconds: number;
  cpuMicrosPerRecord: number;
  brokerCpuMicrosPerRecord: number;
  peakRssMiB: number;
  /** The topic's end offset afterwards (warm-up + N). */
  inKafka: number;
}

/** `count` distinct values of exactly `bytes` bytes: JSON readings as the file bench's lines, padded or cut. */
function values(count: number, bytes: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const line = `{"device":"sensor-${i % 1000}","ts":${1700000000000 + i},"temperature":21.5,"humidity":40.25,"seq":${i}}`;
    const b = Buffer.alloc(bytes, 0x20);
    b.write(line.slice(0, bytes));
    return b;
  });
}

/** Marks the result line on the measuring process's stdout (the runtime's logger writes there too). */
const RESULT = 'bench-producer-result ';

/** One backend, in this process: prints its result as one JSON line on stdout. */
async function child(backend: KafkaClientBackend): Promise<void> {
  const client = benchKafkaClient(backend, `bench-producer-${backend}`);
  const admin = await client.admin();
  const topic = `bench-producer-${Date.now().toString(36)}-${backend}`;
  await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  try {
    const producer = await client.producer({ clientId: `bench-producer-${backend}` });
    const pool = values(BATCH, RECORD_BYTES);
    const send = async (count: number) => {
      for (let i = 0; i < count; i += BATCH) {
        const n = Math.min(BATCH, count - i);
        const records: ProducerRecord[] = new Array(n);
        for (let j = 0; j < n; j++) records[j] = { topic, key: null, value: pool[j]! };
        await producer.send(records);
      }
    };
    await send(WARMUP);
    const broker0 = serviceCpu('kafka');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await send(N);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const brokerCpu = serviceCpu('kafka') - broker0;
    await producer.close();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const result: ProducerResult = {
      backend,
      client: describeKafkaClient(backend),
      records: N,
      seconds,
      recordsPerSecond: N / seconds,
      cpuSeconds,
      cpuMicrosPerRecord: (cpuSeconds * 1e6) / N,
      brokerCpuMicrosPerRecord: (brokerCpu * 1e6) / N,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      inKafka: await topicEndOffset(admin, topic),
    };
    if (result.inKafka !== WARMUP + N) throw new Error(`${topic} holds ${result.inKafka} records, not ${WARMUP + N}`);
    process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`);
  } finally {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
  }
}

function runChild(backend: KafkaClientBackend): Promise<ProducerResult> {
  return new Promise((resolve, reject) => {
    const args = [__filename, `--child=${backend}`, String(N), `--batch=${BATCH}`, `--record-bytes=${RECORD_BYTES}`, `--warmup=${WARMUP}`];
    const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KCONNECT_BENCH_KAFKA_CLIENT: backend } });
    let out = '';
    c.stdout.on('data', (d) => (out += String(d)));
    c.on('error', reject);
    c.on('exit', (code, signal) => {
      const line =
        out
          .split('\n')
          .find((l) => l.startsWith(RESULT))
          ?.slice(RESULT.length) ?? '';
      if (code !== 0) return reject(new Error(`${backend}: the measuring process exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(line) as ProducerResult);
      } catch {
        reject(new Error(`${backend}: no result from the measuring process: ${out.slice(0, 500)}`));
      }
    });
  });
}

function report(results: ProducerResult[]): void {
  const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');
  const dec = (d: number) => (v: number) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  type Row = { label: string; value: (r: ProducerResult) => number; fmt: (v: number) => string; better: 'higher' | 'lower' };
  const rows: Row[] = [
    { label: 'records/s', value: (r) => r.recordsPerSecond, fmt: int, better: 'higher' },
    { label: 'CPU µs per record', value: (r) => r.cpuMicrosPerRecord, fmt: dec(2), better: 'lower' },
    { label: 'CPU s', value: (r) => r.cpuSeconds, fmt: dec(2), better: 'lower' },
    { label: 'wall time (s)', value: (r) => r.seconds, fmt: dec(2), better: 'lower' },
    { label: 'broker CPU µs per record', value: (r) => r.brokerCpuMicrosPerRecord, fmt: dec(2), better: 'lower' },
    { label: 'peak RSS (MiB)', value: (r) => r.peakRssMiB, fmt: int, better: 'lower' },
  ];
  const [a, b] = results;
  const pair = results.length === 2 && a && b;
  const ratioLabel = pair ? `${a.backend}/${b.backend}` : '';
  const w0 = Math.max(...rows.map((r) => r.label.length));
  const wc = Math.max(14, ...results.map((r) => r.client.length));
  const wr = Math.max(13, ratioLabel.length);
  console.log('');
  console.log(
    `bare producer: ${N.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes (value, no key), send() calls of ${BATCH.toLocaleString('en-US')} records, one in flight, acks=all, 1 partition, after ${WARMUP.toLocaleString('en-US')} warm-up records; broker ${BOOTSTRAP}`,
  );
  console.log(`Node ${process.version}; each client in a process of its own`);
  const header = `${'metric'.padEnd(w0)}  ${results.map((r) => r.client.padStart(wc)).join('  ')}${pair ? `  ${ratioLabel.padStart(wr)}  better` : ''}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const row of rows) {
    const vals = results.map((r) => row.fmt(row.value(r)).padStart(wc)).join('  ');
    let ratio = '';
    if (pair) {
      const x = row.value(a) / row.value(b);
      ratio = `  ${(Number.isFinite(x) ? `${x.toFixed(2)}×` : '-').padStart(wr)}  ${row.better}`;
    }
    console.log(`${row.label.padEnd(w0)}  ${vals}${ratio}`);
  }
  if (pair)
    console.log(
      `ratio = ${a.backend} / ${b.backend}; "better" says which direction is better for ${a.backend} (records/s: ratio > 1 is better; CPU, time, RSS: ratio < 1 is better)`,
    );
  if (process.env.KCONNECT_BENCH_JSON)
    writeFileSync(
      process.env.KCONNECT_BENCH_JSON,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, records: N, batch: BATCH, recordBytes: RECORD_BYTES, warmup: WARMUP, results }, null, 2)}\n`,
    );
}

async function main(): Promise<void> {
  if (!(N > 0) || !(BATCH > 0) || !(RECORD_BYTES > 0) || !(WARMUP >= 0))
    throw new Error('N, --batch and --record-bytes must be positive, --warmup not negative');
  if (CHILD) return child(parseKafkaClient(CHILD));
  const backends = (kafkaClientArg() ?? 'platformatic,kafkajs').split(',').filter(Boolean).map(parseKafkaClient);
  const results: ProducerResult[] = [];
  for (const backend of backends) {
    console.error(`bench: producer ${describeKafkaClient(backend)}: ${N} records …`);
    const r = await runChild(backend);
    console.error(`bench: producer ${backend}: ${Math.round(r.recordsPerSecond)} records/s, ${r.cpuMicrosPerRecord.toFixed(2)} µs CPU per record`);
    results.push(r);
  }
  report(results);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
