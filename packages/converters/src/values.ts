/**
 * The parts of Java's `org.apache.kafka.connect.data.Values` that SimpleHeaderConverter uses: `convertToString`
 * (a value's string form: JSON-like for arrays, maps and structs, ISO-8601 for dates) and `parseString` (the
 * reverse, inferring the schema: the smallest integer type, FLOAT32 before FLOAT64, temporal types, arrays and
 * maps with a common element schema). A line-by-line port, quirks included, so headers read as Java reads them.
 * Times are in UTC (Java uses the JVM's default time zone, which Connect deployments normally set to UTC).
 */
import { DataError, DateType, Decimal, SchemaBuilder, Schemas, SchemaType, Struct, TimeType, TimestampType, unscaledToDecimal } from '@kconnect/api';
import type { Schema, SchemaAndValue } from '@kconnect/api';
import { describeType, formatJavaNumber, javaBigDecimalToString, parseJavaBigDecimal, toBase64 } from '@kconnect/api';
import { int64 } from './json-parser';

const MILLIS_PER_DAY = 86_400_000;

// ------------------------------------------------------------------------------------------------ convertToString

/**
 * Java's `Values.convertToString`: strings as they are, numbers as Java prints them (by the schema: FLOAT32 and
 * FLOAT64 like `Float`/`Double.toString`), bytes as base64, dates as `yyyy-MM-dd`, `HH:mm:ss.SSS'Z'` or
 * `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, and arrays, maps and structs in a JSON-like form with strings quoted.
 */
export function convertToString(schema: Schema | null, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return append(value, schema, false);
}

function append(value: unknown, schema: Schema | null | undefined, embedded: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return formatJavaNumber(value, schema);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string': {
      if (schema?.name === Decimal.LOGICAL_NAME) {
        const d = parseJavaBigDecimal(value);
        if (d) return javaBigDecimalToString(d.unscaled, d.scale);
      }
      return embedded ? `"${escapeQuoted(value)}"` : value;
    }
    default:
      break;
  }
  if (value instanceof Uint8Array) return embedded ? `"${toBase64(value)}"` : toBase64(value);
  if (Array.isArray(value)) {
    const vs = schema?.valueSchema;
    return `[${value.map((e) => append(e, vs, true)).join(',')}]`;
  }
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of value) parts.push(`${append(k, schema?.keySchema, true)}:${append(v, schema?.valueSchema, true)}`);
    return `{${parts.join(',')}}`;
  }
  if (value instanceof Struct) {
    return `{${value.schema.fields.map((f) => `${append(f.name, null, true)}:${append(value.get(f.name), f.schema, true)}`).join(',')}}`;
  }
  if (value instanceof Date) return formatDate(value);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .map((k) => `${append(k, schema?.keySchema, true)}:${append(obj[k], schema?.valueSchema, true)}`)
      .join(',')}}`;
  }
  throw new DataError(`Failed to serialize unexpected value type ${describeType(value)}: ${String(value)}`);
}

function escapeQuoted(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Java's `Values.dateFormatFor(d).format(d)` in UTC. */
function formatDate(d: Date): string {
  const ms = d.getTime();
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  if (ms < MILLIS_PER_DAY) return time;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  if (ms % MILLIS_PER_DAY === 0) return date;
  return `${date}T${time}`;
}

// ------------------------------------------------------------------------------------------------ parseString

const TRUE_SV: SchemaAndValue = Object.freeze({ schema: Schemas.BOOLEAN_SCHEMA, value: true });
const FALSE_SV: SchemaAndValue = Object.freeze({ schema: Schemas.BOOLEAN_SCHEMA, value: false });

/**
 * Java's `Values.parseString`: the value a string stands for, with an inferred schema. Returns null (not a
 * SchemaAndValue) for the literal `null`, as Java does.
 */
export function parseString(value: string): SchemaAndValue | null {
  if (value.length === 0) return { schema: Schemas.STRING_SCHEMA, value };
  return new ValueParser(new Tokenizer(value)).parse(false);
}

/** Java's `String.trim()`: strips characters up to U+0020 only. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

const isBlank = (s: string): boolean => javaTrim(s).length === 0;

/** Java's `Values.Parser`: splits on unescaped `: , { } [ ] "`, each delimiter a token of its own. */
class Tokenizer {
  private pos = 0;
  private nextToken: string | null = null;
  private previousToken: string | null = null;

  constructor(readonly original: string) {}

  position(): number {
    return this.pos;
  }

  mark(): number {
    return this.pos - (this.nextToken !== null ? this.nextToken.length : 0);
  }

  rewindTo(position: number): void {
    this.pos = position;
    this.nextToken = null;
    this.previousToken = null;
  }

  hasNext(): boolean {
    return this.nextToken !== null || this.canConsumeNextToken();
  }

