/**
 * Kafka's own command-line tools, for tests that check interoperability with the Java clients: the console producer
 * and consumer (the classes behind `kafka-console-producer.sh` / `kafka-console-consumer.sh`) and the log dump tool
 * (`kafka-dump-log.sh`), which shows how the broker stored each record batch (its compression codec).
 *
 * Each call starts one JVM (about 1–2 s) through `scripts/services.sh kafka-class <MainClass> …`, which runs the tool
 * with Kafka's jars at the broker's version (fetched from Maven Central into the download cache on first use, see
 * docs/services.md) and warnings-only logging on stderr. Batch the work: one console-producer run for many records.
 * Needs Java 17+ and the repository's scripts (override the script with `KCONNECT_SERVICES_SCRIPT`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const BOOTSTRAP = process.env.KCONNECT_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
/** The repository root (from src/ or dist/ of packages/testkit). */
const REPO_ROOT = path.resolve(__dirname, '../../..');

/** `scripts/services.sh` of this repository (`KCONNECT_SERVICES_SCRIPT` overrides). */
export const servicesScript = (): string => process.env.KCONNECT_SERVICES_SCRIPT ?? path.join(REPO_ROOT, 'scripts/services.sh');

/**
 * The local broker's log directory (`log.dirs`), where `<topic>-<partition>/` folders hold the segment files:
 * `KCONNECT_KAFKA_DATA_DIR`, else `<KCONNECT_SERVICES_DIR or <repo>/.services>/kafka/data`, as scripts/services.sh.
 */
export const kafkaDataDir = (): string =>
  process.env.KCONNECT_KAFKA_DATA_DIR ?? path.join(process.env.KCONNECT_SERVICES_DIR ?? path.join(REPO_ROOT, '.services'), 'kafka/data');

/** Kafka's compression codecs (`compression.type`), as the tools and the log dump name them. */
export type KafkaCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
/** The codecs that actually compress. */
export const KAFKA_COMPRESSION_CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const satisfies readonly KafkaCodec[];

/** The class names of the tools in Kafka 3.7+ / 4.x (`kafka-tools` and `kafka_2.13` jars). */
export const KAFKA_TOOL_CLASSES = {
  consoleProducer: 'org.apache.kafka.tools.ConsoleProducer',
  consoleConsumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  dumpLogSegments: 'kafka.tools.DumpLogSegments',
} as const;

export interface KafkaToolResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface KafkaToolOptions {
  /** Written to the tool's stdin, which is then closed (default: no input). */
  stdin?: string | Buffer;
  /** Kill the JVM and reject after this long. Default 60 s. */
  timeoutMs?: number;
}

/**
 * Runs one of Kafka's tool classes (`scripts/services.sh kafka-class <mainClass> <args…>`) and resolves with its exit
 * code and output, whatever the exit code; rejects when it cannot start or runs longer than `timeoutMs`.
 */
export function runKafkaTool(mainClass: string, args: readonly string[], opts: KafkaToolOptions = {}): Promise<KafkaToolResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [servicesScript(), 'kafka-class', mainClass, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += String(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${mainClass} did not finish within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => undefined); // EPIPE when the tool exits early; its exit code tells
    child.stdin.end(opts.stdin ?? '');
  });
}

/** log4j lines at ERROR (or FATAL) level in a tool's stderr: the console producer reports failed sends only there. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => /^\[[^\]]*\] (ERROR|FATAL) /.test(l));

export interface ConsoleProduceOptions {
  /** `--compression-codec` (default: none, Java's default). */
  compression?: KafkaCodec;
  /**
   * Parse a key from each line (`--property parse.key=true --property key.separator=<sep>`): `key<sep>value`, split
   * at the first separator. An empty key is an empty byte array (not null), as with Java's LineMessageReader.
   */
  keySeparator?: string;
  /** `--property null.marker=<marker>`: a key or value equal to it is sent as null. */
  nullMarker?: string;
  /** Extra `--producer-property key=value` settings (e.g. `linger.ms`, `batch.size`). */
  producerProperties?: Record<string, string>;
  bootstrapServers?: string;
  timeoutMs?: number;
}

