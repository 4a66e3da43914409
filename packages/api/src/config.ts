/**
 * ConfigDef: one definition of a plugin's configuration that drives parsing and validation at run time, the
 * `/config/validate` and `/connector-plugins/{p}/config` REST responses, generated docs, and the TypeScript type
 * of the parsed config. Types, importance, widths, messages and string forms follow Java's `ConfigDef`, so tools
 * written against the Java worker read the same metadata.
 *
 * @example
 * const CONFIG = new ConfigDef()
 *   .define({ name: 'file', type: ConfigType.STRING, default: null, importance: Importance.HIGH,
 *             documentation: 'Source filename. If not specified, the standard input will be used' })
 *   .define({ name: 'batch.size', type: ConfigType.INT, default: 2000, importance: Importance.LOW,
 *             documentation: 'Lines per poll', validator: Validators.atLeast(1) });
 * const parsed = CONFIG.parse(props); // { file: string | null; 'batch.size': number }
 */
import { ConfigError } from './errors';

export enum ConfigType {
  BOOLEAN = 'BOOLEAN',
  STRING = 'STRING',
  INT = 'INT',
  SHORT = 'SHORT',
  LONG = 'LONG',
  DOUBLE = 'DOUBLE',
  LIST = 'LIST',
  CLASS = 'CLASS',
  PASSWORD = 'PASSWORD',
}
export enum Importance {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
export enum Width {
  NONE = 'NONE',
  SHORT = 'SHORT',
  MEDIUM = 'MEDIUM',
  LONG = 'LONG',
}

/** A secret value: prints as `[hidden]` in logs, JSON and REST responses. Read it with {@link Password.value}. */
export class Password {
  static readonly HIDDEN = '[hidden]';
  constructor(readonly value: string) {}
  toString(): string {
    return Password.HIDDEN;
  }
  toJSON(): string {
    return Password.HIDDEN;
  }
}

type ValueOf<T extends ConfigType> = T extends ConfigType.BOOLEAN
  ? boolean
  : T extends ConfigType.INT | ConfigType.SHORT | ConfigType.LONG | ConfigType.DOUBLE
    ? number
    : T extends ConfigType.LIST
      ? string[]
      : T extends ConfigType.PASSWORD
        ? Password
        : string;

/** A validator throws a {@link ConfigError} (message without the key) when a parsed value is not acceptable. */
export interface Validator {
  (name: string, value: unknown): void;
  /** Shown in docs, e.g. `[1,...]` or `[none, all]`. */
  readonly description?: string;
}

/** The definition of one config key. */
export interface ConfigKeyDef<N extends string = string, T extends ConfigType = ConfigType, D = unknown> {
  name: N;
  type: T;
  /** Omit to make the key required (Java's `NO_DEFAULT_VALUE`). */
  default?: D;
  importance: Importance;
  documentation: string;
  validator?: Validator;
  group?: string;
  orderInGroup?: number;
  width?: Width;
  displayName?: string;
  dependents?: string[];
  /** Values suggested by `/config/validate` (Java's recommender, static form). */
  recommendedValues?: string[];
  /** Not shown in validate responses when false (Java's `visible`). */
  internal?: boolean;
  /**
   * The value is a secret although the type is not PASSWORD (e.g. a LIST of tokens): the worker's REST answers
   * show it as `[hidden]`, as they show PASSWORD values (docs/security.md).
   */
  sensitive?: boolean;
}

/** A resolved config key, with its default parsed to the key's type. */
export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly importance: Importance;
  readonly documentation: string;
  readonly validator: Validator | undefined;
  readonly group: string | null;
  readonly orderInGroup: number;
  readonly width: Width;
  readonly displayName: string;
  readonly dependents: readonly string[];
  readonly recommendedValues: readonly string[];
  /** See {@link ConfigKeyDef.sensitive}. */
  readonly sensitive?: boolean;
}

