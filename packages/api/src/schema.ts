/**
 * Connect's data model: schemas, structs and the logical types Decimal, Date, Time and Timestamp, with the same
 * types, names and rules as `org.apache.kafka.connect.data` so data written by Java converters reads the same here.
 *
 * Value representation in TypeScript:
 * - INT8, INT16, INT32, FLOAT32, FLOAT64: `number`; INT64: `number` when it is a safe integer, `bigint` otherwise
 *   (both are accepted on input); BOOLEAN: `boolean`; STRING: `string`; BYTES: `Uint8Array` (a `Buffer` is one).
 * - ARRAY: an array; MAP: a `Map` (any keys) or a plain object (string keys); STRUCT: a {@link Struct}.
 * - Decimal: a `string` in plain notation (`"-12.340"`), lossless at any precision; Date, Time, Timestamp: `Date`.
 */
import { DataError } from './errors';

export enum SchemaType {
  INT8 = 'INT8',
  INT16 = 'INT16',
  INT32 = 'INT32',
  INT64 = 'INT64',
  FLOAT32 = 'FLOAT32',
  FLOAT64 = 'FLOAT64',
  BOOLEAN = 'BOOLEAN',
  STRING = 'STRING',
  BYTES = 'BYTES',
  ARRAY = 'ARRAY',
  MAP = 'MAP',
  STRUCT = 'STRUCT',
}

/** A field of a STRUCT schema. */
export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

/** An immutable schema. Build one with {@link SchemaBuilder} or use the constants on {@link Schemas}. */
export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue: unknown;
  readonly name: string | undefined;
  readonly version: number | undefined;
  readonly doc: string | undefined;
  readonly parameters: Readonly<Record<string, string>> | undefined;
  /** Key schema of a MAP. */
  readonly keySchema: Schema | undefined;
  /** Value schema of a MAP, element schema of an ARRAY. */
  readonly valueSchema: Schema | undefined;
  /** Fields of a STRUCT, in order; empty for other types. */
  readonly fields: readonly Field[];
  /** The field called `name` of a STRUCT, or undefined. */
  field(name: string): Field | undefined;
}

class ConnectSchema implements Schema {
  private readonly byName: Map<string, Field>;
  constructor(
    readonly type: SchemaType,
    readonly optional: boolean,
    readonly defaultValue: unknown,
    readonly name: string | undefined,
    readonly version: number | undefined,
    readonly doc: string | undefined,
    readonly parameters: Readonly<Record<string, string>> | undefined,
    readonly keySchema: Schema | undefined,
    readonly valueSchema: Schema | undefined,
    readonly fields: readonly Field[],
  ) {
    this.byName = new Map(fields.map((f) => [f.name, f]));
    Object.freeze(this);
  }
  field(name: string): Field | undefined {
    return this.byName.get(name);
  }
}

/**
 * Fluent builder for schemas, as in Java.
 *
 * @example
 * const reading = SchemaBuilder.struct().name('iot.Reading')
 *   .field('device', Schemas.STRING_SCHEMA)
 *   .field('temperature', Schemas.OPTIONAL_FLOAT64_SCHEMA)
 *   .build();
 */
export class SchemaBuilder {
  private _optional = false;
  private _default: unknown = undefined;
  private _name: string | undefined;
  private _version: number | undefined;
  private _doc: string | undefined;
  private _parameters: Record<string, string> | undefined;
  private readonly _fields: Field[] = [];

  constructor(
    readonly type: SchemaType,
    private readonly _keySchema?: Schema,
    private readonly _valueSchema?: Schema,
  ) {}

