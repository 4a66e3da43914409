/**
 * Plugin descriptors: how a package tells the runtime what it provides. A plugin package exports
 * `plugins: PluginDescriptor[]` from its main module; the runtime resolves `connector.class` (and converter,
 * transform and predicate class settings) against `className` and its aliases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connector } from './connector';
import type { Converter, HeaderConverter } from './converter';
import type { Predicate, Transformation } from './transform';

export type PluginType = 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';

interface PluginInstances {
  source: Connector;
  sink: Connector;
  converter: Converter;
  header_converter: HeaderConverter;
  transformation: Transformation;
  predicate: Predicate;
}

export interface PluginDescriptor<T extends PluginType = PluginType> {
  /**
   * The full class name users write in configs, Java's where the plugin is compatible with a Java one
   * (e.g. `org.apache.kafka.connect.file.FileStreamSourceConnector`). The simple name (after the last `.`) and,
   * for connectors, the simple name without `Connector` resolve too.
   */
  readonly className: string;
  readonly type: T;
  readonly version: string;
  /** More names that resolve to this plugin. */
  readonly aliases?: readonly string[];
  /** A new, unconfigured instance. */
  create(): PluginInstances[T];
}

/**
 * The version in the package.json one folder above `dir` — pass the plugin module's `__dirname` (`src/` under
 * jest, `dist/` once built) — for {@link PluginDescriptor.version} and the plugins' `version()`; `0.0.0` when it
 * cannot be read.
 */
export function packageVersion(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // no readable package.json
  }
  return '0.0.0';
}
