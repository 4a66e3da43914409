/**
 * Benchmark: the Cassandra sink beside a ceiling measured in the same run.
 *
 *   node bench/dist/cassandra-sink.js [--records=100000] [--partitions=8] [--tasks=1] [--concurrency=32,128,512]
 *                                     [--kafka-client=platformatic|kafkajs]
 *
 *   - input: N JSON IoT readings of about 200 bytes (device id, timestamp, five measurements, firmware, site),
 *     schemaless, preloaded into a fresh topic with `partitions` partitions (key = device id);
 *   - table: `(device text, day date, ts timestamp, temperature double, humidity double, pressure double,
 *     battery double, rssi int, firmware text, site text, PRIMARY KEY ((device, day), ts))`;
 *   - ceiling: a plain cassandra-driver script (no Kafka) writing the same rows with a prepared INSERT at each
 *     concurrency in `--concurrency`, single statements and unlogged batches per partition key; the best wins and
 *     runs again after the sink: ratios are to the mean of the two, as the speed of a shared machine drifts;
 *   - kconnect: `node packages/cli/dist/main.js standalone` (child process, testkit's CliWorker; the CLI bundles
 *     @kconnect/cassandra-sink), JsonConverter (schemas off), the connector created over REST; measured from the POST to the
 *     moment `cassandra_sink_records_written_total` reaches N: records/s, worker CPU seconds, peak RSS, CQL requests
 *     and rows per request (from the sink's metrics);
 *   - Kafka client alone: the topic read by the runtime's KafkaClient consumer of the worker's backend (JSON.parse
 *     of each value, nothing written), the other library cost every record pays; with the ceiling's driver CPU per
 *     row, the part of the sink's CPU per record that is not its own work;
 *   - both: Cassandra's CPU per row in the same interval (and the Kafka broker's for the sink), read from /proc for
 *     services started by scripts/services.sh: Cassandra spends more CPU per row at lower request rates, so on a
 *     small machine the sink's own CPU per record decides the rate.
 * Needs Kafka (KCONNECT_BOOTSTRAP_SERVERS, 127.0.0.1:9092), Cassandra (127.0.0.1:9042, DC datacenter1) and a built
 * CLI (`npm run bench -- cassandra` builds). KCONNECT_BENCH_JSON=<file> writes the results as JSON.
 * `--kafka-client` (or KCONNECT_BENCH_KAFKA_CLIENT): the worker's `kafka.client`, the client measured alone and the
 * bench's preloading producer (default platformatic, the runtime's default).
 */
import { writeFileSync } from 'node:fs';
import type { KafkaClient } from '@kconnect/runtime';
import { CliWorker, freePort } from '@kconnect/testkit';
import { Client, types } from 'cassandra-driver';
import { asBuffer, BOOTSTRAP, benchKafkaClient, describeKafkaClient, kafkaClientBackend, workerKafkaProps } from './kafka';
import { cpuSeconds, peakRssMiB, serviceCpu } from './proc';
const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const N = Number(arg('records', '100000'));
const PARTITIONS = Number(arg('partitions', '8'));
const TASKS = Number(arg('tasks', '1'));
const CONCURRENCY = arg('concurrency', '32,128,512').split(',').map(Number);
const DEVICES = 500;
const T0 = Date.UTC(2024, 0, 1);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reading {
  device: string;
  ts: number;
  temperature: number;
  humidity: number;
  pressure: number;
  battery: number;
  rssi: number;
  firmware: string;
  site: string;
}
const reading = (i: number): Reading => ({
  device: `sensor-${String(i % DEVICES).padStart(5, '0')}`,
  ts: T0 + Math.floor(i / DEVICES) * 60_000,
  temperature: 18 + ((i * 7) % 100) / 10,
  humidity: 30 + ((i * 13) % 400) / 10,
  pressure: 990 + ((i * 3) % 300) / 10,
  battery: 3 + ((i * 11) % 120) / 100,
  rssi: -40 - (i % 50),
  firmware: 'v2.14.3-rc1',
  site: `plant-${i % 7}-line-${i % 3}`,
});

const TABLE_DDL = (ks: string, t: string) =>
  `CREATE TABLE ${ks}.${t} (device text, day date, ts timestamp, temperature double, humidity double, pressure double, battery double, rssi int, firmware text, site text, PRIMARY KEY ((device, day), ts))`;
const COLS = ['device', 'day', 'ts', 'temperature', 'humidity', 'pressure', 'battery', 'rssi', 'firmware', 'site'];

function row(r: Reading): unknown[] {
  const d = new Date(r.ts);
  return [
    r.device,
    new types.LocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()),
    d,
    r.temperature,
    r.humidity,
    r.pressure,
    r.battery,
    r.rssi,
    r.firmware,
    r.site,
  ];
}

