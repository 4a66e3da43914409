/** Helpers for this package's tests (not part of the build): Kafka reader, free ports, connector setup. */
import { eventually, type WorkerHandle } from '@kconnect/testkit';
import { HttpSourceTask } from './task';

export { freePort } from '@kconnect/testkit';

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

export { readTopics as consume, type ReadRecord as Consumed } from '@kconnect/testkit';
