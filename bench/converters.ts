/**
 * Benchmark: converters alone, in this process — records/s per core (records ÷ CPU seconds of the process) of
 * JsonConverter (schemas.enable=true) and AvroConverter (against the real schema registry; its id is cached after
 * the first record, so the loop measures the conversion), `fromConnectData` and `toConnectData`, for a 10-field
 * struct.
 *
 *   npm run bench -- converters [N]        (default N = 200,000 records per measurement, after 20,000 of warm-up)
 *
 * KCONNECT_SCHEMA_REGISTRY_URL (http://127.0.0.1:8081/apis/ccompat/v7). The subject it registers is deleted after.
 */
import { type Converter, SchemaBuilder, Schemas, Struct, TimestampType } from '@kconnect/api';
import { AvroConverter } from '@kconnect/avro-converter';
import { JsonConverter } from '@kconnect/converters';

const REGISTRY = process.env.KCONNECT_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000);
const WARMUP = 20_000;
const TOPIC = `bench-converters-${process.pid}`;

const schema = SchemaBuilder.struct()
  .name('bench.Reading')
  .field('device', Schemas.STRING_SCHEMA)
  .field('site', Schemas.STRING_SCHEMA)
  .field('seq', Schemas.INT64_SCHEMA)
  .field('temperature', Schemas.FLOAT64_SCHEMA)
  .field('humidity', Schemas.FLOAT32_SCHEMA)
  .field('battery', Schemas.INT32_SCHEMA)
  .field('ok', Schemas.BOOLEAN_SCHEMA)
  .field('firmware', Schemas.OPTIONAL_STRING_SCHEMA)
  .field('ts', TimestampType.SCHEMA)
  .field('note', Schemas.OPTIONAL_STRING_SCHEMA)
  .build();

const records = Array.from({ length: 1000 }, (_, i) =>
  new Struct(schema)
    .put('device', `sensor-${i % 50}`)
    .put('site', 'plant-7')
    .put('seq', 1_700_000_000_000 + i)
    .put('temperature', 20 + (i % 100) / 7)
    .put('humidity', 0.5)
    .put('battery', 90 - (i % 10))
    .put('ok', i % 3 !== 0)
    .put('firmware', 'v1.2.3')
    .put('ts', new Date(1_700_000_000_000 + i * 1000))
    .put('note', i % 2 ? null : 'calibrated'),
);

async function measure(what: string, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) {
    const r = fn(i);
    if (r instanceof Promise) await r;
  }
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = fn(i);
    if (r instanceof Promise) await r;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perCore = Math.round(N / cpuSeconds);
  console.log(
    `${what.padEnd(50)} ${perCore.toLocaleString('en-US').padStart(12)} records/s per core   (${(N / wall).toFixed(0)} records/s wall, ${((cpuSeconds / N) * 1e6).toFixed(2)} µs CPU/record)`,
  );
  return perCore;
}

async function bench(name: string, c: Converter): Promise<void> {
  const encoded: Uint8Array[] = [];
  for (const r of records) encoded.push((await c.fromConnectData(TOPIC, schema, r))!);
  await c.toConnectData(TOPIC, encoded[0]!);
  console.log(`${name}: ${encoded[0]!.length} bytes per record`);
  await measure(`${name} fromConnectData`, (i) => c.fromConnectData(TOPIC, schema, records[i % 1000]));
  await measure(`${name} toConnectData`, (i) => c.toConnectData(TOPIC, encoded[i % 1000]!));
}

async function main() {
  console.log(`converters: ${N.toLocaleString('en-US')} records per measurement, a 10-field struct, Node ${process.version}`);
  const json = new JsonConverter();
  json.configure({ 'schemas.enable': 'true' }, false);
  await bench('JsonConverter (schemas.enable=true)', json);
  const avro = new AvroConverter();
  avro.configure({ 'schema.registry.url': REGISTRY }, false);
  try {
    await bench('AvroConverter', avro);
  } finally {
    for (const q of ['', '?permanent=true']) await fetch(`${REGISTRY}/subjects/${TOPIC}-value${q}`, { method: 'DELETE' }).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
