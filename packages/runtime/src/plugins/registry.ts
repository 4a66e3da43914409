/**
 * The plugin registry: resolves the class names in configs (connectors, converters, transformations, predicates)
 * to plugin descriptors. A name resolves by the full class name, an alias, the simple name (after the last `.`),
 * and the simple name without its type suffix (`Connector`, `Converter`, …), as in Java Connect; a short name
 * that two plugins share resolves to neither.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type PluginDescriptor, type PluginType } from '@kconnect/api';
import { compareVersions, InvalidVersionSpecError, parseVersionRange, versionNotFoundMessage } from './versions';

/** No installed version of a plugin matches the requested version or range (or the range is malformed). */
export class PluginVersionError extends ConfigError {}

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
      // Several versions of one class (KIP-891): a name resolves to the newest; resolveVersion() picks another.
      const prev = names.get(d.className);
      const newest = prev && compareVersions(prev.version, d.version) > 0 ? prev : d;
      names.set(d.className, newest);
      for (const n of short) {
        if (n === d.className) continue;
        const cur = names.get(n);
        names.set(n, cur === undefined || cur?.className === d.className ? newest : null);
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

  /**
   * The plugin called `name` whose version matches `spec` (a version or Maven range; the newest match), as Java 4.1
   * loads `*.plugin.version`; undefined when the name is unknown. Throws {@link PluginVersionError} with Java's
   * message when no installed version matches or the range is malformed.
   */
  resolveVersion<T extends PluginType>(name: string, types: readonly T[], spec: string | undefined | null): PluginDescriptor<T> | undefined {
    const d = this.resolve(name, types);
    if (!d || spec === undefined || spec === null) return d;
    let range: ReturnType<typeof parseVersionRange>;
    try {
      range = parseVersionRange(spec);
    } catch (e) {
      if (e instanceof InvalidVersionSpecError) throw new PluginVersionError(e.message);
      throw e;
    }
    const candidates = this.all.filter((c) => c.className === d.className && (types as readonly PluginType[]).includes(c.type));
    const match = candidates.filter((c) => range.matches(c.version)).sort((a, b) => compareVersions(b.version, a.version))[0];
    if (!match) throw new PluginVersionError(versionNotFoundMessage(d.className, range, this.versionsOf(d.className)));
    return match as PluginDescriptor<T>;
  }

  /** Every installed version of a class, once per registration (Java lists a class that is both a converter and a header converter twice). */
  versionsOf(className: string): string[] {
    return this.all.filter((d) => d.className === className).map((d) => d.version);
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
    // Each installed version once (KIP-891), ordered by class, then version.
    for (const d of this.all) if (!types || types.includes(d.type)) unique.set(`${d.type}:${d.className}:${d.version}`, d);
    return [...unique.values()].sort((a, b) => a.className.localeCompare(b.className) || compareVersions(a.version, b.version));
  }
}