  static int8(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.INT8);
  }
  static int16(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.INT16);
  }
  static int32(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.INT32);
  }
  static int64(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.INT64);
  }
  static float32(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.FLOAT32);
  }
  static float64(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.FLOAT64);
  }
  static bool(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.BOOLEAN);
  }
  static string(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.STRING);
  }
  static bytes(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.BYTES);
  }
  static struct(): SchemaBuilder {
    return new SchemaBuilder(SchemaType.STRUCT);
  }
  static array(valueSchema: Schema): SchemaBuilder {
    return new SchemaBuilder(SchemaType.ARRAY, undefined, valueSchema);
  }
  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder {
    return new SchemaBuilder(SchemaType.MAP, keySchema, valueSchema);
  }
  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }

  optional(): this {
    this._optional = true;
    return this;
  }
  required(): this {
    this._optional = false;
    return this;
  }
  name(name: string): this {
    this._name = name;
    return this;
  }
  version(version: number): this {
    this._version = version;
    return this;
  }
  doc(doc: string): this {
    this._doc = doc;
    return this;
  }
  parameter(key: string, value: string): this {
    this._parameters = { ...(this._parameters ?? {}), [key]: value };
    return this;
  }
  parameters(params: Record<string, string>): this {
    this._parameters = { ...(this._parameters ?? {}), ...params };
    return this;
  }
  /** Sets the default value; it is validated against the schema being built. */
  defaultValue(value: unknown): this {
    this._default = value;
    return this;
  }
  field(name: string, schema: Schema): this {
    if (this.type !== SchemaType.STRUCT) throw new DataError('Cannot add fields to a non-struct schema');
    if (this._fields.some((f) => f.name === name)) throw new DataError(`Cannot create field because of field name duplication ${name}`);
    this._fields.push({ name, index: this._fields.length, schema });
    return this;
  }

  build(): Schema {
    const schema = new ConnectSchema(
      this.type,
      this._optional,
      this._default,
      this._name,
      this._version,
      this._doc,
      this._parameters ? Object.freeze({ ...this._parameters }) : undefined,
      this._keySchema,
      this._valueSchema,
      Object.freeze([...this._fields]),
    );
    if (this._default !== undefined && this._default !== null) validateValue(schema, this._default);
    return schema;
  }
}

const p = (t: SchemaType, optional = false): Schema => {
  const b = SchemaBuilder.type(t);
  if (optional) b.optional();
  return b.build();
};

/** The predefined primitive schemas, as Java's `Schema.*_SCHEMA` constants. */
export const Schemas = Object.freeze({
  INT8_SCHEMA: p(SchemaType.INT8),
  INT16_SCHEMA: p(SchemaType.INT16),
  INT32_SCHEMA: p(SchemaType.INT32),
  INT64_SCHEMA: p(SchemaType.INT64),
  FLOAT32_SCHEMA: p(SchemaType.FLOAT32),
  FLOAT64_SCHEMA: p(SchemaType.FLOAT64),
  BOOLEAN_SCHEMA: p(SchemaType.BOOLEAN),
  STRING_SCHEMA: p(SchemaType.STRING),
  BYTES_SCHEMA: p(SchemaType.BYTES),
  OPTIONAL_INT8_SCHEMA: p(SchemaType.INT8, true),
  OPTIONAL_INT16_SCHEMA: p(SchemaType.INT16, true),
  OPTIONAL_INT32_SCHEMA: p(SchemaType.INT32, true),
  OPTIONAL_INT64_SCHEMA: p(SchemaType.INT64, true),
  OPTIONAL_FLOAT32_SCHEMA: p(SchemaType.FLOAT32, true),
  OPTIONAL_FLOAT64_SCHEMA: p(SchemaType.FLOAT64, true),
  OPTIONAL_BOOLEAN_SCHEMA: p(SchemaType.BOOLEAN, true),
  OPTIONAL_STRING_SCHEMA: p(SchemaType.STRING, true),
  OPTIONAL_BYTES_SCHEMA: p(SchemaType.BYTES, true),
});

