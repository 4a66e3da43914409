/**
 * Benchmark: FileStreamSource → Kafka → FileStreamSink pass-through on the real local broker, for kconnect and,
 * in the same run with the same workload, for the reference: Apache Kafka Connect (Java) standalone.
 *
 * For each runtime: a fresh topic (1 partition) and REST port, the same worker settings (StringConverter key and
 * value, offset.flush.interval.ms=1000, file offset store) and the same N-line input file. The worker runs as a
 * child process; the bench measures
 *   - startup: spawn → `GET /` answers 200
 *   - source:  connector created → its committed offset (`GET /connectors/<name>/offsets`) is the input's size;
 *              also when the topic's end offset reaches N (all records acked by the broker)
 *   - sink:    connector created → the output file has N lines
 *   - CPU seconds (utime+stime from /proc/<pid>/stat) per phase, peak RSS (VmHWM)
 * and prints a table with the ratio kconnect/Java.
 *
 *   npm run bench -- file [N] [--runtimes=kconnect,java] [--kafka-client=platformatic|kafkajs]
 *   (default N = 200000 lines of ~90 bytes)
 *
 * `--kafka-client` (or KCONNECT_BENCH_KAFKA_CLIENT) is the kconnect worker's `kafka.client` and the bench's own
 * client for topic setup and end offsets; default platformatic, the runtime's default.
 *
 * Environment: KCONNECT_BOOTSTRAP_SERVERS (127.0.0.1:9092), KCONNECT_BENCH_PORT (18083; Java gets +1),
 * CONNECT_HEAP_OPTS (-Xms256m -Xmx1g), CONNECT_CLASSPATH (else `scripts/services.sh classpath connect`),
 * KCONNECT_BENCH_CPU_PROF=<dir> (run our worker with node --cpu-prof into <dir>), KCONNECT_BENCH_VERBOSE=1
 * (worker logs to the terminal), KCONNECT_BENCH_JSON=<file> (write the results as JSON too).
 * See docs/benchmarks.md.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import {
  BOOTSTRAP,
  benchKafkaClient,
  describeKafkaClient,
  KAFKA_CLIENT_PACKAGE,
  kafkaClientBackend,
  packageVersion,
  topicEndOffset,
  workerKafkaProps,
} from './kafka';
import { cpuSeconds, peakRssMiB } from './proc';

const REPO = path.join(__dirname, '../..');
const BASE_PORT = Number(process.env.KCONNECT_BENCH_PORT ?? 18083);
const CONNECT_HEAP_OPTS = (process.env.CONNECT_HEAP_OPTS ?? '-Xms256m -Xmx1g').split(/\s+/).filter(Boolean);
// What bin/kafka-run-class.sh uses (KAFKA_JVM_PERFORMANCE_OPTS) for connect-standalone.sh.
const JVM_PERFORMANCE_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];
const VERBOSE = process.env.KCONNECT_BENCH_VERBOSE === '1';
const POLL_MS = 100;
const PHASE_TIMEOUT_MS = Number(process.env.KCONNECT_BENCH_TIMEOUT_MS ?? 900_000);

type RuntimeName = 'kconnect' | 'java';
const LABEL: Record<RuntimeName, string> = { kconnect: 'kconnect', java: 'Java Connect' };

interface Result {
  runtime: RuntimeName;
  version: string;
  startupMs: number;
  sourceMs: number; // until the committed source offset is the end of the file
  sourceKafkaMs: number; // until the topic's end offset is N
  sinkMs: number;
  cpuStartup: number;
  cpuSource: number;
  cpuSink: number;
  cpuTotal: number;
  rssMiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- cleanup: run in reverse order on success, failure and Ctrl-C ------------------------------------------
const cleanups: Array<{ what: string; fn: () => Promise<void> | void }> = [];
function onCleanup(what: string, fn: () => Promise<void> | void): void {
  cleanups.push({ what, fn });
}
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        await c.fn();
      } catch (e) {
        console.error(`bench: cleanup '${c.what}' failed: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`bench: ${sig}, cleaning up …`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- helpers ------------------------------------------------------------------------------------------------
async function api(port: number, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

async function waitFor(fn: () => Promise<boolean> | boolean, what: string, child: ChildProcess, timeoutMs = PHASE_TIMEOUT_MS, pollMs = POLL_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`worker exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}`);
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Counts the lines of a growing file incrementally (reads only what was appended since the last call). */
class LineCounter {
  private fd: number | undefined;
  private pos = 0;
  private lines = 0;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  constructor(private readonly file: string) {}
  count(): number {
    if (this.fd === undefined) {
      if (!existsSync(this.file)) return 0;
      this.fd = openSync(this.file, 'r');
    }
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n <= 0) return this.lines;
      this.pos += n;
      let i = this.buf.indexOf(10, 0);
      while (i !== -1 && i < n) {
        this.lines++;
        i = this.buf.indexOf(10, i + 1);
      }
    }
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(path.join(home, 'bin/java')) ? path.join(home, 'bin/java') : 'java';
}

