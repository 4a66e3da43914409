/** Helpers for this package's tests (not part of the build): Kafka reader, free ports, connector setup. */
import { createServer } from 'node:net';
import { BOOTSTRAP, eventually, unique, type WorkerHandle } from '@kconnect/testkit';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { HttpSourceTask } from './task';

export interface Consumed {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/** Reads topics from the beginning into an array until stopped. */
export async function consume(topics: string[], groups: string[]): Promise<{ records: Consumed[]; stop: () => Promise<void> }> {
  const kafka = new Kafka({ brokers: [BOOTSTRAP], logLevel: logLevel.NOTHING });
  const groupId = unique('http-check');
  groups.push(groupId);
  const consumer: Consumer = kafka.consumer({ groupId });
  const records: Consumed[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
      records.push({ topic, partition, offset: message.offset, key: message.key ? message.key.toString() : null, value: message.value, headers });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Creates a connector and waits until its task runs (listen mode: until the listener answers). */
export async function createConnector(w: WorkerHandle, name: string, config: Record<string, string>): Promise<void> {
  const res = await w.api('POST', '/connectors', { name, config: { 'connector.class': 'io.kconnect.http.HttpSourceConnector', ...config } });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  await eventually(
    async () => (await w.api('GET', `/connectors/${name}/status`)).body?.tasks?.[0]?.state === 'RUNNING' && HttpSourceTask.running.has(name),
    20_000,
    `${name} running`,
  );
}

export const json = (v: unknown) => JSON.stringify(v);
