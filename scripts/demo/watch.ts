/**
 * The demo's view of the result: creates the readings table if needed, then prints the row count, per source, every
 * 5 s, so rows can be seen arriving in Cassandra: `http` rows came through the HTTP source as JSON, `mqtt` rows
 * through the MQTT source as Avro (schema registry).
 *
 *   node scripts/demo/dist/watch.js             print every 5 s until stopped
 *   node scripts/demo/dist/watch.js --once      create the table, print once
 *   node scripts/demo/dist/watch.js --check 30  wait up to 30 s for new rows from both sources: exit 0 when both
 *                                               grew, else 1 (the demo's self-check, `DEMO_SECONDS=N npm start`)
 */
import { Client } from 'cassandra-driver';

const SCHEMA = [
  "CREATE KEYSPACE IF NOT EXISTS iot WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  `CREATE TABLE IF NOT EXISTS iot.readings (
     device text, day date, ts timestamp, seq bigint, temperature double, humidity double, source text,
     PRIMARY KEY ((device, day), ts)
   ) WITH CLUSTERING ORDER BY (ts DESC)`,
];
/** source column → the path the readings took. */
const SOURCES = { http: 'http/json', mqtt: 'mqtt/avro' } as const;
type Counts = Record<keyof typeof SOURCES, number>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function counts(client: Client): Promise<Counts> {
  const out = {} as Counts;
  for (const s of Object.keys(SOURCES) as (keyof typeof SOURCES)[]) {
    const rs = await client.execute('SELECT count(*) FROM iot.readings WHERE source = ? ALLOW FILTERING', [s], { prepare: true });
    out[s] = Number(rs.first().get(0));
  }
  return out;
}

async function print(client: Client): Promise<Counts> {
  const c = await counts(client);
  const total = c.http + c.mqtt;
  const devices = (await client.execute('SELECT DISTINCT device, day FROM iot.readings')).rows.length;
  const per = (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((s) => `${SOURCES[s]} ${c[s]}`).join(', ');
  process.stdout.write(`[cassandra] iot.readings: ${total} rows (${per}) from ${devices} device-days\n`);
  return c;
}

async function check(client: Client, seconds: number): Promise<boolean> {
  const before = await counts(client);
  const deadline = Date.now() + seconds * 1000;
  let now = before;
  while (Date.now() < deadline) {
    await sleep(2000);
    now = await counts(client);
    if (now.http > before.http && now.mqtt > before.mqtt) break;
  }
  const ok = now.http > before.http && now.mqtt > before.mqtt;
  const per = (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((s) => `${SOURCES[s]} +${now[s] - before[s]} (now ${now[s]})`).join(', ');
  process.stdout.write(`[check] ${ok ? 'OK' : 'FAILED'}: new rows in iot.readings within ${seconds} s: ${per}\n`);
  return ok;
}

async function main(): Promise<void> {
  const client = new Client({ contactPoints: [`${process.env.IOT_CASSANDRA_HOST ?? '127.0.0.1'}:9042`], localDataCenter: 'datacenter1' });
  await client.connect();
  for (const cql of SCHEMA) await client.execute(cql);
  const i = process.argv.indexOf('--check');
  if (i >= 0) {
    const ok = await check(client, Number(process.argv[i + 1] ?? 30));
    await client.shutdown();
    process.exit(ok ? 0 : 1);
  }
  const once = process.argv.includes('--once');
  do {
    await print(client);
    if (!once) await sleep(5000);
  } while (!once);
  await client.shutdown();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
