/** The integration tests' harness: the testkit, with the bundled file connectors installed in every worker. */
import { existsSync, readFileSync } from 'node:fs';
import type { PluginDescriptor } from '@kconnect/api';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { startWorker as start, type WorkerHandle } from '@kconnect/testkit';

export { BOOTSTRAP, distributedWorkerProps, eventually, kafkaAdmin, kafkaClient, quietLoggers, readTopics, sleep, unique } from '@kconnect/testkit';
export type { WorkerHandle } from '@kconnect/testkit';

export function startWorker(extra: Record<string, string> = {}, plugins: readonly PluginDescriptor[] = []): Promise<WorkerHandle> {
  return start(extra, [...filePlugins, ...plugins]);
}

/** The non-empty lines of a file (none while it does not exist). */
export const fileLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** `line-<from>` … `line-<to>`, one per line. */
export const numberedLines = (from: number, to: number): string => `${Array.from({ length: to - from + 1 }, (_, i) => `line-${from + i}`).join('\n')}\n`;

/** A JSON request to a worker's REST API at `url` (any runtime): status and parsed body. */
export async function restCall(url: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
