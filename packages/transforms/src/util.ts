/**
 * Helpers every transformation shares (Java's `transforms.util` package): the `Requirements` checks with Java's
 * messages, schemaless map access for `Map`s and plain objects alike, `copySchemaBasics`, a per-instance cache of
 * derived schemas, the Key/Value plumbing and the config validators with Java's messages.
 */
import {
  ConfigError,
  type ConnectRecord,
  DataError,
  doubleKeys,
  markDouble,
  type Schema,
  SchemaBuilder,
  SchemaType,
  type SinkRecord,
  Struct,
  type Validator,
} from '@kconnect/api';

// ------------------------------------------------------------------------------------------------ Java class names

/**
 * The Java class Connect would hold for a value (for error messages as Java prints them): whole numbers are
 * `Long`s and others `Double`s, as Java's JsonConverter reads them without a schema.
 */
export function javaClassName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'bigint':
      return 'java.lang.Long';
    case 'number':
      return Number.isInteger(value) ? 'java.lang.Long' : 'java.lang.Double';
  }
  if (value instanceof Struct) return 'org.apache.kafka.connect.data.Struct';
  if (value instanceof Uint8Array) return '[B';
  if (value instanceof Date) return 'java.util.Date';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  if (value instanceof Map || isPlainObject(value)) return 'java.util.HashMap';
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'java.lang.Object';
}

/** `value.getClass()` as Java prints it in messages: `class java.lang.String`. */
export function javaClass(value: unknown): string {
  const name = javaClassName(value);
  return name === '[B' ? 'class [B' : `class ${name}`;
}

// ------------------------------------------------------------------------------------------------ Requirements

/** A schemaless map: a `Map` (any keys) or a plain object (string keys), as converters produce them. */
export type SchemalessMap = Map<unknown, unknown> | Record<string, unknown>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isMap(v: unknown): v is SchemalessMap {
  return v instanceof Map || isPlainObject(v);
}

export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (schema === null || schema === undefined) throw new DataError(`Schema required for [${purpose}]`);
  return schema;
}

