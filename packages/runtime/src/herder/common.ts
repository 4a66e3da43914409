/** What both herders answer the same way: plugin lists and configs, connector types and versions, validation. */
import type { ConfigKeyInfo, Connector, PluginDescriptor, PluginType } from '@kconnect/api';
import { PluginVersionError } from '../plugins/registry';
import { badRequest, notFound } from '../rest/errors';
import type { Worker } from '../worker/worker';
import type { ConfigInfos, ConnectorType, PluginInfo } from './types';
import { aliasesOf, frameworkConfig, validateConnectorConfig } from './validation';

/** Java's 404 messages for a connector that does not exist, as pause/resume and restart word them. */
export const UNKNOWN_CONNECTOR = (name: string) => `Unknown connector ${name}`;
export const UNKNOWN_CONNECTOR_RESTART = (name: string) => `Unknown connector: ${name}`;

export function connectorType(worker: Worker, config: Record<string, string>): ConnectorType {
  try {
    return worker.newConnector(config['connector.class'] ?? '').type;
  } catch {
    return 'unknown';
  }
}

/** Java 4.1's `version` of status entries: the connector plugin's version (omitted when the class is unknown). */
export function connectorVersion(worker: Worker, config: Record<string, string>): { version?: string } {
  // The version `connector.plugin.version` selects (KIP-891), else the newest installed.
  let d: PluginDescriptor | undefined;
  try {
    d = worker.registry.resolveVersion(config['connector.class'] ?? '', ['source', 'sink'], config['connector.plugin.version']);
  } catch {
    d = worker.registry.resolve(config['connector.class'] ?? '', ['source', 'sink']);
  }
  return d ? { version: d.version } : {};
}

export function listPlugins(worker: Worker, connectorsOnly: boolean): PluginInfo[] {
  const types = connectorsOnly ? (['source', 'sink'] as const) : undefined;
  return worker.registry.list(types).map((d) => ({ class: d.className, type: d.type, version: d.version }));
}

/** `GET /connector-plugins/{p}/config[?version=]`: a version (or range) that is not installed is a 400, as Java 4.1. */
export function pluginConfig(worker: Worker, plugin: string, version?: string): ConfigKeyInfo[] {
  const types = ['source', 'sink', 'converter', 'header_converter', 'transformation', 'predicate'] as const;
  if (!worker.registry.resolve(plugin, types)) throw notFound(`Unknown plugin ${plugin}.`);
  let d: PluginDescriptor;
  try {
    d = worker.registry.resolveVersion(plugin, types, version)!;
  } catch (e) {
    if (e instanceof PluginVersionError) throw badRequest(e.message);
    throw e;
  }
  const own = d.create().config();
  if (d.type !== 'source' && d.type !== 'sink') return own.toConfigKeyInfos();
  // As Java's herder: the plugin's keys first, then the framework's it does not define itself.
  const infos = frameworkConfig(d.type).merge(own).toConfigKeyInfos();
  const ownNames = own.configKeys().map((k) => k.name);
  const rank = (name: string) => (ownNames.includes(name) ? ownNames.indexOf(name) : ownNames.length);
  return infos
    .map((info, i) => ({ info, i }))
    .sort((a, b) => rank(a.info.name) - rank(b.info.name) || a.i - b.i)
    .map((x) => x.info);
}

