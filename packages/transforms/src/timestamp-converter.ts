/**
 * TimestampConverter: a timestamp field (or the whole key or value) between Unix epoch numbers (`unix.precision`),
 * formatted strings (`format`, a SimpleDateFormat pattern in UTC) and Connect's Date, Time and Timestamp types
 * (Java's `TimestampConverter$Key` / `$Value`).
 */
import {
  ConfigDef,
  ConfigError,
  ConfigType,
  ConnectError,
  type ConnectRecord,
  DataError,
  DateType,
  Importance,
  type Schema,
  SchemaBuilder,
  Schemas,
  SchemaType,
  Struct,
  TimestampType,
  TimeType,
  type Transformation,
} from '@kconnect/api';
import { SimpleDateFormat } from './date-format';
import {
  copySchemaBasics,
  fieldValue,
  javaClass,
  mapCopy,
  mapGet,
  mapSet,
  operatingSchema,
  operatingValue,
  requireMap,
  requireStructOrNull,
  SchemaCache,
  type Side,
  validString,
  withOperating,
} from './util';

type TimestampKind = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
type Precision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

export const TIMESTAMP_CONVERTER_CONFIG = new ConfigDef()
  .define({
    name: 'field',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.HIGH,
    documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp',
  })
  .define({
    name: 'target.type',
    type: ConfigType.STRING,
    validator: validString('string', 'unix', 'Date', 'Time', 'Timestamp'),
    importance: Importance.HIGH,
    documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
  })
  .define({
    name: 'format',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string ' +
      'or used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision',
    type: ConfigType.STRING,
    default: 'milliseconds',
    validator: validString('nanoseconds', 'microseconds', 'milliseconds', 'seconds'),
    importance: Importance.LOW,
    documentation:
      'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. ' +
      'Used to generate the output when type=unix or used to parse the input if the input is a Long.' +
      'Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
  })
  .define({
    name: 'replace.null.with.default',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.MEDIUM,
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  });

const OPTIONAL_DATE = DateType.builder().optional().build();
const OPTIONAL_TIME = TimeType.builder().optional().build();
const OPTIONAL_TIMESTAMP = TimestampType.builder().optional().build();
const MS_PER_DAY = 86_400_000;

function typeSchema(kind: TimestampKind, optional: boolean): Schema {
  switch (kind) {
    case 'string':
      return optional ? Schemas.OPTIONAL_STRING_SCHEMA : Schemas.STRING_SCHEMA;
    case 'unix':
      return optional ? Schemas.OPTIONAL_INT64_SCHEMA : Schemas.INT64_SCHEMA;
    case 'Date':
      return optional ? OPTIONAL_DATE : DateType.SCHEMA;
    case 'Time':
      return optional ? OPTIONAL_TIME : TimeType.SCHEMA;
    case 'Timestamp':
      return optional ? OPTIONAL_TIMESTAMP : TimestampType.SCHEMA;
  }
}

/** Java's `Math.floorDiv`-free `TimeUnit` conversions truncate toward zero. */
function div(a: bigint, b: bigint): bigint {
  return a / b;
}

