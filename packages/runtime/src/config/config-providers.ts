/**
 * Config providers (Java's `org.apache.kafka.common.config.provider.*` and ConfigTransformer): worker keys
 * `config.providers=<alias>,...`, `config.providers.<alias>.class` and `config.providers.<alias>.param.*`, and
 * placeholders `${alias:path:key}` (or `${alias:key}`) in connector and worker configs.
 *
 * The herder stores and shows connector configs raw; the worker resolves them each time a connector or task
 * starts ({@link ConfigTransformer.transform} in `strict` mode), so a restart re-reads the file. Task configs the
 * connector generated from resolved values are stored raw again with {@link reverseTransform}, as Java does.
 *
 * @example
 * ```properties
 * config.providers=file
 * config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
 * config.providers.file.param.allowed.paths=/etc/kconnect/secrets
 * # connector: "connection.password": "${file:/etc/kconnect/secrets/db.properties:password}"
 * ```
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@kconnect/api';
import { parseProperties, withPrefix } from './properties';

/** Java's ConfigTransformer.DEFAULT_PATTERN: `${provider:[path:]key}`. */
const PLACEHOLDER = /\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}/g;

/** What a provider found at a path: the requested keys it has, or why it refused to look. */
export interface ConfigData {
  data: Map<string, string>;
  /** Set when the provider refused the path (e.g. outside `allowed.paths`); `data` is then empty. */
  refused?: string;
}

/** A source of config values (Java's ConfigProvider). `get` throws a ConfigError when the path cannot be read. */
export interface ConfigProvider {
  get(path: string, keys: ReadonlySet<string>): ConfigData;
}

/** Java's AllowedPaths: `allowed.paths` entries must be absolute and exist; unset allows every path. */
class AllowedPaths {
  private readonly roots: string[] | null;

  constructor(value: string | undefined, alias: string) {
    if (value === undefined || value.trim() === '') {
      this.roots = null;
      return;
    }
    this.roots = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((p) => {
        const key = `config.providers.${alias}.param.allowed.paths`;
        if (!path.isAbsolute(p)) throw new ConfigError(`Invalid value ${p} for configuration ${key}: Path ${p} is not absolute`, { name: key });
        const n = path.normalize(p);
        try {
          // Both spellings: a placeholder's path is compared by its real path when it exists, else as written.
          return [n, realpathSync(n)];
        } catch {
          throw new ConfigError(`Invalid value ${p} for configuration ${key}: Path ${n} does not exist`, { name: key });
        }
      });
  }

