/**
 * Distributed mode with real worker processes (the CLI's `kconnect distributed`) on the real broker: how work is
 * spread and moved, failover after `kill -9`, REST through any worker, a whole-cluster restart, and bad topics.
 */
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { CliWorker, freePort } from '@kconnect/testkit';
import { distributedWorkerProps, eventually, fileLines, kafkaAdmin, kafkaClient, readTopics, unique } from './harness';

jest.setTimeout(240_000);

interface Node {
  name: string;
  port: number;
  url: string;
  proc: CliWorker;
}

let admin: KafkaAdmin;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  admin = await kafkaAdmin();
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await admin.close();
});

/** A cluster's shared settings: its group and its three topics (deleted at the end). */
function clusterProps(extra: Record<string, string> = {}): Record<string, string> {
  const id = unique('kc-dist');
  const props = distributedWorkerProps(id, {
    'offset.flush.interval.ms': '500',
    ...extra,
  });
  cleanup.push(async () => {
    await admin.deleteTopics([props['config.storage.topic'], props['offset.storage.topic'], props['status.storage.topic']]);
  });
  return props;
}

async function startNode(name: string, props: Record<string, string>, port?: number): Promise<Node> {
  port ??= await freePort();
  const proc = new CliWorker({ mode: 'distributed', props: { ...props, listeners: `http://127.0.0.1:${port}` }, logLevel: 'WARN' });
  cleanup.push(() => proc.close());
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/`)).ok, 30_000, `${name} answering (log: ${proc.log})`);
  return { name, port, url, proc };
}

async function api(node: Node, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

type Status = { name: string; connector: { state: string; worker_id: string }; tasks: Array<{ id: number; state: string; worker_id: string }> };

async function statuses(node: Node): Promise<Record<string, Status>> {
  const r = await api(node, 'GET', '/connectors?expand=status');
  return Object.fromEntries(Object.entries(r.body as Record<string, { status: Status }>).map(([k, v]) => [k, v.status]));
}

/** Every connector RUNNING with `tasks` tasks RUNNING (per connector), as any worker sees it. */
async function allRunning(node: Node, tasks: Record<string, number>): Promise<Record<string, Status>> {
  return eventually<Record<string, Status> | false>(
    async () => {
      const s = await statuses(node);
      const ok = Object.entries(tasks).every(
        ([c, n]) => s[c]?.connector.state === 'RUNNING' && s[c]!.tasks.length === n && s[c]!.tasks.every((t) => t.state === 'RUNNING'),
      );
      return ok ? s : false;
    },
    45_000,
    `connectors running: ${JSON.stringify(tasks)}`,
  ) as Promise<Record<string, Status>>;
}

/** The headers of an internal request signed with the cluster's current session key (read from its config topic). */
async function signedBy(props: Record<string, string>, body: string): Promise<Record<string, string>> {
  const groups: string[] = [];
  const reader = await readTopics([props['config.storage.topic']!], groups);
  try {
    const rec = await eventually(() => [...reader.records].reverse().find((r) => r.key === 'session-key'), 30_000, 'the session key in the config topic');
    const key = JSON.parse(rec!.value!.toString()) as { key: string; algorithm: string };
    const hmac = createHmac('sha256', Buffer.from(key.key, 'base64')).update(body).digest('base64');
    return { 'X-Connect-Authorization': hmac, 'X-Connect-Request-Signature-Algorithm': key.algorithm };
  } finally {
    await reader.stop();
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
  }
}

const workerOf = (node: Node) => `127.0.0.1:${node.port}`;
const lines = fileLines;

describe('a cluster of three workers', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kc-dist-'));
  const input = path.join(dir, 'in.txt');
  const output = path.join(dir, 'out.txt');
  let props: Record<string, string>;
  let data: string;
  const nodes: Node[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    props = clusterProps();
    data = unique('kc-dist-data');
    await admin.createTopics([{ topic: data, numPartitions: 4, replicationFactor: 1 }]);
    cleanup.push(() => admin.deleteTopics([data]));
    writeFileSync(input, '');
  });

  it('spreads connectors and tasks over the workers and moves data from a file through Kafka to a file', async () => {
    nodes.push(await startNode('w1', props), await startNode('w2', props));
    const sink = await api(nodes[0]!, 'PUT', '/connectors/sink/config', {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: data,
      'tasks.max': '4',
    });
    expect(sink.status).toBe(201);
    const src = await api(nodes[1]!, 'POST', '/connectors', { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: data } });
    expect(src.status).toBe(201);
    const s = await allRunning(nodes[0]!, { sink: 4, src: 1 });
    // Two connectors, five tasks on two workers: one connector each, tasks 3 / 2.
    const perWorker = (w: string) => Object.values(s).flatMap((c) => c.tasks.filter((t) => t.worker_id === w)).length;
    expect([perWorker(workerOf(nodes[0]!)), perWorker(workerOf(nodes[1]!))].sort()).toEqual([2, 3]);
    expect(new Set(Object.values(s).map((c) => c.connector.worker_id)).size).toBe(2);
    appendFileSync(input, `${Array.from({ length: 200 }, (_, i) => `line-${i + 1}`).join('\n')}\n`);
    await eventually(() => lines(output).length >= 200, 30_000, 'the sink file has 200 lines');
    // Every worker answers the same.
    expect(Object.keys(await statuses(nodes[1]!)).sort()).toEqual(['sink', 'src']);
  });

  it('a third worker takes a share; tasks that do not move are never restarted', async () => {
    const before = await statuses(nodes[0]!);
    // Where the status topic ends now: only what the join writes counts below (the first test's rebalances may have
    // moved a task between the first two workers before it settled).
    const statusTopic = props['status.storage.topic']!;
    const ends = await Promise.all([0, 1, 2, 3, 4].map((p) => admin.highWatermark(statusTopic, p)));
    nodes.push(await startNode('w3', props));
    const w3 = workerOf(nodes[2]!);
    const after = (await eventually<Record<string, Status> | false>(
      async () => {
        const s = await allRunning(nodes[0]!, { sink: 4, src: 1 });
        return Object.values(s).some((c) => c.tasks.some((t) => t.worker_id === w3)) ? s : false;
      },
      45_000,
      'the new worker runs a task',
    )) as Record<string, Status>;
    const all = (s: Record<string, Status>) => Object.values(s).flatMap((c) => c.tasks.map((t) => ({ key: `${c.name}-${t.id}`, worker: t.worker_id })));
    const stayed = all(after).filter((t) => all(before).find((b) => b.key === t.key)?.worker === t.worker);
    expect(stayed.length).toBeGreaterThanOrEqual(3);
    // No task that stayed reported RUNNING again during the join: it was not stopped and started again.
    const groups: string[] = [];
    const reader = await readTopics([statusTopic], groups);
    cleanup.push(async () => {
      for (const g of groups) await admin.deleteGroup(g);
    });
    try {
      await eventually(() => reader.records.length > 0, 15_000, 'status records');
      await new Promise((r) => setTimeout(r, 1000));
      const sinceJoin = reader.records.filter((r) => Number(r.offset) >= (ends[r.partition] ?? 0));
      for (const t of stayed) {
        const running = sinceJoin.filter((r) => r.key === `status-task-${t.key}` && JSON.parse(String(r.value)).state === 'RUNNING');
        expect({ task: t.key, starts: running.length }).toEqual({ task: t.key, starts: 0 });
      }
    } finally {
      await reader.stop();
    }
  });

  it('kill -9 of a worker: its tasks run elsewhere, no line is lost, and it rejoins without duplicate tasks', async () => {
    const s = await statuses(nodes[0]!);
    const victim = nodes.find((n) => s.src!.tasks[0]!.worker_id === workerOf(n))!;
    const survivors = nodes.filter((n) => n !== victim);
    await victim.proc.kill();
    appendFileSync(input, `${Array.from({ length: 300 }, (_, i) => `line-${i + 201}`).join('\n')}\n`);
    // Until the group notices, the victim's work keeps its last known status; then it runs on the survivors.
    await eventually(
      async () => {
        const st = await allRunning(survivors[0]!, { sink: 4, src: 1 });
        return !Object.values(st).some((c) => [c.connector.worker_id, ...c.tasks.map((t) => t.worker_id)].includes(workerOf(victim)));
      },
      45_000,
      "the victim's work running on the survivors",
    );
    await eventually(() => new Set(lines(output)).size >= 500, 45_000, 'all 500 lines in the sink file');
    const got = new Set(lines(output));
    for (let i = 1; i <= 500; i++) expect(got.has(`line-${i}`)).toBe(true);
    // The killed worker comes back on its port and gets a share again; every task runs exactly once.
    victim.proc.start();
    await eventually(async () => (await fetch(`${victim.url}/`)).ok, 30_000, 'the restarted worker answering');
    const back = (await eventually<Record<string, Status> | false>(
      async () => {
        const st = await allRunning(survivors[0]!, { sink: 4, src: 1 });
        return Object.values(st).some((c) => c.tasks.some((t) => t.worker_id === workerOf(victim))) ? st : false;
      },
      45_000,
      'the restarted worker runs a task again',
    )) as Record<string, Status>;
    expect(Object.values(back).flatMap((c) => c.tasks)).toHaveLength(5);
    appendFileSync(input, 'line-501\n');
    await eventually(() => lines(output).includes('line-501'), 30_000, 'line 501');
  });

  it('pause, resume, restart, stop, offsets and delete through any worker', async () => {
    const [w1, w2, w3] = nodes as [Node, Node, Node];
    expect((await api(w2, 'PUT', '/connectors/src/pause')).status).toBe(202);
    await eventually(
      async () => {
        const s = (await api(w3, 'GET', '/connectors/src/status')).body as Status;
        return s.connector.state === 'PAUSED' && s.tasks.every((t) => t.state === 'PAUSED');
      },
      30_000,
      'src paused',
    );
    expect((await api(w3, 'PUT', '/connectors/src/resume')).status).toBe(202);
    await allRunning(w1, { src: 1 });
    const restart = await api(w1, 'POST', '/connectors/sink/restart?includeTasks=true');
    expect(restart.status).toBe(202);
    expect(restart.body.connector.state).toBe('RESTARTING');
    await allRunning(w2, { sink: 4 });
    expect((await api(w3, 'POST', '/connectors/sink/tasks/0/restart')).status).toBe(204);
    // Source offsets are in the offsets topic: any worker reads them.
    const offsets = await eventually(
      async () => {
        const r = await api(w2, 'GET', '/connectors/src/offsets');
        return r.body.offsets?.[0]?.offset?.position > 0 ? r.body : false;
      },
      30_000,
      'src offsets',
    );
    expect(offsets.offsets[0].partition).toEqual({ filename: input });
    // Offsets change only once the connector is stopped.
    expect((await api(w1, 'PATCH', '/connectors/src/offsets', { offsets: [{ partition: { filename: input }, offset: { position: 0 } }] })).status).toBe(400);
    expect((await api(w1, 'PUT', '/connectors/src/stop')).status).toBe(204);
    await eventually(async () => (await api(w3, 'GET', '/connectors/src/status')).body.connector.state === 'STOPPED', 30_000, 'src stopped');
    expect((await api(w2, 'GET', '/connectors/src')).body.tasks).toEqual([]);
    const patched = (await eventually<{ status: number; body: any } | false>(
      async () => {
        const r = await api(w3, 'PATCH', '/connectors/src/offsets', { offsets: [{ partition: { filename: input }, offset: { position: 7 } }] });
        return r.status === 200 ? r : false;
      },
      30_000,
      'offsets patched',
    )) as { status: number; body: any };
    expect(patched.body.message).toMatch(/offsets/i);
    expect((await api(w1, 'GET', '/connectors/src/offsets')).body.offsets).toEqual([{ partition: { filename: input }, offset: { position: 7 } }]);
    expect((await api(w2, 'DELETE', '/connectors/src')).status).toBe(204);
    for (const n of nodes) await eventually(async () => (await api(n, 'GET', '/connectors/src')).status === 404, 15_000, `src gone on ${n.name}`);
  });

  it('initial_state PAUSED creates the connector paused and without tasks until it is resumed, as Java', async () => {
    const [w1, w2] = nodes as [Node, Node];
    const r = await api(w2, 'POST', '/connectors', {
      name: 'later',
      config: { 'connector.class': 'FileStreamSink', file: path.join(dir, 'later.txt'), topics: data, 'tasks.max': '2' },
      initial_state: 'PAUSED',
    });
    expect(r.status).toBe(201);
    expect(r.body.tasks).toEqual([]);
    await eventually(async () => (await api(w1, 'GET', '/connectors/later/status')).body.connector?.state === 'PAUSED', 30_000, 'later paused');
    await new Promise((res) => setTimeout(res, 1500));
    expect((await api(w1, 'GET', '/connectors/later/tasks')).body).toEqual([]);
    expect((await api(w1, 'PUT', '/connectors/later/resume')).status).toBe(202);
    await allRunning(w2, { later: 2 });
    expect((await api(w1, 'DELETE', '/connectors/later')).status).toBe(204);
  });

  it('leader-only requests are forwarded to the leader (at most one hop); internal requests must be signed', async () => {
    // `forward=false` is never forwarded: only the leader answers it with anything but 409.
    const answers = await Promise.all(nodes.map((n) => api(n, 'DELETE', '/connectors/no-such-connector?forward=false')));
    expect(answers.map((a) => a.status).sort()).toEqual([404, 409, 409]);
    const leader = nodes[answers.findIndex((a) => a.status === 404)]!;
    const follower = nodes.find((n) => n !== leader)!;
    expect(answers.find((a) => a.status === 409)!.body.message).toMatch(/conflicting operation/);
    // A user's request to a follower is served by the leader, whatever the follower.
    const created = await fetch(`${follower.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fwd', config: { 'connector.class': 'FileStreamSource', file: input, topic: `${data}-fwd` } }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { name: string }).name).toBe('fwd');
    // Location points at the worker the client asked, as Java builds it there.
    expect(created.headers.get('location')).toBe(`${follower.url}/connectors/fwd`);
    // Zombie fencing (internal, signed, forwarded to the leader): without exactly-once support there is nothing to
    // fence, which Java's leader answers with 204 after the same checks.
    const fence = async (connector: string, sign = true) => {
      const res = await fetch(`${follower.url}/connectors/${connector}/fence`, { method: 'PUT', headers: sign ? await signedBy(props, '') : {} });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    expect(await fence('fwd', false)).toEqual({ status: 400, body: { error_code: 400, message: 'Internal request missing required signature' } });
    expect(await fence('fwd')).toEqual({ status: 204, body: null });
    expect(await fence('sink')).toEqual({ status: 400, body: { error_code: 400, message: 'Connector sink is not a source connector' } });
    expect(await fence('no-such-connector')).toEqual({ status: 404, body: { error_code: 404, message: 'Connector no-such-connector not found' } });
    expect((await api(follower, 'DELETE', '/connectors/fwd')).status).toBe(204);
    // A plain restart is done by the worker that runs the connector (as Java): elsewhere `forward=false` is a 409,
    // without it the request travels there; an unknown connector is a 404 whatever `forward` says.
    const runsSink = (await statuses(leader)).sink!.connector.worker_id;
    const owner = nodes.find((n) => workerOf(n) === runsSink)!;
    const other = nodes.find((n) => workerOf(n) !== runsSink)!;
    expect((await api(other, 'POST', '/connectors/sink/restart?forward=false')).status).toBe(409);
    expect((await api(owner, 'POST', '/connectors/sink/restart?forward=false')).status).toBe(204);
    expect((await api(other, 'POST', '/connectors/sink/restart')).status).toBe(204);
    expect(await api(follower, 'POST', '/connectors/nope/restart?forward=false')).toEqual({
      status: 404,
      body: { error_code: 404, message: 'Unknown connector: nope' },
    });
    // Internal requests: the signature is checked where they arrive, before any forwarding, with Java's messages.
    expect(await api(follower, 'POST', '/connectors/sink/tasks?forward=false', [{ 'task.class': 'x' }])).toEqual({
      status: 400,
      body: { error_code: 400, message: 'Internal request missing required signature' },
    });
    const signedWith = async (signature: string, algorithm: string) => {
      const r = await fetch(`${follower.url}/connectors/sink/fence`, {
        method: 'PUT',
        headers: { 'X-Connect-Authorization': signature, 'X-Connect-Request-Signature-Algorithm': algorithm },
      });
      return { status: r.status, body: await r.json() };
    };
    expect(await signedWith(Buffer.alloc(32).toString('base64'), 'HmacMD5')).toEqual({
      status: 400,
      body: {
        error_code: 400,
        message:
          "This worker does not support the 'HmacMD5' key signing algorithm used by other workers. This worker is currently configured to use: [HmacSHA256]. Check that all workers' configuration files permit the same set of signature algorithms, and correct any misconfigured worker and restart it.",
      },
    });
    expect(await signedWith('!!!notbase64', 'HmacSHA256')).toEqual({ status: 400, body: { error_code: 400, message: 'Illegal base64 character 21' } });
    // Task configs between workers: unsigned is a 400, a wrong signature a 403 (from any worker: forwarded to the leader).
    const unsigned = await api(follower, 'POST', '/connectors/sink/tasks', [{ 'task.class': 'x' }]);
    expect(unsigned).toEqual({ status: 400, body: { error_code: 400, message: 'Internal request missing required signature' } });
    const res = await fetch(`${follower.url}/connectors/sink/tasks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Connect-Authorization': Buffer.alloc(32).toString('base64'),
        'X-Connect-Request-Signature-Algorithm': 'HmacSHA256',
      },
      body: JSON.stringify([{ 'task.class': 'x' }]),
    });
    expect(res.status).toBe(403);
    expect((await api(leader, 'GET', '/connectors/sink/tasks')).body).toHaveLength(4);
  });

  it('/admin/loggers?scope=cluster sets the level on every worker (KIP-976)', async () => {
    const r = await api(nodes[1]!, 'PUT', '/admin/loggers/kconnect.plugin?scope=cluster', { level: 'DEBUG' });
    expect(r.status).toBe(204);
    for (const n of nodes) {
      await eventually(async () => (await api(n, 'GET', '/admin/loggers/kconnect.plugin')).body?.level === 'DEBUG', 15_000, `DEBUG on ${n.name}`);
    }
    expect((await api(nodes[0]!, 'PUT', '/admin/loggers/kconnect.plugin?scope=cluster', { level: 'WARN' })).status).toBe(204);
    for (const n of nodes)
      await eventually(async () => (await api(n, 'GET', '/admin/loggers/kconnect.plugin')).body?.level === 'WARN', 15_000, `WARN on ${n.name}`);
  });

  it('the whole cluster stopped and started: connectors, target states and offsets come back from the topics', async () => {
    const [w1] = nodes as [Node];
    expect((await api(w1, 'PUT', '/connectors/sink/pause')).status).toBe(202);
    await eventually(
      async () => (await api(w1, 'GET', '/connectors/sink/status')).body.tasks.every((t: { state: string }) => t.state === 'PAUSED'),
      30_000,
      'sink paused',
    );
    const src2 = await api(w1, 'PUT', '/connectors/src2/config', { 'connector.class': 'FileStreamSource', file: input, topic: data });
    expect(src2.status).toBe(201);
    await eventually(
      async () => (await api(w1, 'GET', '/connectors/src2/offsets')).body.offsets?.[0]?.offset?.position === readFileSync(input).length,
      30_000,
      'src2 read the whole file',
    );
    const offsetsBefore = (await api(w1, 'GET', '/connectors/src2/offsets')).body;
    await Promise.all(nodes.map((n) => n.proc.stop()));
    for (const n of nodes) n.proc.start();
    for (const n of nodes) await eventually(async () => (await fetch(`${n.url}/`)).ok, 30_000, `${n.name} back`);
    await eventually(
      async () => {
        const s = await statuses(nodes[2]!);
        return (
          s.sink?.connector.state === 'PAUSED' &&
          s.sink.tasks.length === 4 &&
          s.sink.tasks.every((t) => t.state === 'PAUSED') &&
          s.src2?.tasks[0]?.state === 'RUNNING'
        );
      },
      45_000,
      'sink paused and src2 running again',
    );
    expect((await api(nodes[1]!, 'GET', '/connectors/src2/offsets')).body).toEqual(offsetsBefore);
  });
});

describe('bad input', () => {
  it('a config topic with several partitions stops the worker with a clear error', async () => {
    const props = clusterProps();
    await admin.createTopics([{ topic: props['config.storage.topic']!, numPartitions: 2, replicationFactor: 1 }]);
    const port = await freePort();
    const proc = new CliWorker({ mode: 'distributed', props: { ...props, listeners: `http://127.0.0.1:${port}` }, logLevel: 'ERROR' });
    cleanup.push(() => proc.close());
    proc.start();
    await eventually(() => !proc.running, 30_000, 'the worker exits');
    expect(proc.log).toMatch(/config\.storage\.topic.*single partition.*found 2 partitions/s);
  });

  it('a worker with another group.id on the topics of a running cluster is refused; nothing of the cluster is touched', async () => {
    const props = clusterProps();
    const first = await startNode('owner', props);
    expect(
      (await api(first, 'PUT', '/connectors/keep/config', { 'connector.class': 'FileStreamSource', file: '/dev/null', topic: unique('kc-dist-keep') })).status,
    ).toBe(201);
    const other = new CliWorker({
      mode: 'distributed',
      props: { ...props, 'group.id': unique('kc-dist-other'), listeners: `http://127.0.0.1:${await freePort()}` },
      logLevel: 'ERROR',
    });
    cleanup.push(() => other.close());
    other.start();
    await eventually(() => !other.running, 30_000, 'the second cluster exits');
    expect(other.log).toMatch(new RegExp(`belong to the Connect cluster with group.id '${props['group.id']}', which has running workers`));
    expect((await api(first, 'GET', '/connectors')).body).toEqual(['keep']);
    await eventually(async () => (await api(first, 'GET', '/connectors/keep/status')).body.connector?.state === 'RUNNING', 30_000, 'keep running');
  });

  it('unreadable records in the three topics are skipped: the worker starts and works', async () => {
    const props = clusterProps();
    for (const [topic, partitions] of [
      [props['config.storage.topic']!, 1],
      [props['offset.storage.topic']!, 25],
      [props['status.storage.topic']!, 5],
    ] as const) {
      await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
    }
    const producer = await kafkaClient().producer({ clientId: unique('kc-dist-garbage') });
    try {
      await producer.send([
        { topic: props['config.storage.topic']!, key: Buffer.from('connector-broken'), value: Buffer.from('not json {') },
        { topic: props['config.storage.topic']!, key: Buffer.from('target-state-x'), value: Buffer.from('{"state":"SLEEPING"}') },
        { topic: props['offset.storage.topic']!, partition: 0, key: Buffer.from('"not an array"'), value: Buffer.from('{}') },
        { topic: props['status.storage.topic']!, partition: 0, key: Buffer.from('status-task-x-notanumber'), value: Buffer.from('[]') },
      ]);
    } finally {
      await producer.close();
    }
    const node = await startNode('tolerant', props);
    expect((await api(node, 'GET', '/connectors')).body).toEqual([]);
    expect(
      (await api(node, 'PUT', '/connectors/fine/config', { 'connector.class': 'FileStreamSource', file: '/dev/null', topic: unique('kc-dist-fine') })).status,
    ).toBe(201);
    await eventually(async () => (await api(node, 'GET', '/connectors/fine/status')).body.tasks?.[0]?.state === 'RUNNING', 30_000, 'fine running');
  });

  it('a worker without group.id is refused with a message naming the key', async () => {
    const props = clusterProps();
    delete (props as Record<string, string | undefined>)['group.id'];
    const proc = new CliWorker({ mode: 'distributed', props: { ...props, listeners: `http://127.0.0.1:${await freePort()}` }, logLevel: 'ERROR' });
    cleanup.push(() => proc.close());
    proc.start();
    await eventually(() => !proc.running, 30_000, 'the worker exits');
    expect(proc.log).toMatch(/group\.id/);
  });
});

