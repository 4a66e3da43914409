/**
 * @kconnect/testkit — for connector authors and our own integration tests: a real standalone worker in this
 * process against a real Kafka broker (`KCONNECT_BOOTSTRAP_SERVERS`, default 127.0.0.1:9092; `npm test` starts
 * one), a REST client, unique names per test and polling helpers. Tests clean up the topics and groups they make.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PluginDescriptor } from '@kconnect/api';
import { createKafkaClient, type KafkaClient, LoggerRegistry, startStandalone, type KafkaAdmin, type StandaloneWorker } from '@kconnect/runtime';

export const BOOTSTRAP = process.env.KCONNECT_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';

let counter = 0;
/** A name unique to this test run. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then fails with the last value). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}; last value: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(100);
  }
}

export const quietLoggers = () => new LoggerRegistry({ level: (process.env.KCONNECT_TEST_LOG_LEVEL as 'INFO' | undefined) ?? 'WARN' });

export interface WorkerHandle {
  worker: StandaloneWorker;
  url: string;
  dir: string;
  offsetFile: string;
  api: (method: string, path: string, body?: unknown, raw?: string) => Promise<{ status: number; body: any; headers: Headers }>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a worker on an ephemeral port with a fresh offsets file in a temp folder, with `plugins` installed. */
export async function startWorker(extra: Record<string, string> = {}, plugins: readonly PluginDescriptor[] = []): Promise<WorkerHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kconnect-it-'));
  const offsetFile = path.join(dir, 'connect.offsets');
  const props = {
    'bootstrap.servers': BOOTSTRAP,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'offset.storage.file.filename': offsetFile,
    'offset.flush.interval.ms': '1000',
    listeners: 'http://127.0.0.1:0',
    ...extra,
  };
  const start = () => startStandalone({ workerProps: props, plugins, loggers: quietLoggers() });
  const h: WorkerHandle = {
    worker: await start(),
    url: '',
    dir,
    offsetFile,
    async api(method, p, body, raw) {
      const res = await fetch(h.worker.url + p, {
        method,
        headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON (e.g. /metrics) */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async restart() {
      await h.worker.stop();
      h.worker = await start();
      h.url = h.worker.url;
    },
    async stop() {
      await h.worker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  h.url = h.worker.url;
  return h;
}

/** A Kafka client on the test broker, with the worker's default backend (or `backend`). */
export function kafkaClient(backend?: 'platformatic' | 'kafkajs'): KafkaClient {
  return createKafkaClient({ backend, bootstrapServers: [BOOTSTRAP], log: quietLoggers().get('test') });
}

/** A Kafka admin for setup and cleanup. */
export async function kafkaAdmin(): Promise<KafkaAdmin> {
  return kafkaClient().admin();
}

/** A record read back from Kafka by {@link readTopics}; header values as UTF-8 (the last one of a repeated key). */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads `topics` from the beginning into `records` until `stop()`, with a consumer group of its own (pushed to
 * `groups` so the test can delete it).
 */
export async function readTopics(topics: string[], groups: string[]): Promise<{ records: ReadRecord[]; stop: () => Promise<void> }> {
  const groupId = unique('reader');
  groups.push(groupId);
  const consumer = await kafkaClient().consumer({ clientId: groupId, groupId });
  const records: ReadRecord[] = [];
  await consumer.run(topics, {
    onBatch: async (batch) => {
      for (const m of batch) {
        const headers: Record<string, string> = {};
        for (const [k, v] of m.headers) headers[k] = v === null ? '' : Buffer.from(v).toString();
        records.push({
          topic: m.topic,
          partition: m.partition,
          offset: String(m.offset),
          key: m.key ? Buffer.from(m.key).toString() : null,
          value: m.value ? Buffer.from(m.value) : null,
          headers,
        });
      }
      return true;
    },
    onAssigned: async () => undefined,
    onRebalancing: async () => undefined,
    onCrash: () => undefined,
  });
  return { records, stop: () => consumer.close() };
}

/**
 * Worker properties of a distributed cluster named `id`: its group and three topics `<id>-configs|offsets|status`
 * (the caller deletes them), String converters; `extra` on top.
 */
export function distributedWorkerProps(id: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'bootstrap.servers': BOOTSTRAP,
    'group.id': id,
    'config.storage.topic': `${id}-configs`,
    'offset.storage.topic': `${id}-offsets`,
    'status.storage.topic': `${id}-status`,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    ...extra,
  };
}

export { CliWorker, type CliWorkerOptions, freePort } from './cli-worker';
export { JavaConnectWorker, connectClasspath } from './java-connect';
export {
  KAFKA_COMPRESSION_CODECS,
  KAFKA_TOOL_CLASSES,
  batchCodecs,
  consoleConsume,
  consoleProduce,
  kafkaDataDir,
  logBatches,
  runKafkaTool,
  servicesScript,
} from './kafka-tools';
export type {
  ConsoleConsumeOptions,
  ConsoleConsumeResult,
  ConsoleProduceOptions,
  ConsoleRecord,
  KafkaCodec,
  KafkaToolOptions,
  KafkaToolResult,
  LogBatch,
} from './kafka-tools';
