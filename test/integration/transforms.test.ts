/**
 * The bundled Single Message Transforms and predicates in real pipelines on a real broker: a FileStreamSource chain
 * (HoistField → InsertField → RegexRouter gated by TopicNameMatches, and a negated predicate), a FileStreamSink chain
 * that filters by header and tombstone predicates and extracts a nested field, the plugin listing, and
 * `/config/validate` reporting a transform's bad setting on `transforms.<alias>.<key>` with Java's key definitions.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin, KafkaProducer } from '@kconnect/runtime';
import { eventually, kafkaAdmin, kafkaClient, readTopics, startWorker, unique, type WorkerHandle } from './harness';

const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const T = 'org.apache.kafka.connect.transforms.';

describe('Single Message Transforms on a real broker', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  let producer: KafkaProducer | undefined;
  const topics: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker();
  });
  afterAll(async () => {
    await producer?.close();
    await w?.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  it('lists every transformation and predicate with connectorsOnly=false', async () => {
    const res = await w.api('GET', '/connector-plugins?connectorsOnly=false');
    expect(res.status).toBe(200);
    const byClass = new Map((res.body as Array<{ class: string; type: string; version: string }>).map((p) => [p.class, p]));
    expect(byClass.get(`${T}InsertField$Value`)).toEqual({ class: `${T}InsertField$Value`, type: 'transformation', version: expect.any(String) });
    expect(byClass.get(`${T}predicates.TopicNameMatches`)?.type).toBe('predicate');
    const transforms = [...byClass.values()].filter((p) => p.type === 'transformation' && p.class.startsWith(T));
    expect(transforms).toHaveLength(26);
    const config = await w.api('GET', `/connector-plugins/${T}RegexRouter/config`);
    expect(config.status).toBe(200);
    expect(config.body.map((k: { name: string }) => k.name)).toEqual(['regex', 'replacement']);
  });

  it('source chain: HoistField, InsertField, RegexRouter with TopicNameMatches, a negated predicate', async () => {
    const name = unique('smt-src');
    const topic = unique('smt-src-topic');
    const routed = `${topic}-routed`;
    topics.push(topic, routed);
    await admin.createTopics([
      { topic, numPartitions: 1, replicationFactor: 1 },
      { topic: routed, numPartitions: 1, replicationFactor: 1 },
    ]);
    const input = path.join(w.dir, `${name}.txt`);
    writeFileSync(input, 'alpha\nbeta\n');
    const reader = await readTopics([routed], groups);
    try {
      const res = await w.api('POST', '/connectors', {
        name,
        config: {
          'connector.class': 'FileStreamSource',
          file: input,
          topic,
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
          transforms: 'hoist,insert,route,tag,untouched',
          'transforms.hoist.type': `${T}HoistField$Value`,
          'transforms.hoist.field': 'line',
          'transforms.insert.type': 'InsertField$Value',
          'transforms.insert.topic.field': 'from',
          'transforms.insert.static.field': 'origin',
          'transforms.insert.static.value': 'file',
          'transforms.route.type': `${T}RegexRouter`,
          'transforms.route.regex': '(.*)',
          'transforms.route.replacement': '$1-routed',
          'transforms.route.predicate': 'isSource',
          // runs when the topic does NOT match (negate): after routing, so it runs
          'transforms.tag.type': `${T}InsertHeader`,
          'transforms.tag.header': 'routed',
          'transforms.tag.value.literal': 'yes',
          'transforms.tag.predicate': 'isSource',
          'transforms.tag.negate': 'true',
          // runs only on the original topic: never here
          'transforms.untouched.type': `${T}Filter`,
          'transforms.untouched.predicate': 'isSource',
          predicates: 'isSource',
          'predicates.isSource.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
          'predicates.isSource.pattern': topic.replaceAll('-', '\\-'),
        },
      });
      expect(res.status).toBe(201);
      await eventually(() => reader.records.length >= 2, 60_000, 'two routed records');
      const records = reader.records;
      expect(records.map((r) => JSON.parse(r.value!.toString()))).toEqual([
        { line: 'alpha', from: topic, origin: 'file' },
        { line: 'beta', from: topic, origin: 'file' },
      ]);
      expect(records.map((r) => [r.topic, r.headers.routed])).toEqual([
        [routed, 'yes'],
        [routed, 'yes'],
      ]);
    } finally {
      await reader.stop();
      await w.api('DELETE', `/connectors/${name}`);
    }
  }, 120_000);

  it('sink chain: Filter with HasHeaderKey and RecordIsTombstone, ExtractField V2', async () => {
    const name = unique('smt-sink');
    const topic = unique('smt-sink-topic');
    topics.push(topic);
    groups.push(`connect-${name}`);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    producer = await kafkaClient().producer({ clientId: unique('smt-feeder') });
    const json = (text: string) => Buffer.from(JSON.stringify({ payload: { text }, other: 1 }));
    await producer.send([
      { topic, key: null, value: json('keep 1') },
      { topic, key: null, value: json('skip me'), headers: [['skip', Buffer.from('1')]] },
      { topic, key: Buffer.from('k'), value: null },
      { topic, key: null, value: json('keep 2') },
    ]);
    const output = path.join(w.dir, `${name}.out`);
    const res = await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSink',
        file: output,
        topics: topic,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        transforms: 'dropSkipped,dropTombstones,extract',
        'transforms.dropSkipped.type': `${T}Filter`,
        'transforms.dropSkipped.predicate': 'hasSkip',
        'transforms.dropTombstones.type': 'Filter',
        'transforms.dropTombstones.predicate': 'tombstone',
        'transforms.extract.type': `${T}ExtractField$Value`,
        'transforms.extract.field': 'payload.text',
        'transforms.extract.field.syntax.version': 'V2',
        predicates: 'hasSkip,tombstone',
        'predicates.hasSkip.type': 'HasHeaderKey',
        'predicates.hasSkip.name': 'skip',
        'predicates.tombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
      },
    });
    expect(res.status).toBe(201);
    await eventually(() => readLines(output).length >= 2, 60_000, 'two lines in the sink file');
    await new Promise((r) => setTimeout(r, 1000));
    expect(readLines(output)).toEqual(['keep 1', 'keep 2']);
    const status = await w.api('GET', `/connectors/${name}/status`);
    expect(status.body.tasks[0].state).toBe('RUNNING');
    await w.api('DELETE', `/connectors/${name}`);
  }, 120_000);

  it('validate reports a bad transform setting on transforms.<alias>.<key> and lists the keys as Java does', async () => {
    const res = await w.api('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSource',
      name: 'v',
      topic: 't',
      transforms: 'route,cast',
      'transforms.route.type': `${T}RegexRouter`,
      'transforms.route.regex': '(unclosed',
      'transforms.route.replacement': 'x',
      'transforms.cast.type': `${T}Cast$Value`,
      'transforms.cast.spec': 'a:array',
    });
    expect(res.status).toBe(200);
    const byName = new Map(res.body.configs.map((c: { value: { name: string } }) => [c.value.name, c]));
    const regex = byName.get('transforms.route.regex') as { value: { errors: string[]; value: string }; definition: Record<string, unknown> };
    expect(regex.value.errors).toEqual([expect.stringMatching(/^Invalid value \(unclosed for configuration regex: Invalid regex: /)]);
    // As Java 4.1: order 0 is the type, 1 the plugin version (KIP-891), the transformation's own keys from 2.
    expect(regex.definition).toMatchObject({ name: 'transforms.route.regex', type: 'STRING', required: true, group: 'Transforms: route', order: 2 });
    const version = byName.get('transforms.route.plugin.version') as {
      value: { value: string; recommended_values: string[] };
      definition: Record<string, unknown>;
    };
    expect(version.definition).toMatchObject({ type: 'STRING', required: false, importance: 'HIGH', group: 'Transforms: route', order: 1 });
    expect(version.value.recommended_values).toEqual([version.value.value]);
    const routeType = byName.get('transforms.route.type') as { value: { recommended_values: string[] } };
    expect(routeType.value.recommended_values).toContain('org.apache.kafka.connect.transforms.RegexRouter');
    expect(routeType.value.recommended_values).toContain('org.apache.kafka.connect.transforms.Cast$Value');
    const spec = byName.get('transforms.cast.spec') as { value: { errors: string[] } };
    expect(spec.value.errors).toEqual([
      'Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]',
    ]);
    const type = byName.get('transforms.route.type') as { value: { errors: string[] }; definition: Record<string, unknown> };
    expect(type.value.errors).toEqual([]);
    expect(type.definition).toMatchObject({
      type: 'CLASS',
      group: 'Transforms: route',
      order: 0,
      width: 'LONG',
      display_name: 'Transformation type for route',
    });
    expect((byName.get('transforms.route.negate') as { definition: Record<string, unknown> }).definition).toMatchObject({
      type: 'BOOLEAN',
      default_value: 'false',
      order: 4,
    });
    expect(res.body.groups).toEqual(expect.arrayContaining(['Transforms: route', 'Transforms: cast']));
    expect(res.body.error_count).toBe(2);
  });
});
