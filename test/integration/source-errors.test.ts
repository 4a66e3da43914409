/**
 * Source-side error tolerance and dead letter queue (kconnect extension) on a real Kafka: a source task whose
 * records partly fail conversion (an INT32 schema with a string value, which JsonConverter refuses). With
 * errors.tolerance=none the task fails and nothing of the batch is written; with all and a DLQ the good records
 * reach the topic, the bad ones the DLQ with Connect's error headers, and the offsets are committed past them.
 */
import {
  ConfigDef,
  ConfigType,
  type ConnectorProps,
  Headers,
  Importance,
  type PluginDescriptor,
  Schemas,
  type SourceRecord,
  SourceTask,
  sourceRecord,
} from '@kconnect/api';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, readTopics, startWorker, unique, type WorkerHandle } from './harness';
import { singleTaskSourceConnector } from './test-plugins';

const CONFIG = new ConfigDef()
  .define({ name: 'topic', type: ConfigType.STRING, importance: Importance.HIGH, documentation: 'Topic to write.' })
  .define({ name: 'records', type: ConfigType.INT, default: 10, importance: Importance.LOW, documentation: 'Records in all (one batch).' })
  .define({ name: 'bad', type: ConfigType.LIST, default: '', importance: Importance.LOW, documentation: 'Indexes of records whose value is not an int.' });

/** Polls `records` records once: value i as INT32, except the `bad` ones, whose value is the string "oops-i". */
class MixedSourceTask extends SourceTask {
  private props: { topic: string; records: number; bad: string[] } = { topic: '', records: 0, bad: [] };
  private done = false;
  version() {
    return '1';
  }
  start(props: ConnectorProps) {
    this.props = CONFIG.parse(props);
  }
  async poll(): Promise<SourceRecord[] | null> {
    if (this.done) {
      await new Promise((r) => setTimeout(r, 50));
      return null;
    }
    this.done = true;
    return Array.from({ length: this.props.records }, (_, i) => {
      const bad = this.props.bad.includes(String(i));
      return sourceRecord({
        topic: this.props.topic,
        keySchema: Schemas.STRING_SCHEMA,
        key: `k${i}`,
        valueSchema: Schemas.INT32_SCHEMA,
        value: bad ? `oops-${i}` : i,
        sourcePartition: { source: 'mixed' },
        sourceOffset: { n: i },
        headers: new Headers().add('origin', `record-${i}`, Schemas.STRING_SCHEMA),
      });
    });
  }
  stop() {}
}

const MixedSourceConnector = singleTaskSourceConnector(MixedSourceTask, CONFIG);

const plugins: PluginDescriptor[] = [
  { className: 'test.kconnect.MixedSourceConnector', type: 'source', version: '1', create: () => new MixedSourceConnector() },
];

describe('source error tolerance and dead letter queue', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  const topics: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    await w.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const config = (topic: string, extra: Record<string, string>) => ({
    'connector.class': 'test.kconnect.MixedSourceConnector',
    topic,
    records: '10',
    bad: '2,5,9',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    ...extra,
  });

  async function offsets(name: string) {
    return (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets;
  }

  it('fails the task with errors.tolerance=none and writes nothing of the batch', async () => {
    const name = unique('src-none');
    const topic = unique('src-none-out');
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    expect((await w.api('POST', '/connectors', { name, config: config(topic, {}) })).status).toBe(201);
    const task = await eventually(async () => {
      const s = await w.api('GET', `/connectors/${name}/status`);
      return s.body.tasks[0]?.state === 'FAILED' ? s.body.tasks[0] : null;
    });
    expect(task.trace).toContain('Tolerance exceeded in error handler (stage VALUE_CONVERTER)');
    expect(await admin.highWatermark(topic, 0)).toBe(0);
    expect(await offsets(name)).toEqual([]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('with errors.tolerance=all writes good records, sends bad ones to the DLQ with error headers, and commits past them', async () => {
    const name = unique('src-dlq');
    const topic = unique('src-dlq-out');
    const dlq = unique('src-dlq-dlq');
    topics.push(topic, dlq);
    const res = await w.api('POST', '/connectors', {
      name,
      config: config(topic, {
        'errors.tolerance': 'all',
        'errors.log.enable': 'true',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    });
    expect(res.status).toBe(201);

    const good = await readTopics([topic], groups);
    const bad = await readTopics([dlq], groups);
    try {
      await eventually(() => good.records.length === 7 && bad.records.length === 3, 30_000, '7 good records and 3 in the DLQ');
    } finally {
      await good.stop();
      await bad.stop();
    }
    expect(good.records.map((r) => JSON.parse(String(r.value)).payload)).toEqual([0, 1, 3, 4, 6, 7, 8]);
    // The DLQ record: key with the task's key converter, the value JsonConverter could not write with its schema as
    // schemaless JSON, the record's own headers, then the error context.
    expect(bad.records.map((r) => [r.key, String(r.value), r.headers.origin])).toEqual([
      ['k2', '"oops-2"', 'record-2'],
      ['k5', '"oops-5"', 'record-5'],
      ['k9', '"oops-9"', 'record-9'],
    ]);
    expect(bad.records[0]!.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.source.partition': '{"source":"mixed"}',
      '__connect.errors.source.offset': '{"n":2}',
      '__connect.errors.connector.name': name,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
      '__connect.errors.exception.class.name': 'DataError',
    });
    expect(bad.records[0]!.headers['__connect.errors.exception.message']).toMatch(/oops-2|INT32|int32/i);
    expect(bad.records[0]!.headers['__connect.errors.exception.stacktrace']).toContain('DataError');
    expect(bad.records[0]!.headers).not.toHaveProperty('__connect.errors.offset');

    // Offsets reach the last record, though it went to the DLQ.
    await eventually(
      async () => JSON.stringify(await offsets(name)) === JSON.stringify([{ partition: { source: 'mixed' }, offset: { n: 9 } }]),
      15_000,
      'offset n=9',
    );
    const status = (await w.api('GET', `/connectors/${name}/status`)).body;
    expect(status.tasks[0].state).toBe('RUNNING');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('validates the source DLQ keys and lists them for source plugins', async () => {
    const keys = (await w.api('GET', '/connector-plugins/test.kconnect.MixedSourceConnector/config')).body.map((k: { name: string }) => k.name);
    expect(keys).toEqual(
      expect.arrayContaining([
        'errors.deadletterqueue.topic.name',
        'errors.deadletterqueue.topic.replication.factor',
        'errors.deadletterqueue.context.headers.enable',
      ]),
    );
    const v = await w.api('PUT', '/connector-plugins/test.kconnect.MixedSourceConnector/config/validate', {
      ...config('t', { 'errors.deadletterqueue.topic.replication.factor': 'three' }),
      name: 'x',
    });
    expect(v.body.error_count).toBe(1);
  });
});