export async function validate(worker: Worker, config: Record<string, string>): Promise<ConfigInfos> {
  const registry = worker.registry;
  const connectorVersion = versionCheck(worker, config, 'connector.class', 'connector.plugin.version', ['source', 'sink']);
  const infos = await validateConnectorConfig(
    registry,
    config,
    // The version `connector.plugin.version` names (when installed) is the one validated.
    (cls) => {
      const d = connectorVersion.descriptor;
      return d ? { instance: d.create() as Connector, type: d.type as 'source' | 'sink', className: d.className } : worker.newConnector(cls);
    },
    worker.config,
    worker.config.configTransformer,
  );
  const checks: Record<string, VersionCheck> = { 'connector.plugin.version': connectorVersion };
  const workerDefaults = { key: worker.config.keyConverter, value: worker.config.valueConverter, header: worker.config.headerConverter };
  for (const which of ['key', 'value', 'header'] as const) {
    const types: PluginType[] = which === 'header' ? ['header_converter'] : ['converter'];
    checks[`${which}.converter.plugin.version`] = versionCheck(
      worker,
      config,
      `${which}.converter`,
      `${which}.converter.plugin.version`,
      types,
      workerDefaults[which],
    );
  }
  for (const [kind, type] of [
    ['transforms', 'transformation'],
    ['predicates', 'predicate'],
  ] as const) {
    for (const alias of aliasesOf(config, kind)) {
      checks[`${kind}.${alias}.plugin.version`] = versionCheck(worker, config, `${kind}.${alias}.type`, `${kind}.${alias}.plugin.version`, [type]);
    }
  }
  const byName = new Map(infos.configs.map((c) => [c.value.name, c]));
  // As Java 4.1's recommenders: the converter keys show the worker's converter when the connector sets none, and
  // list the installed converters; each `*.plugin.version` key shows the version in use and the installed ones.
  for (const which of ['key', 'value', 'header'] as const) {
    const c = byName.get(`${which}.converter`);
    if (!c) continue;
    const types: PluginType[] = which === 'header' ? ['header_converter'] : ['converter'];
    const fallback = workerDefaults[which];
    const fallbackClass = fallback ? (registry.resolve(fallback, types)?.className ?? fallback) : null;
    if (c.definition) c.definition = { ...c.definition, default_value: fallbackClass };
    if (c.value.value === null && !config[`${which}.converter`]) c.value.value = fallbackClass;
    else if (c.value.value) c.value.value = registry.resolve(c.value.value, types)?.className ?? c.value.value;
    c.value.recommended_values = [...new Set(registry.list(types).map((d) => d.className))];
  }
  for (const [key, check] of Object.entries(checks)) {
    const v = byName.get(key);
    if (!v) continue;
    if (v.definition) v.definition = { ...v.definition, default_value: check.current };
    if (v.value.value === null) v.value.value = check.current;
    v.value.recommended_values = check.installed;
    if (check.visible === false) v.value.visible = false;
    if (check.error) {
      // On the version key and on the class key it refines, as Java reports it.
      v.value.errors.push(check.error);
      byName.get(check.classKey)?.value.errors.push(check.error);
    }
  }
  infos.error_count = infos.configs.reduce((n, c) => n + c.value.errors.length, 0);
  return infos;
}

interface VersionCheck {
  classKey: string;
  /** The version that would be used (the requested one when installed, else the newest), or null. */
  current: string | null;
  /** The installed versions of the plugin (each once). */
  installed: string[];
  descriptor?: PluginDescriptor;
  error?: string;
  visible?: boolean;
}

/**
 * One `*.plugin.version` key: the plugin its class key names (or the worker's, for converters) and whether the
 * version asked for is installed. As Java, a converter's version is checked only when the connector names the class.
 */
function versionCheck(
  worker: Worker,
  config: Record<string, string>,
  classKey: string,
  versionKey: string,
  types: readonly PluginType[],
  workerDefault?: string,
): VersionCheck {
  const own = config[classKey];
  const name = own ?? workerDefault;
  const base = name ? worker.registry.resolve(name, types) : undefined;
  // As Java's recommender: a version key of a class that cannot be found is not visible.
  if (!base) return { classKey, current: null, installed: [], visible: !name };
  const installed = [
    ...new Set(
      worker.registry
        .list(types)
        .filter((d) => d.className === base.className)
        .map((d) => d.version),
    ),
  ];
  const spec = config[versionKey];
  if (spec === undefined || own === undefined) return { classKey, current: base.version, installed, descriptor: own ? base : undefined };
  try {
    const d = worker.registry.resolveVersion(name!, types, spec)!;
    return { classKey, current: d.version, installed, descriptor: d };
  } catch (e) {
    if (!(e instanceof PluginVersionError)) throw e;
    return { classKey, current: base.version, installed, error: e.message };
  }
}

/** A stored config with its placeholders resolved where they can be, for the connector's own hooks (as Java). */
export function resolvedForPlugin(worker: Worker, config: Record<string, string>): Record<string, string> {
  return worker.config.configTransformer.transform(config, { mode: 'lenient', what: 'connector config' });
}
