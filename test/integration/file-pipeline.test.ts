/**
 * The file connectors end to end on a real Kafka broker, through REST-created connectors: every line arrives
 * exactly once, in order, across a graceful worker restart; lifecycle operations behave as in Java Connect.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i} ✓`).join('\n') + '\n';
const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

describe('file → Kafka → file pipeline', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });
  afterEach(async () => {
    await w?.stop();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  async function createPipeline(name: string, input: string, output: string, topic: string) {
    const src = await w.api('POST', '/connectors', {
      name: `${name}-src`,
      config: { 'connector.class': 'FileStreamSource', file: input, topic, 'batch.size': '500' },
    });
    expect(src.status).toBe(201);
    const sink = await w.api('POST', '/connectors', {
      name: `${name}-sink`,
      config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: output, topics: topic },
    });
    expect(sink.status).toBe(201);
    groups.push(`connect-${name}-sink`);
  }

  it('delivers every line exactly once, in order, across a worker restart', async () => {
    const name = unique('pipe');
    const topic = unique('pipe-topic');
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    w = await startWorker({ 'config.storage.file.filename': '' });
    const cfgFile = path.join(w.dir, 'configs.json');
    await w.stop();
    // Second worker keeps REST-created connectors in a config file so they survive the restart.
    w = await startWorker({ 'config.storage.file.filename': cfgFile });
    const input = path.join(w.dir, 'in.txt');
    const output = path.join(w.dir, 'out.txt');
    writeFileSync(input, lines(0, 3000));
    await createPipeline(name, input, output, topic);
    await eventually(() => readLines(output).length >= 3000, 60_000, '3000 lines in the sink file');

    await w.restart();
    appendFileSync(input, lines(3000, 6000));
    await eventually(() => readLines(output).length >= 6000, 60_000, '6000 lines in the sink file');
    // Give a duplicate the chance to show up before checking.
    await new Promise((r) => setTimeout(r, 1500));
    const out = readLines(output);
    expect(out.length).toBe(6000);
    expect(out).toEqual(lines(0, 6000).split('\n').filter(Boolean));

    const status = await w.api('GET', `/connectors/${name}-src/status`);
    expect(status.body.connector.state).toBe('RUNNING');
    expect(status.body.tasks).toEqual([expect.objectContaining({ id: 0, state: 'RUNNING' })]);
    const offsets = await w.api('GET', `/connectors/${name}-src/offsets`);
    expect(offsets.body).toEqual({ offsets: [{ partition: { filename: input }, offset: { position: Buffer.byteLength(lines(0, 6000)) } }] });
  });

  it('pauses, resumes, stops, restarts and deletes like Java Connect', async () => {
    const name = unique('life');
    const topic = unique('life-topic');
    topics.push(topic);
    w = await startWorker();
    const input = path.join(w.dir, 'in.txt');
    const output = path.join(w.dir, 'out.txt');
    writeFileSync(input, lines(0, 10));
    await createPipeline(name, input, output, topic);
    await eventually(() => readLines(output).length === 10, 30_000, 'first lines');

    expect((await w.api('PUT', `/connectors/${name}-src/pause`)).status).toBe(202);
    expect((await w.api('PUT', `/connectors/${name}-src/pause`)).status).toBe(202); // idempotent
    const paused = await w.api('GET', `/connectors/${name}-src/status`);
    expect(paused.body.connector.state).toBe('PAUSED');
    await eventually(async () => (await w.api('GET', `/connectors/${name}-src/tasks/0/status`)).body.state === 'PAUSED', 10_000, 'task paused');
    appendFileSync(input, lines(10, 20));
    await new Promise((r) => setTimeout(r, 1500));
    expect(readLines(output).length).toBe(10); // nothing moves while paused

    expect((await w.api('PUT', `/connectors/${name}-src/resume`)).status).toBe(202);
    await eventually(() => readLines(output).length === 20, 30_000, 'lines after resume');

    expect((await w.api('PUT', `/connectors/${name}-src/stop`)).status).toBe(204);
    const stopped = await w.api('GET', `/connectors/${name}-src/status`);
    expect(stopped.body.connector.state).toBe('STOPPED');
    expect(stopped.body.tasks).toEqual([]);
    expect((await w.api('GET', `/connectors/${name}-src/tasks`)).body).toEqual([]);
    expect((await w.api('PUT', `/connectors/${name}-src/resume`)).status).toBe(202); // resume works from STOPPED
    await eventually(
      async () => (await w.api('GET', `/connectors/${name}-src/status`)).body.tasks[0]?.state === 'RUNNING',
      10_000,
      'running after resume from STOPPED',
    );
    appendFileSync(input, lines(20, 25));
    await eventually(() => readLines(output).length === 25, 30_000, 'lines after restart from stop');

    expect((await w.api('POST', `/connectors/${name}-src/restart`)).status).toBe(204);
    const r = await w.api('POST', `/connectors/${name}-src/restart?includeTasks=true&onlyFailed=false`);
    expect(r.status).toBe(202);
    expect(r.body.connector.state).toBe('RESTARTING');
    expect(r.body.tasks[0].state).toBe('RESTARTING');
    await eventually(async () => (await w.api('GET', `/connectors/${name}-src/status`)).body.tasks[0]?.state === 'RUNNING', 10_000, 'running after restart');
    const onlyFailed = await w.api('POST', `/connectors/${name}-src/restart?includeTasks=true&onlyFailed=true`);
    expect(onlyFailed.status).toBe(202);
    expect(onlyFailed.body.connector.state).toBe('RUNNING'); // nothing failed, nothing restarts
    expect((await w.api('POST', `/connectors/${name}-src/tasks/0/restart`)).status).toBe(204);
    appendFileSync(input, lines(25, 30));
    await eventually(() => readLines(output).length === 30, 30_000, 'lines after task restart');
    expect(readLines(output)).toEqual(lines(0, 30).split('\n').filter(Boolean));

    expect((await w.api('DELETE', `/connectors/${name}-src`)).status).toBe(204);
    expect((await w.api('GET', `/connectors/${name}-src`)).status).toBe(404);
    expect((await w.api('DELETE', `/connectors/${name}-sink`)).status).toBe(204);
    expect((await w.api('GET', '/connectors')).body).toEqual([]);
  });

  it('reads and resets real offsets through the offsets endpoints', async () => {
    const name = unique('offs');
    const topic = unique('offs-topic');
    topics.push(topic);
    w = await startWorker();
    const input = path.join(w.dir, 'in.txt');
    const output = path.join(w.dir, 'out.txt');
    writeFileSync(input, lines(0, 5));
    await createPipeline(name, input, output, topic);
    await eventually(() => readLines(output).length === 5, 30_000, 'first lines');
    await eventually(async () => (await w.api('GET', `/connectors/${name}-sink/offsets`)).body.offsets.length === 1, 15_000, 'sink offsets committed');
    expect((await w.api('GET', `/connectors/${name}-sink/offsets`)).body).toEqual({
      offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 5 } }],
    });
    await eventually(async () => (await w.api('GET', `/connectors/${name}-src/offsets`)).body.offsets.length === 1, 15_000, 'source offsets flushed');

    // Altering needs STOPPED.
    const early = await w.api('PATCH', `/connectors/${name}-src/offsets`, { offsets: [{ partition: { filename: input }, offset: { position: 0 } }] });
    expect(early.status).toBe(400);
    expect(early.body.message).toMatch(/must be in the STOPPED state/);

    // Rewind the source to the third line: lines 2..4 are produced again; rewind the sink to offset 3.
    expect((await w.api('PUT', `/connectors/${name}-src/stop`)).status).toBe(204);
    expect((await w.api('PUT', `/connectors/${name}-sink/stop`)).status).toBe(204);
    const pos = Buffer.byteLength(lines(0, 2));
    const alter = await w.api('PATCH', `/connectors/${name}-src/offsets`, { offsets: [{ partition: { filename: input }, offset: { position: pos } }] });
    expect(alter).toMatchObject({ status: 200, body: { message: 'The offsets for this connector have been altered successfully' } });
    expect((await w.api('GET', `/connectors/${name}-src/offsets`)).body.offsets).toEqual([{ partition: { filename: input }, offset: { position: pos } }]);
    // The connector refuses it; Java answers the connector's ConnectException with 500 and its message.
    const bad = await w.api('PATCH', `/connectors/${name}-src/offsets`, { offsets: [{ partition: { filename: input }, offset: { position: -1 } }] });
    expect(bad).toMatchObject({
      status: 500,
      body: { error_code: 500, message: "The value for the 'position' key in the offset should be a non-negative value" },
    });
    const sinkAlter = await w.api('PATCH', `/connectors/${name}-sink/offsets`, {
      offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 3 } }],
    });
    expect(sinkAlter.status).toBe(200);
    expect((await w.api('GET', `/connectors/${name}-sink/offsets`)).body.offsets).toEqual([
      { partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 3 } },
    ]);
    // A null offset deletes the group's committed offset (OffsetDelete), as Java does: nothing is listed (an
    // earliest-offset commit would list 0), and the next start follows auto.offset.reset. Then back to offset 3.
    const sinkNull = await w.api('PATCH', `/connectors/${name}-sink/offsets`, {
      offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: null }],
    });
    expect(sinkNull.status).toBe(200);
    expect((await w.api('GET', `/connectors/${name}-sink/offsets`)).body).toEqual({ offsets: [] });
    await w.api('PATCH', `/connectors/${name}-sink/offsets`, {
      offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 3 } }],
    });

    await w.api('PUT', `/connectors/${name}-sink/resume`);
    await w.api('PUT', `/connectors/${name}-src/resume`);
    // Sink re-reads records 3,4 (from offset 3); the source re-produces lines 2,3,4 → records 5,6,7.
    await eventually(() => readLines(output).length === 10, 30_000, 'replayed lines');
    expect(readLines(output)).toEqual(['line 0 ✓', 'line 1 ✓', 'line 2 ✓', 'line 3 ✓', 'line 4 ✓', 'line 3 ✓', 'line 4 ✓', 'line 2 ✓', 'line 3 ✓', 'line 4 ✓']);

    // Reset: source offsets removed, sink consumer group deleted.
    await w.api('PUT', `/connectors/${name}-src/stop`);
    await w.api('PUT', `/connectors/${name}-sink/stop`);
    const reset = await w.api('DELETE', `/connectors/${name}-src/offsets`);
    expect(reset).toMatchObject({ status: 200, body: { message: 'The offsets for this connector have been reset successfully' } });
    expect((await w.api('GET', `/connectors/${name}-src/offsets`)).body).toEqual({ offsets: [] });
    expect((await w.api('DELETE', `/connectors/${name}-sink/offsets`)).status).toBe(200);
    expect((await w.api('GET', `/connectors/${name}-sink/offsets`)).body).toEqual({ offsets: [] });
  });
});
