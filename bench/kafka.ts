/**
 * The benches' Kafka access: the runtime's KafkaClient (`createKafkaClient` from @kconnect/runtime), never a Kafka
 * client library directly. One backend for the whole run: `--kafka-client=platformatic|kafkajs` or
 * KCONNECT_BENCH_KAFKA_CLIENT, default platformatic (the runtime's default). The bench's own clients (setup, readers,
 * "Kafka client alone" measurements) and the kconnect workers it starts (worker property `kafka.client`) use it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createKafkaClient, KAFKA_CLIENT_BACKENDS, type KafkaAdmin, type KafkaClient, type KafkaClientBackend, LoggerRegistry } from '@kconnect/runtime';

export const BOOTSTRAP = process.env.KCONNECT_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
const REPO = path.join(__dirname, '../..');

/** The runtime's default backend (a worker without `kafka.client`). */
export const DEFAULT_KAFKA_CLIENT: KafkaClientBackend = 'platformatic';

/** The npm package behind each backend. */
export const KAFKA_CLIENT_PACKAGE: Record<KafkaClientBackend, string> = { platformatic: '@platformatic/kafka', kafkajs: 'kafkajs' };

export function parseKafkaClient(value: string): KafkaClientBackend {
  if (!(KAFKA_CLIENT_BACKENDS as readonly string[]).includes(value)) throw new Error(`unknown Kafka client '${value}' (${KAFKA_CLIENT_BACKENDS.join(', ')})`);
  return value as KafkaClientBackend;
}

/** `--kafka-client=<value>`, else KCONNECT_BENCH_KAFKA_CLIENT, else undefined. */
export function kafkaClientArg(): string | undefined {
  return process.argv.find((a) => a.startsWith('--kafka-client='))?.slice('--kafka-client='.length) ?? process.env.KCONNECT_BENCH_KAFKA_CLIENT;
}

let selected: KafkaClientBackend | undefined;
/** The backend of this run (`--kafka-client`, KCONNECT_BENCH_KAFKA_CLIENT, else the default). */
export function kafkaClientBackend(): KafkaClientBackend {
  selected ??= parseKafkaClient(kafkaClientArg() ?? DEFAULT_KAFKA_CLIENT);
  return selected;
}

/** The installed version of a package the runtime depends on ('?' when not found). */
export function packageVersion(name: string): string {
  // @platformatic/kafka's `exports` hides its package.json: walk up from its entry point instead.
  try {
    let dir = path.dirname(require.resolve(name, { paths: [path.join(REPO, 'packages/runtime'), REPO] }));
    for (;;) {
      const file = path.join(dir, 'package.json');
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        if (pkg.name === name) return pkg.version;
      } catch {
        /* no package.json here */
      }
      const up = path.dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

/** e.g. `platformatic (@platformatic/kafka 2.12.1)`. */
export function describeKafkaClient(backend: KafkaClientBackend = kafkaClientBackend()): string {
  const pkg = KAFKA_CLIENT_PACKAGE[backend];
  return `${backend} (${pkg} ${packageVersion(pkg)})`;
}

/** A KafkaClient on the bench's broker. */
export function benchKafkaClient(backend: KafkaClientBackend = kafkaClientBackend(), clientId = 'kconnect-bench'): KafkaClient {
  return createKafkaClient({ backend, bootstrapServers: BOOTSTRAP.split(','), log: new LoggerRegistry({ level: 'WARN' }).get('bench'), clientId });
}

/** The worker property that gives a kconnect worker the same backend. */
export function workerKafkaProps(backend: KafkaClientBackend = kafkaClientBackend()): Record<string, string> {
  return { 'kafka.client': backend };
}

/** A record's key or value as a Buffer, without a copy. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The sum of a topic's end offsets (the records it holds, as nothing is deleted during a bench). */
export async function topicEndOffset(admin: KafkaAdmin, topic: string): Promise<number> {
  const partitions = await admin.partitionCount(topic);
  const ends = await Promise.all(Array.from({ length: partitions }, (_, p) => admin.highWatermark(topic, p)));
  return ends.reduce<number>((sum, e) => sum + (e ?? 0), 0);
}