/** Connect's ConfigKeyInfo (REST entity) for one key. */
export interface ConfigKeyInfo {
  name: string;
  type: ConfigType;
  required: boolean;
  default_value: string | null;
  importance: Importance;
  documentation: string;
  group: string | null;
  order: number;
  width: Width;
  display_name: string;
  dependents: string[];
}

/** The validation result of one key (Java's `ConfigValue`). */
export interface ConfigValue {
  name: string;
  value: unknown;
  recommendedValues: string[];
  errors: string[];
  visible: boolean;
}

type Parsed<N extends string, T extends ConfigType, D> = {
  [K in N]: [D] extends [undefined] ? ValueOf<T> : null extends D ? ValueOf<T> | null : ValueOf<T>;
};

/** A set of config key definitions. Immutable: {@link define} returns a new ConfigDef. */
export class ConfigDef<P extends Record<string, unknown> = Record<string, unknown>> {
  private readonly keys: ReadonlyMap<string, ConfigKey>;
  private readonly sensitivePatterns: readonly RegExp[];

  /** `sensitivePatterns`: see {@link sensitive}. */
  constructor(keys: Iterable<ConfigKey> = [], sensitivePatterns: readonly RegExp[] = []) {
    this.keys = new Map([...keys].map((k) => [k.name, k]));
    this.sensitivePatterns = sensitivePatterns;
  }

  /** Adds a key; a key of the same name is replaced. */
  define<N extends string, T extends ConfigType, D = undefined>(def: ConfigKeyDef<N, T, D>): ConfigDef<P & Parsed<N, T, D>> {
    const hasDefault = 'default' in def && def.default !== undefined;
    const key: ConfigKey = {
      name: def.name,
      type: def.type,
      hasDefault,
      defaultValue: hasDefault ? (def.default === null ? null : parseType(def.name, def.default, def.type)) : undefined,
      importance: def.importance,
      documentation: def.documentation,
      validator: def.validator,
      group: def.group ?? null,
      orderInGroup: def.orderInGroup ?? -1,
      width: def.width ?? Width.NONE,
      displayName: def.displayName ?? def.name,
      dependents: def.dependents ?? [],
      recommendedValues: def.recommendedValues ?? [],
      ...(def.sensitive ? { sensitive: true } : {}),
    };
    const next = new Map(this.keys);
    next.set(key.name, key);
    return new ConfigDef(next.values(), this.sensitivePatterns);
  }

  /** A ConfigDef with the keys of both (keys of `other` win). */
  merge<Q extends Record<string, unknown>>(other: ConfigDef<Q>): ConfigDef<P & Q> {
    return new ConfigDef([...this.keys.values(), ...other.configKeys()], [...this.sensitivePatterns, ...other.sensitivePatterns]);
  }

  /**
   * Declares secrets among keys that are not defined here, by pattern: keys whose names are made at run time (e.g.
   * `http.poll.endpoint.<name>.auth.password`). The worker's REST answers show their values as `[hidden]`.
   */
  sensitive(...patterns: RegExp[]): ConfigDef<P> {
    return new ConfigDef(this.keys.values(), [...this.sensitivePatterns, ...patterns]);
  }

  /** True when `name` holds a secret: a PASSWORD key, a key defined `sensitive`, or a name a {@link sensitive} pattern matches. */
  isSecret(name: string): boolean {
    const k = this.keys.get(name);
    if (k && (k.type === ConfigType.PASSWORD || k.sensitive === true)) return true;
    return this.sensitivePatterns.some((p) => p.test(name));
  }

  configKeys(): ConfigKey[] {
    return [...this.keys.values()];
  }

  key(name: string): ConfigKey | undefined {
    return this.keys.get(name);
  }

  /** Group names in order of first appearance (Java's `ConfigDef.groups()`). */
  groups(): string[] {
    const groups: string[] = [];
    for (const k of this.keys.values()) if (k.group && !groups.includes(k.group)) groups.push(k.group);
    return groups;
  }

