import { DataError, RetriableError, SchemaBuilder, Schemas, Struct } from '@kconnect/api';
import { AvroConverter, type Registry } from './avro-converter';
import { RegistryError } from './registry-client';

/** An in-memory registry with Confluent's answers. */
class FakeRegistry implements Registry {
  readonly schemas: string[] = [];
  readonly subjects = new Map<string, number[]>();
  down = false;
  incompatible = false;
  calls = 0;
  private check() {
    this.calls++;
    if (this.down) throw new RegistryError('Schema registry http://x is unreachable: connect ECONNREFUSED', undefined, true);
  }
  async schemaById(id: number) {
    this.check();
    const s = this.schemas[id - 1];
    if (!s) throw new RegistryError('Schema not found', 404, false);
    return s;
  }
  async register(subject: string, schema: string) {
    this.check();
    const versions = this.subjects.get(subject) ?? [];
    let id = this.schemas.indexOf(schema) + 1;
    if (id > 0 && versions.includes(id)) return id;
    if (this.incompatible && versions.length) throw new RegistryError('Schema being registered is incompatible with an earlier schema', 409, false);
    if (id === 0) id = this.schemas.push(schema);
    versions.push(id);
    this.subjects.set(subject, versions);
    return id;
  }
  async lookup(subject: string, schema: string) {
    this.check();
    const id = this.schemas.indexOf(schema) + 1;
    const v = (this.subjects.get(subject) ?? []).indexOf(id);
    if (id === 0 || v < 0) throw new RegistryError('Schema not found', 404, false);
    return { id, version: v + 1, schema };
  }
  async latest(subject: string) {
    this.check();
    const versions = this.subjects.get(subject);
    if (!versions?.length) throw new RegistryError('Subject not found', 404, false);
    const id = versions[versions.length - 1]!;
    return { id, version: versions.length, schema: this.schemas[id - 1]! };
  }
}

const schema = SchemaBuilder.struct().name('com.example.Reading').field('device', Schemas.STRING_SCHEMA).field('t', Schemas.OPTIONAL_FLOAT64_SCHEMA).build();
const reading = (device: string, t: number | null) => new Struct(schema).put('device', device).put('t', t);

function converter(registry: Registry, configs: Record<string, string> = {}, isKey = false) {
  const c = new AvroConverter(registry);
  c.configure(configs, isKey);
  return c;
}

