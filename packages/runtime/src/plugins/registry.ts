/**
 * The plugin registry: resolves the class names in configs (connectors, converters, transformations, predicates)
 * to plugin descriptors. A name resolves by the full class name, an alias, the simple name (after the last `.`),
 * and the simple name without its type suffix (`Connector`, `Converter`, …), as in Java Connect; a short name
 * that two plugins share resolves to neither.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PluginDescriptor, PluginType } from '@kconnect/api';

const SUFFIX: Record<PluginType, string> = {
  source: 'Connector',
  sink: 'Connector',
  converter: 'Converter',
  header_converter: 'Converter',
  transformation: '',
  predicate: '',
};

type Kind = 'connector' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
const kindOf = (t: PluginType): Kind => (t === 'source' || t === 'sink' ? 'connector' : t);

export class PluginRegistry {
  private readonly all: PluginDescriptor[] = [];
  /** kind → name → descriptor (null = ambiguous short name). */
  private readonly byName = new Map<Kind, Map<string, PluginDescriptor | null>>();
  /** Where each plugin came from: its `plugin.path` package folder (Java's PluginDesc location); absent = built in. */
  private readonly locations = new WeakMap<PluginDescriptor, string>();

  register(descriptors: readonly PluginDescriptor[]): this {
    for (const d of descriptors) {
      this.all.push(d);
      const kind = kindOf(d.type);
      let names = this.byName.get(kind);
      if (!names) this.byName.set(kind, (names = new Map()));
      const simple = d.className.slice(d.className.lastIndexOf('.') + 1);
      const suffix = SUFFIX[d.type];
      const short = [simple, ...(d.aliases ?? [])];
      if (suffix && simple.endsWith(suffix) && simple.length > suffix.length) short.push(simple.slice(0, -suffix.length));
      names.set(d.className, d);
      for (const n of short) {
        if (n === d.className) continue;
        const cur = names.get(n);
        names.set(n, cur === undefined || cur?.className === d.className ? d : null);
      }
    }
    return this;
  }

  /** Loads every plugin package found in the `plugin.path` folders; returns the loaded package folders. */
  loadPluginPath(dirs: readonly string[]): string[] {
    const loaded: string[] = [];
    for (const dir of dirs.filter(Boolean)) {
      if (!existsSync(dir)) throw new Error(`plugin.path folder ${dir} does not exist`);
      const candidates = existsSync(path.join(dir, 'package.json')) ? [dir] : readdirSync(dir).map((d) => path.join(dir, d));
      for (const pkg of candidates) {
        if (!existsSync(path.join(pkg, 'package.json'))) continue;
        const meta = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { name?: string };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.resolve(pkg)) as { plugins?: PluginDescriptor[] };
        if (!Array.isArray(mod.plugins)) throw new Error(`Plugin package ${meta.name ?? pkg} does not export 'plugins' (an array of PluginDescriptor)`);
        this.register(mod.plugins);
        for (const d of mod.plugins) this.locations.set(d, path.resolve(pkg));
        loaded.push(pkg);
      }
    }
    return loaded;
  }

  /** The plugin of one of `types` called `name`, or undefined. */
  resolve<T extends PluginType>(name: string, types: readonly T[]): PluginDescriptor<T> | undefined {
    for (const kind of new Set(types.map(kindOf))) {
      const d = this.byName.get(kind)?.get(name.trim());
      if (d && (types as readonly PluginType[]).includes(d.type)) return d as PluginDescriptor<T>;
    }
    return undefined;
  }

  /** Java's PluginDesc location: the plugin's package folder, or `classpath` for plugins installed in the worker. */
  location(d: PluginDescriptor): string {
    return this.locations.get(d) ?? 'classpath';
  }

  /** Java's `PluginDesc.toString()` of a plugin (as listed in "Failed to find any class …" messages). */
  describe(d: PluginDescriptor): string {
    return `PluginDesc{klass=class ${d.className}, name='${d.className}', version='${d.version}', encodedVersion=${d.version}, type=${d.type}, typeName='${d.type}', location='${this.location(d)}'}`;
  }

  list(types?: readonly PluginType[]): PluginDescriptor[] {
    const unique = new Map<string, PluginDescriptor>();
    for (const d of this.all) if (!types || types.includes(d.type)) unique.set(`${d.type}:${d.className}`, d);
    return [...unique.values()].sort((a, b) => a.className.localeCompare(b.className));
  }
}
