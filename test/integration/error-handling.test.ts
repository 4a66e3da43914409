/**
 * Records that fail conversion on a real Kafka: with errors.tolerance=all they go to the dead letter queue with
 * Connect's error headers and the good records still arrive; with the default (none) the task fails with a
 * trace that names the problem, and nothing after the bad record is committed.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin, KafkaProducer } from '@kconnect/runtime';
import { eventually, kafkaAdmin, kafkaClient, readTopics, startWorker, unique, type WorkerHandle } from './harness';

const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

describe('error handling and dead letter queue', () => {
  let admin: KafkaAdmin;
  let producer: KafkaProducer;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    producer = await kafkaClient().producer({ clientId: unique('errors-feeder') });
    w = await startWorker();
  });
  afterAll(async () => {
    await w.stop();
    await producer.close();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  async function produce(topic: string, values: string[]) {
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.send(values.map((value, i) => ({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(value) })));
  }

  const good = (n: number) => JSON.stringify({ schema: { type: 'string', optional: false }, payload: `reading ${n}` });

  it('sends undecodable records to the DLQ with error context headers and keeps going', async () => {
    const name = unique('dlq');
    const topic = unique('dlq-in');
    const dlq = unique('dlq-out');
    topics.push(dlq);
    groups.push(`connect-${name}`);
    await produce(topic, [good(1), '{not json', good(2), '{"payload": 3}', good(3)]);
    const out = path.join(w.dir, `${name}.txt`);
    const res = await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSink',
        topics: topic,
        file: out,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'errors.tolerance': 'all',
        'errors.log.enable': 'true',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    });
    expect(res.status).toBe(201);
    await eventually(() => readLines(out).length === 3, 30_000, 'good records in the sink file');
    expect(readLines(out)).toEqual(['reading 1', 'reading 2', 'reading 3']);

    const reader = await readTopics([dlq], groups);
    try {
      await eventually(() => reader.records.length === 2, 30_000, 'two records in the DLQ');
    } finally {
      await reader.stop();
    }
    const seen = reader.records.map((r) => ({ value: String(r.value), headers: r.headers }));
    expect(seen.map((s) => s.value)).toEqual(['{not json', '{"payload": 3}']);
    expect(seen[0]!.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '1',
      '__connect.errors.connector.name': name,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
    });
    expect(seen[0]!.headers['__connect.errors.exception.message']).toMatch(/Converting byte\[\] to Kafka Connect data failed due to serialization error/);
    expect(seen[1]!.headers['__connect.errors.exception.message']).toMatch(/requires "schema" and "payload" fields/);
    const m = await w.api('GET', '/metrics');
    expect(m.body).toMatch(new RegExp(`kafka_connect_task_error_metrics_total_records_skipped\\{connector="${name}",task="0"\\} 2`));
    // Committed past the bad records: nothing is lost, nothing is stuck.
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.kafka_offset === 5, 15_000, 'offsets committed');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('fails the task with a clear trace when errors.tolerance=none, committing nothing past the bad record', async () => {
    const name = unique('fail');
    const topic = unique('fail-in');
    groups.push(`connect-${name}`);
    await produce(topic, [good(1), 'garbage', good(2)]);
    const out = path.join(w.dir, `${name}.txt`);
    const res = await w.api('POST', '/connectors', {
      name,
      config: { 'connector.class': 'FileStreamSink', topics: topic, file: out, 'value.converter': 'org.apache.kafka.connect.json.JsonConverter' },
    });
    expect(res.status).toBe(201);
    const failed = await eventually(
      async () => {
        const s = (await w.api('GET', `/connectors/${name}/status`)).body;
        return s.tasks[0]?.state === 'FAILED' ? s : null;
      },
      30_000,
      'task FAILED',
    );
    expect(failed.connector.state).toBe('RUNNING');
    expect(failed.tasks[0].trace).toMatch(/Tolerance exceeded in error handler \(stage VALUE_CONVERTER\)/);
    expect(failed.tasks[0].trace).toMatch(/Converting byte\[\] to Kafka Connect data failed/);
    expect(readLines(out)).toEqual([]);
    const offsets = (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets;
    expect(offsets.every((o: { offset: { kafka_offset: number } }) => o.offset.kafka_offset <= 1)).toBe(true);
    await w.api('DELETE', `/connectors/${name}`);
  });
});
