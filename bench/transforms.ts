/**
 * Benchmark: the Single Message Transforms alone, in memory — what a transformation chain costs per record, without
 * a worker, converters or Kafka around it.
 *
 *   node bench/dist/transforms.js [N] [--passes=3]
 *
 * A 3-transform chain, as a connector config would build it from @kconnect/transforms' plugin descriptors:
 *   InsertField$Value (topic.field, timestamp.field, static.field/value) → ReplaceField$Value (exclude one field,
 *   rename two) → TimestampRouter (`${topic}-${timestamp}`, yyyyMMdd),
 * applied to N (default 200,000) prebuilt source records, once with a Struct value and schema (all records share
 * one schema, as a converter's cache hands it out) and once schemaless (plain objects, as JsonConverter gives them).
 * Each case runs one warm-up pass and `--passes` measured passes; printed: the median pass as records/s and
 * µs/record, and each transformation alone for comparison. KCONNECT_BENCH_JSON=<file> writes the results as JSON.
 */
import { writeFileSync } from 'node:fs';
import { type ConnectRecord, SchemaBuilder, Schemas, type SourceRecord, sourceRecord, Struct, type Transformation } from '@kconnect/api';
import { plugins } from '@kconnect/transforms';

const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000);
const PASSES = Number(arg('passes', '3'));

const T = 'org.apache.kafka.connect.transforms.';
const STEPS: Array<[string, Record<string, string>]> = [
  [`${T}InsertField$Value`, { 'topic.field': 'topic', 'timestamp.field': 'ingested', 'static.field': 'origin', 'static.value': 'bench' }],
  [`${T}ReplaceField$Value`, { exclude: 'humidity', renames: 'temperature:temp,seq:sequence' }],
  [`${T}TimestampRouter`, {}],
];

function transformation(className: string, props: Record<string, string>): Transformation {
  const d = plugins.find((p) => p.className === className && p.type === 'transformation');
  if (!d) throw new Error(`no transformation ${className}`);
  const t = d.create() as Transformation;
  t.configure(props);
  return t;
}

const SCHEMA = SchemaBuilder.struct()
  .name('bench.Reading')
  .field('device', Schemas.STRING_SCHEMA)
  .field('ts', Schemas.INT64_SCHEMA)
  .field('temperature', Schemas.FLOAT64_SCHEMA)
  .field('humidity', Schemas.FLOAT64_SCHEMA)
  .field('seq', Schemas.INT64_SCHEMA)
  .build();

function records(schemaful: boolean): SourceRecord[] {
  return Array.from({ length: N }, (_, i) => {
    const ts = 1_700_000_000_000 + i * 1000;
    const fields = { device: `sensor-${i % 1000}`, ts, temperature: 21.5, humidity: 40.25, seq: i };
    const value = schemaful ? Object.entries(fields).reduce((s, [k, v]) => s.put(k, v), new Struct(SCHEMA)) : fields;
    return sourceRecord({ topic: 'readings', timestamp: ts, valueSchema: schemaful ? SCHEMA : null, value, sourceOffset: { position: i } });
  });
}

/** One pass of the chain over every record; returns seconds. */
function pass(chain: Transformation[], input: SourceRecord[]): number {
  const start = process.hrtime.bigint();
  let kept = 0;
  for (const r of input) {
    let rec: ConnectRecord | null = r;
    for (const t of chain) {
      rec = t.apply(rec);
      if (rec === null) break;
    }
    if (rec !== null) kept++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (kept !== input.length) throw new Error(`only ${kept} of ${input.length} records came out`);
  return seconds;
}

interface Result {
  case: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  microsPerRecord: number;
}

function measure(name: string, chain: Transformation[], input: SourceRecord[]): Result {
  pass(chain, input); // warm-up
  const times = Array.from({ length: PASSES }, () => pass(chain, input)).sort((a, b) => a - b);
  const seconds = times[Math.floor(times.length / 2)]!;
  return { case: name, records: input.length, seconds, recordsPerSecond: input.length / seconds, microsPerRecord: (seconds * 1e6) / input.length };
}

function line(r: Result): string {
  return `${r.case.padEnd(52)} ${Math.round(r.recordsPerSecond).toLocaleString('en-US').padStart(12)} records/s  ${r.microsPerRecord.toFixed(3).padStart(8)} µs/record  (${r.records} records, median of ${PASSES} passes)`;
}

const results: Result[] = [];
console.log(`transforms bench: ${N} records, node ${process.version}`);
for (const schemaful of [true, false]) {
  const kind = schemaful ? 'schemaful' : 'schemaless';
  const input = records(schemaful);
  const chain = STEPS.map(([c, p]) => transformation(c, p));
  const r = measure(`${kind} chain (InsertField+ReplaceField+TSRouter)`, chain, input);
  results.push(r);
  console.log(line(r));
  for (const [c, p] of STEPS) {
    const alone = measure(`${kind}   ${c.slice(T.length)} alone`, [transformation(c, p)], input);
    results.push(alone);
    console.log(line(alone));
  }
}
if (process.env.KCONNECT_BENCH_JSON) writeFileSync(process.env.KCONNECT_BENCH_JSON, JSON.stringify({ bench: 'transforms', results }, null, 2));
