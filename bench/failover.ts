/**
 * Benchmark: failover of a distributed cluster with default settings.
 *
 *   npm run bench -- failover [--runtimes=kconnect,java] [--workers=3] [--tasks=6]
 *
 * For each runtime, a fresh cluster of `--workers` distributed workers (kconnect: the CLI's `kconnect distributed`;
 * Java: Apache Kafka Connect 4.1's ConnectDistributed) on new topics, with Java's defaults except the three
 * topics' names and replication factor 1. A FileStreamSink with `--tasks` tasks on a topic of as many partitions and
 * a FileStreamSource run; once everything is RUNNING the worker with the most work is killed (`kill -9`). Measured:
 *   - failover: from the kill until every connector and task of the killed worker is RUNNING on another worker
 *     (polling `/connectors?expand=status` of a survivor every 100 ms);
 *   - unaffected restarts: how many of the survivors' tasks were stopped and started again meanwhile (RUNNING
 *     records per task in the status topic; goal 0: only the killed worker's work moves).
 * Java's default `scheduled.rebalance.max.delay.ms` is 300000: its failover takes that plus the session timeout,
 * so the Java run takes over five minutes. Results in docs/benchmarks.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliWorker, distributedWorkerProps, freePort, JavaConnectWorker, readTopics } from '@kconnect/testkit';
import { benchKafkaClient } from './kafka';

const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const RUNTIMES = arg('runtimes', 'kconnect').split(',') as Array<'kconnect' | 'java'>;
const WORKERS = Number(arg('workers', '3'));
const TASKS = Number(arg('tasks', '6'));

type Status = { name: string; connector: { state: string; worker_id: string }; tasks: Array<{ id: number; state: string; worker_id: string }> };
interface Proc {
  url: string;
  workerId: string;
  start(): void;
  kill(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function statuses(url: string): Promise<Record<string, Status> | null> {
  try {
    const res = await fetch(`${url}/connectors?expand=status`);
    if (!res.ok) return null;
    const body = (await res.json()) as Record<string, { status: Status }>;
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v.status]));
  } catch {
    return null;
  }
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | false | null>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function runOne(rt: 'kconnect' | 'java'): Promise<{ failoverSeconds: number; unaffectedRestarts: number; moved: number }> {
  const id = `bench-failover-${rt}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'kc-failover-'));
  const admin = await benchKafkaClient().admin();
  const data = `${id}-data`;
  const topics = [`${id}-configs`, `${id}-offsets`, `${id}-status`, data];
  const procs: Proc[] = [];
  const groups: string[] = [];
  try {
    await admin.createTopics([{ topic: data, numPartitions: TASKS, replicationFactor: 1 }]);
    const props = distributedWorkerProps(id, {
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',
    });
    for (let i = 0; i < WORKERS; i++) {
      const port = await freePort();
      const p = { ...props, listeners: `http://127.0.0.1:${port}` };
      const w = rt === 'kconnect' ? new CliWorker({ mode: 'distributed', props: p, logLevel: 'ERROR' }) : new JavaConnectWorker('distributed', p);
      procs.push({
        url: `http://127.0.0.1:${port}`,
        workerId: `127.0.0.1:${port}`,
        start: () => w.start(),
        kill: () => ('kill' in w ? w.kill() : w.stop(0)),
        close: () => w.close(),
      });
      w.start();
    }
    for (const p of procs) await waitFor(`${p.url} answering`, 120_000, async () => (await statuses(p.url)) !== null);
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, 'hello\n');
    const put = (name: string, config: Record<string, string>) =>
      fetch(`${procs[0]!.url}/connectors/${name}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    await put('sink', {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      file: path.join(dir, 'out.txt'),
      topics: data,
      'tasks.max': String(TASKS),
    });
    await put('src', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', file: input, topic: data });
    const allRunning = (s: Record<string, Status> | null) =>
      s &&
      s.sink?.tasks.length === TASKS &&
      s.src?.tasks.length === 1 &&
      Object.values(s).every((c) => c.connector.state === 'RUNNING' && c.tasks.every((t) => t.state === 'RUNNING'));
    const before = await waitFor('everything RUNNING', 120_000, async () => {
      const s = await statuses(procs[0]!.url);
      return allRunning(s) ? s : null;
    });
    // Settle, so that what the status topic holds before the kill is final.
    await sleep(3000);
    const items = (s: Record<string, Status>) =>
      Object.values(s).flatMap((c) => [
        { key: c.name, worker: c.connector.worker_id },
        ...c.tasks.map((t) => ({ key: `${c.name}-${t.id}`, worker: t.worker_id })),
      ]);
    const load = new Map<string, number>();
    for (const i of items(before)) load.set(i.worker, (load.get(i.worker) ?? 0) + 1);
    const victim = procs.reduce((a, b) => ((load.get(b.workerId) ?? 0) > (load.get(a.workerId) ?? 0) ? b : a));
    const survivor = procs.find((p) => p !== victim)!;
    const moved = items(before).filter((i) => i.worker === victim.workerId);
    const unaffected = items(before).filter((i) => i.worker !== victim.workerId && i.key.includes('-'));
    const reader = await readTopics([`${id}-status`], groups);
    await waitFor('status records', 30_000, async () => reader.records.length > 0);
    await sleep(1000);
    const runningCount = (key: string) =>
      reader.records.filter((r) => r.key === `status-task-${key}` && r.value && JSON.parse(String(r.value)).state === 'RUNNING').length;
    const runsBefore = new Map(unaffected.map((i) => [i.key, runningCount(i.key)]));

    const t0 = process.hrtime.bigint();
    await victim.kill();
    await waitFor('the killed worker’s work RUNNING elsewhere', 900_000, async () => {
      const s = await statuses(survivor.url);
      return allRunning(s) && !items(s!).some((i) => i.worker === victim.workerId);
    });
    const failoverSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await sleep(2000);
    const unaffectedRestarts = unaffected.reduce((n, i) => n + (runningCount(i.key) - runsBefore.get(i.key)!), 0);
    await reader.stop();
    return { failoverSeconds, unaffectedRestarts, moved: moved.length };
  } finally {
    for (const p of procs) await p.close().catch(() => undefined);
    for (const g of [...groups, id, 'connect-sink']) await admin.deleteGroup(g).catch(() => undefined);
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`failover: ${WORKERS} workers, a FileStreamSink with ${TASKS} tasks and a FileStreamSource, default settings; kill -9 of the busiest worker`);
  const results: Array<{ rt: string; failoverSeconds: number; unaffectedRestarts: number; moved: number }> = [];
  for (const rt of RUNTIMES) {
    const r = await runOne(rt);
    results.push({ rt, ...r });
    console.log(
      `${rt.padEnd(9)} failover ${r.failoverSeconds.toFixed(1)} s (${r.moved} connectors/tasks moved), unaffected tasks restarted: ${r.unaffectedRestarts}`,
    );
  }
  const k = results.find((r) => r.rt === 'kconnect');
  const j = results.find((r) => r.rt === 'java');
  if (k && j) console.log(`ratio failover kconnect/java: ${(k.failoverSeconds / j.failoverSeconds).toFixed(3)}`);
  else if (k)
    console.log(
      "reference: Java Connect's defaults hold a departed worker's work for scheduled.rebalance.max.delay.ms=300000 after its session.timeout.ms=10000 (run with --runtimes=kconnect,java to measure it)",
    );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