  /**
   * The path to read, or null when it lies outside the allowed roots. Unlike Java (which only normalizes), the
   * check also applies to the path with symbolic links resolved, so a link inside an allowed folder cannot lead
   * out of it.
   */
  check(p: string): string | null {
    if (!this.roots) return path.resolve(p);
    if (!path.isAbsolute(p)) return null;
    const n = path.normalize(p);
    let real: string | null = null;
    try {
      real = realpathSync(n);
    } catch {
      // Does not exist (yet): the read reports that.
    }
    const inside = (q: string) => this.roots!.some((r) => q === r || q.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    return inside(real ?? n) ? n : null;
  }
}

/** Java's FileConfigProvider: the path is a `.properties` file; keys are its properties. Read on every call. */
export class FileConfigProvider implements ConfigProvider {
  private readonly allowed: AllowedPaths;
  constructor(params: Record<string, string>, alias = 'file') {
    this.allowed = new AllowedPaths(params['allowed.paths'], alias);
  }
  get(p: string, keys: ReadonlySet<string>): ConfigData {
    const data = new Map<string, string>();
    if (!p) return { data };
    const file = this.allowed.check(p);
    if (!file) return { data, refused: `the path ${p} is not allowed by allowed.paths` };
    let props: Record<string, string>;
    try {
      props = parseProperties(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`Could not read properties from file ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    for (const k of keys) if (Object.hasOwn(props, k)) data.set(k, props[k]!);
    return { data };
  }
}

/** Java's DirectoryConfigProvider: the path is a folder; keys are the names of its regular files, values their content. */
export class DirectoryConfigProvider implements ConfigProvider {
  private readonly allowed: AllowedPaths;
  constructor(params: Record<string, string>, alias = 'dir') {
    this.allowed = new AllowedPaths(params['allowed.paths'], alias);
  }
  get(p: string, keys: ReadonlySet<string>): ConfigData {
    const data = new Map<string, string>();
    if (!p) return { data };
    const dir = this.allowed.check(p);
    if (!dir) return { data, refused: `the path ${p} is not allowed by allowed.paths` };
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) return { data, refused: `the path ${p} is not a directory` };
      names = readdirSync(dir);
    } catch (e) {
      throw new ConfigError(`Could not list directory ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    for (const name of names) {
      if (!keys.has(name)) continue;
      const f = path.join(dir, name);
      try {
        // Java reads regular files only (symbolic links to regular files count, as Files.isRegularFile follows them).
        if (!statSync(f).isFile()) continue;
        // A link inside the folder must not lead outside allowed.paths either.
        if (!this.allowed.check(f)) continue;
        data.set(name, readFileSync(f, 'utf8'));
      } catch (e) {
        throw new ConfigError(`Could not read file ${f} for property ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
    }
    return { data };
  }
}

/**
 * Java's EnvVarConfigProvider: keys are environment variable names matching `allowlist.pattern` (a whole-name
 * regular expression, default `.*`); the path must be empty (`${env:NAME}`).
 */
export class EnvVarConfigProvider implements ConfigProvider {
  private readonly pattern: RegExp;
  constructor(
    params: Record<string, string>,
    alias = 'env',
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const key = `config.providers.${alias}.param.allowlist.pattern`;
    try {
      this.pattern = new RegExp(`^(?:${params['allowlist.pattern'] ?? '.*'})$`);
    } catch (e) {
      throw new ConfigError(`Invalid value ${params['allowlist.pattern']} for configuration ${key}: ${(e as Error).message}`, { name: key });
    }
  }
  get(p: string, keys: ReadonlySet<string>): ConfigData {
    if (p) throw new ConfigError(`Path is not supported for EnvVarConfigProvider, invalid value '${p}'`);
    const data = new Map<string, string>();
    for (const k of keys) {
      const v = this.env[k];
      if (v !== undefined && this.pattern.test(k)) data.set(k, v);
    }
    return { data };
  }
}

type ProviderFactory = (params: Record<string, string>, alias: string) => ConfigProvider;

const PACKAGE = 'org.apache.kafka.common.config.provider.';
const FACTORIES: Record<string, ProviderFactory> = {
  FileConfigProvider: (p, a) => new FileConfigProvider(p, a),
  DirectoryConfigProvider: (p, a) => new DirectoryConfigProvider(p, a),
  EnvVarConfigProvider: (p, a) => new EnvVarConfigProvider(p, a),
};

/** The provider classes this runtime has, by Java class name. */
export const CONFIG_PROVIDER_CLASSES: readonly string[] = Object.keys(FACTORIES).map((n) => PACKAGE + n);

/**
 * Instantiates the providers a config names in `config.providers` (Java's `instantiateConfigProviders`). The class
 * is the Java class name or its simple name. Throws a ConfigError for a missing or unknown class or bad params.
 */
export function createConfigProviders(props: Record<string, string>): Map<string, ConfigProvider> {
  const providers = new Map<string, ConfigProvider>();
  const aliases = (props['config.providers'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const alias of aliases) {
    const key = `config.providers.${alias}.class`;
    const cls = props[key]?.trim();
    if (!cls) throw new ConfigError(`Missing required configuration "${key}" for config provider ${alias} listed in config.providers`, { name: key });
    const simple = cls.startsWith(PACKAGE) ? cls.slice(PACKAGE.length) : cls;
    const factory = Object.hasOwn(FACTORIES, simple) ? FACTORIES[simple] : undefined;
    if (!factory)
      throw new ConfigError(
        `Invalid value ${cls} for configuration ${key}: Class ${cls} could not be found. Available: ${CONFIG_PROVIDER_CLASSES.join(', ')}`,
        {
          name: key,
        },
      );
    providers.set(alias, factory(withPrefix(props, `config.providers.${alias}.param.`), alias));
  }
  return providers;
}

/** One `${provider:path:key}` occurrence. */
export interface Placeholder {
  text: string;
  provider: string;
  path: string;
  key: string;
}

/** The placeholders in a value, in order (Java's ConfigTransformer pattern). */
export function placeholders(value: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of value.matchAll(PLACEHOLDER)) out.push({ text: m[0], provider: m[1]!, path: m[3] ?? '', key: m[4]! });
  return out;
}

/** Whether a value has a placeholder (any provider alias, configured or not). */
export function hasPlaceholder(value: string | undefined | null): boolean {
  return typeof value === 'string' && value.includes('${') && placeholders(value).length > 0;
}

/** A placeholder that could not be resolved, named without its value: the connector's FAILED trace shows it. */
export class ConfigResolutionError extends ConfigError {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Failed to resolve a config provider placeholder: ${problems[0]}`
        : `Failed to resolve ${problems.length} config provider placeholders:\n${problems.join('\n')}`,
    );
    this.name = 'ConfigResolutionError';
  }
}

export interface TransformOptions {
  /**
   * What happens to a placeholder of a configured provider that cannot be resolved (its key is missing, its path
   * refused or unreadable):
   * - `strict` (a connector or task starting): a {@link ConfigResolutionError} lists every such placeholder;
   * - `java` (worker configs, as Java's ConfigTransformer): it stays as written, but a path that cannot be read
   *   throws the provider's ConfigError;
   * - `lenient` (validation): it stays as written, whatever the reason; the connector fails when it starts.
   */
  mode: 'strict' | 'java' | 'lenient';
  /** What the config is, for messages (e.g. "connector config"). */
  what?: string;
}

/** Resolves placeholders with a set of providers (Java's ConfigTransformer). */
export class ConfigTransformer {
  constructor(readonly providers: ReadonlyMap<string, ConfigProvider>) {}

  /** A copy of `config` with placeholders replaced; `config` itself is never changed. */
  transform(config: Readonly<Record<string, string>>, options: TransformOptions): Record<string, string> {
    if (this.providers.size === 0) return { ...config };
    // Which keys each provider is asked for, per path: one read per path, as Java.
    const wanted = new Map<string, Map<string, Set<string>>>();
    const found = new Map<string, Placeholder[]>();
    for (const [k, v] of Object.entries(config)) {
      if (typeof v !== 'string' || !v.includes('${')) continue;
      const ps = placeholders(v).filter((p) => this.providers.has(p.provider));
      if (!ps.length) continue;
      found.set(k, ps);
      for (const p of ps) {
        let byPath = wanted.get(p.provider);
        if (!byPath) wanted.set(p.provider, (byPath = new Map()));
        let keys = byPath.get(p.path);
        if (!keys) byPath.set(p.path, (keys = new Set()));
        keys.add(p.key);
      }
    }
    if (!found.size) return { ...config };
    const lookups = new Map<string, ConfigData | Error>();
    for (const [provider, byPath] of wanted) {
      for (const [p, keys] of byPath) {
        let result: ConfigData | Error;
        try {
          result = this.providers.get(provider)!.get(p, keys);
        } catch (e) {
          if (options.mode === 'java') throw e;
          result = e as Error;
        }
        lookups.set(`${provider}\u0000${p}`, result);
      }
    }
    const problems: string[] = [];
    const out = { ...config };
    const what = options.what ?? 'config';
    for (const k of found.keys()) {
      // One pass over the value as Java's ConfigTransformer.replace: each placeholder of a configured provider is
      // replaced by its value, or kept as it is when there is none.
      out[k] = config[k]!.replace(PLACEHOLDER, (text, provider: string, _g: string | undefined, p: string | undefined, key: string) => {
        if (!this.providers.has(provider)) return text;
        const r = lookups.get(`${provider}\u0000${p ?? ''}`)!;
        const v = r instanceof Error ? undefined : r.data.get(key);
        if (v !== undefined) return v;
        const why = r instanceof Error ? r.message : (r.refused ?? `the key '${key}' was not found${p ? ` in ${p}` : ''} by provider '${provider}'`);
        problems.push(`${text} in ${what} key '${k}': ${why}`);
        return text;
      });
    }
    if (options.mode === 'strict' && problems.length) throw new ConfigResolutionError(problems);
    return out;
  }
}

/**
 * Java's AbstractHerder.reverseTransform: in task configs a connector generated from its resolved config, the
 * keys whose raw connector value has a placeholder get that raw value back, so stored and shown task configs
 * hold the placeholder and the task resolves it when it starts.
 */
export function reverseTransform(
  rawConnectorConfig: Readonly<Record<string, string>>,
  taskConfigs: Array<Record<string, string>>,
): Array<Record<string, string>> {
  const withVars = Object.keys(rawConnectorConfig).filter((k) => hasPlaceholder(rawConnectorConfig[k]));
  return taskConfigs.map((t) => {
    const out = { ...t };
    for (const k of withVars) if (Object.hasOwn(out, k)) out[k] = rawConnectorConfig[k]!;
    return out;
  });
}