  /**
   * Parses and validates raw (string) properties into typed values, applying defaults. Keys not defined here are
   * ignored. Throws one {@link ConfigError} listing every problem.
   */
  parse(props: Record<string, unknown>): P {
    const out: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const k of this.keys.values()) {
      try {
        out[k.name] = this.parseKey(k, props);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new ConfigError(errors.join('\n'));
    return out as P;
  }

  /** Validates every key, returning one result per key with its errors (Java's `ConfigDef.validate`). */
  validate(props: Record<string, unknown>): ConfigValue[] {
    return [...this.keys.values()].map((k) => {
      const cv: ConfigValue = { name: k.name, value: props[k.name] ?? null, recommendedValues: [...k.recommendedValues], errors: [], visible: true };
      try {
        cv.value = this.parseKey(k, props);
      } catch (e) {
        cv.errors.push((e as Error).message);
        const raw = props[k.name];
        if (raw !== undefined && raw !== null && k.validator && !parses(k, raw)) {
          // As Java's ConfigDef.validate: a value that does not parse is null, and the validator sees that null
          // too (`tasks.max=abc`: "Not a number of type INT" and "Value must be non-null").
          cv.value = null;
          try {
            k.validator(k.name, null);
          } catch (v) {
            cv.errors.push((v as Error).message);
          }
        }
      }
      return cv;
    });
  }

  private parseKey(k: ConfigKey, props: Record<string, unknown>): unknown {
    const raw = props[k.name];
    let value: unknown;
    if (raw !== undefined && raw !== null) value = parseType(k.name, raw, k.type);
    else if (!k.hasDefault) throw new ConfigError(`Missing required configuration "${k.name}" which has no default value.`, { name: k.name });
    else value = k.defaultValue;
    if (k.validator && (value !== null || raw !== undefined)) k.validator(k.name, value);
    return value;
  }

  /** Connect's ConfigKeyInfo for every key, in definition order. */
  toConfigKeyInfos(): ConfigKeyInfo[] {
    return [...this.keys.values()].map(toConfigKeyInfo);
  }
}

/** Whether a value parses as the key's type (a validator may still refuse it). */
function parses(k: ConfigKey, raw: unknown): boolean {
  try {
    parseType(k.name, raw, k.type);
    return true;
  } catch {
    return false;
  }
}

/** Connect's ConfigKeyInfo REST entity of a key. */
export function toConfigKeyInfo(k: ConfigKey): ConfigKeyInfo {
  return {
    name: k.name,
    type: k.type,
    required: !k.hasDefault,
    default_value: k.hasDefault ? convertToString(k.defaultValue, k.type) : null,
    importance: k.importance,
    documentation: k.documentation,
    group: k.group,
    order: k.orderInGroup,
    width: k.width,
    display_name: k.displayName,
    dependents: [...k.dependents],
  };
}

/** Java's `ConfigDef.convertToString`: the string form of a parsed value (lists comma-joined, secrets hidden). */
export function convertToString(value: unknown, type: ConfigType): string | null {
  if (value === null || value === undefined) return null;
  if (type === ConfigType.LIST && Array.isArray(value)) return value.join(',');
  if (value instanceof Password || type === ConfigType.PASSWORD) return Password.HIDDEN;
  return String(value);
}

const INT_RANGES: Partial<Record<ConfigType, [number, number, string]>> = {
  [ConfigType.INT]: [-2147483648, 2147483647, '32-bit integer'],
  [ConfigType.SHORT]: [-32768, 32767, '16-bit integer'],
  [ConfigType.LONG]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, '64-bit integer'],
};