describe('AvroConverter', () => {
  test('wire format: magic byte 0, 4-byte big-endian id, Avro binary; round trip with the registry version', async () => {
    const reg = new FakeRegistry();
    const c = converter(reg);
    const bytes = (await c.fromConnectData('readings', schema, reading('d1', 21.5)))!;
    expect(bytes[0]).toBe(0);
    expect(Buffer.from(bytes).readInt32BE(1)).toBe(1);
    // record: string "d1" (zigzag length 2 → 0x04), union branch 1 (0x02), double 21.5 little-endian
    expect(Buffer.from(bytes).subarray(5).toString('hex')).toBe(`046431${'02'}${Buffer.from(new Float64Array([21.5]).buffer).toString('hex')}`);
    expect([...reg.subjects.keys()]).toEqual(['readings-value']);
    // cached: the second record is converted synchronously, without a registry call
    const calls = reg.calls;
    const again = c.fromConnectData('readings', schema, reading('d2', null));
    expect(again).toBeInstanceOf(Uint8Array);
    expect(reg.calls).toBe(calls);

    const reader = converter(reg);
    const sv = await reader.toConnectData('readings', bytes);
    expect(sv.schema!.name).toBe('com.example.Reading');
    expect(sv.schema!.version).toBe(1); // the subject's version, as Java's deserializer sets it
    expect((sv.value as Struct).get('device')).toBe('d1');
    expect((sv.value as Struct).get('t')).toBe(21.5);
  });

  test('null values are tombstones and register nothing', async () => {
    const reg = new FakeRegistry();
    const c = converter(reg);
    expect(await c.fromConnectData('t', null, null)).toBeNull();
    expect(await c.fromConnectData('t', Schemas.OPTIONAL_BOOLEAN_SCHEMA, null)).toBeNull();
    expect(await c.toConnectData('t', null)).toEqual({ schema: null, value: null });
    expect(reg.calls).toBe(0);
  });

  test('subject name strategies (key and value)', async () => {
    const reg = new FakeRegistry();
    await converter(reg, {}, true).fromConnectData('t', Schemas.STRING_SCHEMA, 'k');
    await converter(reg, { 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }).fromConnectData(
      't',
      schema,
      reading('a', 1),
    );
    await converter(reg, { 'value.subject.name.strategy': 'TopicRecordNameStrategy' }).fromConnectData('t', schema, reading('a', 1));
    expect([...reg.subjects.keys()]).toEqual(['t-key', 'com.example.Reading', 't-com.example.Reading']);
    expect(() => converter(reg, { 'value.subject.name.strategy': 'Nope' })).toThrow(/Invalid value Nope/);
  });

  test('auto.register.schemas=false looks the schema up; use.latest.version writes with the latest schema', async () => {
    const reg = new FakeRegistry();
    await expect(converter(reg, { 'auto.register.schemas': 'false' }).fromConnectData('t', schema, reading('a', 1))).rejects.toThrow(
      /HTTP 404 for subject "t-value": Schema not found/,
    );
    const v2 = SchemaBuilder.struct()
      .name('com.example.Reading')
      .field('device', Schemas.STRING_SCHEMA)
      .field('t', Schemas.OPTIONAL_FLOAT64_SCHEMA)
      .field('unit', Schemas.OPTIONAL_STRING_SCHEMA)
      .build();
    await converter(reg).fromConnectData('t', v2, new Struct(v2).put('device', 'a').put('unit', 'C'));
    const bytes = (await converter(reg, { 'auto.register.schemas': 'false', 'use.latest.version': 'true' }).fromConnectData('t', schema, reading('b', 2)))!;
    expect(Buffer.from(bytes).readInt32BE(1)).toBe(1);
    const sv = await converter(reg).toConnectData('t', bytes);
    expect((sv.value as Struct).get('device')).toBe('b');
    expect((sv.value as Struct).get('unit')).toBeNull();
    // strict: the latest schema must be able to read the record's schema
    const other = SchemaBuilder.struct().name('com.example.Reading').field('n', Schemas.INT32_SCHEMA).build();
    await expect(converter(reg, { 'use.latest.version': 'true' }).fromConnectData('t', other, new Struct(other).put('n', 1))).rejects.toThrow(
      /Incompatible schema/,
    );
  });

  test('registry down → RetriableError, then works; incompatible (409) → DataError', async () => {
    const reg = new FakeRegistry();
    const c = converter(reg);
    reg.down = true;
    const err = await Promise.resolve(c.fromConnectData('t', schema, reading('a', 1))).catch((e) => e);
    expect(err).toBeInstanceOf(RetriableError);
    expect(err.message).toMatch(/Failed to serialize Avro data from topic t: .*unreachable/);
    reg.down = false;
    const bytes = (await c.fromConnectData('t', schema, reading('a', 1)))!;
    const reader = converter(reg);
    reg.down = true;
    await expect(Promise.resolve(reader.toConnectData('t', bytes))).rejects.toBeInstanceOf(RetriableError);
    reg.down = false;
    reg.incompatible = true;
    const v2 = SchemaBuilder.struct().name('com.example.Reading').field('device', Schemas.INT32_SCHEMA).build();
    const e409 = await Promise.resolve(c.fromConnectData('t', v2, new Struct(v2).put('device', 1))).catch((e) => e);
    expect(e409).toBeInstanceOf(DataError);
    expect(e409.message).toMatch(/incompatible with an earlier schema registered under subject "t-value" \(HTTP 409\)/);
  });

  test('unreadable bytes are DataErrors', async () => {
    const c = converter(new FakeRegistry());
    expect(() => c.toConnectData('t', Buffer.from('{"a":1}'))).toThrow('Failed to deserialize data for topic t to Avro: Unknown magic byte!');
    expect(() => c.toConnectData('t', Buffer.from([0, 0]))).toThrow(/Unknown magic byte/);
  });

  test('config keys and defaults', () => {
    const keys = new AvroConverter().config().configKeys();
    const names = keys.map((k) => k.name);
    for (const k of [
      'schema.registry.url',
      'basic.auth.credentials.source',
      'basic.auth.user.info',
      'bearer.auth.token',
      'auto.register.schemas',
      'use.latest.version',
      'latest.compatibility.strict',
      'key.subject.name.strategy',
      'value.subject.name.strategy',
      'connect.meta.data',
      'enhanced.avro.schema.support',
      'schemas.cache.config',
      'schema.registry.ssl.truststore.location',
    ]) {
      expect(names).toContain(k);
    }
    expect(() => new AvroConverter().configure({}, false)).toThrow(/schema.registry.url/);
  });
});
