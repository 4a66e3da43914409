/**
 * The demo's view of the result: creates the readings table if needed, then prints the row count and the newest
 * readings every 5 s, so rows can be seen arriving in Cassandra.
 *
 *   node scripts/demo/dist/watch.js [--once]
 */
import { Client } from 'cassandra-driver';

const SCHEMA = [
  "CREATE KEYSPACE IF NOT EXISTS iot WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  `CREATE TABLE IF NOT EXISTS iot.readings (
     device text, day date, ts timestamp, seq bigint, temperature double, humidity double, source text,
     PRIMARY KEY ((device, day), ts)
   ) WITH CLUSTERING ORDER BY (ts DESC)`,
];

async function main(): Promise<void> {
  const client = new Client({ contactPoints: ['127.0.0.1:9042'], localDataCenter: 'datacenter1' });
  await client.connect();
  for (const cql of SCHEMA) await client.execute(cql);
  const once = process.argv.includes('--once');
  do {
    const count = (await client.execute('SELECT count(*) FROM iot.readings')).first().get(0);
    const devices = (await client.execute('SELECT DISTINCT device, day FROM iot.readings')).rows.length;
    process.stdout.write(`[cassandra] iot.readings: ${String(count)} rows from ${devices} device-days\n`);
    if (!once) await new Promise((r) => setTimeout(r, 5000));
  } while (!once);
  await client.shutdown();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
