/** Unit tests without services: mapping grammar, per-topic config keys, value conversion, batch planning. */
import { Headers, SchemaBuilder, Schemas, Struct, type SinkRecord } from '@kconnect/api';
import { errors, types } from 'cassandra-driver';
import { DEFAULT_CODEC, ignoreErrorsOf, parseTopicConfigs } from './config';
import { convert, parseTimestampString, zoneOffsetMinutes } from './convert';
import { Executor } from './executor';
import { MISSING, NOW, extract, parseMapping } from './mapping';
import type { Op } from './table';

const { dataTypes } = types;

describe('mapping grammar', () => {
  it('parses every DataStax source plus record metadata and literals', () => {
    const m = parseMapping(
      `col1=key.f1, col2=value.f2.nested, col3=header.h, col4=key, col5=value, col6=now(), __ttl=value.ttl, __timestamp=value.ts, "My Col"=value."a b", t=record.topic, p=record.partition, o=record.offset, ts=record.timestamp, l='it''s', n=-1.5, b=true`,
    );
    expect(m.columns.map((c) => [c.column, c.source])).toEqual([
      ['col1', { kind: 'key', path: ['f1'] }],
      ['col2', { kind: 'value', path: ['f2', 'nested'] }],
      ['col3', { kind: 'header', name: 'h' }],
      ['col4', { kind: 'key', path: [] }],
      ['col5', { kind: 'value', path: [] }],
      ['col6', { kind: 'now' }],
      ['My Col', { kind: 'value', path: ['a b'] }],
      ['t', { kind: 'record', field: 'topic' }],
      ['p', { kind: 'record', field: 'partition' }],
      ['o', { kind: 'record', field: 'offset' }],
      ['ts', { kind: 'record', field: 'timestamp' }],
      ['l', { kind: 'literal', value: "it's" }],
      ['n', { kind: 'literal', value: -1.5 }],
      ['b', { kind: 'literal', value: true }],
    ]);
    expect(m.ttl?.source).toEqual({ kind: 'value', path: ['ttl'] });
    expect(m.timestamp?.source).toEqual({ kind: 'value', path: ['ts'] });
    expect(parseMapping('ID = KEY.Id').columns[0]).toMatchObject({ column: 'id', source: { kind: 'key', path: ['Id'] } });
  });

  it('says where a mapping does not parse', () => {
    expect(() => parseMapping('a=value.x,, b=key')).toThrow(/expected a column name at position 11/);
    expect(() => parseMapping('a=value.x b=key')).toThrow(/expected ',' at position 11 \(near "b=key"\)/);
    expect(() => parseMapping('a=vlaue.x')).toThrow(/unknown field source "vlaue".* at position 3/);
    expect(() => parseMapping('a')).toThrow(/expected '=' at position 2 \(end of mapping\)/);
    expect(() => parseMapping('a=key, a=value')).toThrow(/column a is mapped twice/);
    expect(() => parseMapping("a='x")).toThrow(/unterminated string literal/);
    expect(() => parseMapping('a=record.nope')).toThrow(/expected record.topic/);
    expect(() => parseMapping('')).toThrow(/empty/);
  });

  it('extracts from Structs, Maps, objects and headers; missing fields are MISSING, null parents give null', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.OPTIONAL_INT32_SCHEMA).build();
    const s = SchemaBuilder.struct().field('in', inner).build();
    const rec = {
      topic: 't',
      kafkaPartition: 2,
      kafkaOffset: 7,
      timestamp: 5,
      key: new Map([['k', { deep: 1 }]]),
      value: new Struct(s).put('in', new Struct(inner).put('x', 3)),
      headers: new Headers().add('h', 'v1').add('h', 'v2'),
    } as unknown as SinkRecord;
    expect(extract(rec, { kind: 'value', path: ['in', 'x'] })).toBe(3);
    expect(extract(rec, { kind: 'value', path: ['in', 'y'] })).toBe(MISSING);
    expect(extract(rec, { kind: 'key', path: ['k', 'deep'] })).toBe(1);
    expect(extract(rec, { kind: 'header', name: 'h' })).toBe('v2');
    expect(extract(rec, { kind: 'record', field: 'offset' })).toBe(7);
    expect(extract(rec, { kind: 'now' })).toBe(NOW);
    expect(extract({ ...rec, value: null }, { kind: 'value', path: ['in', 'x'] })).toBeNull();
  });
});

