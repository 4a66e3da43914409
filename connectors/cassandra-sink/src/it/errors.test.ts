/**
 * Error paths on a real Cassandra 5 and Kafka: conversion errors go to the DLQ with error headers (errors.tolerance
 * =all), are skipped with ignoreErrors=All, fail the task with ignoreErrors=None; a task whose mapping no longer
 * matches the table fails at start with a message naming topic, table and column.
 */
import { eventually, readTopics, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import type { Client } from 'cassandra-driver';
import { plugins } from '../index';
import { Feeder, createKeyspace, cqlClient, sinkConfig } from './helpers';

describe('Cassandra sink error handling (real Cassandra + Kafka)', () => {
  let cql: Client;
  let ks: string;
  let feeder: Feeder;
  let w: WorkerHandle;
  const connectors: string[] = [];

  beforeAll(async () => {
    cql = await cqlClient();
    ks = await createKeyspace(cql, 'ce');
    await cql.execute(`CREATE TABLE ${ks}.m (id int PRIMARY KEY, n int, d date)`);
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

  async function create(config: Record<string, string>) {
    const name = unique('casserr');
    connectors.push(name);
    feeder.groups.push(`connect-${name}`);
    const res = await w.api('POST', '/connectors', { name, config: sinkConfig(config, false) });
    expect(res.status).toBe(201);
    return name;
  }
  const ids = async (from: number) =>
    (await cql.execute(`SELECT id FROM ${ks}.m`)).rows
      .map((r) => r.id as number)
      .filter((i) => i >= from)
      .sort((a, b) => a - b);
  const status = async (name: string) => (await w.api('GET', `/connectors/${name}/status`)).body;

  const batch = (base: number) => [
    { key: base + 1, value: { n: 1, d: '2024-01-01' } },
    { key: base + 2, value: { n: 'not a number', d: '2024-01-01' } }, // conversion error on n
    { key: base + 3, value: { n: 3, d: 'yesterday' } }, // conversion error on d
    { key: base + 4, value: { n: 4, d: '2024-01-04' } },
  ];

  it('sends records that cannot convert to the DLQ with error headers naming topic, table and column; the rest is written', async () => {
    const topic = await feeder.topic('conv');
    const dlq = unique('conv-dlq');
    feeder.topics.push(dlq);
    await feeder.send(topic, batch(100));
    const name = await create({
      topics: topic,
      [`topic.${topic}.${ks}.m.mapping`]: 'id=key, n=value.n, d=value.d',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await eventually(async () => (await ids(100)).length === 2, 30_000, 'good rows');
    expect(await ids(100)).toEqual([101, 104]);
    await eventually(async () => (await feeder.admin.listTopics()).includes(dlq), 30_000, 'DLQ topic');
    const reader = await readTopics([dlq], feeder.groups);
    try {
      await eventually(() => reader.records.length === 2, 30_000, 'two records in the DLQ');
    } finally {
      await reader.stop();
    }
    const seen = reader.records.map((r) => ({ key: String(r.key), headers: r.headers }));
    expect(seen.map((s) => s.key)).toEqual(['102', '103']);
    expect(seen[0]!.headers['__connect.errors.exception.message']).toMatch(
      new RegExp(`Cannot write record to topic ${topic}, table ${ks}\\.m, column n: value\\.n: cannot convert "not a number" to int`),
    );
    expect(seen[1]!.headers['__connect.errors.exception.message']).toMatch(/table .*\.m, column d: value\.d: cannot parse "yesterday" as a date/);
    expect(seen[0]!.headers['__connect.errors.offset']).toBe('1');
    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(new RegExp(`cassandra_sink_records_failed_total\\{topic="${topic}",keyspace="${ks}",table="m",connector="${name}",task="0"\\} 2`));
    await eventually(
      async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.kafka_offset === 4,
      15_000,
      'committed past the bad records',
    );
    expect((await status(name)).tasks[0].state).toBe('RUNNING');
  });

  it('ignoreErrors=All skips (and logs) bad records without a DLQ; ignoreErrors=None fails the task naming the column', async () => {
    const topic = await feeder.topic('ign');
    await feeder.send(topic, batch(200));
    const skip = await create({ topics: topic, ignoreErrors: 'All', [`topic.${topic}.${ks}.m.mapping`]: 'id=key, n=value.n, d=value.d' });
    await eventually(async () => (await ids(200)).length === 2, 30_000, 'good rows');
    expect((await status(skip)).tasks[0].state).toBe('RUNNING');

    const topic2 = await feeder.topic('none');
    await feeder.send(topic2, batch(300));
    const fail = await create({ topics: topic2, [`topic.${topic2}.${ks}.m.mapping`]: 'id=key, n=value.n, d=value.d' });
    const st = await eventually(async () => ((await status(fail)).tasks[0]?.state === 'FAILED' ? status(fail) : null), 30_000, 'FAILED');
    expect(st.tasks[0].trace).toMatch(new RegExp(`topic ${topic2}, table ${ks}\\.m, column n`));
    // Nothing committed past the failure: a restart redelivers from the start.
    const offsets = (await w.api('GET', `/connectors/${fail}/offsets`)).body.offsets;
    expect(offsets.length === 0 || offsets[0].offset.kafka_offset === 0).toBe(true);
  });

  it('the task fails at start when the table no longer matches the mapping (column dropped after validation)', async () => {
    await cql.execute(`CREATE TABLE ${ks}.gone (id int PRIMARY KEY, a int)`);
    const topic = await feeder.topic('gone');
    await feeder.send(topic, [{ key: 1, value: { a: 1 } }]);
    const name = unique('cassgone');
    connectors.push(name);
    feeder.groups.push(`connect-${name}`);
    // Create stopped-equivalent: validate passes now, then the column goes away before the task restarts.
    const res = await w.api('POST', '/connectors', {
      name,
      config: sinkConfig({ topics: topic, [`topic.${topic}.${ks}.gone.mapping`]: 'id=key, a=value.a' }, false),
    });
    expect(res.status).toBe(201);
    await eventually(async () => (await cql.execute(`SELECT a FROM ${ks}.gone WHERE id = 1`)).rows[0]?.a === 1, 30_000, 'first write');
    await cql.execute(`ALTER TABLE ${ks}.gone DROP a`);
    expect((await w.api('POST', `/connectors/${name}/tasks/0/restart`)).status).toBe(204);
    const st = await eventually(async () => ((await status(name)).tasks[0]?.state === 'FAILED' ? status(name) : null), 30_000, 'FAILED at start');
    expect(st.tasks[0].trace).toMatch(new RegExp(`topic ${topic}, table ${ks}\\.gone, column a: the column does not exist`));
  });
});