  private canConsumeNextToken(): boolean {
    return this.pos < this.original.length;
  }

  next(): string {
    if (this.nextToken !== null) {
      this.previousToken = this.nextToken;
      this.nextToken = null;
    } else {
      this.previousToken = this.consumeNextToken();
    }
    return this.previousToken;
  }

  /** The text of the next `n` tokens, or null (and no move) when there are fewer. */
  nextN(n: number): string | null {
    const current = this.mark();
    const start = this.mark();
    for (let i = 0; i !== n; ++i) {
      if (!this.hasNext()) {
        this.rewindTo(start);
        return null;
      }
      this.next();
    }
    return this.original.substring(current, this.position());
  }

  private consumeNextToken(): string {
    const s = this.original;
    let escaped = false;
    const start = this.pos;
    while (this.pos < s.length) {
      const c = s[this.pos];
      switch (c) {
        case '\\':
          escaped = !escaped;
          break;
        case ':':
        case ',':
        case '{':
        case '}':
        case '[':
        case ']':
        case '"':
          if (!escaped) {
            if (start < this.pos) return s.substring(start, this.pos);
            this.pos++;
            return s.substring(start, start + 1);
          }
          escaped = false;
          break;
        default:
          escaped = false;
          break;
      }
      this.pos++;
    }
    return s.substring(start, this.pos);
  }

  previous(): string | null {
    return this.previousToken;
  }

  canConsume(expected: string): boolean {
    if (this.isNext(expected)) {
      this.nextToken = null;
      return true;
    }
    return false;
  }

  private isNext(expected: string): boolean {
    if (this.nextToken === null) {
      if (!this.hasNext()) return false;
      this.nextToken = this.consumeNextToken();
    }
    while (isBlank(this.nextToken) && this.canConsumeNextToken()) this.nextToken = this.consumeNextToken();
    return javaTrim(this.nextToken) === expected;
  }
}

/** Java's `Values.ValueParser`. */
class ValueParser {
  constructor(private readonly parser: Tokenizer) {}

  private canParseSingleTokenLiteral(embedded: boolean, literal: string): boolean {
    const start = this.parser.mark();
    if (this.parser.canConsume(literal)) {
      if (embedded || !this.parser.hasNext()) return true;
    }
    this.parser.rewindTo(start);
    return false;
  }

  parse(embedded: boolean): SchemaAndValue | null {
    const p = this.parser;
    if (!p.hasNext()) return null;
    if (embedded && p.canConsume('"')) return this.parseQuotedString();
    if (this.canParseSingleTokenLiteral(embedded, 'null')) return null;
    if (this.canParseSingleTokenLiteral(embedded, 'true')) return TRUE_SV;
    if (this.canParseSingleTokenLiteral(embedded, 'false')) return FALSE_SV;
    const start = p.mark();
    try {
      if (p.canConsume('[')) return this.parseArray();
      if (p.canConsume('{')) return this.parseMap();
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      p.rewindTo(start);
    }
    const token = p.next();
    if (isBlank(token)) return { schema: Schemas.STRING_SCHEMA, value: token };
    return this.parseNextToken(embedded, javaTrim(token));
  }

  private parseNextToken(embedded: boolean, token: string): SchemaAndValue {
    const first = token.charCodeAt(0);
    const firstIsDigit = first >= 48 && first <= 57;
    if (firstIsDigit) {
      const temporal = this.parseMultipleTokensAsTemporal(token);
      if (temporal) return temporal;
    }
    if (firstIsDigit || first === 43 || first === 45) {
      const n = parseAsNumber(token);
      if (n) return n;
    }
    if (embedded) throw new DataError('Failed to parse embedded value');
    return { schema: Schemas.STRING_SCHEMA, value: this.parser.original };
  }

  private parseQuotedString(): SchemaAndValue {
    let content = '';
    while (this.parser.hasNext()) {
      if (this.parser.canConsume('"')) break;
      content += this.parser.next();
    }
    return parseAsTemporal(content) ?? { schema: Schemas.STRING_SCHEMA, value: content };
  }