describe('per-topic config keys', () => {
  it('parses table and codec settings (topics with dots too) and reports bad keys', () => {
    const r = parseTopicConfigs({
      'topic.a.b.c.ks.t.mapping': 'id=key',
      'topic.a.b.c.ks.t.ttl': '3600',
      'topic.a.b.c.ks.t.consistencyLevel': 'local_quorum',
      'topic.a.b.c.ks.t.nullToUnset': 'false',
      'topic.a.b.c.codec.timeZone': 'Europe/Paris',
      'topic.a.b.c.codec.unit': 'seconds',
      'topic.x.ks.t.ttlTimeUnit': 'WEEKS',
      'topic.x.ks.t.mapping': 'id=key',
      'topic.y.ks.t.mapping': 'id=',
      'topic.y.codec.timeZone': 'Mars/Base',
      'topic.z.ks.t.weird': '1',
    });
    expect(r.tables.find((t) => t.topic === 'a.b.c')).toMatchObject({
      keyspace: 'ks',
      table: 't',
      ttl: 3600,
      consistencyLevel: 'LOCAL_QUORUM',
      nullToUnset: false,
      deletesEnabled: true,
      timestampTimeUnit: 'MICROSECONDS',
      ttlTimeUnit: 'SECONDS',
    });
    expect(r.codecs.get('a.b.c')).toEqual({ ...DEFAULT_CODEC, timeZone: 'Europe/Paris', unit: 'SECONDS' });
    expect(r.errors.get('topic.x.ks.t.ttlTimeUnit')![0]).toMatch(/must be one of NANOSECONDS/);
    expect(r.errors.get('topic.y.ks.t.mapping')![0]).toMatch(/Invalid value id= for configuration topic.y.ks.t.mapping: expected a field .* at position 4/);
    expect(r.errors.get('topic.y.codec.timeZone')![0]).toMatch(/unknown time zone/);
    expect(r.errors.get('topic.z.ks.t.weird')![0]).toMatch(/Unknown configuration/);
  });
  it('maps legacy ignoreErrors booleans', () => {
    expect([ignoreErrorsOf('true'), ignoreErrorsOf('false'), ignoreErrorsOf('driver'), ignoreErrorsOf('ALL')]).toEqual(['All', 'None', 'Driver', 'All']);
  });
});

