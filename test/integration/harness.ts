/** The integration tests' harness: the testkit, with the bundled file connectors installed in every worker. */
import type { PluginDescriptor } from '@kconnect/api';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { startWorker as start, type WorkerHandle } from '@kconnect/testkit';

export { BOOTSTRAP, distributedWorkerProps, eventually, kafkaAdmin, kafkaClient, quietLoggers, readTopics, sleep, unique } from '@kconnect/testkit';
export type { WorkerHandle } from '@kconnect/testkit';

export function startWorker(extra: Record<string, string> = {}, plugins: readonly PluginDescriptor[] = []): Promise<WorkerHandle> {
  return start(extra, [...filePlugins, ...plugins]);
}