  private parseArray(): SchemaAndValue {
    const p = this.parser;
    let result: unknown[] = [];
    const elementSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume(']')) {
        let listSchema: Schema;
        if (elementSchema.schema) {
          listSchema = SchemaBuilder.array(elementSchema.schema).build();
          result = result.map((v) => convertTo(elementSchema.schema!, v));
        } else {
          listSchema = SchemaBuilder.type(SchemaType.ARRAY).build();
        }
        return { schema: listSchema, value: result };
      }
      if (p.canConsume(',')) throw new DataError(`Unable to parse an empty array element: ${p.original}`);
      const element = this.parse(true);
      elementSchema.merge(element);
      result.push(element ? element.value : null);
      const current = p.mark();
      if (p.canConsume(']')) p.rewindTo(current);
      else if (!p.canConsume(',')) throw new DataError("Array elements missing ',' delimiter");
    }
    if (p.previous() === ',') throw new DataError(`Array is missing element after ',': ${p.original}`);
    throw new DataError(`Array is missing terminating ']': ${p.original}`);
  }

  private parseMap(): SchemaAndValue {
    const p = this.parser;
    let result = new Map<unknown, unknown>();
    const keySchema = new SchemaMerger();
    const valueSchema = new SchemaMerger();
    while (p.hasNext()) {
      if (p.canConsume('}')) {
        let mapSchema: Schema;
        const ks = keySchema.schema;
        const vs = valueSchema.schema;
        if (ks && vs) {
          mapSchema = SchemaBuilder.map(ks, vs).build();
          result = new Map([...result].map(([k, v]) => [convertTo(ks, k), convertTo(vs, v)]));
        } else if (ks) {
          mapSchema = new SchemaBuilder(SchemaType.MAP, ks).build();
          result = new Map([...result].map(([k, v]) => [convertTo(ks, k), v]));
        } else {
          mapSchema = SchemaBuilder.type(SchemaType.MAP).build();
        }
        return { schema: mapSchema, value: result };
      }
      if (p.canConsume(',')) throw new DataError(`Unable to parse a map entry with no key or value: ${p.original}`);
      const key = this.parse(true);
      if (key === null || key.value === null || key.value === undefined) {
        throw new DataError(`Map entry may not have a null key: ${p.original}`);
      }
      if (!p.canConsume(':')) throw new DataError(`Map entry is missing ':' at ${p.position()} in ${p.original}`);
      const value = this.parse(true);
      result.set(key.value, value ? value.value : null);
      p.canConsume(',');
      keySchema.merge(key);
      valueSchema.merge(value);
    }
    if (p.previous() === ',') throw new DataError(`Map is missing element after ',': ${p.original}`);
    throw new DataError(`Map is missing terminating '}': ${p.original}`);
  }

  private parseMultipleTokensAsTemporal(token: string): SchemaAndValue | null {
    // time and timestamp literals are split into 5 tokens by their unescaped colons
    const position = this.parser.mark();
    const remainder = this.parser.nextN(4);
    if (remainder !== null) {
      const temporal = parseAsTemporal(token + remainder);
      if (temporal) return temporal;
    }
    this.parser.rewindTo(position);
    return parseAsTemporal(token);
  }
}

/** Java's `ValueParser.parseAsNumber`: the smallest exact integer type, else FLOAT32, FLOAT64 or Decimal. */
function parseAsNumber(token: string): SchemaAndValue | null {
  const d = parseJavaBigDecimal(token);
  if (!d) return null;
  const exact = parseAsExactDecimal(d.unscaled, d.scale);
  if (exact) return exact;
  const dValue = Number(token);
  const fValue = Math.fround(dValue);
  if (Number.isFinite(fValue) && d.scale !== 0) return { schema: Schemas.FLOAT32_SCHEMA, value: fValue };
  if (Number.isFinite(dValue) && d.scale !== 0) return { schema: Schemas.FLOAT64_SCHEMA, value: dValue };
  return { schema: Decimal.schema(d.scale), value: unscaledToDecimal(d.unscaled, d.scale) };
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function parseAsExactDecimal(unscaled: bigint, scale: number): SchemaAndValue | null {
  let integral: bigint;
  if (unscaled === 0n) {
    integral = 0n;
  } else {
    const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
    const adjusted = digits - 1 - scale; // |value| is in [10^adjusted, 10^(adjusted+1))
    if (adjusted < 0 || adjusted >= 19) return null; // |value| < 1, or > 1e19 (1e19 itself is beyond a long anyway)
    if (scale <= 0) {
      integral = unscaled * 10n ** BigInt(-scale);
    } else {
      const pow = 10n ** BigInt(scale);
      if (unscaled % pow !== 0n) return null;
      integral = unscaled / pow;
    }
  }
  if (integral < LONG_MIN || integral > LONG_MAX) return null;
  const n = int64(integral);
  if (typeof n === 'bigint' || n < -2147483648 || n > 2147483647) return { schema: Schemas.INT64_SCHEMA, value: n };
  if (n >= -128 && n <= 127) return { schema: Schemas.INT8_SCHEMA, value: n };
  if (n >= -32768 && n <= 32767) return { schema: Schemas.INT16_SCHEMA, value: n };
  return { schema: Schemas.INT32_SCHEMA, value: n };
}

const TIME_RE = /^[ \t]*(\d+):[ \t]*(\d+):[ \t]*(\d+)\.[ \t]*(\d+)Z/;
const DATE_RE = /^[ \t]*(\d+)-[ \t]*(\d+)-[ \t]*(\d+)/;
const TIMESTAMP_RE = /^[ \t]*(\d+)-[ \t]*(\d+)-[ \t]*(\d+)T[ \t]*(\d+):[ \t]*(\d+):[ \t]*(\d+)\.[ \t]*(\d+)Z/;

/** A UTC instant from calendar fields, rolling over out-of-range fields as Java's lenient calendar does. */
function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, ms);
  return d;
}

