/**
 * The Cassandra sink on a real Cassandra 5 and a real Kafka, through an embedded worker and its REST API: Struct
 * and schemaless JSON records, mapping sources, writetime/TTL, nullToUnset, deletes (also with __ttl/__timestamp
 * mapped), custom query, one topic to many tables, topics.regex, validation and metrics.
 */
import { Decimal, DateType, SchemaBuilder, Schemas, Struct, TimeType, TimestampType } from '@kconnect/api';
import { eventually, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import type { Client } from 'cassandra-driver';
import { plugins } from '../index';
import { Feeder, createKeyspace, cqlClient, sinkConfig } from './helpers';

describe('Cassandra sink writes (real Cassandra + Kafka)', () => {
  let cql: Client;
  let ks: string;
  let feeder: Feeder;
  let w: WorkerHandle;
  const connectors: string[] = [];

  beforeAll(async () => {
    cql = await cqlClient();
    ks = await createKeyspace(cql, 'cw');
    feeder = await Feeder.create();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    for (const c of connectors) await w.api('DELETE', `/connectors/${c}`).catch(() => undefined);
    await w.stop();
    await feeder.close();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    await cql.shutdown();
  });

  async function create(config: Record<string, string>, schemas = true) {
    const name = unique('cass');
    connectors.push(name);
    feeder.groups.push(`connect-${name}`);
    const res = await w.api('POST', '/connectors', { name, config: sinkConfig(config, schemas) });
    return { name, res };
  }
  const rows = async (q: string, params: unknown[] = []) => (await cql.execute(q, params, { prepare: true })).rows;
  const count = async (table: string) => Number((await rows(`SELECT count(*) AS n FROM ${ks}.${table}`))[0]!.n);

  it('writes Structs with key/value/nested/header/metadata/literal/now() sources, writetime = record timestamp, per-record TTL, nullToUnset', async () => {
    await cql.execute(
      `CREATE TABLE ${ks}.readings (device text, ts timestamp, temp double, label text, src text, part int, off bigint, lit text, id timeuuid, note text, PRIMARY KEY (device, ts))`,
    );
    const topic = await feeder.topic('readings');
    const keySchema = SchemaBuilder.struct().field('device', Schemas.STRING_SCHEMA).build();
    const mSchema = SchemaBuilder.struct().field('temp', Schemas.FLOAT64_SCHEMA).build();
    const valueSchema = SchemaBuilder.struct()
      .field('ts', TimestampType.SCHEMA)
      .field('m', mSchema)
      .field('note', Schemas.OPTIONAL_STRING_SCHEMA)
      .field('ttl', Schemas.OPTIONAL_INT32_SCHEMA)
      .build();
    const base = Date.UTC(2024, 0, 1);
    // A note written before (older writetime) must survive the null note of the record: nullToUnset, no tombstone.
    await cql.execute(`INSERT INTO ${ks}.readings (device, ts, note) VALUES ('d0', ?, 'kept') USING TIMESTAMP 1`, [new Date(base)], { prepare: true });
    const recs = Array.from({ length: 5 }, (_, i) => ({
      key: new Struct(keySchema).put('device', `d${i}`),
      keySchema,
      schema: valueSchema,
      value: new Struct(valueSchema)
        .put('ts', new Date(base + i))
        .put('m', new Struct(mSchema).put('temp', 20 + i))
        .put('note', i === 0 ? null : `n${i}`)
        .put('ttl', i === 1 ? 3600 : null),
      headers: { label: `L${i}` },
      timestamp: 1_700_000_000_000 + i,
    }));
    await feeder.send(topic, recs);
    const { res } = await create({
      topics: topic,
      [`topic.${topic}.${ks}.readings.mapping`]:
        "device=key.device, ts=value.ts, temp=value.m.temp, label=header.label, src=record.topic, part=record.partition, off=record.offset, lit='fixed', id=now(), note=value.note, __ttl=value.ttl",
    });
    expect(res.status).toBe(201);
    await eventually(async () => (await count('readings')) === 5, 30_000, '5 rows');
    const r = await rows(`SELECT device, ts, temp, label, src, part, off, lit, id, note, writetime(temp) AS wt, ttl(temp) AS tl FROM ${ks}.readings`);
    const byDevice = new Map(r.map((x) => [x.device as string, x]));
    for (let i = 0; i < 5; i++) {
      const x = byDevice.get(`d${i}`)!;
      expect(x.ts.getTime()).toBe(base + i);
      expect(x.temp).toBe(20 + i);
      expect(x.label).toBe(`L${i}`);
      expect(x.src).toBe(topic);
      expect(x.part).toBe(0);
      expect(Number(x.off)).toBe(i);
      expect(x.lit).toBe('fixed');
      expect(x.id.getDate()).toBeInstanceOf(Date);
      expect(Number(x.wt)).toBe((1_700_000_000_000 + i) * 1000);
      if (i === 1) expect(x.tl).toBeGreaterThan(3500);
      else expect(x.tl).toBeNull();
    }
    expect(byDevice.get('d0')!.note).toBe('kept');
    expect(byDevice.get('d2')!.note).toBe('n2');
    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(new RegExp(`cassandra_sink_records_written_total\\{topic="${topic}",keyspace="${ks}",table="readings".*\\} 5`));
    expect(metrics).toContain('cassandra_sink_cql_request_duration_seconds_bucket');
    expect(metrics).toContain('cassandra_sink_batch_size_records_bucket');
  });

  it('deletes on a null value and on all-non-PK-null, also with __ttl and __timestamp mapped; nullToUnset=false writes nulls', async () => {
    await cql.execute(`CREATE TABLE ${ks}.kv (id int PRIMARY KEY, a text, b int)`);
    await cql.execute(`CREATE TABLE ${ks}.kv2 (id int PRIMARY KEY, a text, b int)`);
    const topic = await feeder.topic('kv');
    const t0 = 1_700_000_000_000;
    const v = (a: string | null, b: number | null, ts: number | null) => ({ a, b, ttl: 86400, ts });
    await feeder.send(topic, [
      ...[1, 2, 3, 4].map((id) => ({ key: id, value: v(`a${id}`, id, (t0 + id) * 1000), timestamp: t0 })),
      { key: 1, value: null, timestamp: t0 + 100 }, // tombstone → delete (writetime = record timestamp)
      { key: 2, value: v(null, null, (t0 + 200) * 1000), timestamp: t0 + 100 }, // all non-PK null → delete at __timestamp
      { key: 3, value: v('x', null, (t0 + 300) * 1000), timestamp: t0 + 100 }, // b null: unset in kv, null in kv2
    ]);
    const { res } = await create(
      {
        topics: topic,
        [`topic.${topic}.${ks}.kv.mapping`]: 'id=key, a=value.a, b=value.b, __ttl=value.ttl, __timestamp=value.ts',
        [`topic.${topic}.${ks}.kv2.mapping`]: 'id=key, a=value.a, b=value.b',
        [`topic.${topic}.${ks}.kv2.nullToUnset`]: 'false',
        [`topic.${topic}.${ks}.kv2.deletesEnabled`]: 'false',
      },
      false,
    );
    expect(res.status).toBe(201);
    await eventually(async () => (await count('kv')) === 2 && (await count('kv2')) === 4, 30_000, 'deletes applied');
    const kv = new Map((await rows(`SELECT id, a, b, ttl(a) AS t FROM ${ks}.kv`)).map((x) => [x.id as number, x]));
    expect([...kv.keys()].sort()).toEqual([3, 4]);
    expect(kv.get(3)!.a).toBe('x');
    expect(kv.get(3)!.b).toBe(3); // unset: the older value stays
    expect(kv.get(3)!.t).toBeGreaterThan(80000);
    const kv2 = new Map((await rows(`SELECT id, a, b FROM ${ks}.kv2`)).map((x) => [x.id as number, x]));
    expect(kv2.get(2)!.a).toBeNull(); // deletes disabled: an upsert of nulls
    expect(kv2.get(3)!.b).toBeNull(); // nullToUnset=false: a null is written
    expect(kv2.get(1)!.a).toBeNull(); // tombstone with deletes disabled: an upsert of nulls (nullToUnset=false)
  });

  it('converts schemaless JSON and strings to every CQL type, with codec settings', async () => {
    await cql.execute(`CREATE TYPE ${ks}.addr (street text, zip int)`);
    await cql.execute(
      `CREATE TABLE ${ks}.types (id text PRIMARY KEY, t_ascii ascii, t_varchar varchar, t_int int, t_bigint bigint, t_smallint smallint, t_tinyint tinyint,
        t_varint varint, t_float float, t_double double, t_decimal decimal, t_bool boolean, t_uuid uuid, t_timeuuid timeuuid,
        t_ts timestamp, t_ts_num timestamp, t_date date, t_time time, t_duration duration, t_inet inet, t_blob blob,
        t_list list<int>, t_set set<text>, t_map map<text, int>, t_imap map<int, date>, t_tuple tuple<int, text>, t_udt frozen<addr>,
        t_vec vector<float, 3>, t_json text)`,
    );
    await cql.execute(`CREATE TABLE ${ks}.hits (id text PRIMARY KEY, n counter)`);
    const topic = await feeder.topic('types');
    const value = {
      id: 'a',
      t_ascii: 'abc',
      t_varchar: 42,
      t_int: '42',
      t_bigint: '9007199254740993',
      t_smallint: 7,
      t_tinyint: '-3',
      t_varint: '123456789012345678901234567890',
      t_float: 1.5,
      t_double: '2.25',
      t_decimal: '12.345',
      t_bool: 'true',
      t_uuid: '6ba7b810-9dad-41d1-80b4-00c04fd430c8',
      t_timeuuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      t_ts: '2024-01-02 03:04:05.678',
      t_ts_num: 1700000000,
      t_date: '02/01/2024',
      t_time: '12:34:56.789',
      t_duration: '1h30m',
      t_inet: '10.0.0.1',
      t_blob: Buffer.from('hello').toString('base64'),
      t_list: [1, 2, 3],
      t_set: '["x","y","x"]',
      t_map: { a: 1, b: 2 },
      t_imap: { '1': '01/03/2024' },
      t_tuple: [1, 'x'],
      t_udt: { street: 'Main', zip: '123' },
      t_vec: [0.5, 0.25, 1],
      t_json: { nested: [1, { x: true }] },
      n: 5,
    };
    await feeder.send(topic, [
      { key: 'a', value, timestamp: 1_700_000_000_000 },
      { key: 'a', value: { ...value, n: 2 }, timestamp: 1_700_000_000_001 },
    ]);
    const cols = Object.keys(value).filter((k) => k !== 'n');
    const { res } = await create(
      {
        topics: topic,
        [`topic.${topic}.${ks}.types.mapping`]: cols.map((c) => `${c}=value.${c}`).join(', '),
        [`topic.${topic}.${ks}.hits.mapping`]: 'id=key, n=value.n',
        [`topic.${topic}.codec.timeZone`]: 'Europe/Paris',
        [`topic.${topic}.codec.date`]: 'dd/MM/yyyy',
        [`topic.${topic}.codec.unit`]: 'SECONDS',
      },
      false,
    );
    expect(res.body).toEqual(expect.objectContaining({ name: expect.any(String) }));
    await eventually(async () => (await rows(`SELECT n FROM ${ks}.hits`))[0]?.n?.toString() === '7', 30_000, 'counter = 7');
    const x = (await rows(`SELECT * FROM ${ks}.types WHERE id = 'a'`))[0]!;
    expect(x.t_ascii).toBe('abc');
    expect(x.t_varchar).toBe('42');
    expect(x.t_int).toBe(42);
    expect(x.t_bigint.toString()).toBe('9007199254740993');
    expect(x.t_smallint).toBe(7);
    expect(x.t_tinyint).toBe(-3);
    expect(x.t_varint.toString()).toBe('123456789012345678901234567890');
    expect(x.t_float).toBe(1.5);
    expect(x.t_double).toBe(2.25);
    expect(x.t_decimal.toString()).toBe('12.345');
    expect(x.t_bool).toBe(true);
    expect(x.t_uuid.toString()).toBe('6ba7b810-9dad-41d1-80b4-00c04fd430c8');
    expect(x.t_timeuuid.toString()).toBe('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(x.t_ts.toISOString()).toBe('2024-01-02T02:04:05.678Z'); // Paris is UTC+1 in January
    expect(x.t_ts_num.toISOString()).toBe(new Date(1700000000 * 1000).toISOString());
    expect(x.t_date.toString()).toBe('2024-01-02');
    expect(x.t_time.toString()).toBe('12:34:56.789');
    expect(x.t_duration.toString()).toBe('1h30m');
    expect(x.t_inet.toString()).toBe('10.0.0.1');
    expect(Buffer.from(x.t_blob).toString()).toBe('hello');
    expect(x.t_list).toEqual([1, 2, 3]);
    expect(x.t_set).toEqual(['x', 'y']);
    expect(x.t_map).toEqual({ a: 1, b: 2 });
    expect(Object.values(x.t_imap).map(String)).toEqual(['2024-03-01']);
    expect(x.t_tuple.values()).toEqual([1, 'x']);
    expect(x.t_udt).toEqual({ street: 'Main', zip: 123 });
    expect([...x.t_vec]).toEqual([0.5, 0.25, 1]);
    expect(JSON.parse(x.t_json)).toEqual({ nested: [1, { x: true }] });
  });

  it('reads month and day names in the codec locale; a wrong day of week is a record error; a bad pattern is a config error', async () => {
    await cql.execute(`CREATE TABLE ${ks}.dated (id int PRIMARY KEY, at timestamp, day date)`);
    const topic = await feeder.topic('dated');
    await feeder.send(topic, [
      { key: 0, value: { at: 'mar. 15 janv. 2024 15:04', day: '3 mars 2024' } }, // 2024-01-15 is a Monday (lun.)
      { key: 1, value: { at: 'lun. 15 janv. 2024 15:04', day: '3 mars 2024' } },
      { key: 2, value: { at: 'DIM. 4 FÉVR. 2024 09:30', day: '29 février 2024' } },
    ]);
    const codec = {
      [`topic.${topic}.codec.locale`]: 'fr_FR',
      [`topic.${topic}.codec.timestamp`]: 'EEE d MMM yyyy HH:mm',
      [`topic.${topic}.codec.date`]: 'd MMMM yyyy',
    };
    const { name, res } = await create(
      { topics: topic, [`topic.${topic}.${ks}.dated.mapping`]: 'id=key, at=value.at, day=value.day', ignoreErrors: 'All', ...codec },
      false,
    );
    expect(res.status).toBe(201);
    await eventually(async () => (await count('dated')) === 2, 30_000, 'two rows');
    const got = (await rows(`SELECT id, at, day FROM ${ks}.dated`)).map((r) => [r.id, r.at.toISOString(), r.day.toString()]).sort();
    expect(got).toEqual([
      [1, '2024-01-15T15:04:00.000Z', '2024-03-03'],
      [2, '2024-02-04T09:30:00.000Z', '2024-02-29'],
    ]);
    expect((await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state).toBe('RUNNING');

    const bad = await w.api('POST', '/connectors', {
      name: unique('cass-bad-codec'),
      config: sinkConfig(
        { topics: topic, [`topic.${topic}.${ks}.dated.mapping`]: 'id=key, at=value.at', [`topic.${topic}.codec.timestamp`]: 'dd MMM yyyy G' },
        false,
      ),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/topic\..*\.codec\.timestamp: .*unsupported pattern letter 'G'/s);
  });

  it('converts Struct fields with Connect logical types, nested Structs to UDT/tuple, arrays and maps', async () => {
    await cql.execute(`CREATE TYPE ${ks}.pt (x int, y int)`);
    await cql.execute(
      `CREATE TABLE ${ks}.st (id bigint PRIMARY KEY, dec decimal, d date, t time, ts timestamp, b blob, l list<text>, s set<int>, m map<text, double>, u frozen<pt>, tp tuple<int, int>, f float, bo boolean, i8 tinyint, i16 smallint)`,
    );
    const topic = await feeder.topic('structs');
    const ptSchema = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).field('y', Schemas.INT32_SCHEMA).build();
    const schema = SchemaBuilder.struct()
      .field('id', Schemas.INT64_SCHEMA)
      .field('dec', Decimal.schema(3))
      .field('d', DateType.SCHEMA)
      .field('t', TimeType.SCHEMA)
      .field('ts', TimestampType.SCHEMA)
      .field('b', Schemas.BYTES_SCHEMA)
      .field('l', SchemaBuilder.array(Schemas.STRING_SCHEMA).build())
      .field('s', SchemaBuilder.array(Schemas.INT32_SCHEMA).build())
      .field('m', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.FLOAT64_SCHEMA).build())
      .field('u', ptSchema)
      .field('tp', ptSchema)
      .field('f', Schemas.FLOAT32_SCHEMA)
      .field('bo', Schemas.BOOLEAN_SCHEMA)
      .field('i8', Schemas.INT8_SCHEMA)
      .field('i16', Schemas.INT16_SCHEMA)
      .build();
    const value = new Struct(schema)
      .put('id', 9007199254740993n)
      .put('dec', '-12.340')
      .put('d', new Date(Date.UTC(2024, 4, 6)))
      .put('t', new Date(3_600_000 + 1234))
      .put('ts', new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 10)))
      .put('b', Buffer.from([1, 2, 3]))
      .put('l', ['a', 'b'])
      .put('s', [3, 1, 2])
      .put('m', new Map([['pi', 3.14]]))
      .put('u', new Struct(ptSchema).put('x', 1).put('y', 2))
      .put('tp', new Struct(ptSchema).put('x', 3).put('y', 4))
      .put('f', 0.5)
      .put('bo', false)
      .put('i8', -8)
      .put('i16', 300);
    await feeder.send(topic, [{ value, schema }]);
    const { res } = await create({ topics: topic, [`topic.${topic}.${ks}.st.mapping`]: schema.fields.map((f) => `${f.name}=value.${f.name}`).join(',') });
    expect(res.status).toBe(201);
    await eventually(async () => (await count('st')) === 1, 30_000, 'struct row');
    const x = (await rows(`SELECT * FROM ${ks}.st`))[0]!;
    expect(x.id.toString()).toBe('9007199254740993');
    expect(x.dec.toString()).toBe('-12.340');
    expect(x.d.toString()).toBe('2024-05-06');
    expect(x.t.toString()).toBe('01:00:01.234');
    expect(x.ts.toISOString()).toBe('2024-05-06T07:08:09.010Z');
    expect([...x.b]).toEqual([1, 2, 3]);
    expect(x.l).toEqual(['a', 'b']);
    expect(x.s).toEqual([1, 2, 3]);
    expect(x.m).toEqual({ pi: 3.14 });
    expect(x.u).toEqual({ x: 1, y: 2 });
    expect(x.tp.values()).toEqual([3, 4]);
    expect([x.f, x.bo, x.i8, x.i16]).toEqual([0.5, false, -8, 300]);
  });

  it('many writes to one row in one batch of records: the last one wins, with or without a writetime of their own', async () => {
    await cql.execute(`CREATE TABLE ${ks}.last (id int PRIMARY KEY, v int)`);
    await cql.execute(`CREATE TABLE ${ks}.last_q (id int PRIMARY KEY, v int)`);
    await cql.execute(`CREATE TABLE ${ks}.last_v (id int PRIMARY KEY, v int, at bigint)`);
    const topic = await feeder.topic('last');
    const t0 = 1_700_000_000_000;
    // key 7: 1..60 with a tombstone at 30; key 8: 1..60; record timestamps increase
    await feeder.send(
      topic,
      Array.from({ length: 120 }, (_, i) => {
        const id = i % 2 === 0 ? 7 : 8;
        const n = Math.floor(i / 2) + 1;
        return { key: id, value: id === 7 && n === 30 ? null : { v: n }, timestamp: t0 + i };
      }),
    );
    const { res } = await create(
      {
        topics: topic,
        // the default write carries the record timestamp: the 60 writes of a row may share a batch
        [`topic.${topic}.${ks}.last.mapping`]: 'id=key, v=value.v',
        // a custom query without a timestamp bind: writes to one row must go in separate requests, in order
        [`topic.${topic}.${ks}.last_q.mapping`]: 'id=key, v=value.v',
        [`topic.${topic}.${ks}.last_q.query`]: `INSERT INTO ${ks}.last_q (id, v) VALUES (:id, :v)`,
        [`topic.${topic}.${ks}.last_q.deletesEnabled`]: 'false',
        // the record timestamp as a value, not as the writetime: the same
        [`topic.${topic}.${ks}.last_v.mapping`]: 'id=key, v=value.v',
        [`topic.${topic}.${ks}.last_v.query`]: `INSERT INTO ${ks}.last_v (id, v, at) VALUES (:id, :v, :kafka_internal_timestamp)`,
      },
      false,
    );
    expect(res.status).toBe(201);
    const read = async (t: string) => (await rows(`SELECT id, v, writetime(v) AS wt FROM ${ks}.${t}`)).map((r) => [r.id, r.v, Number(r.wt)]).sort();
    for (const t of ['last_q', 'last_v'])
      await eventually(async () => JSON.stringify((await read(t)).map((r) => r.slice(0, 2))) === '[[7,60],[8,60]]', 30_000, `${t} rows`);
    await eventually(async () => (await read('last')).length === 2, 30_000, 'rows');
    expect(await read('last')).toEqual([
      [7, 60, (t0 + 118) * 1000],
      [8, 60, (t0 + 119) * 1000],
    ]);
    const m = await (await fetch(`${w.url}/metrics`)).text();
    const requests = [...m.matchAll(/^cassandra_sink_batch_size_records_count\{[^}]*table="(last(_q|_v)?)"[^}]*\} (\d+)/gm)].map((x) => [x[1], Number(x[3])]);
    const byTable = Object.fromEntries(requests);
    expect(byTable.last).toBeLessThan(20); // batched (at most 32 per request)
    expect(byTable.last_q).toBeGreaterThanOrEqual(120); // one row per request
    expect(byTable.last_v).toBeGreaterThanOrEqual(120);
  });

  it('custom query with named binds and consistency level; topics.regex; one topic to two tables', async () => {
    await cql.execute(`CREATE TABLE ${ks}.totals (id text PRIMARY KEY, amount int, src text)`);
    await cql.execute(`CREATE TABLE ${ks}.audit (id text, at timestamp, amount int, PRIMARY KEY (id, at))`);
    const prefix = unique('rx').replace(/[^a-z0-9]/gi, '');
    const t1 = await feeder.topic(`${prefix}-a`);
    const t2 = await feeder.topic(`${prefix}-b`);
    await feeder.send(t1, [{ key: 'k1', value: { amount: 10 }, timestamp: 1_700_000_000_000 }]);
    await feeder.send(t2, [{ key: 'k2', value: { amount: 20 }, timestamp: 1_700_000_000_001 }]);
    const cfg: Record<string, string> = { 'topics.regex': `${prefix}-.*` };
    for (const t of [t1, t2]) {
      cfg[`topic.${t}.${ks}.totals.mapping`] = `id=key, amount=value.amount, src=record.topic`;
      cfg[`topic.${t}.${ks}.totals.query`] = `UPDATE ${ks}.totals USING TIMESTAMP :kafka_internal_timestamp SET amount = :amount, src = :src WHERE id = :id`;
      cfg[`topic.${t}.${ks}.totals.consistencyLevel`] = 'LOCAL_QUORUM';
      cfg[`topic.${t}.${ks}.audit.mapping`] = `id=key, at=record.timestamp, amount=value.amount`;
    }
    const { res } = await create(cfg, false);
    expect(res.status).toBe(201);
    await eventually(async () => (await count('totals')) === 2 && (await count('audit')) === 2, 30_000, 'rows in both tables');
    const totals = (await rows(`SELECT id, amount, src, writetime(amount) AS wt FROM ${ks}.totals`)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(totals.map((r) => [r.id, r.amount, r.src, Number(r.wt)])).toEqual([
      ['k1', 10, t1, 1_700_000_000_000_000],
      ['k2', 20, t2, 1_700_000_000_001_000],
    ]);
  });

  it('validate(): a mapping that does not parse says where; missing column, unmapped primary key and unconvertible literal → 400', async () => {
    await cql.execute(`CREATE TABLE ${ks}.v (id int PRIMARY KEY, a int)`);
    const topic = await feeder.topic('val');
    const bad = await create({ topics: topic, [`topic.${topic}.${ks}.v.mapping`]: 'id=key, a=value.a, b=valu.b' });
    expect(bad.res.status).toBe(400);
    expect(bad.res.body.message).toMatch(/mapping: unknown field source "valu".*position 22 \(near "valu.b"\)/);
    const cases: [string, RegExp][] = [
      ['id=key, nope=value.a', new RegExp(`topic ${topic}, table ${ks}\\.v, column nope: the column does not exist`)],
      ['a=value.a', new RegExp(`table ${ks}\\.v, column id: primary key column id is not mapped`)],
      ["id=key, a='abc'", /column a: 'abc' cannot be written to a int column/],
      ['id=key, a=now()', /now\(\) cannot be written to a int column/],
    ];
    for (const [mapping, re] of cases) {
      const r = await create({ topics: topic, [`topic.${topic}.${ks}.v.mapping`]: mapping });
      expect(r.res.status).toBe(400);
      expect(r.res.body.message).toMatch(re);
    }
    // Without loadBalancing.localDc the single datacenter is found by itself (the live check still runs).
    const noDc = sinkConfig({ topics: topic, [`topic.${topic}.${ks}.v.mapping`]: 'id=key, zz=value.a' });
    delete noDc['loadBalancing.localDc'];
    const nd = await w.api('PUT', '/connector-plugins/CassandraSink/config/validate', noDc);
    expect(JSON.stringify(nd.body)).toMatch(/column zz: the column does not exist/);
    const missing = await create({ topics: topic, [`topic.${topic}.${ks}.nosuch.mapping`]: 'id=key' });
    expect(missing.res.status).toBe(400);
    expect(missing.res.body.message).toMatch(new RegExp(`table ${ks}\\.nosuch does not exist`));
    const v = await w.api(
      'PUT',
      '/connector-plugins/CassandraSink/config/validate',
      sinkConfig({
        topics: topic,
        ignoreErrors: 'sometimes',
        [`topic.${topic}.${ks}.v.ttl`]: 'x',
        [`topic.${topic}.${ks}.v.mapping`]: 'id=key',
        [`topic.${topic}.${ks}.w.ttl`]: '5',
      }),
    );
    expect(v.status).toBe(200);
    const errs = Object.fromEntries(v.body.configs.filter((c: any) => c.value.errors.length).map((c: any) => [c.value.name, c.value.errors.join(' ')]));
    expect(errs.ignoreErrors).toMatch(/String must be one of/);
    expect(errs[`topic.${topic}.${ks}.w.mapping`]).toMatch(/Missing required configuration/);
    expect(errs[`topic.${topic}.${ks}.v.ttl`]).toMatch(/Not a number/);
  });
});