function asLong(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export class TimestampConverter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private field = '';
  private type: TimestampKind = 'Timestamp';
  private format: SimpleDateFormat | null = null;
  private precision: Precision = 'milliseconds';
  private replaceNull = true;
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return TIMESTAMP_CONVERTER_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = TIMESTAMP_CONVERTER_CONFIG.parse(configs);
    this.field = c.field;
    this.type = c['target.type'] as TimestampKind;
    this.precision = c['unix.precision'] as Precision;
    this.replaceNull = c['replace.null.with.default'];
    const pattern = c.format;
    const blank = pattern.trim() === '';
    if (this.type === 'string' && blank) throw new ConfigError('TimestampConverter requires format option to be specified when using string timestamps');
    this.format = null;
    if (!blank) {
      try {
        this.format = new SimpleDateFormat(pattern);
      } catch (e) {
        throw new ConfigError(`TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern}`, { cause: e });
      }
    }
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) {
      if (value === null || this.field === '') return withOperating(record, this.side, null, this.convert(value, null));
      const map = requireMap(value, 'converting timestamp formats');
      const out = mapCopy(map);
      mapSet(out, this.field, this.convert(mapGet(map, this.field), null));
      return withOperating(record, this.side, null, out);
    }
    if (this.field === '') return withOperating(record, this.side, typeSchema(this.type, schema.optional), this.convert(value, kindOf(schema)));
    const struct = requireStructOrNull(value, 'converting timestamp formats');
    const updated = this.cache.getOrBuild(schema, (s) => {
      const b = copySchemaBasics(s, SchemaBuilder.struct());
      for (const f of s.fields) b.field(f.name, f.name === this.field ? typeSchema(this.type, f.schema.optional) : f.schema);
      if (s.optional) b.optional();
      if (s.defaultValue instanceof Struct) {
        const bare = b.build();
        b.defaultValue(this.convertStruct(s.defaultValue, bare));
      }
      return b.build();
    });
    return withOperating(record, this.side, updated, this.convertStruct(struct, updated));
  }

  private convertStruct(value: Struct | null, updated: Schema): Struct | null {
    if (!value) return null;
    const out = new Struct(updated);
    for (const f of value.schema.fields) {
      const v = fieldValue(value, f.name, this.replaceNull);
      out.put(f.name, f.name === this.field ? this.convert(v, kindOf(f.schema)) : v);
    }
    return out;
  }

  /** Java's `convertTimestamp`: from `kind` (inferred from the value when null) to the target type. */
  private convert(value: unknown, kind: TimestampKind | null): unknown {
    if (value === null || value === undefined) return null;
    const from = kind ?? inferKind(value);
    return this.toType(this.toRaw(from, value));
  }

  private toRaw(kind: TimestampKind, value: unknown): Date {
    switch (kind) {
      case 'string': {
        if (typeof value !== 'string') throw new DataError(`Expected string timestamp to be a String, but found ${javaClass(value)}`);
        const d = this.format!.parse(value);
        if (!d) throw new DataError(`Could not parse timestamp: value (${value}) does not match pattern (${this.format!.toPattern()})`);
        return d;
      }
      case 'unix': {
        if (!((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint'))
          throw new DataError(`Expected Unix timestamp to be a Long, but found ${javaClass(value)}`);
        const v = BigInt(value);
        switch (this.precision) {
          case 'seconds':
            return new Date(Number(v * 1000n));
          case 'microseconds':
            return new Date(Number(div(v, 1000n)));
          case 'nanoseconds':
            return new Date(Number(div(v, 1_000_000n)));
          default:
            return new Date(Number(v));
        }
      }
      default:
        if (!(value instanceof Date)) throw new DataError(`Expected ${kind} to be a java.util.Date, but found ${javaClass(value)}`);
        return value;
    }
  }

  private toType(d: Date): unknown {
    const ms = d.getTime();
    switch (this.type) {
      case 'string':
        return this.format!.format(d);
      case 'unix': {
        const v = BigInt(ms);
        switch (this.precision) {
          case 'seconds':
            return asLong(div(v, 1000n));
          case 'microseconds':
            return asLong(v * 1000n);
          case 'nanoseconds':
            return asLong(v * 1_000_000n);
          default:
            return ms;
        }
      }
      case 'Date':
        return new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY);
      case 'Time':
        return new Date(ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY);
      default:
        return d;
    }
  }
}

/** Java's `timestampTypeFromSchema`. */
function kindOf(schema: Schema): TimestampKind {
  if (schema.name === TimestampType.LOGICAL_NAME) return 'Timestamp';
  if (schema.name === DateType.LOGICAL_NAME) return 'Date';
  if (schema.name === TimeType.LOGICAL_NAME) return 'Time';
  if (schema.type === SchemaType.STRING) return 'string';
  if (schema.type === SchemaType.INT64) return 'unix';
  throw new ConnectError(`Schema ${describeSchema(schema)} does not correspond to a known timestamp type format`);
}

/** Java's `inferTimestampType`: Dates are Timestamps, whole numbers Unix times, strings formatted text. */
function inferKind(value: unknown): TimestampKind {
  if (value instanceof Date) return 'Timestamp';
  if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') return 'unix';
  if (typeof value === 'string') return 'string';
  throw new DataError(`TimestampConverter does not support ${javaClass(value)} objects as timestamps`);
}

function describeSchema(s: Schema): string {
  return s.name ? `Schema{${s.name}:${s.type}}` : `Schema{${s.type}}`;
}