describe('conversion', () => {
  const c = DEFAULT_CODEC;
  it('converts numbers with range checks and strings', () => {
    expect(convert('12', { code: dataTypes.int }, c)).toBe(12);
    expect(() => convert(40000, { code: dataTypes.smallint }, c)).toThrow(/out of range for smallint/);
    expect(() => convert(1.5, { code: dataTypes.int }, c)).toThrow(/not an integer/);
    expect(String(convert(2n ** 62n, { code: dataTypes.bigint }, c))).toBe(String(2n ** 62n));
    expect(String(convert('1e3', { code: dataTypes.decimal }, c))).toBe('1000');
    expect(() => convert('é', { code: dataTypes.ascii }, c)).toThrow(/not ASCII/);
    expect(() => convert(true, { code: dataTypes.uuid }, c)).toThrow(/cannot convert boolean true to uuid/);
    expect(() => convert('6ba7b810-9dad-41d1-80b4-00c04fd430c8', { code: dataTypes.timeuuid }, c)).toThrow(/not a version 1/);
  });
  it('parses timestamps in ISO forms, zones, custom patterns and numeric units', () => {
    expect(parseTimestampString('2024-01-02T03:04:05Z', c).ms).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTimestampString('2024-01-02 03:04:05.123456+02:00', c).micros).toBe(BigInt(Date.UTC(2024, 0, 2, 1, 4, 5, 123)) * 1000n + 456n);
    expect(parseTimestampString('2024-07-01 12:00', { ...c, timeZone: 'Europe/Paris' }).ms).toBe(Date.UTC(2024, 6, 1, 10, 0));
    expect(parseTimestampString('01/07/2024 12h00', { ...c, timestamp: "dd/MM/yyyy HH'h'mm" }).ms).toBe(Date.UTC(2024, 6, 1, 12, 0));
    expect(parseTimestampString('1700000000', { ...c, unit: 'SECONDS' }).ms).toBe(1700000000000);
    expect(() => parseTimestampString('soon', c)).toThrow(/cannot parse "soon" as a timestamp/);
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2024, 0, 1))).toBe(-300);
    expect(zoneOffsetMinutes('+05:30', 0)).toBe(330);
  });
  it('reads names and AM/PM of the codec locale, checks the day of week, and rejects unknown pattern letters', () => {
    const en = { ...c, timestamp: 'EEEE, MMMM d, yyyy h:mm a' };
    expect(parseTimestampString('Monday, January 15, 2024 3:04 PM', en).ms).toBe(Date.UTC(2024, 0, 15, 15, 4));
    expect(parseTimestampString('monday, january 15, 2024 12:04 am', en).ms).toBe(Date.UTC(2024, 0, 15, 0, 4));
    expect(parseTimestampString('Monday, January 15, 2024 12:04 PM', en).ms).toBe(Date.UTC(2024, 0, 15, 12, 4));
    expect(() => parseTimestampString('Monday, January 15, 2024 13:04 PM', en)).toThrow(/cannot parse/);
    expect(() => parseTimestampString('Sunday, January 15, 2024 3:04 PM', en)).toThrow(/the date is a Monday, not a Sunday/);
    expect(parseTimestampString('15 févr. 2024 09:30', { ...c, locale: 'fr_FR', timestamp: 'dd MMM yyyy HH:mm' }).ms).toBe(Date.UTC(2024, 1, 15, 9, 30));
    expect(String(convert('3. März 2024', { code: dataTypes.date }, { ...c, locale: 'de_DE', date: 'd. MMMM yyyy' }))).toBe('2024-03-03');
    const r = parseTopicConfigs({
      'topic.t.codec.timestamp': 'yyyy-MM-dd QQ',
      'topic.w.codec.timestamp': 'RFC_1123_DATE_TIME',
      'topic.u.codec.locale': 'x!',
      'topic.v.codec.locale': 'fr_FR',
      'topic.v.codec.date': 'd MMMM yyyy',
    });
    expect([...r.errors.keys()].sort()).toEqual(['topic.t.codec.timestamp', 'topic.u.codec.locale', 'topic.w.codec.timestamp']);
    expect(r.errors.get('topic.w.codec.timestamp')![0]).toMatch(/unknown format name RFC_1123_DATE_TIME: use one of CQL_TIMESTAMP, ISO_ZONED_DATE_TIME/);
    expect(r.errors.get('topic.t.codec.timestamp')![0]).toMatch(/unsupported pattern letter 'Q'/);
  });
  it('collections from JSON strings, arrays and objects; null elements are errors', () => {
    expect(convert('[1,2]', { code: dataTypes.set, info: { code: dataTypes.int } }, c)).toEqual([1, 2]);
    expect(convert([['1', 'a']], { code: dataTypes.map, info: [{ code: dataTypes.int }, { code: dataTypes.text }] }, c)).toEqual(new Map([[1, 'a']]));
    expect(() => convert([1, null], { code: dataTypes.list, info: { code: dataTypes.int } }, c)).toThrow(/cannot contain null/);
    expect(() => convert({ a: 1 }, { code: dataTypes.list, info: { code: dataTypes.int } }, c)).toThrow(/expected an array/);
    expect(() => convert({ q: 1 }, { code: dataTypes.udt, info: { name: 'pt', fields: [{ name: 'x', type: { code: dataTypes.int } }] } }, c)).toThrow(
      /field "q" is not in frozen<pt>/,
    );
  });
});