/** Java's `ValueParser.parseAsTemporal`: by length, a Time, Timestamp or Date literal (lenient, in UTC). */
function parseAsTemporal(text: string): SchemaAndValue | null {
  const token = text.split('\\:').join(':');
  let m: RegExpExecArray | null;
  switch (token.length) {
    case 13:
      m = TIME_RE.exec(token);
      if (!m) return null;
      return { schema: TimeType.SCHEMA, value: new Date(((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4])) };
    case 24:
      m = TIMESTAMP_RE.exec(token);
      if (!m) return null;
      return {
        schema: TimestampType.SCHEMA,
        value: utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])),
      };
    case 10:
      m = DATE_RE.exec(token);
      if (!m) return null;
      return { schema: DateType.SCHEMA, value: utc(Number(m[1]), Number(m[2]), Number(m[3])) };
    default:
      return null;
  }
}

/** Java's `Values.SchemaMerger`: the schema common to all values seen, null once they disagree. */
class SchemaMerger {
  schema: Schema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (latest !== null && latest.schema !== null && this.compatible) {
      if (this.schema === null) {
        this.schema = latest.schema;
      } else {
        this.schema = mergeSchemas(this.schema, latest.schema);
        this.compatible = this.schema !== null;
      }
    }
  }
}

const INTS_AND_FLOATS = [SchemaType.INT8, SchemaType.INT16, SchemaType.INT32, SchemaType.INT64, SchemaType.FLOAT32, SchemaType.FLOAT64];

/** Java's `Values.mergeSchemas`: numeric types widen (ints to the wider int, to FLOAT32, to FLOAT64). */
function mergeSchemas(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const a = INTS_AND_FLOATS.indexOf(previous.type);
    const b = INTS_AND_FLOATS.indexOf(next.type);
    if (a < 0 || b < 0) return null;
    return b > a ? next : previous;
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  return null;
}

/** Java's `Values.convertTo(toSchema, null, value)` for the values the parser produces. */
function convertTo(to: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (to.optional) return null;
    throw new DataError('Unable to convert a null value to a schema that requires a value');
  }
  switch (to.type) {
    case SchemaType.BYTES:
    case SchemaType.BOOLEAN:
      return value;
    case SchemaType.STRING:
      return typeof value === 'string' ? value : convertToString(null, value);
    case SchemaType.INT8:
      return Number(BigInt.asIntN(8, asLong(value, to)));
    case SchemaType.INT16:
      return Number(BigInt.asIntN(16, asLong(value, to)));
    case SchemaType.INT32:
      if (to.name === DateType.LOGICAL_NAME) {
        return value instanceof Date ? value : DateType.toLogical(Number(BigInt.asIntN(32, asLong(value, to))));
      }
      if (to.name === TimeType.LOGICAL_NAME) {
        if (value instanceof Date) return value;
        const ms = Number(BigInt.asIntN(32, asLong(value, to)));
        if (ms < 0 || ms > MILLIS_PER_DAY) throw new DataError('Time values must use number of milliseconds greater than 0 and less than 86400000');
        return new Date(ms);
      }
      return Number(BigInt.asIntN(32, asLong(value, to)));
    case SchemaType.INT64:
      if (to.name === TimestampType.LOGICAL_NAME) return value instanceof Date ? value : new Date(Number(asLong(value, to)));
      return int64(asLong(value, to));
    case SchemaType.FLOAT32:
      return Math.fround(asDouble(value, to));
    case SchemaType.FLOAT64:
      return asDouble(value, to);
    case SchemaType.ARRAY:
      if (Array.isArray(value)) return value;
      break;
    case SchemaType.MAP:
      if (value instanceof Map) return value;
      break;
    default:
      break;
  }
  throw new DataError(`Unable to convert ${String(value)} (${describeType(value)}) to ${to.type}`);
}

/** Java's `Number.longValue()` of a parsed number (doubles truncate and saturate). */
function asLong(value: unknown, to: Schema): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 0n;
    if (value >= 9.223372036854776e18) return LONG_MAX;
    if (value <= -9.223372036854776e18) return LONG_MIN;
    return BigInt(Math.trunc(value));
  }
  throw new DataError(`Unable to convert ${String(value)} (${describeType(value)}) to a number (${to.type})`);
}

function asDouble(value: unknown, to: Schema): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number(asLong(value, to));
}