function javaVersion(): string {
  const r = spawnSync(javaBin(), ['-version'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n')[0]?.trim() || '?';
}

function connectClasspath(): string {
  if (process.env.CONNECT_CLASSPATH) return process.env.CONNECT_CLASSPATH;
  const out = execFileSync('bash', [path.join(REPO, 'scripts/services.sh'), 'classpath', 'connect'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop()!;
}

// ---- one runtime ---------------------------------------------------------------------------------------------
interface Workload {
  dir: string;
  input: string;
  bytes: number;
  n: number;
  stamp: string;
  admin: KafkaAdmin;
  /** Java Connect's classpath, resolved before any clock starts */
  classpath: string;
}

function startWorker(rt: RuntimeName, dir: string, port: number, classpath: string): { child: ChildProcess; log: string } {
  const props = path.join(dir, 'worker.properties');
  const common = [
    `bootstrap.servers=${BOOTSTRAP}`,
    'key.converter=org.apache.kafka.connect.storage.StringConverter',
    'value.converter=org.apache.kafka.connect.storage.StringConverter',
    'offset.flush.interval.ms=1000',
    `listeners=http://127.0.0.1:${port}`,
  ];
  const log = path.join(dir, 'worker.log');
  const stdio: ['ignore', 'inherit' | number, 'inherit' | number] = VERBOSE
    ? ['ignore', 'inherit', 'inherit']
    : ['ignore', openSync(log, 'a'), openSync(log, 'a')];
  let child: ChildProcess;
  if (rt === 'kconnect') {
    const kafkaClient = Object.entries(workerKafkaProps()).map(([k, v]) => `${k}=${v}`);
    writeFileSync(props, [...common, ...kafkaClient, `offset.storage.file.filename=${path.join(dir, 'connect.offsets')}`, ''].join('\n'));
    const cli = path.join(REPO, 'packages/cli/dist/main.js');
    const prof = process.env.KCONNECT_BENCH_CPU_PROF;
    const nodeArgs = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [];
    child = spawn(process.execPath, [...nodeArgs, cli, 'standalone', props], { stdio, env: { ...process.env, KCONNECT_LOG_LEVEL: 'WARN' } });
  } else {
    writeFileSync(props, [...common, `offset.storage.file.filename=${path.join(dir, 'connect.offsets')}`, ''].join('\n'));
    const log4j = path.join(dir, 'log4j2.properties');
    writeFileSync(
      log4j,
      [
        'status = warn',
        'appender.stderr.type = Console',
        'appender.stderr.name = STDERR',
        'appender.stderr.target = SYSTEM_ERR',
        'appender.stderr.layout.type = PatternLayout',
        'appender.stderr.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = WARN',
        'rootLogger.appenderRef.stderr.ref = STDERR',
        '',
      ].join('\n'),
    );
    child = spawn(
      javaBin(),
      [
        ...CONNECT_HEAP_OPTS,
        ...JVM_PERFORMANCE_OPTS,
        `-Dlog4j2.configurationFile=${log4j}`,
        '-cp',
        classpath,
        'org.apache.kafka.connect.cli.ConnectStandalone',
        props,
      ],
      { stdio, cwd: dir },
    );
  }
  if (!VERBOSE) {
    // the child holds its own copies of the log descriptors
    closeSync(stdio[1] as number);
    closeSync(stdio[2] as number);
  }
  return { child, log };
}

async function runOne(rt: RuntimeName, port: number, w: Workload): Promise<Result> {
  const dir = path.join(w.dir, rt);
  mkdirSync(dir);
  const topic = `bench-file-${w.stamp}-${rt}`;
  const src = `bench-src-${rt}`;
  const sink = `bench-sink-${rt}`;
  const output = path.join(dir, 'out.txt');

  await w.admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  onCleanup(`delete topic ${topic}`, () => w.admin.deleteTopics([topic]));
  // registered before the worker starts, so it runs after the worker has stopped (a group with members cannot be
  // deleted); the group does not exist when the run failed before the sink started
  onCleanup(`delete group connect-${sink}`, () => w.admin.deleteGroup(`connect-${sink}`).catch(() => undefined));

  const t0 = Date.now();
  const { child, log } = startWorker(rt, dir, port, w.classpath);
  onCleanup(`stop the ${rt} worker (pid ${child.pid})`, () => stopChild(child));
  const pid = child.pid!;
  try {
    await waitFor(
      async () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.status === 200,
          () => false,
        ),
      `${rt} worker REST`,
      child,
      120_000,
      20,
    );
    const startupMs = Date.now() - t0;
    const cpuStartup = cpuSeconds(pid);
    const version: string = (await api(port, 'GET', '/')).version;

    const checkTask = async (name: string) => {
      const st = await api(port, 'GET', `/connectors/${name}/status`).catch(() => undefined);
      const failed = st?.tasks?.find((t: any) => t.state === 'FAILED') ?? (st?.connector?.state === 'FAILED' ? st.connector : undefined);
      if (failed) throw new Error(`${rt}: ${name} FAILED: ${failed.trace ?? JSON.stringify(st)}`);
    };

    // source: file → Kafka
    const s0 = Date.now();
    await api(port, 'POST', '/connectors', { name: src, config: { 'connector.class': 'FileStreamSource', file: w.input, topic, 'batch.size': '2000' } });
    let sourceKafkaMs = 0;
    let sourceMs = 0;
    let polls = 0;
    await waitFor(
      async () => {
        if (++polls % 10 === 0) await checkTask(src);
        const [o, end] = await Promise.all([
          sourceMs ? undefined : api(port, 'GET', `/connectors/${src}/offsets`),
          sourceKafkaMs ? undefined : topicEndOffset(w.admin, topic),
        ]);
        const now = Date.now();
        if (end !== undefined && end >= w.n) sourceKafkaMs = now - s0;
        if (o && Number(o.offsets?.[0]?.offset?.position ?? -1) === w.bytes) sourceMs = now - s0;
        return sourceMs > 0 && sourceKafkaMs > 0;
      },
      `${rt}: the source to reach the end of the file`,
      child,
    );
    const cpuSource = cpuSeconds(pid) - cpuStartup;

    // sink: Kafka → file
    const counter = new LineCounter(output);
    const cpuK0 = cpuSeconds(pid);
    const k0 = Date.now();
    await api(port, 'POST', '/connectors', { name: sink, config: { 'connector.class': 'FileStreamSink', file: output, topics: topic } });
    polls = 0;
    try {
      await waitFor(
        async () => {
          if (++polls % 20 === 0) await checkTask(sink);
          return counter.count() >= w.n;
        },
        `${rt}: the sink to write every line`,
        child,
        PHASE_TIMEOUT_MS,
        50,
      );
    } finally {
      counter.close();
    }
    const sinkMs = Date.now() - k0;
    const cpuTotal = cpuSeconds(pid);
    const cpuSink = cpuTotal - cpuK0;
    const rssMiB = peakRssMiB(pid);
    return { runtime: rt, version, startupMs, sourceMs, sourceKafkaMs, sinkMs, cpuStartup, cpuSource, cpuSink, cpuTotal, rssMiB };
  } catch (e) {
    if (!VERBOSE) console.error(`---- last lines of the ${rt} worker's log ----\n${tail(log)}\n---- end ----`);
    throw e;
  } finally {
    // stop now (not at the very end) so the next runtime has the machine to itself; the cleanup entry is a no-op then
    await stopChild(child);
  }
}

// ---- report --------------------------------------------------------------------------------------------------
function report(n: number, bytes: number, results: Result[]): void {
  const rate = (ms: number) => (ms > 0 ? (n / ms) * 1000 : Number.NaN);
  type Row = { label: string; value: (r: Result) => number; fmt: (v: number) => string; better: 'higher' | 'lower' };
  const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');
  const sec = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const rows: Row[] = [
    { label: 'startup to REST healthy (ms)', value: (r) => r.startupMs, fmt: int, better: 'lower' },
    { label: 'source records/s (offsets committed)', value: (r) => rate(r.sourceMs), fmt: int, better: 'higher' },
    { label: 'source records/s (all in Kafka)', value: (r) => rate(r.sourceKafkaMs), fmt: int, better: 'higher' },
    { label: 'sink records/s', value: (r) => rate(r.sinkMs), fmt: int, better: 'higher' },
    { label: 'source wall time (s)', value: (r) => r.sourceMs / 1000, fmt: sec, better: 'lower' },
    { label: 'sink wall time (s)', value: (r) => r.sinkMs / 1000, fmt: sec, better: 'lower' },
    { label: 'CPU startup (s)', value: (r) => r.cpuStartup, fmt: sec, better: 'lower' },
    { label: 'CPU source (s)', value: (r) => r.cpuSource, fmt: sec, better: 'lower' },
    { label: 'CPU sink (s)', value: (r) => r.cpuSink, fmt: sec, better: 'lower' },
    { label: 'CPU total (s)', value: (r) => r.cpuTotal, fmt: sec, better: 'lower' },
    { label: 'peak RSS (MiB)', value: (r) => r.rssMiB, fmt: int, better: 'lower' },
  ];
  const k = results.find((r) => r.runtime === 'kconnect');
  const j = results.find((r) => r.runtime === 'java');
  const cols = results.map((r) => `${LABEL[r.runtime]} ${r.version}`);
  const w0 = Math.max(...rows.map((r) => r.label.length));
  const wc = Math.max(14, ...cols.map((c) => c.length));
  const pad = (s: string, w: number) => s.padStart(w);
  console.log('');
  console.log(
    `file pass-through: ${n.toLocaleString('en-US')} records, ${(bytes / 1024 / 1024).toFixed(1)} MiB, 1 partition, StringConverter, broker ${BOOTSTRAP}`,
  );
  console.log(`Node ${process.version}, kconnect Kafka client ${describeKafkaClient()}; ${javaVersion()}, Java heap ${CONNECT_HEAP_OPTS.join(' ')}`);
  const header = `${'metric'.padEnd(w0)}  ${cols.map((c) => pad(c, wc)).join('  ')}${k && j ? `  ${pad('kconnect/Java', 13)}  better` : ''}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const row of rows) {
    const vals = results.map((r) => pad(row.fmt(row.value(r)), wc)).join('  ');
    let ratio = '';
    if (k && j) {
      const x = row.value(k) / row.value(j);
      ratio = `  ${pad(Number.isFinite(x) ? `${x.toFixed(2)}×` : '-', 13)}  ${row.better}`;
    }
    console.log(`${row.label.padEnd(w0)}  ${vals}${ratio}`);
  }
  if (k && j)
    console.log(
      'ratio = kconnect / Java; "better" says which direction is better for kconnect (records/s: ratio > 1 is better; time, CPU, RSS: ratio < 1 is better)',
    );
  const json = process.env.KCONNECT_BENCH_JSON;
  if (json) {
    writeFileSync(
      json,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          n,
          bytes,
          node: process.version,
          java: javaVersion(),
          kafkaClient: kafkaClientBackend(),
          kafkaClientVersion: `${KAFKA_CLIENT_PACKAGE[kafkaClientBackend()]} ${packageVersion(KAFKA_CLIENT_PACKAGE[kafkaClientBackend()])}`,
          results,
        },
        null,
        2,
      )}\n`,
    );
  }
}

// ---- main ----------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
  const rtArg = args.find((a) => a.startsWith('--runtimes='))?.slice('--runtimes='.length) ?? 'kconnect,java';
  const runtimes = rtArg.split(',').filter(Boolean) as RuntimeName[];
  for (const r of runtimes) if (r !== 'kconnect' && r !== 'java') throw new Error(`unknown runtime '${r}' (kconnect, java)`);
  if (!(n > 0)) throw new Error(`N must be a positive number, not '${n}'`);
  kafkaClientBackend(); // an unknown --kafka-client fails here, before any work

  const dir = mkdtempSync(path.join(tmpdir(), 'kconnect-bench-'));
  onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));

  const input = path.join(dir, 'in.txt');
  const line = (i: number) => `{"device":"sensor-${i % 1000}","ts":${1700000000000 + i},"temperature":21.5,"humidity":40.25,"seq":${i}}\n`;
  const ws = createWriteStream(input);
  for (let i = 0; i < n; i++) if (!ws.write(line(i))) await new Promise<void>((r) => ws.once('drain', () => r()));
  await new Promise<void>((r) => ws.end(() => r()));
  const bytes = statSync(input).size;

  const admin = await benchKafkaClient().admin();
  onCleanup('close the admin client', () => admin.close());

  const classpath = runtimes.includes('java') ? connectClasspath() : '';
  const w: Workload = { dir, input, bytes, n, stamp: `${Date.now()}`, admin, classpath };
  const results: Result[] = [];
  for (const [i, rt] of runtimes.entries()) {
    console.error(`bench: ${LABEL[rt]}: ${n} records${rt === 'kconnect' ? ` (Kafka client ${kafkaClientBackend()})` : ''} …`);
    const r = await runOne(rt, BASE_PORT + (rt === 'java' ? 1 : 0), w);
    console.error(`bench: ${LABEL[rt]}: startup ${r.startupMs} ms, source ${(r.sourceMs / 1000).toFixed(2)} s, sink ${(r.sinkMs / 1000).toFixed(2)} s`);
    results.push(r);
    if (i < runtimes.length - 1) await sleep(2000); // let the broker settle between runtimes
  }
  report(n, bytes, results);
}

main()
  .then(() => cleanup())
  .catch(async (e: unknown) => {
    if (cleaning) return; // interrupted: the signal handler cleans up and exits
    console.error(e);
    await cleanup();
    process.exit(1);
  });