/** Logical type Decimal: BYTES holding the unscaled value, big-endian two's complement; parameter `scale`. */
export const Decimal = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Decimal',
  SCALE_FIELD: 'scale',
  builder(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).parameter('scale', String(scale)).version(1);
  },
  schema(scale: number): Schema {
    return Decimal.builder(scale).build();
  },
  scale(schema: Schema): number {
    const s = schema.parameters?.scale;
    if (s === undefined) throw new DataError('Invalid Decimal schema: scale parameter not found.');
    return Number.parseInt(s, 10);
  },
  /** Unscaled two's complement bytes of a decimal string, at the schema's scale (Java's `Decimal.fromLogical`). */
  fromLogical(schema: Schema, value: string): Uint8Array {
    const scale = Decimal.scale(schema);
    return bigintToTwosComplement(decimalToUnscaled(value, scale));
  },
  /** Decimal string of unscaled two's complement bytes (Java's `Decimal.toLogical`). */
  toLogical(schema: Schema, bytes: Uint8Array): string {
    return unscaledToDecimal(twosComplementToBigint(bytes), Decimal.scale(schema));
  },
});

const MS_PER_DAY = 86_400_000;

/** Logical type Date: INT32 days since the epoch; values are `Date`s at UTC midnight. */
export const DateType = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Date',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(DateType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Date').version(1).build(),
  fromLogical(value: Date): number {
    const ms = value.getTime();
    if (ms % MS_PER_DAY !== 0) throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / MS_PER_DAY;
  },
  toLogical(days: number): Date {
    return new Date(days * MS_PER_DAY);
  },
});

/** Logical type Time: INT32 milliseconds since midnight; values are `Date`s on 1970-01-01 UTC. */
export const TimeType = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Time',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(TimeType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1).build(),
  fromLogical(value: Date): number {
    const ms = value.getTime();
    if (ms < 0 || ms >= MS_PER_DAY) throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  },
  toLogical(ms: number): Date {
    return new Date(ms);
  },
});

/** Logical type Timestamp: INT64 milliseconds since the epoch; values are `Date`s. */
export const TimestampType = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Timestamp',
  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name(TimestampType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1).build(),
  fromLogical(value: Date): number {
    return value.getTime();
  },
  toLogical(ms: number | bigint): Date {
    return new Date(Number(ms));
  },
});

/** A STRUCT value: field values by name, validated against the struct schema. */
export class Struct {
  private readonly values: unknown[];
  constructor(readonly schema: Schema) {
    if (schema.type !== SchemaType.STRUCT) throw new DataError('Not a struct schema: ' + schema.type);
    this.values = new Array(schema.fields.length).fill(undefined);
  }
  /** Sets a field (validated against the field's schema) and returns this struct for chaining. */
  put(fieldName: string, value: unknown): this {
    const f = this.lookup(fieldName);
    validateValue(f.schema, value, fieldName);
    this.values[f.index] = value;
    return this;
  }
  /** The field's value, or its schema default when unset. */
  get(fieldName: string): unknown {
    const f = this.lookup(fieldName);
    const v = this.values[f.index];
    return v === undefined ? (f.schema.defaultValue ?? null) : v;
  }
  /** The value without applying defaults (undefined when never set). */
  getWithoutDefault(fieldName: string): unknown {
    return this.values[this.lookup(fieldName).index];
  }
  /** Throws a DataError when a required field has no value. */
  validate(): void {
    for (const f of this.schema.fields) {
      const v = this.values[f.index];
      if ((v === undefined || v === null) && !f.schema.optional && f.schema.defaultValue == null) {
        throw new DataError(`Invalid value: null used for required field: "${f.name}", schema type: ${f.schema.type}`);
      }
    }
  }
  private lookup(name: string): Field {
    const f = this.schema.field(name);
    if (!f) throw new DataError(`${name} is not a valid field name`);
    return f;
  }
  toString(): string {
    return `Struct{${this.schema.fields
      .filter((f) => this.values[f.index] != null)
      .map((f) => `${f.name}=${String(this.values[f.index])}`)
      .join(',')}}`;
  }
}

/**
 * Checks a value against a schema as Java's `ConnectSchema.validateValue` does, throwing a {@link DataError} that
 * names the field when it does not fit.
 */
