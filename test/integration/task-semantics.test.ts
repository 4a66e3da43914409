/**
 * The executors' contracts on a real Kafka broker, with connectors that record what the runtime does to them:
 * source offsets only for acknowledged records, commitRecord/commit callbacks, resume from stored offsets,
 * retriable errors retried, fatal errors failing the task (and restart with onlyFailed), sink redelivery after a
 * retriable put, commits limited to what preCommit returned, and rewinds through SinkTaskContext.offset.
 */
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, sleep, startWorker, unique, type WorkerHandle } from './harness';
import { journal, testPlugins } from './test-plugins';

describe('task executor semantics', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, testPlugins);
  });
  afterAll(async () => {
    await w.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const newTopic = async () => {
    const t = unique('sem');
    topics.push(t);
    await admin.createTopics([{ topic: t, numPartitions: 1, replicationFactor: 1 }]);
    return t;
  };
  const status = async (name: string) => (await w.api('GET', `/connectors/${name}/status`)).body;

  it('source: commits only acknowledged offsets, calls commitRecord and commit, resumes from the stored offset', async () => {
    const name = unique('src');
    const topic = await newTopic();
    const res = await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSource', topic, records: '100', 'fail.retriable': '2' } });
    expect(res.status).toBe(201);
    const j = journal(name);
    await eventually(() => j.committedRecords.length === 100, 30_000, 'every record acknowledged');
    expect(j.startOffsets).toEqual([null]);
    expect(j.committedRecords.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(j.committedRecords.map((r) => r.metadata?.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(j.committedRecords.every((r) => r.metadata?.topic === topic && r.metadata.partition === 0)).toBe(true);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.n === 99, 15_000, 'offset 99 stored');
    expect(j.commits).toBeGreaterThan(0);
    expect((await status(name)).tasks[0].state).toBe('RUNNING'); // the two RetriableErrors were retried

    await w.api('PATCH', `/connectors/${name}/config`, { records: '120' }); // reconfigure: the task restarts
    await eventually(() => j.committedRecords.length === 120, 30_000, 'records after restart');
    expect(j.startOffsets).toEqual([null, { n: 99 }]);
    expect(j.committedRecords.slice(100).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `r${100 + i}`));
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('source: a fatal poll error fails the task with its trace; restart?onlyFailed restarts just that task', async () => {
    const name = unique('srcfail');
    const topic = await newTopic();
    await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSource', topic, records: '50', 'fail.fatal.after': '20' } });
    const failed = await eventually(async () => ((await status(name)).tasks[0]?.state === 'FAILED' ? status(name) : null), 30_000, 'FAILED');
    expect(failed.connector.state).toBe('RUNNING');
    expect(failed.tasks[0].trace).toMatch(/Error: boom at record 20/);
    await eventually(
      async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.n === 19,
      15_000,
      'acked offsets kept after the failure',
    );
    const r = await w.api('POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=true`);
    expect(r.status).toBe(202);
    expect(r.body.connector.state).toBe('RUNNING');
    expect(r.body.tasks[0].state).toBe('RESTARTING');
    await eventually(async () => (await status(name)).tasks[0]?.state === 'FAILED', 30_000, 'fails again after restart');
    expect(journal(name).startOffsets).toEqual([null, { n: 19 }]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  async function produce(topic: string, n: number) {
    const src = unique('feed');
    journal(src);
    await w.api('POST', '/connectors', { name: src, config: { 'connector.class': 'TestSource', topic, records: String(n) } });
    await eventually(() => journal(src).committedRecords.length === n, 30_000, 'feed produced');
    await w.api('DELETE', `/connectors/${src}`);
  }

  it('sink: redelivers the same batch after a RetriableError, exactly once in the end', async () => {
    const name = unique('sink');
    groups.push(`connect-${name}`);
    const topic = await newTopic();
    await produce(topic, 30);
    await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSink', topics: topic, 'fail.retriable': '2' } });
    const j = journal(name);
    await eventually(() => j.puts.flat().length >= 30 + 2 * 30 || j.puts.filter((p) => p.length).length >= 3, 30_000, 'puts');
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.kafka_offset === 30, 15_000, 'committed 30');
    const nonEmpty = j.puts.filter((p) => p.length);
    // The first batch was offered three times (two retriable failures), identical each time.
    expect(nonEmpty[0]!.map((r) => r.kafkaOffset)).toEqual(nonEmpty[1]!.map((r) => r.kafkaOffset));
    expect(nonEmpty[1]!.map((r) => r.kafkaOffset)).toEqual(nonEmpty[2]!.map((r) => r.kafkaOffset));
    const delivered = nonEmpty
      .slice(2)
      .flat()
      .map((r) => r.value);
    expect(delivered).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`));
    // Plugin metrics reach /metrics with the connector and task labels.
    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toContain(`kconnect_test_sink_records_total{kind="value",connector="${name}",task="0"} 30`);
    expect((await status(name)).tasks[0].state).toBe('RUNNING');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('sink: commits only what preCommit returns, and honours rewinds', async () => {
    const name = unique('sinklag');
    groups.push(`connect-${name}`);
    const topic = await newTopic();
    await produce(topic, 20);
    await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSink', topics: topic, 'commit.lag': '5', 'rewind.to': '15' } });
    const j = journal(name);
    await eventually(() => j.preCommits.some((c) => c[0]?.offset === 20), 30_000, 'preCommit with offset 20');
    // The commit after that preCommit: 20 minus the lag of 5. It stays there (nothing is ever committed past it).
    const committed = [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 15 } }];
    await eventually(
      async () => JSON.stringify((await w.api('GET', `/connectors/${name}/offsets`)).body.offsets) === JSON.stringify(committed),
      30_000,
      'offset 15 committed',
    );
    const after = j.preCommits.length;
    await eventually(() => j.preCommits.length > after, 30_000, 'another commit cycle');
    expect((await w.api('GET', `/connectors/${name}/offsets`)).body.offsets).toEqual(committed);
    // The rewind to 15 after the first put redelivered 15..19.
    const values = j.puts.flat().map((r) => r.kafkaOffset);
    expect(values.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(values.slice(20)).toEqual([15, 16, 17, 18, 19]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('sink: a fatal put error fails the task; after a restart the uncommitted records come again', async () => {
    const name = unique('sinkfail');
    groups.push(`connect-${name}`);
    const topic = await newTopic();
    await produce(topic, 10);
    await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSink', topics: topic, 'fail.fatal.after': '5' } });
    const failed = await eventually(async () => ((await status(name)).tasks[0]?.state === 'FAILED' ? status(name) : null), 30_000, 'FAILED');
    expect(failed.tasks[0].trace).toMatch(/sink exploded at record 5/);
    const j = journal(name);
    const before = j.puts.length;
    expect((await w.api('POST', `/connectors/${name}/tasks/0/restart`)).status).toBe(204);
    await eventually(() => j.puts.length > before, 30_000, 'redelivery after restart');
    expect(j.puts[before]![0]!.kafkaOffset).toBe(0); // nothing was committed past the failure
    await w.api('DELETE', `/connectors/${name}`);
  });
});

describe('automatic restart of failed tasks (errors.restart.max.retries, a kconnect extension)', () => {
  it('restarts a failed task with backoff, up to the limit, then leaves it FAILED', async () => {
    const admin = await kafkaAdmin();
    const w = await startWorker({ 'errors.restart.max.retries': '2', 'errors.restart.backoff.ms': '200' }, testPlugins);
    const topic = unique('auto');
    const name = unique('auto');
    try {
      await w.api('POST', '/connectors', { name, config: { 'connector.class': 'TestSource', topic, records: '30', 'fail.fatal.after': '10' } });
      // First run + two automatic restarts, each resuming from the acknowledged offset.
      await eventually(() => journal(name).startOffsets.length === 3, 30_000, 'two automatic restarts');
      await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'FAILED', 30_000, 'FAILED at last');
      await sleep(1000);
      expect(journal(name).startOffsets).toEqual([null, { n: 9 }, { n: 9 }]);
    } finally {
      await w.stop();
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.close();
    }
  });
});
