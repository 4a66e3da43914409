/**
 * AvroConverter against the real schema registry (Apicurio's Confluent-compatible API) and a real Kafka broker:
 * every type round trips, a FileStreamSource → Kafka (Avro) → FileStreamSink pipeline, schema evolution across a
 * connector restart, the registry down then back (nothing lost), and an incompatible schema (a clear error; on a
 * sink with errors.tolerance=all, unreadable records go to the DLQ). Each test deletes its topics, groups and
 * subjects.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  ConfigDef,
  ConfigType,
  type ConnectorProps,
  DateType,
  Decimal,
  Importance,
  type PluginDescriptor,
  SchemaBuilder,
  Schemas,
  type SourceRecord,
  SourceTask,
  Struct,
  TimeType,
  TimestampType,
  schemaEquals,
  sourceRecord,
} from '@kconnect/api';
import { AvroConverter, plugins as avroPlugins } from '@kconnect/avro-converter';
import type { KafkaAdmin, KafkaProducer } from '@kconnect/runtime';
import { eventually, kafkaAdmin, kafkaClient, readTopics, startWorker, unique, type WorkerHandle } from './harness';
import { singleTaskSourceConnector } from './test-plugins';

const REGISTRY = process.env.KCONNECT_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const AVRO = 'io.confluent.connect.avro.AvroConverter';
const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

// ---- a source of Structs whose schema version comes from its config (v1, or v2 with an optional field added)

const V1 = SchemaBuilder.struct().name('iot.Reading').field('device', Schemas.STRING_SCHEMA).field('temp', Schemas.FLOAT64_SCHEMA).build();
const V2 = SchemaBuilder.struct()
  .name('iot.Reading')
  .field('device', Schemas.STRING_SCHEMA)
  .field('temp', Schemas.FLOAT64_SCHEMA)
  .field('unit', Schemas.OPTIONAL_STRING_SCHEMA)
  .build();
/** Incompatible with V1 under BACKWARD: `temp` becomes a string. */
const V3 = SchemaBuilder.struct().name('iot.Reading').field('device', Schemas.STRING_SCHEMA).field('temp', Schemas.STRING_SCHEMA).build();

const STRUCT_SOURCE_CONFIG = new ConfigDef()
  .define({ name: 'topic', type: ConfigType.STRING, importance: Importance.HIGH, documentation: 'topic' })
  .define({ name: 'schema', type: ConfigType.STRING, default: 'v1', importance: Importance.HIGH, documentation: 'v1, v2 or v3' })
  .define({ name: 'records', type: ConfigType.INT, default: 10, importance: Importance.HIGH, documentation: 'records to produce' });

class StructSourceTask extends SourceTask {
  private c = STRUCT_SOURCE_CONFIG.parse({ topic: 'x' });
  private next = 0;
  private name = '';
  version() {
    return '1';
  }
  async start(props: ConnectorProps) {
    this.c = STRUCT_SOURCE_CONFIG.parse(props);
    this.name = props.name!;
    const stored = await this.context.offsetStorageReader.offset({ source: this.name });
    this.next = stored ? Number(stored.n) + 1 : 0;
  }
  async poll(): Promise<SourceRecord[] | null> {
    if (this.next >= this.c.records) {
      await new Promise((r) => setTimeout(r, 50));
      return null;
    }
    const schema = this.c.schema === 'v3' ? V3 : this.c.schema === 'v2' ? V2 : V1;
    const out: SourceRecord[] = [];
    for (; this.next < this.c.records && out.length < 5; this.next++) {
      const s = new Struct(schema).put('device', `d${this.next}`).put('temp', this.c.schema === 'v3' ? 'hot' : this.next + 0.5);
      if (schema === V2) s.put('unit', 'C');
      out.push(sourceRecord({ topic: this.c.topic, valueSchema: schema, value: s, sourcePartition: { source: this.name }, sourceOffset: { n: this.next } }));
    }
    return out;
  }
  stop() {}
}

const StructSourceConnector = singleTaskSourceConnector(StructSourceTask, STRUCT_SOURCE_CONFIG);

const structSource: PluginDescriptor = { className: 'test.kconnect.StructSource', type: 'source', version: '1', create: () => new StructSourceConnector() };

// ---- a TCP proxy in front of the registry, to take "the registry" down and up without touching the service

async function registryProxy(): Promise<{ url: string; open(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(REGISTRY);
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    open: () =>
      new Promise((resolve) => {
        server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        });
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
  };
}