/** Parses one raw value to a config type, with Java's error messages. */
export function parseType(name: string, value: unknown, type: ConfigType): unknown {
  const invalid = (why: string): never => {
    throw new ConfigError(`Invalid value ${String(value)} for configuration ${name}: ${why}`, { name });
  };
  const str = typeof value === 'string' ? value.trim() : undefined;
  switch (type) {
    case ConfigType.BOOLEAN:
      if (typeof value === 'boolean') return value;
      if (str !== undefined && /^(true|false)$/i.test(str)) return str.toLowerCase() === 'true';
      return invalid('Expected value to be either true or false');
    case ConfigType.STRING:
    case ConfigType.CLASS:
      if (typeof value === 'string') return type === ConfigType.CLASS ? value.trim() : value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return invalid('Expected value to be a string');
    case ConfigType.PASSWORD:
      if (value instanceof Password) return value;
      if (typeof value === 'string') return new Password(value);
      return invalid('Expected value to be a string, but it was a ' + typeof value);
    case ConfigType.INT:
    case ConfigType.SHORT:
    case ConfigType.LONG: {
      const [min, max, what] = INT_RANGES[type]!;
      const n = typeof value === 'number' ? value : str !== undefined && /^[-+]?\d+$/.test(str) ? Number(str) : Number.NaN;
      if (!Number.isInteger(n)) return invalid(`Not a number of type ${type}`);
      if (n < min || n > max) return invalid(`Expected value to be a ${what}`);
      return n;
    }
    case ConfigType.DOUBLE: {
      const n = typeof value === 'number' ? value : str !== undefined && str !== '' ? Number(str) : Number.NaN;
      if (Number.isNaN(n)) return invalid('Not a number of type DOUBLE');
      return n;
    }
    case ConfigType.LIST:
      if (Array.isArray(value)) return value.map(String);
      if (typeof value === 'string') return str === '' ? [] : value.split(/\s*,\s*/).map((s) => s.trim());
      return invalid('Expected a comma separated list.');
  }
}

function withDescription(fn: (name: string, value: unknown) => void, description: string): Validator {
  return Object.assign(fn, { description });
}

/** Common validators, with Java's messages. */
export const Validators = {
  atLeast(min: number): Validator {
    return withDescription((name, v) => {
      if (v === null) throw new ConfigError(`Invalid value null for configuration ${name}: Value must be non-null`, { name });
      if ((v as number) < min) throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be at least ${min}`, { name });
    }, `[${min},...]`);
  },
  between(min: number, max: number): Validator {
    return withDescription((name, v) => {
      if (v === null) throw new ConfigError(`Invalid value null for configuration ${name}: Value must be non-null`, { name });
      const n = v as number;
      const why = n < min ? `Value must be at least ${min}` : n > max ? `Value must be no more than ${max}` : undefined;
      if (why) throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: ${why}`, { name });
    }, `[${min},...,${max}]`);
  },
  /** One of the given strings; `caseInsensitive` as Java's `CaseInsensitiveValidString`. */
  in(values: readonly string[], caseInsensitive = false): Validator {
    const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
    const set = new Set(values.map(norm));
    return withDescription(
      (name, v) => {
        if (v === null || v === undefined) return;
        if (!set.has(norm(String(v))))
          throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: String must be one of: ${values.join(', ')}`, { name });
      },
      `[${values.join(', ')}]`,
    );
  },
  nonEmptyString(): Validator {
    return withDescription((name, v) => {
      if (typeof v !== 'string' || v.trim() === '')
        throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: String must be non-empty`, { name });
    }, 'non-empty string');
  },
  /** Every list element satisfies `element`. */
  list(element: Validator): Validator {
    return withDescription(
      (name, v) => {
        if (Array.isArray(v)) for (const e of v) element(name, e);
      },
      `list of ${element.description ?? 'values'}`,
    );
  },
  /** A custom check: `test` returns an error message (without the key) or undefined when fine. */
  of(test: (value: unknown) => string | undefined, description?: string): Validator {
    return withDescription((name, v) => {
      const why = test(v);
      if (why) throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: ${why}`, { name });
    }, description ?? '');
  },
};