/**
 * Produces one record per line with Kafka's console producer (`kafka-console-producer.sh`), all in one run (the
 * producer batches them: linger 1 s, 16 KiB batches, acks=all). Lines are UTF-8 and cannot contain `\n` or `\r`.
 * Rejects when the tool fails or logs an error (a failed send is only logged, not reflected in its exit code).
 */
export async function consoleProduce(topic: string, lines: readonly string[], opts: ConsoleProduceOptions = {}): Promise<void> {
  const bad = lines.findIndex((l) => /[\r\n]/.test(l));
  if (bad >= 0) throw new Error(`consoleProduce: line ${bad} contains a line break; the console producer reads one record per line`);
  const args = ['--bootstrap-server', opts.bootstrapServers ?? BOOTSTRAP, '--topic', topic, '--request-timeout-ms', '30000'];
  if (opts.compression) args.push('--compression-codec', opts.compression);
  if (opts.keySeparator !== undefined) args.push('--property', 'parse.key=true', '--property', `key.separator=${opts.keySeparator}`);
  if (opts.nullMarker !== undefined) args.push('--property', `null.marker=${opts.nullMarker}`);
  for (const [k, v] of Object.entries(opts.producerProperties ?? {})) args.push('--producer-property', `${k}=${v}`);
  const input = lines.length ? lines.join('\n') + '\n' : '';
  const r = await runKafkaTool(KAFKA_TOOL_CLASSES.consoleProducer, args, { stdin: input, timeoutMs: opts.timeoutMs });
  const errors = errorLines(r.stderr);
  if (r.code !== 0 || errors.length) throw new Error(`console producer failed (exit ${r.code}) for topic ${topic}:\n${r.stderr}`);
}

/** One record as the console consumer printed it (key and value decoded as UTF-8). */
export interface ConsoleRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

export interface ConsoleConsumeOptions {
  /** `--max-messages`: exit after this many records. */
  maxMessages: number;
  /** `--timeout-ms`: exit when no record arrived for this long (default 15 s). */
  timeoutMs?: number;
  /**
   * Read only this partition, from its beginning, without a consumer group (`--partition <p> --offset earliest`).
   * Otherwise the tool subscribes to the topic with the consumer group `group` and reads every partition.
   */
  partition?: number;
  /** The consumer group when `partition` is not set (default: a new unique name); see {@link ConsoleConsumeResult.group}. */
  group?: string;
  /** Extra `--consumer-property key=value` settings. */
  consumerProperties?: Record<string, string>;
  bootstrapServers?: string;
}

export interface ConsoleConsumeResult {
  /** In the order the tool printed them (offset order within each partition). */
  records: ConsoleRecord[];
  /** The records' values. */
  values: string[];
  /**
   * The consumer group the tool joined (null with `partition`): it stays on the broker (empty, no committed offsets
   * — auto-commit is off) until deleted, so delete it after the test.
   */
  group: string | null;
  /** The tool stopped because of `timeoutMs` before `maxMessages` records. */
  timedOut: boolean;
}

// Field, record and null markers for the consumer's formatter: control characters no test value contains.
const FIELD_SEP = '\x1f';
const RECORD_SEP = '\x1e\n';
const NULL_LITERAL = '\x01null\x01';
let groupCounter = 0;

/**
 * Reads a topic from the beginning with Kafka's console consumer (`kafka-console-consumer.sh --from-beginning`),
 * printing partition, offset, key and value of each record, until `maxMessages` records or `timeoutMs` without one.
 */