async function registry(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(REGISTRY + p, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('AvroConverter with the schema registry and Kafka', () => {
  let admin: KafkaAdmin;
  let producer: KafkaProducer;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];
  const subjects: string[] = [];

  beforeAll(async () => {
    const up = await fetch(`${REGISTRY}/subjects`).catch(() => undefined);
    if (!up?.ok) throw new Error(`The schema registry is not up at ${REGISTRY}: run scripts/services.sh start registry`);
    admin = await kafkaAdmin();
    producer = await kafkaClient().producer({ clientId: unique('avro-feeder') });
    w = await startWorker({}, [...avroPlugins, structSource]);
  });
  afterAll(async () => {
    await w?.stop();
    await producer?.close();
    await admin?.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin?.deleteGroup(g).catch(() => undefined);
    await admin?.close();
    for (const s of subjects) {
      await registry('DELETE', `/subjects/${encodeURIComponent(s)}`).catch(() => undefined);
      await registry('DELETE', `/subjects/${encodeURIComponent(s)}?permanent=true`).catch(() => undefined);
    }
  });

  const newTopic = async (prefix: string) => {
    const topic = unique(prefix);
    topics.push(topic);
    subjects.push(`${topic}-value`, `${topic}-key`);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    return topic;
  };
  const avroConfig = (url = REGISTRY) => ({ 'value.converter': AVRO, 'value.converter.schema.registry.url': url });
  const createConnector = async (name: string, config: Record<string, string>) => {
    const res = await w.api('POST', '/connectors', { name, config });
    expect(res.status).toBe(201);
    if (config['connector.class']?.includes('Sink')) groups.push(`connect-${name}`);
  };
  const taskState = async (name: string) => (await w.api('GET', `/connectors/${name}/status`)).body?.tasks?.[0];

  it('round trips every type through the registry, and registers the schema Java would', async () => {
    const topic = unique('avro-types');
    subjects.push(`${topic}-value`, `${topic}-key`);
    const schema = SchemaBuilder.struct()
      .name('com.example.AllTypes')
      .field('i8', Schemas.INT8_SCHEMA)
      .field('i16', Schemas.INT16_SCHEMA)
      .field('i32', Schemas.INT32_SCHEMA)
      .field('i64', Schemas.INT64_SCHEMA)
      .field('f32', Schemas.FLOAT32_SCHEMA)
      .field('f64', Schemas.FLOAT64_SCHEMA)
      .field('b', Schemas.BOOLEAN_SCHEMA)
      .field('s', Schemas.STRING_SCHEMA)
      .field('bytes', Schemas.BYTES_SCHEMA)
      .field('dec', Decimal.builder(3).parameter('connect.decimal.precision', '12').build())
      .field('date', DateType.SCHEMA)
      .field('time', TimeType.SCHEMA)
      .field('ts', TimestampType.SCHEMA)
      .field('arr', SchemaBuilder.array(Schemas.INT32_SCHEMA).build())
      .field('map', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.OPTIONAL_FLOAT64_SCHEMA).build())
      .field('imap', SchemaBuilder.map(Schemas.INT64_SCHEMA, Schemas.STRING_SCHEMA).build())
      .field('opt', SchemaBuilder.string().optional().build())
      .field('dflt', SchemaBuilder.int32().defaultValue(42).build())
      .field('inner', SchemaBuilder.struct().field('x', Schemas.STRING_SCHEMA).optional().build())
      .build();
    const value = new Struct(schema)
      .put('i8', 127)
      .put('i16', -32768)
      .put('i32', 123456789)
      .put('i64', -9007199254740993n)
      .put('f32', 0.25)
      .put('f64', 1e300)
      .put('b', false)
      .put('s', 'ünïcødé')
      .put('bytes', Buffer.from('bytes'))
      .put('dec', '123456789.123')
      .put('date', new Date(Date.UTC(1969, 11, 31)))
      .put('time', new Date(86_399_999))
      .put('ts', new Date(-1))
      .put('arr', [1, 2, 3])
      .put(
        'map',
        new Map([
          ['a', 1.5],
          ['b', null],
        ]),
      )
      .put('imap', new Map([[2 ** 40, 'big']]))
      .put('opt', null)
      .put('inner', new Struct(schema.field('inner')!.schema).put('x', 'y'));
    const writer = new AvroConverter();
    writer.configure({ 'schema.registry.url': REGISTRY }, false);
    const bytes = (await writer.fromConnectData(topic, schema, value))!;
    const keyWriter = new AvroConverter();
    keyWriter.configure({ 'schema.registry.url': REGISTRY }, true);
    const keyBytes = (await keyWriter.fromConnectData(topic, Schemas.STRING_SCHEMA, 'key-1'))!;

    // the registry holds the schema text we sent; the id in the bytes is the registry's
    const latest = await registry('GET', `/subjects/${topic}-value/versions/latest`);
    expect(latest.status).toBe(200);
    expect(Buffer.from(bytes).readInt32BE(1)).toBe(latest.body.id);
    expect(JSON.parse(latest.body.schema)).toEqual(writer.avroData.fromConnectSchema(schema));

    // through Kafka, read back by a fresh converter
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.send([{ topic, key: Buffer.from(keyBytes), value: Buffer.from(bytes) }]);
    const reader = await readTopics([topic], groups);
    let record: { key: string | null; value: Buffer | null };
    try {
      record = (await eventually(() => reader.records[0], 30_000, 'the record'))!;
    } finally {
      await reader.stop();
    }
    expect(Buffer.compare(record.value!, Buffer.from(bytes))).toBe(0);
    const read = new AvroConverter();
    read.configure({ 'schema.registry.url': REGISTRY }, false);
    const sv = await read.toConnectData(topic, record.value);
    const expected = SchemaBuilder.struct().name('com.example.AllTypes').version(1);
    for (const f of schema.fields) expected.field(f.name, f.schema);
    expect(schemaEquals(sv.schema, expected.build())).toBe(true); // version 1: the subject's version
    const v = sv.value as Struct;
    for (const f of ['i8', 'i16', 'i32', 'i64', 'f32', 'f64', 'b', 's', 'dec', 'arr', 'map', 'imap', 'opt', 'dflt']) expect(v.get(f)).toEqual(value.get(f));
    expect(Buffer.from(v.get('bytes') as Uint8Array).toString()).toBe('bytes');
    for (const f of ['date', 'time', 'ts']) expect((v.get(f) as Date).getTime()).toBe((value.get(f) as Date).getTime());
    expect((v.get('inner') as Struct).get('x')).toBe('y');
    const readKey = new AvroConverter();
    readKey.configure({ 'schema.registry.url': REGISTRY }, true);
    expect((await readKey.toConnectData(topic, Buffer.from(record.key!, 'latin1'))).value).toBe('key-1');
  });

  it('FileStreamSource → Kafka (Avro) → FileStreamSink', async () => {
    const name = unique('avro-pipe');
    const topic = await newTopic('avro-pipe');
    const input = path.join(w.dir, `${name}.in`);
    const output = path.join(w.dir, `${name}.out`);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ✓`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    await createConnector(`${name}-src`, { 'connector.class': 'FileStreamSource', file: input, topic, ...avroConfig() });
    await createConnector(`${name}-sink`, { 'connector.class': 'FileStreamSink', file: output, topics: topic, ...avroConfig() });
    await eventually(() => readLines(output).length >= 500, 60_000, '500 lines in the sink file');
    expect(readLines(output)).toEqual(lines);
    const latest = await registry('GET', `/subjects/${topic}-value/versions/latest`);
    expect(JSON.parse(latest.body.schema)).toBe('string');
    await w.api('DELETE', `/connectors/${name}-src`);
    await w.api('DELETE', `/connectors/${name}-sink`);
  });

  it('evolves the schema across a connector restart (an optional field added)', async () => {
    const name = unique('avro-evolve');
    const topic = await newTopic('avro-evolve');
    await registry('PUT', `/config/${topic}-value`, { compatibility: 'BACKWARD' });
    const output = path.join(w.dir, `${name}.out`);
    const src = { 'connector.class': 'test.kconnect.StructSource', topic, records: '5', schema: 'v1', ...avroConfig() };
    await createConnector(`${name}-src`, src);
    await createConnector(`${name}-sink`, { 'connector.class': 'FileStreamSink', file: output, topics: topic, ...avroConfig() });
    await eventually(() => readLines(output).length >= 5, 60_000, 'v1 records');
    // new config = the connector restarts with v2
    expect((await w.api('PUT', `/connectors/${name}-src/config`, { ...src, records: '10', schema: 'v2' })).status).toBe(200);
    await eventually(() => readLines(output).length >= 10, 60_000, 'v2 records');
    expect(readLines(output)).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `Struct{device=d${i},temp=${i}.5}`),
      ...Array.from({ length: 5 }, (_, i) => `Struct{device=d${i + 5},temp=${i + 5}.5,unit=C}`),
    ]);
    const versions = await registry('GET', `/subjects/${topic}-value/versions`);
    expect(versions.body).toEqual([1, 2]);
    await w.api('DELETE', `/connectors/${name}-src`);
    await w.api('DELETE', `/connectors/${name}-sink`);
  });

  it('waits while the registry is down and loses nothing when it is back', async () => {
    const name = unique('avro-down');
    const topic = await newTopic('avro-down');
    const output = path.join(w.dir, `${name}.out`);
    const proxy = await registryProxy(); // closed: connections are refused
    try {
      const retry = { 'errors.retry.timeout': '-1', 'errors.retry.delay.max.ms': '500' };
      await createConnector(`${name}-src`, { 'connector.class': 'test.kconnect.StructSource', topic, records: '20', ...avroConfig(proxy.url), ...retry });
      await createConnector(`${name}-sink`, { 'connector.class': 'FileStreamSink', file: output, topics: topic, ...avroConfig(proxy.url), ...retry });
      await new Promise((r) => setTimeout(r, 2500));
      expect(readLines(output)).toEqual([]);
      expect((await taskState(`${name}-src`))?.state).toBe('RUNNING'); // waiting, not failed
      await proxy.open();
      await eventually(() => readLines(output).length >= 20, 60_000, '20 records after the registry is back');
      await new Promise((r) => setTimeout(r, 1000));
      expect(readLines(output)).toEqual(Array.from({ length: 20 }, (_, i) => `Struct{device=d${i},temp=${i}.5}`));
      // down again while the sink reads a new schema id: it waits too
      await proxy.close();
      expect((await taskState(`${name}-sink`))?.state).toBe('RUNNING');
    } finally {
      await w.api('DELETE', `/connectors/${name}-src`);
      await w.api('DELETE', `/connectors/${name}-sink`);
      await proxy.close();
    }
  });

  it('an incompatible schema fails the source task with a clear error; a sink with errors.tolerance=all sends unreadable records to the DLQ', async () => {
    const name = unique('avro-incompat');
    const topic = await newTopic('avro-incompat');
    await registry('PUT', `/config/${topic}-value`, { compatibility: 'BACKWARD' });
    const src = { 'connector.class': 'test.kconnect.StructSource', topic, records: '3', schema: 'v1', ...avroConfig() };
    await createConnector(`${name}-src`, src);
    await eventually(async () => (await registry('GET', `/subjects/${topic}-value/versions`)).status === 200, 30_000, 'v1 registered');
    await w.api('PUT', `/connectors/${name}-src/config`, { ...src, records: '6', schema: 'v3' });
    const failed = await eventually(
      async () => {
        const t = await taskState(`${name}-src`);
        return t?.state === 'FAILED' ? t : undefined;
      },
      30_000,
      'the source task to fail',
    );
    expect(failed.trace).toMatch(/incompatible with an earlier schema registered under subject "[^"]+-value" \(HTTP 409\)/);
    await w.api('DELETE', `/connectors/${name}-src`);

    // the sink: Avro records with a non-Avro record between them → the bad one goes to the DLQ
    const dlq = unique('avro-dlq');
    topics.push(dlq);
    const good = new AvroConverter();
    good.configure({ 'schema.registry.url': REGISTRY }, false);
    const rec = async (n: number) => Buffer.from((await good.fromConnectData(topic, V1, new Struct(V1).put('device', `g${n}`).put('temp', n)))!);
    await producer.send([
      { topic, key: null, value: await rec(1) },
      { topic, key: null, value: Buffer.from('{"not":"avro"}') },
      { topic, key: null, value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2]) }, // an id the registry does not have
      { topic, key: null, value: await rec(2) },
    ]);
    const output = path.join(w.dir, `${name}.out`);
    await createConnector(`${name}-sink`, {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: topic,
      ...avroConfig(),
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    // 3 v1 records from the source, then g1 and g2
    await eventually(() => readLines(output).length >= 5, 60_000, 'good records in the sink file');
    expect(readLines(output).slice(3)).toEqual(['Struct{device=g1,temp=1.0}', 'Struct{device=g2,temp=2.0}']);
    const reader = await readTopics([dlq], groups);
    try {
      await eventually(() => reader.records.length === 2, 30_000, 'two records in the DLQ');
    } finally {
      await reader.stop();
    }
    expect(String(reader.records[0]!.value)).toBe('{"not":"avro"}');
    expect(reader.records[0]!.headers['__connect.errors.exception.message']).toMatch(/Failed to deserialize data for topic .* to Avro: Unknown magic byte!/);
    expect(reader.records[1]!.headers['__connect.errors.exception.message']).toMatch(/HTTP 404/);
    expect(reader.records[1]!.headers['__connect.errors.class.name']).toBe(AVRO);
    await w.api('DELETE', `/connectors/${name}-sink`);
  });
});