describe('automatic restart of failed tasks (errors.restart.max.retries, a kconnect extension)', () => {
  it('a failed task is restarted by the worker that runs it, with backoff, and recovers once its cause is gone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-dist-restart-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const props = clusterProps({ 'errors.restart.max.retries': '10', 'errors.restart.backoff.ms': '300' });
    const node = await startNode('restarts', props);
    const topic = unique('kc-dist-restart');
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    cleanup.push(() => admin.deleteTopics([topic]));
    // The sink's folder does not exist yet: the task fails when it starts.
    const output = path.join(dir, 'later', 'out.txt');
    expect((await api(node, 'PUT', '/connectors/late-dir/config', { 'connector.class': 'FileStreamSink', file: output, topics: topic })).status).toBe(201);
    const failed = await eventually(
      async () => {
        const t = (await api(node, 'GET', '/connectors/late-dir/status')).body?.tasks?.[0];
        return t?.state === 'FAILED' ? t : false;
      },
      30_000,
      'the sink task FAILED',
    );
    expect(failed.trace).toMatch(/Couldn't find or create file/);
    mkdirSync(path.dirname(output));
    await allRunning(node, { 'late-dir': 1 });
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\n');
    expect((await api(node, 'PUT', '/connectors/late-src/config', { 'connector.class': 'FileStreamSource', file: input, topic })).status).toBe(201);
    await eventually(() => lines(output).length === 2, 30_000, 'the restarted sink writes');
  });
});