export async function consoleConsume(topic: string, opts: ConsoleConsumeOptions): Promise<ConsoleConsumeResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const args = ['--bootstrap-server', opts.bootstrapServers ?? BOOTSTRAP, '--topic', topic, '--max-messages', String(opts.maxMessages)];
  args.push('--timeout-ms', String(timeoutMs));
  let group: string | null = null;
  if (opts.partition !== undefined) {
    args.push('--partition', String(opts.partition), '--offset', 'earliest');
  } else {
    group = opts.group ?? `console-consumer-kconnect-${process.pid}-${Date.now().toString(36)}-${groupCounter++}`;
    args.push('--from-beginning', '--group', group, '--consumer-property', 'enable.auto.commit=false');
  }
  for (const [k, v] of Object.entries(opts.consumerProperties ?? {})) args.push('--consumer-property', `${k}=${v}`);
  for (const p of ['print.partition', 'print.offset', 'print.key', 'print.value']) args.push('--property', `${p}=true`);
  args.push('--property', `key.separator=${FIELD_SEP}`, '--property', `line.separator=${RECORD_SEP}`, '--property', `null.literal=${NULL_LITERAL}`);

  // The JVM's own limit: start-up, group join and the idle timeout, with room to spare.
  const r = await runKafkaTool(KAFKA_TOOL_CLASSES.consoleConsumer, args, { timeoutMs: timeoutMs + 60_000 });
  const timedOut = /TimeoutException/.test(r.stderr);
  if (r.code !== 0 || (errorLines(r.stderr).length && !timedOut)) throw new Error(`console consumer failed (exit ${r.code}) for topic ${topic}:\n${r.stderr}`);
  const records: ConsoleRecord[] = [];
  const text = r.stdout.toString('utf8');
  for (const rec of text.split(RECORD_SEP)) {
    if (rec === '') continue;
    const f = rec.split(FIELD_SEP);
    // Partition:<p>, Offset:<o>, key, value (the value may itself contain the separator: join the rest).
    const m0 = /^Partition:(\d+)$/.exec(f[0] ?? '');
    const m1 = /^Offset:(\d+)$/.exec(f[1] ?? '');
    if (!m0 || !m1 || f.length < 4) throw new Error(`console consumer: unexpected output ${JSON.stringify(rec)}`);
    const value = f.slice(3).join(FIELD_SEP);
    records.push({
      partition: Number(m0[1]),
      offset: Number(m1[1]),
      key: f[2] === NULL_LITERAL ? null : f[2]!,
      value: value === NULL_LITERAL ? null : value,
    });
  }
  return { records, values: records.map((x) => x.value ?? ''), group, timedOut };
}

/** One record batch of a partition's log, as Kafka's log dump tool prints it. */
export interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  /** Records in the batch. */
  count: number;
  /** `compresscodec`: none, gzip, snappy, lz4 or zstd. */
  codec: KafkaCodec;
  /** Batch size in bytes on disk. */
  size: number;
  isControl: boolean;
}

/**
 * The record batches of one partition on the local broker's disk, read from its segment files (`*.log` under
 * {@link kafkaDataDir}) with Kafka's log dump tool (`kafka-dump-log.sh --files …`, class `kafka.tools.DumpLogSegments`):
 * the broker keeps the producer's batches as they came (topic `compression.type=producer`, the default), so this
 * shows how the producer compressed them. Only works against a broker on this machine.
 */
export async function logBatches(topic: string, partition: number, opts: { dataDir?: string } = {}): Promise<LogBatch[]> {
  const dir = path.join(opts.dataDir ?? kafkaDataDir(), `${topic}-${partition}`);
  if (!existsSync(dir)) throw new Error(`no log folder ${dir}: is the topic on the local broker (scripts/services.sh), with that partition?`);
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(dir, f));
  if (!segments.length) return [];
  const r = await runKafkaTool(KAFKA_TOOL_CLASSES.dumpLogSegments, ['--files', segments.join(',')]);
  if (r.code !== 0) throw new Error(`log dump of ${dir} failed (exit ${r.code}):\n${r.stderr}`);
  const batches: LogBatch[] = [];
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (!line.startsWith('baseOffset: ')) continue;
    const field = (name: string) => {
      const m = new RegExp(`(?:^| )${name}: (\\S+)`).exec(line);
      if (!m) throw new Error(`log dump: no ${name} in ${JSON.stringify(line)}`);
      return m[1]!;
    };
    batches.push({
      baseOffset: Number(field('baseOffset')),
      lastOffset: Number(field('lastOffset')),
      count: Number(field('count')),
      codec: field('compresscodec').toLowerCase() as KafkaCodec,
      size: Number(field('size')),
      isControl: field('isControl') === 'true',
    });
  }
  return batches;
}

/** The compression codec of each record batch of a partition on disk, in log order (see {@link logBatches}). */
export async function batchCodecs(topic: string, partition: number, opts: { dataDir?: string } = {}): Promise<KafkaCodec[]> {
  return (await logBatches(topic, partition, opts)).map((b) => b.codec);
}