interface CeilingRun {
  mode: string;
  concurrency: number;
  rps: number;
  /** CPU of this (driver) process per row: what the driver alone costs on the client side. */
  cpuMicrosPerRow: number;
  /** Cassandra's CPU per row in the same interval. */
  cassandraMicrosPerRow: number;
}

/** One ceiling measurement: the rows written with a prepared INSERT, `conc` requests in flight, into a fresh table. */
async function ceilingRun(cql: Client, ks: string, rows: unknown[][], mode: string, conc: number, table: string): Promise<CeilingRun> {
  await cql.execute(TABLE_DDL(ks, table));
  const q = `INSERT INTO ${ks}.${table} (${COLS.join(',')}) VALUES (${COLS.map(() => '?').join(',')})`;
  // units of work: one row, or up to 16 rows of one partition key (device, day)
  const units: unknown[][][] = [];
  if (mode === 'single') for (const r of rows) units.push([r]);
  else {
    const groups = new Map<string, unknown[][]>();
    for (const r of rows) {
      const key = `${r[0]}|${r[1]}`;
      const g = groups.get(key) ?? [];
      g.push(r);
      groups.set(key, g);
    }
    for (const g of groups.values()) for (let i = 0; i < g.length; i += 16) units.push(g.slice(i, i + 16));
  }
  await cql.execute(q, rows[0]!, { prepare: true }); // prepare outside the timing
  let next = 0;
  const cpu0 = process.cpuUsage();
  const cass0 = serviceCpu('cassandra');
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < units.length) {
        const u = units[next++]!;
        if (u.length === 1) await cql.execute(q, u[0]!, { prepare: true, isIdempotent: true });
        else
          await cql.batch(
            u.map((params) => ({ query: q, params })),
            { prepare: true, logged: false, isIdempotent: true },
          );
      }
    }),
  );
  const rps = N / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  const run = {
    mode,
    concurrency: conc,
    rps,
    cpuMicrosPerRow: (cpu.user + cpu.system) / N,
    cassandraMicrosPerRow: ((serviceCpu('cassandra') - cass0) * 1e6) / N,
  };
  console.log(
    `  ceiling ${mode.padEnd(7)} concurrency ${String(conc).padStart(4)}: ${Math.round(rps)} rows/s, CPU per row: ${run.cpuMicrosPerRow.toFixed(1)} µs driver process, ${run.cassandraMicrosPerRow.toFixed(1)} µs Cassandra`,
  );
  await cql.execute(`DROP TABLE ${ks}.${table}`);
  return run;
}

const ceilingRows = () => Array.from({ length: N }, (_, i) => row(reading(i)));

/** Every mode and concurrency; the best counts. */
async function ceiling(cql: Client, ks: string): Promise<{ bestRun: CeilingRun; runs: CeilingRun[] }> {
  const rows = ceilingRows();
  const runs: CeilingRun[] = [];
  for (const mode of ['single', 'batch16']) for (const conc of CONCURRENCY) runs.push(await ceilingRun(cql, ks, rows, mode, conc, `ceiling_${runs.length}`));
  return { bestRun: runs.reduce((a, b) => (b.rps > a.rps ? b : a)), runs };
}

/**
 * What the Kafka client alone costs: the topic read by the worker's KafkaClient consumer in this process (fetch,
 * decode, and JSON.parse of each value), nothing written, nothing committed. Part of any sink's CPU per record, with
 * the driver's (the ceiling's).
 */
async function kafkaClientAlone(kafka: KafkaClient, topic: string): Promise<{ rps: number; cpuMicros: number }> {
  const consumer = await kafka.consumer({ clientId: `${topic}-floor`, groupId: `${topic}-floor` });
  let n = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let sink = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run([topic], {
        onBatch: async (records) => {
          if (!t0) {
            t0 = performance.now();
            cpu0 = process.cpuUsage();
          }
          for (const m of records) sink += (JSON.parse(asBuffer(m.value!).toString()) as Reading).rssi;
          n += records.length;
          if (n >= N) resolve();
          return true;
        },
        onAssigned: async () => undefined,
        onRebalancing: async () => undefined,
        onCrash: reject,
      })
      .catch(reject);
  });
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await consumer.close();
  if (sink === 0.5) console.log(); // uses the parsed values, so the parse cannot be optimised away
  return { rps: N / secs, cpuMicros: (cpu.user + cpu.system) / N };
}

