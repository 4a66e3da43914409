/**
 * Faults in the middle of a load, on a real Cassandra 5 and Kafka: Cassandra stopped and started again (the task
 * retries with RetriableError and back-off), and a standalone worker child process killed with SIGKILL several
 * times and restarted. In both, every record ends up in the table (row count and content checked).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { BOOTSTRAP, CliWorker, eventually, sleep, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import type { Client } from 'cassandra-driver';
import { plugins } from '../index';
import { CASSANDRA, Feeder, JSON_CONVERTER, createKeyspace, cqlClient, sinkConfig } from './helpers';

const ROOT = path.resolve(__dirname, '../../../..');
const N = 20_000;
const T0 = Date.UTC(2024, 0, 1);

const services = (...args: string[]) => execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore', timeout: 180_000 });

/** Sockets of this process connected to a port (Node's active handles). */
const openSocketsTo = (port: number) =>
  (process as unknown as { _getActiveHandles(): { remotePort?: number }[] })._getActiveHandles().filter((h) => h.remotePort === port).length;

describe('Cassandra sink under faults (real Cassandra + Kafka)', () => {
  let cql: Client;
  let ks: string;
  let feeder: Feeder;

  beforeAll(async () => {
    cql = await cqlClient();
    ks = await createKeyspace(cql, 'cf');
    feeder = await Feeder.create();
  });
  afterAll(async () => {
    services('start', 'cassandra');
    await feeder.close();
    await eventually(
      async () => {
        await cql.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
        return true;
      },
      60_000,
      'drop keyspace',
    );
    await cql.shutdown();
    // Every driver client of this file is shut down: no socket to Cassandra may stay open (cassandra-driver
    // leaked the pools of the Hosts it replaced after the outage; session.ts closeReplacedHosts).
    await eventually(() => openSocketsTo(9042) === 0, 10_000, 'no socket left to Cassandra');
  });

  const reading = (i: number) => ({ device: `dev-${i % 50}`, ts: T0 + i * 1000, temp: Math.round(i * 7.3) / 10 });

  async function table(name: string): Promise<string> {
    await cql.execute(`CREATE TABLE ${ks}.${name} (device text, day date, ts timestamp, temp double, PRIMARY KEY ((device, day), ts))`);
    return feeder.topic(name, 4);
  }
  /** Produces readings [from, to). */
  const produce = (topic: string, from: number, to: number) =>
    feeder.send(
      topic,
      Array.from({ length: to - from }, (_, j) => {
        const i = from + j;
        return { key: reading(i).device, value: reading(i), partition: i % 4 };
      }),
    );
  const count = async (table: string) => Number((await cql.execute(`SELECT count(*) AS n FROM ${ks}.${table}`, [], { readTimeout: 60_000 })).rows[0]!.n);

  async function checkContent(table: string) {
    const seen = new Map<string, number>();
    let pageState: string | undefined;
    do {
      const rs = await cql.execute(`SELECT device, ts, temp FROM ${ks}.${table}`, [], { prepare: true, fetchSize: 1000, pageState, readTimeout: 60_000 });
      for (const r of rs.rows) seen.set(`${r.device}@${(r.ts as Date).getTime()}`, r.temp as number);
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    expect(seen.size).toBe(N);
    for (let i = 0; i < N; i++) {
      const e = reading(i);
      expect(seen.get(`${e.device}@${e.ts}`)).toBe(e.temp);
    }
  }
  const mapping = (topic: string, table: string) => ({
    topics: topic,
    [`topic.${topic}.${ks}.${table}.mapping`]: 'device=value.device, day=value.ts, ts=value.ts, temp=value.temp',
    maxNumberOfRecordsInBatch: '16',
  });

  it('Cassandra stopped and started mid-load: the task retries and every record is written', async () => {
    const topic = await table('outage');
    await produce(topic, 0, N / 2);
    const w: WorkerHandle = await startWorker({}, plugins);
    const name = unique('cassout');
    feeder.groups.push(`connect-${name}`);
    try {
      const res = await w.api('POST', '/connectors', { name, config: sinkConfig(mapping(topic, 'outage'), false) });
      expect(res.status).toBe(201);
      await eventually(async () => (await count('outage')) > 0, 60_000, 'first rows');
      services('stop', 'cassandra');
      await produce(topic, N / 2, N); // the second half arrives while Cassandra is down
      await sleep(3000);
      services('start', 'cassandra');
      await eventually(async () => (await count('outage')) === N, 180_000, `all ${N} rows after the outage`);
      await checkContent('outage');
      expect((await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state).toBe('RUNNING');
      // the outage is visible to operators: failed request attempts by error
      const metrics = (await w.api('GET', '/metrics')).body as string;
      expect(metrics).toMatch(
        new RegExp(`cassandra_sink_request_errors_total\\{keyspace="${ks}",table="outage",error="\\w+",connector="${name}",task="0"\\} [1-9]`),
      );
      expect(metrics).toMatch(new RegExp(`cassandra_sink_requests_in_flight_limit\\{connector="${name}",task="0"\\} \\d+`));
      await w.api('DELETE', `/connectors/${name}`);
    } finally {
      await w.stop();
    }
  }, 300_000);

  it('kill -9 of the worker process mid-load, three times: after a restart every record is written', async () => {
    const topic = await table('crash');
    const name = unique('casscrash');
    feeder.groups.push(`connect-${name}`);
    const w = new CliWorker({
      props: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': JSON_CONVERTER,
        'value.converter': JSON_CONVERTER,
        'key.converter.schemas.enable': 'false',
        'value.converter.schemas.enable': 'false',
        'offset.flush.interval.ms': '200',
        // the killed worker's group member is only evicted when its session times out (Connect's default: 45 s)
        'consumer.session.timeout.ms': '6000',
        listeners: 'http://127.0.0.1:0',
      },
      connectors: [{ name, config: { 'connector.class': 'CassandraSink', ...CASSANDRA, ...mapping(topic, 'crash') } }],
    });
    try {
      let last = 0;
      for (let k = 0; k < 3; k++) {
        w.start();
        await produce(topic, (k * N) / 4, ((k + 1) * N) / 4); // a quarter per run: the kill is always mid-load
        await eventually(async () => (await count('crash')) > last, 60_000, `rows to grow; worker log: ${w.log}`);
        await w.kill();
        last = await count('crash');
      }
      expect(last).toBeLessThan(N); // the kills happened mid-load
      w.start();
      await produce(topic, (3 * N) / 4, N);
      await eventually(async () => (await count('crash')) === N, 180_000, `all ${N} rows after restart; worker log: ${w.log}`);
      await checkContent('crash');
      await w.stop();
    } finally {
      await w.close();
    }
  }, 300_000);
});
