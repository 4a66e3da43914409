/** What both herders answer the same way: plugin lists and configs, connector types and versions, validation. */
import type { ConfigKeyInfo } from '@kconnect/api';
import { notFound } from '../rest/errors';
import type { Worker } from '../worker/worker';
import type { ConfigInfos, ConnectorType, PluginInfo } from './types';
import { frameworkConfig, validateConnectorConfig } from './validation';

export function connectorType(worker: Worker, config: Record<string, string>): ConnectorType {
  try {
    return worker.newConnector(config['connector.class'] ?? '').type;
  } catch {
    return 'unknown';
  }
}

/** Java 4.1's `version` of status entries: the connector plugin's version (omitted when the class is unknown). */
export function connectorVersion(worker: Worker, config: Record<string, string>): { version?: string } {
  const d = worker.registry.resolve(config['connector.class'] ?? '', ['source', 'sink']);
  return d ? { version: d.version } : {};
}

export function listPlugins(worker: Worker, connectorsOnly: boolean): PluginInfo[] {
  const types = connectorsOnly ? (['source', 'sink'] as const) : undefined;
  return worker.registry.list(types).map((d) => ({ class: d.className, type: d.type, version: d.version }));
}

export function pluginConfig(worker: Worker, plugin: string): ConfigKeyInfo[] {
  const d = worker.registry.resolve(plugin, ['source', 'sink', 'converter', 'header_converter', 'transformation', 'predicate']);
  if (!d) throw notFound(`Unknown plugin ${plugin}.`);
  const own = d.create().config();
  const def = d.type === 'source' || d.type === 'sink' ? frameworkConfig(d.type).merge(own) : own;
  return def.toConfigKeyInfos();
}

export function validate(worker: Worker, config: Record<string, string>): Promise<ConfigInfos> {
  return validateConnectorConfig(worker.registry, config, (cls) => worker.newConnector(cls), worker.config, worker.config.configTransformer);
}

/** A stored config with its placeholders resolved where they can be, for the connector's own hooks (as Java). */
export function resolvedForPlugin(worker: Worker, config: Record<string, string>): Record<string, string> {
  return worker.config.configTransformer.transform(config, { mode: 'lenient', what: 'connector config' });
}