async function main() {
  const cql = new Client({
    contactPoints: ['127.0.0.1:9042'],
    localDataCenter: 'datacenter1',
    pooling: { coreConnectionsPerHost: { [types.distance.local]: 4 } },
  });
  await cql.connect();
  const ks = `bench_cass_${Date.now().toString(36)}`;
  await cql.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  const kafka = benchKafkaClient(kafkaClientBackend(), 'bench-cass');
  const admin = await kafka.admin();
  const topic = `bench-cass-${Date.now().toString(36)}`;
  const name = `bench-cass-${Date.now().toString(36)}`;
  let worker: CliWorker | undefined;
  try {
    console.log(`Cassandra sink benchmark: ${N} readings, ${PARTITIONS} partitions, tasks.max=${TASKS}; Kafka client ${describeKafkaClient()}`);
    console.log('ceiling: plain cassandra-driver, prepared INSERT');
    const ceil = await ceiling(cql, ks);

    await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    const producer = await kafka.producer({ clientId: `${topic}-preload` });
    let bytes = 0;
    for (let i = 0; i < N; i += 2000) {
      const records = Array.from({ length: Math.min(2000, N - i) }, (_, j) => {
        const r = reading(i + j);
        const value = Buffer.from(JSON.stringify(r));
        bytes += value.length;
        return { topic, key: Buffer.from(JSON.stringify(r.device)), value };
      });
      await producer.send(records);
    }
    await producer.close();
    console.log(`preloaded ${N} records (${Math.round(bytes / N)} bytes each) into ${topic}`);
    const floor = await kafkaClientAlone(kafka, topic);
    console.log(
      `Kafka client alone (${kafkaClientBackend()}; consumer group, onBatch, JSON.parse of each value, nothing written): ${Math.round(floor.rps)} records/s, ${floor.cpuMicros.toFixed(1)} µs CPU per record`,
    );
    await cql.execute(TABLE_DDL(ks, 'readings'));

    const port = await freePort();
    worker = new CliWorker({
      props: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'key.converter.schemas.enable': 'false',
        'value.converter.schemas.enable': 'false',
        'offset.flush.interval.ms': '1000',
        listeners: `http://127.0.0.1:${port}`,
        ...workerKafkaProps(),
      },
      logLevel: 'WARN',
      nodeArgs: (process.env.KCONNECT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    worker.start();
    const pid = worker.pid!;
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (i > 300) throw new Error('worker did not start');
      await sleep(100);
    }
    const cpu0 = cpuSeconds(pid);
    const cass0 = serviceCpu('cassandra');
    const kafka0 = serviceCpu('kafka');
    const t0 = performance.now();
    const res = await fetch(`${url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        config: {
          'connector.class': 'CassandraSink',
          'tasks.max': String(TASKS),
          topics: topic,
          contactPoints: '127.0.0.1',
          'loadBalancing.localDc': 'datacenter1',
          [`topic.${topic}.${ks}.readings.mapping`]:
            'device=value.device, day=value.ts, ts=value.ts, temperature=value.temperature, humidity=value.humidity, pressure=value.pressure, battery=value.battery, rssi=value.rssi, firmware=value.firmware, site=value.site',
        },
      }),
    });
    if (res.status !== 201) throw new Error(`create connector: ${res.status} ${await res.text()}`);
    let written = 0;
    let metrics = '';
    let tFirst = 0; // the first rows written: the task started, joined the group and fetched
    while (written < N) {
      await sleep(tFirst ? 200 : 20);
      const text = (metrics = await (await fetch(`${url}/metrics`)).text());
      written = 0;
      for (const m of text.matchAll(/^cassandra_sink_records_written_total\{[^}]*\} (\d+)/gm)) written += Number(m[1]);
      if (!tFirst && written > 0) tFirst = performance.now();
      if (performance.now() - t0 > 600_000) throw new Error(`timed out at ${written} records`);
    }
    const secs = (performance.now() - t0) / 1000;
    const sum = (name: string) => [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([\\d.e+]+)`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    const requests = sum('cassandra_sink_batch_size_records_count');
    const rowsPerRequest = sum('cassandra_sink_batch_size_records_sum') / requests;
    const cpu = cpuSeconds(pid) - cpu0;
    const cassandraMicrosPerRow = ((serviceCpu('cassandra') - cass0) * 1e6) / N;
    const kafkaMicrosPerRecord = ((serviceCpu('kafka') - kafka0) * 1e6) / N;
    const rss = peakRssMiB(pid);
    const count = Number((await cql.execute(`SELECT count(*) AS n FROM ${ks}.readings`, [], { readTimeout: 120_000 })).rows[0]!.n);
    const rps = N / secs;
    const startSecs = (tFirst - t0) / 1000;
    const steadyRps = N / (secs - startSecs);
    // The machine's speed drifts (shared VM): the best ceiling again after the sink, and the ratio to their mean.
    await worker.stop(3000);
    await cql.execute(`DROP TABLE ${ks}.readings`, [], { readTimeout: 60_000 }); // no flush/compaction of it during the run
    console.log('ceiling again, after the sink:');
    const again = await ceilingRun(cql, ks, ceilingRows(), ceil.bestRun.mode, ceil.bestRun.concurrency, 'ceiling_again');
    const ceilingRps = (ceil.bestRun.rps + again.rps) / 2;
    const driverMicrosPerRow = (ceil.bestRun.cpuMicrosPerRow + again.cpuMicrosPerRow) / 2;
    const result = {
      records: N,
      partitions: PARTITIONS,
      tasks: TASKS,
      kafkaClient: kafkaClientBackend(),
      kconnect: {
        recordsPerSecond: Math.round(rps),
        seconds: secs,
        secondsToFirstWrite: startSecs,
        recordsPerSecondAfterFirstWrite: Math.round(steadyRps),
        cpuSeconds: cpu,
        cpuMicrosecondsPerRecord: (cpu * 1e6) / N,
        cassandraMicrosecondsPerRow: cassandraMicrosPerRow,
        requests,
        rowsPerRequest,
        kafkaMicrosecondsPerRecord: kafkaMicrosPerRecord,
        peakRssMiB: rss,
        rowsInTable: count,
      },
      kafkaClientAlone: { recordsPerSecond: Math.round(floor.rps), cpuMicrosecondsPerRecord: floor.cpuMicros },
      ceiling: {
        rowsPerSecond: Math.round(ceilingRps),
        best: { ...ceil.bestRun, rps: Math.round(ceil.bestRun.rps) },
        bestAgainAfterSink: { ...again, rps: Math.round(again.rps) },
        runs: ceil.runs.map((r) => ({ ...r, rps: Math.round(r.rps) })),
      },
      ratio: rps / ceilingRps,
      ratioAfterFirstWrite: steadyRps / ceilingRps,
    };
    console.log(
      `kconnect: ${Math.round(rps)} records/s (${secs.toFixed(1)} s), worker CPU ${cpu.toFixed(1)} s, peak RSS ${rss.toFixed(0)} MiB, ${count} rows in the table`,
    );
    console.log(
      `          from the first write on (after ${startSecs.toFixed(1)} s of task start, group join, first fetch): ${Math.round(steadyRps)} records/s; ${result.kconnect.cpuMicrosecondsPerRecord.toFixed(1)} µs CPU per record`,
    );
    console.log(
      `          ${requests} CQL requests, ${rowsPerRequest.toFixed(1)} rows each; CPU per record in the same interval: ${cassandraMicrosPerRow.toFixed(1)} µs Cassandra, ${kafkaMicrosPerRecord.toFixed(1)} µs Kafka broker`,
    );
    console.log(
      `ceiling:  ${Math.round(ceilingRps)} rows/s (${ceil.bestRun.mode}, concurrency ${ceil.bestRun.concurrency}: ${Math.round(ceil.bestRun.rps)} before the sink, ${Math.round(again.rps)} after), CPU per row: ${driverMicrosPerRow.toFixed(1)} µs driver process, ${((ceil.bestRun.cassandraMicrosPerRow + again.cassandraMicrosPerRow) / 2).toFixed(1)} µs Cassandra`,
    );
    const own = result.kconnect.cpuMicrosecondsPerRecord - floor.cpuMicros - driverMicrosPerRow;
    console.log(
      `worker CPU per record: ${result.kconnect.cpuMicrosecondsPerRecord.toFixed(1)} µs = Kafka client (${kafkaClientBackend()}) + JSON.parse ${floor.cpuMicros.toFixed(1)} µs + driver ${driverMicrosPerRow.toFixed(1)} µs (as measured alone) + ${own.toFixed(1)} µs of the sink's own work`,
    );
    console.log(
      `ratio kconnect/ceiling: ${(result.ratio * 100).toFixed(1)}% end to end, ${(result.ratioAfterFirstWrite * 100).toFixed(1)}% from the first write`,
    );
    if (process.env.KCONNECT_BENCH_JSON) writeFileSync(process.env.KCONNECT_BENCH_JSON, JSON.stringify(result, null, 2));
  } finally {
    await worker?.stop(3000);
    await worker?.close();
    await admin.deleteTopics([topic]).catch(() => undefined);
    for (const g of [`connect-${name}`, `${topic}-floor`]) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${ks}`, [], { readTimeout: 60_000 }).catch(() => undefined);
    await cql.shutdown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
