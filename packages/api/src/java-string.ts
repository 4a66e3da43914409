/**
 * Java's `String.valueOf` of Connect values — what FileStreamSink writes and StringConverter sends, as Java's do
 * (`value.toString()`) — byte for byte where the JavaScript data model allows.
 */
import { doubleKeys } from './java-double';
import { formatJavaDouble, formatJavaNumber, javaBigDecimalToString } from './java-format';
import { Decimal, decimalToUnscaled, type Schema, SchemaType, Struct } from './schema';

/**
 * Java's `String.valueOf` of a Connect value, with the Java type the schema (or, schemaless, the value) implies:
 * - `null` → `null`; strings as they are; booleans `true`/`false`; INT8..INT64 in decimal;
 * - FLOAT32 as `Float.toString`, FLOAT64 as `Double.toString` (`3.0`, `1.0E21`, `2.5E-7`, `NaN`, `-0.0`);
 *   schemaless numbers are `Long`s when whole (and not marked as doubles, see `markDouble`), `Double`s otherwise;
 * - Decimal as `BigDecimal.toString` at the schema's scale (`1.50`, `1E-10`, `1.2E+4`);
 * - Date, Time and Timestamp as `java.util.Date.toString` in the default time zone (`TZ`, else UTC):
 *   `Tue Nov 14 22:13:20 UTC 2023`;
 * - `Struct{a=1,b=x}` (fields in schema order, null fields left out, as Connect's `Struct.toString`);
 * - arrays as `[a, b]` (`ArrayList`); maps and schemaless objects as `{k=v, k2=v2}` in the iteration order of the
 *   `HashMap` Java's converters build (for String, integer, boolean and Date keys; others in insertion order);
 * - bytes inside a container as base64 (Java prints an identity hash, `[B@…`).
 */
export function javaString(value: unknown, schema?: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      if (schema?.name === Decimal.LOGICAL_NAME) return decimalString(value, schema);
      return value;
    case 'number':
      return formatJavaNumber(value, schema);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (value instanceof Struct) {
    let out = 'Struct{';
    let first = true;
    for (const f of value.schema.fields) {
      const v = value.getWithoutDefault(f.name);
      if (v === null || v === undefined) continue;
      out += `${first ? '' : ','}${f.name}=${javaString(v, f.schema)}`;
      first = false;
    }
    return `${out}}`;
  }
  if (value instanceof Date) return javaDateString(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) {
    const vs = schema?.valueSchema;
    const marks = vs ? undefined : doubleKeys(value);
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      out += (i ? ', ' : '') + (marks?.has(i) && typeof v === 'number' ? formatJavaDouble(v) : javaString(v, vs));
    }
    return `${out}]`;
  }
  if (value instanceof Map) {
    const entries = hashMapOrder([...value], schema?.keySchema);
    return `{${entries.map(([k, v]) => `${javaString(k, schema?.keySchema)}=${javaString(v, schema?.valueSchema)}`).join(', ')}}`;
  }
  if (typeof value === 'object') {
    const own = value as { toString?: () => string };
    if (own.toString !== Object.prototype.toString && typeof own.toString === 'function') return own.toString();
    const obj = value as Record<string, unknown>;
    const vs = schema?.valueSchema;
    const marks = vs ? undefined : doubleKeys(obj);
    const entries = hashMapOrder(
      Object.keys(obj).map((k) => [k, obj[k]] as [unknown, unknown]),
      null,
    );
    return `{${entries
      .map(([k, v]) => `${k as string}=${marks?.has(k as string) && typeof v === 'number' ? formatJavaDouble(v) : javaString(v, vs)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function decimalString(value: string, schema: Schema): string {
  const scale = Decimal.scale(schema);
  try {
    return javaBigDecimalToString(decimalToUnscaled(value, scale), scale);
  } catch {
    return value;
  }
}

// ------------------------------------------------------------------------------------------------ HashMap order

/**
 * The entries in the order Java's `HashMap` (default capacity 16, load factor 0.75, filled in the given order)
 * iterates them: by bucket (`(h ^ h >>> 16) & (capacity - 1)` of the key's `hashCode()`), then insertion order.
 * Keys whose Java hash code is not known here keep the given order.
 */
function hashMapOrder<T extends [unknown, unknown]>(entries: T[], keySchema: Schema | null | undefined): T[] {
  if (entries.length < 2) return entries;
  const hashes: number[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const h = javaHashCode(entries[i]![0], keySchema);
    if (h === undefined) return entries;
    hashes[i] = h;
  }
  let capacity = 16;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  const order = entries.map((_, i) => i);
  const bucket = hashes.map((h) => (h ^ (h >>> 16)) & mask);
  order.sort((a, b) => bucket[a]! - bucket[b]! || a - b);
  return order.map((i) => entries[i]!);
}

/** Java's `hashCode()` of a key as the schema types it, or undefined when not reproduced here. */
function javaHashCode(key: unknown, keySchema: Schema | null | undefined): number | undefined {
  switch (typeof key) {
    case 'string': {
      if (keySchema?.name === Decimal.LOGICAL_NAME) return undefined;
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
      return h;
    }
    case 'boolean':
      return key ? 1231 : 1237;
    case 'number': {
      const type = keySchema?.type;
      if (type === SchemaType.INT8 || type === SchemaType.INT16 || type === SchemaType.INT32) return key | 0;
      if (type === SchemaType.INT64 || (type === undefined && Number.isSafeInteger(key))) return longHash(BigInt(key));
      return undefined;
    }
    case 'bigint':
      return longHash(key);
    default:
      if (key instanceof Date && !Number.isNaN(key.getTime())) return longHash(BigInt(key.getTime()));
      return undefined;
  }
}

/** `Long.hashCode`: `(int) (v ^ (v >>> 32))`. */
function longHash(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

// ------------------------------------------------------------------------------------------------ java.util.Date

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MS_PER_DAY = 86_400_000;
/** 1582-10-15T00:00:00Z: java.util.Date uses the Julian calendar before (the Gregorian cutover). */
const GREGORIAN_CUTOVER = -12_219_292_800_000;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);
const GMT_ZONES = new Set(['GMT', 'Etc/GMT', 'Etc/GMT+0', 'Etc/GMT-0', 'Etc/GMT0', 'GMT0', 'GMT+0', 'GMT-0', 'Etc/Greenwich', 'Greenwich']);

interface Zone {
  /** The zone's offset (ms) and Java short name at an instant. */
  at(ms: number): { offset: number; name: string };
}

let cachedZone: { id: string; zone: Zone } | undefined;

/** The JVM's default time zone: `TZ` (a leading `:` ignored) when set and known, else UTC. */
function defaultZone(): Zone {
  let id = process.env.TZ ?? '';
  if (id.startsWith(':')) id = id.slice(1);
  if (cachedZone?.id === id) return cachedZone.zone;
  const zone = makeZone(id);
  cachedZone = { id, zone };
  return zone;
}

function makeZone(id: string): Zone {
  if (id === '' || UTC_ZONES.has(id)) return { at: () => ({ offset: 0, name: 'UTC' }) };
  if (GMT_ZONES.has(id)) return { at: () => ({ offset: 0, name: 'GMT' }) };
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
      timeZoneName: 'short',
    });
  } catch {
    // Java falls back to GMT for an unknown TZ
    return { at: () => ({ offset: 0, name: 'GMT' }) };
  }
  return {
    at(ms) {
      const parts: Record<string, string> = {};
      for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
      let year = Number(parts.year);
      if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
      const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
      const offset = wall - (ms - (((ms % 1000) + 1000) % 1000));
      let name = parts.timeZoneName ?? 'GMT';
      const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
      if (m) name = `GMT${m[1]}${m[2]!.padStart(2, '0')}:${m[3] ?? '00'}`; // Java's custom zone form
      return { offset, name };
    },
  };
}

