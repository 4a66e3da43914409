/**
 * Migration in place between Java Connect 4.1 standalone and kconnect standalone, both ways: the same worker
 * properties and the same `offset.storage.file.filename` (Java's serialized offsets file), so a source goes on where
 * the other runtime stopped, and a sink's consumer group `connect-<name>` carries over; no line lost or written twice.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { CliWorker, freePort, JavaConnectWorker } from '@kconnect/testkit';
import { BOOTSTRAP, eventually, fileLines, kafkaAdmin, numberedLines, restCall, unique } from './harness';

jest.setTimeout(300_000);

const lines = fileLines;
const numbered = numberedLines;
const api = restCall;

describe('migration in place between Java Connect and kconnect standalone workers', () => {
  let admin: KafkaAdmin;
  const dir = mkdtempSync(path.join(tmpdir(), 'kc-sa-migrate-'));
  const input = path.join(dir, 'in.txt');
  const output = path.join(dir, 'out.txt');
  const offsetsFile = path.join(dir, 'connect.offsets');
  const topic = unique('kc-sa-migrate');
  const procs: Array<{ close(): Promise<void> }> = [];
  const props = (port: number) => ({
    'bootstrap.servers': BOOTSTRAP,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'offset.storage.file.filename': offsetsFile,
    'offset.flush.interval.ms': '500',
    listeners: `http://127.0.0.1:${port}`,
  });
  const source = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', file: input, topic };
  const sink = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: output, topics: topic };

  beforeAll(async () => {
    admin = await kafkaAdmin();
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    writeFileSync(input, '');
  });
  afterAll(async () => {
    for (const p of procs) await p.close().catch(() => undefined);
    await admin.deleteGroup('connect-sa-sink').catch(() => undefined);
    await admin.deleteTopics([topic]);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Java standalone keeps no connector configs: they are created again over REST, as its users do. */
  async function java(): Promise<{ url: string; w: JavaConnectWorker }> {
    const port = await freePort();
    const w = new JavaConnectWorker('standalone', props(port));
    procs.push(w);
    w.start();
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/connectors`)).ok, 120_000, `Java Connect answering (log: ${w.log})`);
    expect((await api(url, 'PUT', '/connectors/sa-src/config', source)).status).toBe(201);
    expect((await api(url, 'PUT', '/connectors/sa-sink/config', sink)).status).toBe(201);
    return { url, w };
  }

  /** kconnect reads the same worker properties; its connectors from the same configs as JSON files. */
  async function kconnect(): Promise<{ url: string; w: CliWorker }> {
    const port = await freePort();
    const w = new CliWorker({
      props: props(port),
      connectors: [
        { name: 'sa-src', config: source },
        { name: 'sa-sink', config: sink },
      ],
      logLevel: 'WARN',
    });
    procs.push(w);
    w.start();
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/`)).ok, 30_000, `kconnect answering (log: ${w.log})`);
    return { url, w };
  }

  /** Waits until the worker has flushed the source offset of the whole input file. */
  const flushed = (url: string, who: string) =>
    eventually(
      async () => {
        const r = await api(url, 'GET', '/connectors/sa-src/offsets');
        return r.body?.offsets?.[0]?.offset?.position === readFileSync(input).length ? r.body : false;
      },
      30_000,
      `${who} flushed the source offset`,
    );

  it("Java → kconnect → Java on one offsets file: sources go on from Java's offsets, sinks from the group", async () => {
    const j1 = await java();
    appendFileSync(input, numbered(1, 100));
    await eventually(() => lines(output).length === 100, 60_000, 'Java moved 100 lines');
    const javaOffsets = await flushed(j1.url, 'Java');
    await j1.w.stop();
    expect(readFileSync(offsetsFile).subarray(0, 2).toString('hex')).toBe('aced'); // Java's serialized map

    const k = await kconnect();
    expect(await api(k.url, 'GET', '/connectors/sa-src/offsets')).toEqual({ status: 200, body: javaOffsets });
    appendFileSync(input, numbered(101, 150));
    await eventually(() => lines(output).length >= 150, 60_000, 'kconnect moved lines 101-150');
    await flushed(k.url, 'kconnect');
    await k.w.stop();
    expect(await admin.highWatermark(topic, 0)).toBe(150); // the source did not start over

    const j2 = await java();
    await eventually(async () => (await api(j2.url, 'GET', '/connectors/sa-src/status')).body?.tasks?.[0]?.state === 'RUNNING', 60_000, 'Java runs');
    appendFileSync(input, numbered(151, 170));
    await eventually(() => lines(output).length >= 170, 60_000, `Java moved lines 151-170 (log: ${j2.w.log})`);
    await flushed(j2.url, 'Java');
    await j2.w.stop();
    expect(await admin.highWatermark(topic, 0)).toBe(170);
    expect(lines(output)).toEqual(numbered(1, 170).trim().split('\n'));
  });
});