export function validateValue(schema: Schema, value: unknown, field?: string): void {
  const where = field ? ` for field: "${field}"` : '';
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue != null) return;
    throw new DataError(`Invalid value: null used for required field${field ? `: "${field}"` : ''}, schema type: ${schema.type}`);
  }
  const bad = (): never => {
    throw new DataError(`Invalid Java object for schema with type ${schema.type}: ${describe(value)}${where}`);
  };
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      if (typeof value !== 'string' || !DECIMAL_RE.test(value)) bad();
      return;
    case DateType.LOGICAL_NAME:
    case TimeType.LOGICAL_NAME:
    case TimestampType.LOGICAL_NAME:
      if (!(value instanceof Date)) bad();
      return;
  }
  switch (schema.type) {
    case SchemaType.INT8:
    case SchemaType.INT16:
    case SchemaType.INT32:
      if (typeof value !== 'number' || !Number.isInteger(value)) bad();
      return;
    case SchemaType.INT64:
      if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) bad();
      return;
    case SchemaType.FLOAT32:
    case SchemaType.FLOAT64:
      if (typeof value !== 'number') bad();
      return;
    case SchemaType.BOOLEAN:
      if (typeof value !== 'boolean') bad();
      return;
    case SchemaType.STRING:
      if (typeof value !== 'string') bad();
      return;
    case SchemaType.BYTES:
      if (!(value instanceof Uint8Array)) bad();
      return;
    case SchemaType.ARRAY:
      if (!Array.isArray(value)) bad();
      for (const v of value as unknown[]) validateValue(schema.valueSchema!, v, field);
      return;
    case SchemaType.MAP:
      if (value instanceof Map) {
        for (const [k, v] of value) {
          validateValue(schema.keySchema!, k, field);
          validateValue(schema.valueSchema!, v, field);
        }
      } else if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          validateValue(schema.keySchema!, k, field);
          validateValue(schema.valueSchema!, v, field);
        }
      } else bad();
      return;
    case SchemaType.STRUCT:
      if (!(value instanceof Struct)) bad();
      if (!schemaEquals((value as Struct).schema, schema)) {
        throw new DataError(`Struct schemas do not match${where}`);
      }
      (value as Struct).validate();
      return;
  }
}

/** Structural equality of two schemas (Java's `ConnectSchema.equals`). */
export function schemaEquals(a: Schema | undefined | null, b: Schema | undefined | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.type !== b.type || a.optional !== b.optional || a.name !== b.name || a.version !== b.version || a.doc !== b.doc) return false;
  if (JSON.stringify(a.parameters ?? null) !== JSON.stringify(b.parameters ?? null)) return false;
  if (!schemaEquals(a.keySchema, b.keySchema) || !schemaEquals(a.valueSchema, b.valueSchema)) return false;
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => f.name === b.fields[i]!.name && schemaEquals(f.schema, b.fields[i]!.schema));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return v?.constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

const DECIMAL_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The unscaled integer of a decimal string at `scale`; throws when precision would be lost. */
export function decimalToUnscaled(value: string, scale: number): bigint {
  const m = DECIMAL_RE.exec(value.trim());
  if (!m) throw new DataError(`Invalid decimal value: ${value}`);
  let s = value.trim();
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let exp = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp = Number.parseInt(s.slice(e + 1), 10);
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  let digits = dot >= 0 ? s.slice(0, dot) + s.slice(dot + 1) : s;
  let fracLen = (dot >= 0 ? s.length - dot - 1 : 0) - exp;
  if (fracLen < scale) {
    digits += '0'.repeat(scale - fracLen);
    fracLen = scale;
  }
  if (fracLen > scale) {
    const drop = digits.slice(digits.length - (fracLen - scale));
    if (/[^0]/.test(drop)) throw new DataError(`Decimal value ${value} has more fraction digits than scale ${scale}`);
    digits = digits.slice(0, digits.length - (fracLen - scale));
  }
  const n = BigInt(digits === '' ? '0' : digits);
  return neg ? -n : n;
}

/** A plain decimal string (Java's `BigDecimal.toPlainString`) of an unscaled value and scale. */
export function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/** Minimal big-endian two's complement bytes of a bigint (Java's `BigInteger.toByteArray`). */
export function bigintToTwosComplement(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

/** The bigint of big-endian two's complement bytes (Java's `new BigInteger(bytes)`). */
export function twosComplementToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}
