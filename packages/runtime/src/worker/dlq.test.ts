import { DataError, Headers, Schemas, sourceRecord } from '@kconnect/api';
import { JsonConverter, SimpleHeaderConverter, StringConverter } from '@kconnect/converters';
import type { KafkaAdmin, KafkaProducer, ProducerRecord } from '../kafka/client';
import { DeadLetterQueueReporter, sourceRecordSerializer } from './dlq';
import type { TaskConverters } from './plugins';

function converters(): TaskConverters {
  const key = new StringConverter();
  key.configure({}, true);
  const value = new JsonConverter();
  value.configure({}, false);
  const header = new SimpleHeaderConverter();
  header.configure({});
  return { key, value, header, keyClass: 'K', valueClass: 'V', headerClass: 'H' };
}

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());

describe('source dead letter queue', () => {
  it('serializes with the task converters, falling back to schemaless JSON and then the Java string', async () => {
    const c = converters();
    const ser = sourceRecordSerializer(c);
    const ok = await ser(sourceRecord({ topic: 't', keySchema: Schemas.STRING_SCHEMA, key: 'k', valueSchema: Schemas.INT32_SCHEMA, value: 3 }));
    expect([text(ok.key), text(ok.value)]).toEqual(['k', '{"schema":{"type":"int32","optional":false},"payload":3}']);
    // The value does not fit its schema: JSON without schema.
    const bad = await ser(sourceRecord({ topic: 't', valueSchema: Schemas.INT32_SCHEMA, value: { a: [1, 'x'] } }));
    expect(text(bad.value)).toBe('{"a":[1,"x"]}');
    // A converter that fails whatever it gets, and a value JSON cannot write: the Java string.
    const failing = {
      ...c,
      value: {
        ...c.value,
        fromConnectData: () => {
          throw new DataError('no');
        },
      },
    } as TaskConverters;
    const last = await sourceRecordSerializer(failing)(sourceRecord({ topic: 't', value: 10n ** 30n }));
    expect(text(last.value)).toBe('1000000000000000000000000000000');
  });

  it('writes the record with the error context headers, its source partition and offset', async () => {
    const sent: ProducerRecord[] = [];
    const producer = { send: async (r: ProducerRecord[]) => void sent.push(...r), maxInFlight: 1, close: async () => undefined } as unknown as KafkaProducer;
    const created: unknown[] = [];
    const admin = { createTopics: async (t: unknown[]) => void created.push(...t) } as unknown as KafkaAdmin;
    const reporter = new DeadLetterQueueReporter(producer, admin, 'dlq', 1, true, 'conn', 2, sourceRecordSerializer(converters()));
    const rec = sourceRecord({
      topic: 'out',
      value: 'v',
      valueSchema: Schemas.STRING_SCHEMA,
      sourcePartition: { file: 'a' },
      sourceOffset: { pos: 7 },
      headers: new Headers().add('h', 'x', Schemas.STRING_SCHEMA),
    });
    await reporter.report({ stage: 'TRANSFORMATION', className: 'my.Transform', error: new Error('bad'), sourceRecord: rec });
    await reporter.report({ stage: 'TRANSFORMATION', className: 'my.Transform', error: new Error('bad'), sourceRecord: rec });
    expect(created).toEqual([{ topic: 'dlq', numPartitions: 1, replicationFactor: 1 }]);
    expect(sent).toHaveLength(2);
    const headers = Object.fromEntries(sent[0]!.headers!.map(([k, v]) => [k, text(v)]));
    expect(headers).toMatchObject({
      h: 'x',
      '__connect.errors.topic': 'out',
      '__connect.errors.source.partition': '{"file":"a"}',
      '__connect.errors.source.offset': '{"pos":7}',
      '__connect.errors.connector.name': 'conn',
      '__connect.errors.task.id': '2',
      '__connect.errors.stage': 'TRANSFORMATION',
      '__connect.errors.class.name': 'my.Transform',
      '__connect.errors.exception.class.name': 'Error',
      '__connect.errors.exception.message': 'bad',
    });
    expect(headers).not.toHaveProperty('__connect.errors.partition');
  });
});