export function requireMap(value: unknown, purpose: string): SchemalessMap {
  if (!isMap(value)) throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${javaClassName(value)}`);
  return value;
}

export function requireMapOrNull(value: unknown, purpose: string): SchemalessMap | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

export function requireStruct(value: unknown, purpose: string): Struct {
  if (!(value instanceof Struct)) throw new DataError(`Only Struct objects supported for [${purpose}], found: ${javaClassName(value)}`);
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

/** A sink record (it has a Kafka offset), else Java's DataException. */
export function requireSinkRecord(record: ConnectRecord, purpose: string): SinkRecord {
  if (typeof (record as Partial<SinkRecord>).kafkaOffset !== 'number') {
    throw new DataError(`Only SinkRecord supported for [${purpose}], found: org.apache.kafka.connect.source.SourceRecord`);
  }
  return record as SinkRecord;
}

// ------------------------------------------------------------------------------------------------ schemaless maps

export function mapGet(m: SchemalessMap, key: string): unknown {
  const v = m instanceof Map ? m.get(key) : Object.hasOwn(m, key) ? m[key] : undefined;
  return v === undefined ? null : v;
}

export function mapHas(m: SchemalessMap, key: string): boolean {
  return m instanceof Map ? m.has(key) : Object.hasOwn(m, key);
}

/** A shallow copy of a map of the same kind, keeping the Java `Double` marks of a plain object's values. */
export function mapCopy<M extends SchemalessMap>(m: M): M {
  if (m instanceof Map) return new Map(m) as M;
  const out = { ...m };
  const marks = doubleKeys(m);
  if (marks) for (const k of marks) markDouble(out, k);
  return out as M;
}

/** An empty map of the same kind as `like` (a plain object when `like` is one, or absent). */
export function mapEmpty(like?: SchemalessMap): SchemalessMap {
  return like instanceof Map ? new Map() : {};
}

export function mapSet(m: SchemalessMap, key: string, value: unknown): void {
  if (m instanceof Map) m.set(key, value);
  else m[key] = value;
}

export function mapDelete(m: SchemalessMap, key: string): void {
  if (m instanceof Map) m.delete(key);
  else delete m[key];
}

/** Entries with string keys (a `Map`'s keys as they are). */
export function mapEntries(m: SchemalessMap): Iterable<[string, unknown]> {
  return m instanceof Map ? (m as Map<string, unknown>).entries() : Object.entries(m);
}

/** Whether `m[key]` of a plain object was marked as a Java `Double` (see `markDouble`). */
export function isMarkedDouble(m: SchemalessMap, key: string): boolean {
  return !(m instanceof Map) && doubleKeys(m)?.has(key) === true;
}

/** Sets `dst[key]` and carries the Java `Double` mark over when the value is a whole number that was one. */
export function mapSetLike(dst: SchemalessMap, key: string, value: unknown, wasDouble: boolean): void {
  mapSet(dst, key, value);
  if (wasDouble && !(dst instanceof Map) && typeof value === 'number') markDouble(dst, key);
}

// ------------------------------------------------------------------------------------------------ schemas and structs

/** Java's `SchemaUtil.copySchemaBasics`: name, version, doc and parameters onto `builder` (default: same type). */
export function copySchemaBasics(source: Schema, builder?: SchemaBuilder): SchemaBuilder {
  const b =
    builder ??
    (source.type === SchemaType.ARRAY
      ? SchemaBuilder.array(source.valueSchema!)
      : source.type === SchemaType.MAP
        ? SchemaBuilder.map(source.keySchema!, source.valueSchema!)
        : SchemaBuilder.type(source.type));
  if (source.name !== undefined) b.name(source.name);
  if (source.version !== undefined) b.version(source.version);
  if (source.doc !== undefined) b.doc(source.doc);
  if (source.parameters) b.parameters(source.parameters);
  return b;
}

/**
 * A struct field's value: with `withDefault`, the field schema's default when the value is null or unset (Java's
 * `Struct.get`), else the value as put (Java's `getWithoutDefault`, KIP-1040 `replace.null.with.default=false`).
 */
export function fieldValue(struct: Struct, name: string, withDefault: boolean): unknown {
  const v = struct.getWithoutDefault(name);
  if (v !== undefined && v !== null) return v;
  if (withDefault) {
    const d = struct.schema.field(name)?.schema.defaultValue;
    if (d !== undefined && d !== null) return d;
  }
  return null;
}

/**
 * The schemas a transformation derived, by input schema (Java's `SynchronizedCache<Schema, Schema>`): weakly held
 * and by identity — converters hand out the same schema object for the same schema, so one lookup per record.
 */
export class SchemaCache {
  private readonly map = new WeakMap<Schema, Schema>();
  getOrBuild(schema: Schema, build: (s: Schema) => Schema): Schema {
    let out = this.map.get(schema);
    if (out === undefined) {
      out = build(schema);
      this.map.set(schema, out);
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------ Key / Value

/** Which part of a record a `$Key` or `$Value` transformation works on. */
export type Side = 'key' | 'value';

export function operatingSchema(record: ConnectRecord, side: Side): Schema | null {
  return side === 'key' ? record.keySchema : record.valueSchema;
}

export function operatingValue(record: ConnectRecord, side: Side): unknown {
  const v = side === 'key' ? record.key : record.value;
  return v === undefined ? null : v;
}

/**
 * Java's `record.newRecord(...)` with the key or the value (and its schema) replaced: every other field (topic,
 * partition, timestamp, headers, and a sink or source record's own fields) as they were.
 */
export function withOperating<R extends ConnectRecord>(record: R, side: Side, schema: Schema | null, value: unknown): R {
  return side === 'key' ? { ...record, keySchema: schema, key: value } : { ...record, valueSchema: schema, value };
}

// ------------------------------------------------------------------------------------------------ config

/** A value as Java's `ConfigException` prints it: lists as `[a, b]`. */
export function javaConfigValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

/** Java's `new ConfigException(name, value, message)`. */
export function configException(name: string, value: unknown, message: string): ConfigError {
  return new ConfigError(`Invalid value ${javaConfigValue(value)} for configuration ${name}: ${message}`, { name });
}

function validator(fn: (name: string, value: unknown) => void, description: string): Validator {
  return Object.assign(fn, { description });
}

/** Java's `NonEmptyListValidator`. */
export const nonEmptyList = (): Validator =>
  validator((name, v) => {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) throw configException(name, v ?? [], 'Empty list');
  }, 'non-empty list');

/** Java's `ConfigDef.NonNullValidator`. */
export const nonNull = (): Validator =>
  validator((name, v) => {
    if (v === null || v === undefined) throw configException(name, 'null', 'entry must be non null');
  }, 'non-null string');

/** Java's `ConfigDef.NonEmptyString` (null passes). */
export const nonEmptyString = (): Validator =>
  validator((name, v) => {
    if (typeof v === 'string' && v === '') throw configException(name, v, 'String must be non-empty');
  }, 'non-empty string');

/** Java's `ConfigDef.ValidString.in`. */
export const validString = (...values: string[]): Validator =>
  validator(
    (name, v) => {
      if (!values.includes(v as string)) throw configException(name, v, `String must be one of: ${values.join(', ')}`);
    },
    `[${values.join(', ')}]`,
  );

/** Java's `ConfigDef.CaseInsensitiveValidString.in`. */
export const caseInsensitiveValidString = (...values: string[]): Validator =>
  validator(
    (name, v) => {
      const s = typeof v === 'string' ? v.toUpperCase() : v;
      if (!values.some((x) => x.toUpperCase() === s)) throw configException(name, v, `String must be one of (case insensitive): ${values.join(', ')}`);
    },
    `(case insensitive) [${values.join(', ')}]`,
  );

/** A validator that throws whatever `check` throws (Java's `LambdaValidator`). */
export const lambdaValidator = (check: (name: string, value: unknown) => void, description: string): Validator => validator(check, description);

/** Several validators in turn (Java's `CompositeValidator`). */
export const composite = (...vs: Validator[]): Validator =>
  validator(
    (name, v) => {
      for (const x of vs) x(name, v);
    },
    vs.map((x) => x.description ?? '').join(', '),
  );
