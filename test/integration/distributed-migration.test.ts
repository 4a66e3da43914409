/**
 * Migration in place, both ways: a Java Connect 4.1 distributed cluster is stopped, a kconnect worker starts on the
 * same group and three topics and carries on with its connectors (configs, target states, source offsets, sink
 * consumer groups); then the same back to Java.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { CliWorker, freePort, JavaConnectWorker } from '@kconnect/testkit';
import { distributedWorkerProps, eventually, fileLines, kafkaAdmin, numberedLines, restCall, unique } from './harness';

jest.setTimeout(300_000);

const lines = fileLines;
const numbered = numberedLines;
const api = restCall;

type Status = { connector: { state: string }; tasks: Array<{ state: string }> };
async function states(url: string): Promise<Record<string, string>> {
  const r = await api(url, 'GET', '/connectors?expand=status');
  return Object.fromEntries(
    Object.entries(r.body as Record<string, { status: Status }>).map(([k, v]) => [
      k,
      [v.status.connector.state, ...v.status.tasks.map((t) => t.state)].join(','),
    ]),
  );
}

describe('migration in place between Java Connect and kconnect distributed clusters', () => {
  let admin: KafkaAdmin;
  const dir = mkdtempSync(path.join(tmpdir(), 'kc-migrate-'));
  const input = path.join(dir, 'in.txt');
  const input2 = path.join(dir, 'in2.txt');
  const output = path.join(dir, 'out.txt');
  const id = unique('kc-migrate');
  const data = `${id}-data`;
  const topics = [`${id}-configs`, `${id}-offsets`, `${id}-status`, data, `${id}-own-offsets`, `${data}-own`];
  const procs: Array<{ close(): Promise<void> }> = [];
  let props: Record<string, string>;

  beforeAll(async () => {
    admin = await kafkaAdmin();
    await admin.createTopics([{ topic: data, numPartitions: 2, replicationFactor: 1 }]);
    writeFileSync(input, '');
    writeFileSync(input2, '');
    props = distributedWorkerProps(id, {
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',

      'offset.flush.interval.ms': '500',
    });
  });
  afterAll(async () => {
    for (const p of procs) await p.close().catch(() => undefined);
    for (const c of ['msrc', 'msink', 'mpaused', 'kcreated', 'mown']) await admin.deleteGroup(`connect-${c}`).catch(() => undefined);
    await admin.deleteGroup(id).catch(() => undefined);
    await admin.deleteTopics(topics);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function java(): Promise<{ url: string; w: JavaConnectWorker }> {
    const port = await freePort();
    const w = new JavaConnectWorker('distributed', { ...props, listeners: `http://127.0.0.1:${port}` });
    procs.push(w);
    w.start();
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/connectors`)).ok, 120_000, `Java Connect answering (log: ${w.log})`);
    return { url, w };
  }

  async function kconnect(): Promise<{ url: string; w: CliWorker }> {
    const port = await freePort();
    const w = new CliWorker({ mode: 'distributed', props: { ...props, listeners: `http://127.0.0.1:${port}` }, logLevel: 'WARN' });
    procs.push(w);
    w.start();
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/`)).ok, 30_000, `kconnect answering (log: ${w.log})`);
    return { url, w };
  }

  it('Java → kconnect → Java: connectors, target states, source offsets and sink groups carry over', async () => {
    // 1. Java Connect runs a source, a sink and a paused source.
    const j1 = await java();
    const src = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', file: input, topic: data };
    expect((await api(j1.url, 'PUT', '/connectors/msrc/config', src)).status).toBe(201);
    const sink = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: output, topics: data, 'tasks.max': '2' };
    expect((await api(j1.url, 'PUT', '/connectors/msink/config', sink)).status).toBe(201);
    expect((await api(j1.url, 'POST', '/connectors', { name: 'mpaused', config: { ...src, topic: `${data}-paused` }, initial_state: 'PAUSED' })).status).toBe(
      201,
    );
    // A source with its own offsets topic (KIP-618).
    const own = { ...src, file: input2, topic: `${data}-own`, 'offsets.storage.topic': `${id}-own-offsets` };
    expect((await api(j1.url, 'PUT', '/connectors/mown/config', own)).status).toBe(201);
    appendFileSync(input2, numbered(1, 30));
    appendFileSync(input, numbered(1, 100));
    await eventually(() => lines(output).length === 100, 60_000, 'Java moved 100 lines');
    const javaOwnOffsets = await eventually(
      async () => {
        const r = await api(j1.url, 'GET', '/connectors/mown/offsets');
        return r.body?.offsets?.[0]?.offset?.position === readFileSync(input2).length ? r.body : false;
      },
      30_000,
      'Java committed mown offset to its own topic',
    );
    const javaOffsets = await eventually(
      async () => {
        const r = await api(j1.url, 'GET', '/connectors/msrc/offsets');
        return r.body?.offsets?.[0]?.offset?.position === readFileSync(input).length ? r.body : false;
      },
      30_000,
      'Java committed the source offset',
    );
    await j1.w.stop();

    // 2. kconnect on the same group and topics.
    const k = await kconnect();
    expect((await api(k.url, 'GET', '/connectors')).body.sort()).toEqual(['mown', 'mpaused', 'msink', 'msrc']);
    expect(await api(k.url, 'GET', '/connectors/mown/offsets')).toEqual({ status: 200, body: javaOwnOffsets });
    expect((await api(k.url, 'GET', '/connectors/msink/config')).body).toEqual({ ...sink, name: 'msink' });
    expect(await api(k.url, 'GET', '/connectors/msrc/offsets')).toEqual({ status: 200, body: javaOffsets });
    await eventually(
      async () => {
        const s = await states(k.url);
        return s.msrc === 'RUNNING,RUNNING' && s.msink === 'RUNNING,RUNNING,RUNNING' && s.mpaused?.startsWith('PAUSED');
      },
      60_000,
      'kconnect runs what Java ran, with its target states',
    );
    appendFileSync(input, numbered(101, 150));
    appendFileSync(input2, numbered(31, 40));
    // mown went on from the offset in its own topic: 40 records in its topic, none twice.
    await eventually(async () => (await admin.highWatermark(`${data}-own`, 0)) === 40, 60_000, 'mown wrote 40 records in all');
    await eventually(() => lines(output).length >= 150, 60_000, 'kconnect moved lines 101-150');
    // Neither the source nor the sink started over: no line twice.
    expect(lines(output)).toHaveLength(150);
    expect(new Set(lines(output)).size).toBe(150);
    // Something created here must reach Java too.
    expect((await api(k.url, 'PUT', '/connectors/kcreated/config', { ...src, topic: `${data}-k` })).status).toBe(201);
    expect((await api(k.url, 'PUT', '/connectors/mpaused/stop')).status).toBe(204);
    await eventually(
      async () => (await api(k.url, 'GET', '/connectors/msrc/offsets')).body?.offsets?.[0]?.offset?.position === readFileSync(input).length,
      30_000,
      'kconnect committed the source offset',
    );
    await eventually(async () => (await states(k.url)).mpaused === 'STOPPED', 30_000, 'mpaused stopped');
    await k.w.stop();

    // 3. Back to Java.
    const j2 = await java();
    expect((await api(j2.url, 'GET', '/connectors')).body.sort()).toEqual(['kcreated', 'mown', 'mpaused', 'msink', 'msrc']);
    // Java reads mown's offset from its own topic, where kconnect wrote it.
    await eventually(
      async () => (await api(j2.url, 'GET', '/connectors/mown/offsets')).body?.offsets?.[0]?.offset?.position === readFileSync(input2).length,
      30_000,
      'Java sees mown offset',
    );
    await eventually(
      async () => {
        const s = await states(j2.url);
        return s.msrc === 'RUNNING,RUNNING' && s.msink === 'RUNNING,RUNNING,RUNNING' && s.mpaused === 'STOPPED' && s.kcreated === 'RUNNING,RUNNING';
      },
      90_000,
      'Java runs everything again with the target states kconnect set',
    );
    appendFileSync(input, numbered(151, 170));
    await eventually(() => lines(output).length >= 170, 60_000, 'Java moved lines 151-170');
    expect(lines(output)).toHaveLength(170);
    expect(new Set(lines(output)).size).toBe(170);
    await j2.w.stop();
  });
});