/**
 * `java.util.Date#toString()`: `EEE MMM dd HH:mm:ss zzz yyyy` in the JVM's default time zone (see
 * {@link defaultZone}), Julian calendar before 1582-10-15. Zone names: `UTC`, `GMT`, or the short name `Intl` knows
 * (`EST`, `PDT`; `GMT+01:00` where it knows no abbreviation — Java may print one, e.g. `CET`).
 */
export function javaDateString(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return 'Invalid Date';
  const { offset, name } = defaultZone().at(ms);
  const local = ms + offset;
  const days = Math.floor(local / MS_PER_DAY);
  const msOfDay = local - days * MS_PER_DAY;
  let year: number;
  let month: number;
  let day: number;
  if (local < GREGORIAN_CUTOVER) {
    // Julian calendar, from the Julian day number
    const c = days + 2_440_588 + 32_082;
    const d = Math.floor((4 * c + 3) / 1461);
    const e = c - Math.floor((1461 * d) / 4);
    const m = Math.floor((5 * e + 2) / 153);
    day = e - Math.floor((153 * m + 2) / 5) + 1;
    month = m + 2 - 12 * Math.floor(m / 10);
    year = d - 4800 + Math.floor(m / 10);
  } else {
    const g = new Date(days * MS_PER_DAY);
    year = g.getUTCFullYear();
    month = g.getUTCMonth();
    day = g.getUTCDate();
  }
  if (year <= 0) year = 1 - year; // year of era (BC)
  const dow = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const seconds = Math.floor(msOfDay / 1000);
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor(seconds / 60) % 60;
  const ss = seconds % 60;
  return `${DAYS[dow]} ${MONTHS[month]} ${pad2(day)} ${pad2(hh)}:${pad2(mm)}:${pad2(ss)} ${name} ${year}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