describe('batch planning', () => {
  const op = (group: string, row: string | null, bytes = 10): Op => ({
    query: 'q',
    params: [],
    group,
    row,
    bytes,
    counter: false,
    consistency: 1,
    writer: {} as never,
  });
  const ex = new Executor({} as never, {
    maxConcurrent: 4,
    maxBatchRecords: 3,
    maxBatchBytes: 100,
    maxAttempts: 1,
    baseBackoffMs: 1,
    maxBackoffMs: 1,
    consistency: () => 1,
  });
  it('groups by partition, keeps record order, caps records and bytes, never puts one row twice in a batch', () => {
    const items = [op('p1', 'a'), op('p2', 'x'), op('p1', 'b'), op('p1', 'a'), op('p1', 'c'), op('p1', 'd'), op('p1', 'e'), op('p1', 'f', 95)].map((o, i) => ({
      op: o,
      record: i,
    }));
    const chains = ex.plan(items);
    expect(chains.map((ch) => ch.map((b) => b.map((i) => i.record)))).toEqual([[[0, 2], [3, 4, 5], [6], [7]], [[1]]]);
  });
  it('lets writes that carry their own writetime (row key null) share a batch, whatever their row', () => {
    const items = [op('p1', null), op('p1', null), op('p1', 'a'), op('p1', 'a')].map((o, i) => ({ op: o, record: i }));
    expect(ex.plan(items).map((ch) => ch.map((b) => b.map((i) => i.record)))).toEqual([[[0, 1, 2], [3]]]);
  });
});

describe('executor retries and isolation (fake driver)', () => {
  const op = (row: string): Op => ({ query: `q-${row}`, params: [row], group: 'g', row, bytes: 10, counter: false, consistency: 1, writer: {} as never });
  const opts = { maxConcurrent: 8, maxBatchRecords: 10, maxBatchBytes: 1000, maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 2, consistency: () => 1 };

  it('retries timeouts/Overloaded with back-off and a halved in-flight limit, then succeeds', async () => {
    let calls = 0;
    const client = {
      batch: async () => {
        calls++;
        if (calls === 1) throw new errors.OperationTimedOutError('timeout');
        if (calls === 2) throw new errors.ResponseError(types.responseErrorCodes.overloaded, 'overloaded');
      },
    };
    const ex = new Executor(client as never, opts);
    const r = await ex.run([op('a'), op('b')].map((o) => ({ op: o, record: o.row })));
    expect(calls).toBe(3);
    expect(r.written.map((i) => i.record)).toEqual(['a', 'b']);
    expect(r.retriable).toBeNull();
    expect(ex.currentLimit).toBe(2);
  });

  it('gives up with a retriable result after maxAttempts (the task then rewinds)', async () => {
    const client = { execute: async () => Promise.reject(new errors.NoHostAvailableError({})) };
    const r = await new Executor(client as never, opts).run([{ op: op('a'), record: 'a' }]);
    expect(r.retriable).toBeInstanceOf(errors.NoHostAvailableError);
    expect(r.written).toEqual([]);
  });

  it('isolates the records of a batch Cassandra rejects, writing the others', async () => {
    const client = {
      batch: async () => Promise.reject(new errors.ResponseError(types.responseErrorCodes.invalid, 'bad')),
      execute: async (q: string) => {
        if (q === 'q-b') throw new errors.ResponseError(types.responseErrorCodes.invalid, 'bad b');
      },
    };
    const r = await new Executor(client as never, opts).run([op('a'), op('b'), op('c')].map((o) => ({ op: o, record: o.row })));
    expect(r.written.map((i) => i.record)).toEqual(['a', 'c']);
    expect(r.failed.map((f) => [f.item.record, (f.error as Error).message])).toEqual([['b', 'bad b']]);
  });
});
