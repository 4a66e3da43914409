/**
 * Conversion of Connect values (Struct fields, schemaless JSON values, strings) to the values cassandra-driver
 * encodes for a column's CQL type, with the per-topic codec settings (timestamp/date/time formats, time zone,
 * numeric unit). Throws {@link ConversionError} with a message saying what could not convert to what.
 */
import { Struct } from '@kconnect/api';
import { types } from 'cassandra-driver';
import type { CodecConfig, TimeUnit } from './config';
import { NOW } from './mapping';

const { dataTypes } = types;

export class ConversionError extends Error {}

/** The driver's column type description. */
export interface CqlType {
  code: number;
  info?: unknown;
  customTypeName?: string;
}

const UNIT_NANOS: Record<TimeUnit, bigint> = {
  NANOSECONDS: 1n,
  MICROSECONDS: 1_000n,
  MILLISECONDS: 1_000_000n,
  SECONDS: 1_000_000_000n,
  MINUTES: 60_000_000_000n,
  HOURS: 3_600_000_000_000n,
  DAYS: 86_400_000_000_000n,
};

/** Converts an integer amount between units (truncating). */
export function convertUnit(amount: bigint, from: TimeUnit, to: TimeUnit): bigint {
  return (amount * UNIT_NANOS[from]) / UNIT_NANOS[to];
}

export function typeName(t: CqlType): string {
  try {
    if (t.code === dataTypes.udt) return `frozen<${(t.info as { name: string }).name}>`;
    if (t.code === dataTypes.tuple) return `tuple<${(t.info as CqlType[]).map(typeName).join(', ')}>`;
    if (t.code === dataTypes.list || t.code === dataTypes.set) return `${t.code === dataTypes.list ? 'list' : 'set'}<${typeName(t.info as CqlType)}>`;
    if (t.code === dataTypes.map) return `map<${(t.info as CqlType[]).map(typeName).join(', ')}>`;
    if (isVector(t)) {
      const [sub, dim] = t.info as [CqlType, number];
      return `vector<${typeName(sub)}, ${dim}>`;
    }
    if (isDuration(t)) return 'duration';
    return (types as unknown as { getDataTypeNameByCode(t: CqlType): string }).getDataTypeNameByCode(t);
  } catch {
    return `type ${t.code}`;
  }
}

export const isVector = (t: CqlType) => t.code === dataTypes.custom && (t.customTypeName === 'vector' || String(t.info ?? '').includes('VectorType'));
export const isDuration = (t: CqlType) => t.code === dataTypes.duration || (t.code === dataTypes.custom && String(t.info ?? '').includes('DurationType'));

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (v instanceof Struct) return `Struct ${v.toString()}`;
  if (v instanceof Date) return `Date ${Number.isNaN(v.getTime()) ? 'Invalid' : v.toISOString()}`;
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;
  if (typeof v === 'object') {
    const s = safeJson(v);
    return s.length > 60 ? `${s.slice(0, 60)}…` : s;
  }
  return `${typeof v} ${String(v)}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(toJsonValue(v));
  } catch {
    return String(v);
  }
}

/** A JSON-compatible version of a Connect value (Struct → object, bytes → base64, bigint → number/string). */
export function toJsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Struct) {
    const o: Record<string, unknown> = {};
    for (const f of v.schema.fields) o[f.name] = toJsonValue(v.get(f.name));
    return o;
  }
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = toJsonValue(x);
    return o;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Set) return [...v].map(toJsonValue);
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJsonValue(x);
    return o;
  }
  return v;
}

// ---- time zones and formats ------------------------------------------------------------------------------

const dtfCache = new Map<string, Intl.DateTimeFormat>();
/** Per zone name: its fixed offset in minutes (UTC, +02:00…), or null for a region zone (Europe/Paris…). */
const fixedOffsets = new Map<string, number | null>();

function fixedOffset(tz: string): number | null {
  let off = fixedOffsets.get(tz);
  if (off === undefined) {
    const m = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(tz);
    off = /^(Z|UTC|GMT)$/i.test(tz) ? 0 : m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : null;
    fixedOffsets.set(tz, off);
  }
  return off;
}

/** Offset of a time zone from UTC at an instant, in minutes. */
export function zoneOffsetMinutes(tz: string, utcMs: number): number {
  const fixed = fixedOffset(tz);
  if (fixed !== null) return fixed;
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dtfCache.set(tz, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((local - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** UTC epoch ms of a local date-time in a zone. */
function localToUtc(tz: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  let off = zoneOffsetMinutes(tz, asUtc);
  off = zoneOffsetMinutes(tz, asUtc - off * 60000);
  return asUtc - off * 60000;
}

interface Parsed {
  y?: number;
  mo?: number;
  d?: number;
  h?: number;
  mi?: number;
  s?: number;
  nanos?: number;
  offsetMin?: number;
}

const ISO_RE = /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[[^\]]+\])?$/i;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;

function parseOffset(z: string | undefined): number | undefined {
  if (!z) return undefined;
  if (/^z$/i.test(z)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
const fracNanos = (f: string | undefined) => (f ? Number(f.padEnd(9, '0')) : 0);

/** A regexp for a Java DateTimeFormatter pattern (the common letters: yMdHhmsSaXxZ and quoted literals). */
function patternRegex(pattern: string): { re: RegExp; fields: string[] } {
  const fields: string[] = [];
  let src = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const lit = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      src += lit === '' ? "'" : lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y':
      case 'u':
        fields.push('y');
        src += n === 2 ? '(\\d{2})' : '(\\d{4,})';
        break;
      case 'M':
        fields.push('mo');
        src += '(\\d{1,2})';
        break;
      case 'd':
        fields.push('d');
        src += '(\\d{1,2})';
        break;
      case 'H':
        fields.push('h');
        src += '(\\d{1,2})';
        break;
      case 'm':
        fields.push('mi');
        src += '(\\d{1,2})';
        break;
      case 's':
        fields.push('s');
        src += '(\\d{1,2})';
        break;
      case 'S':
        fields.push('frac');
        src += `(\\d{1,${n}})`;
        break;
      case 'X':
      case 'x':
      case 'Z':
        fields.push('zone');
        src += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
        break;
      default:
        if (/[A-Za-z]/.test(c)) throw new ConversionError(`unsupported pattern letter '${c}' in "${pattern}"`);
        src += c.repeat(n).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return { re: new RegExp(`^${src}$`), fields };
}

const patternCache = new Map<string, { re: RegExp; fields: string[] }>();
function parseWithPattern(pattern: string, s: string): Parsed | null {
  let p = patternCache.get(pattern);
  if (!p) {
    p = patternRegex(pattern);
    patternCache.set(pattern, p);
  }
  const m = p.re.exec(s);
  if (!m) return null;
  const out: Parsed = {};
  p.fields.forEach((f, i) => {
    const g = m[i + 1]!;
    if (f === 'frac') out.nanos = fracNanos(g);
    else if (f === 'zone') out.offsetMin = parseOffset(g);
    else if (f === 'y') out.y = g.length === 2 ? 2000 + Number(g) : Number(g);
    else (out as Record<string, number>)[f] = Number(g);
  });
  return out;
}

const ISO_NAMES = new Set([
  'CQL_TIMESTAMP',
  'ISO_ZONED_DATE_TIME',
  'ISO_OFFSET_DATE_TIME',
  'ISO_LOCAL_DATE_TIME',
  'ISO_DATE_TIME',
  'ISO_INSTANT',
  'ISO_LOCAL_DATE',
  'ISO_DATE',
  'ISO_LOCAL_TIME',
  'ISO_TIME',
]);

/** Parses a timestamp string to epoch microseconds (as bigint) using the codec. */
export function parseTimestampString(s: string, codec: CodecConfig): { ms: number; micros: bigint } {
  const str = s.trim();
  if (/^-?\d+$/.test(str)) {
    const micros = convertUnit(BigInt(str), codec.unit, 'MICROSECONDS');
    return { ms: Number(micros / 1000n), micros };
  }
  let p: Parsed | null = null;
  if (ISO_NAMES.has(codec.timestamp)) {
    const m = ISO_RE.exec(str);
    if (m)
      p = {
        y: Number(m[1]),
        mo: Number(m[2]),
        d: Number(m[3]),
        h: Number(m[4] ?? 0),
        mi: Number(m[5] ?? 0),
        s: Number(m[6] ?? 0),
        nanos: fracNanos(m[7]),
        offsetMin: parseOffset(m[8]),
      };
  } else p = parseWithPattern(codec.timestamp, str);
  if (!p || p.y === undefined) throw new ConversionError(`cannot parse ${describe(s)} as a timestamp with format ${codec.timestamp}`);
  const nanos = p.nanos ?? 0;
  const msPart = Math.floor(nanos / 1_000_000);
  let ms: number;
  if (p.offsetMin !== undefined) ms = Date.UTC(p.y, (p.mo ?? 1) - 1, p.d ?? 1, p.h ?? 0, p.mi ?? 0, p.s ?? 0, msPart) - p.offsetMin * 60000;
  else ms = localToUtc(codec.timeZone, p.y, p.mo ?? 1, p.d ?? 1, p.h ?? 0, p.mi ?? 0, p.s ?? 0, msPart);
  if (Number.isNaN(ms)) throw new ConversionError(`cannot parse ${describe(s)} as a timestamp`);
  return { ms, micros: BigInt(ms) * 1000n + BigInt(Math.floor((nanos % 1_000_000) / 1000)) };
}

function parseDateString(s: string, codec: CodecConfig): types.LocalDate {
  const str = s.trim();
  if (/^-?\d+$/.test(str)) return dateFromMs(Number(convertUnit(BigInt(str), codec.unit, 'MILLISECONDS')), codec.timeZone);
  let p: Parsed | null = null;
  if (ISO_NAMES.has(codec.date)) {
    const m = /^(\d{4,})-(\d{1,2})-(\d{1,2})$/.exec(str);
    if (m) p = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]) };
  } else p = parseWithPattern(codec.date, str);
  if (!p || p.y === undefined) throw new ConversionError(`cannot parse ${describe(s)} as a date with format ${codec.date}`);
  return new types.LocalDate(p.y, p.mo ?? 1, p.d ?? 1);
}

function parseTimeString(s: string, codec: CodecConfig): types.LocalTime {
  const str = s.trim();
  if (/^-?\d+$/.test(str)) return timeFromNanos(convertUnit(BigInt(str), codec.unit, 'NANOSECONDS'));
  let p: Parsed | null = null;
  if (ISO_NAMES.has(codec.time)) {
    const m = TIME_RE.exec(str);
    if (m) p = { h: Number(m[1]), mi: Number(m[2]), s: Number(m[3] ?? 0), nanos: fracNanos(m[4]) };
  } else p = parseWithPattern(codec.time, str);
  if (!p || p.h === undefined) throw new ConversionError(`cannot parse ${describe(s)} as a time with format ${codec.time}`);
  return timeFromNanos(BigInt(((p.h ?? 0) * 3600 + (p.mi ?? 0) * 60 + (p.s ?? 0)) * 1e9) + BigInt(p.nanos ?? 0));
}

function timeFromNanos(n: bigint): types.LocalTime {
  if (n < 0n || n >= 86_400_000_000_000n) throw new ConversionError(`time of day out of range: ${n} ns`);
  return new types.LocalTime(types.Long.fromString(n.toString()));
}

/** The last date made: readings arrive day by day, so most records reuse it (LocalDate is immutable). */
let lastDate: { day: number; date: types.LocalDate } | null = null;

function dateFromMs(ms: number, tz: string): types.LocalDate {
  const localMs = ms + zoneOffsetMinutes(tz, ms) * 60000;
  const day = Math.floor(localMs / 86_400_000);
  if (lastDate?.day === day) return lastDate.date;
  const local = new Date(localMs);
  const date = new types.LocalDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
  lastDate = { day, date };
  return date;
}

// ---- values ------------------------------------------------------------------------------------------------

/** A type, or what to call it in an error message (computed only for the message). */
type What = CqlType | string;
const whatName = (w: What) => (typeof w === 'string' ? w : typeName(w));

function asBigInt(v: unknown, what: What): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ConversionError(`${describe(v)} is not an integer (${whatName(what)})`);
    return BigInt(v);
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[-+]?\d+$/.test(s)) return BigInt(s);
    if (/^[-+]?\d+(\.0+)?([eE]\+?\d+)?$/.test(s) && Number.isSafeInteger(Number(s))) return BigInt(Number(s));
  }
  if (v instanceof Date) return BigInt(v.getTime());
  throw new ConversionError(`cannot convert ${describe(v)} to ${whatName(what)}`);
}

function asNumber(v: unknown, what: What): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    if (!Number.isNaN(n) || /^nan$/i.test(v.trim())) return n;
  }
  throw new ConversionError(`cannot convert ${describe(v)} to ${whatName(what)}`);
}

function parseJsonish(v: unknown, type: CqlType): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new ConversionError(`cannot convert ${describe(v)} to ${typeName(type)}: not valid JSON`);
  }
}

function entriesOf(v: unknown): [unknown, unknown][] | null {
  if (v instanceof Map) return [...v.entries()];
  if (v instanceof Struct) return v.schema.fields.map((f) => [f.name, v.get(f.name)]);
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date)) return Object.entries(v);
  return null;
}

function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^0x[0-9a-f]*$/i.test(s) && s.length % 2 === 0) return Buffer.from(s.slice(2), 'hex');
    if (/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) return Buffer.from(s, 'base64');
  }
  if (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x < 256)) return Buffer.from(v as number[]);
  throw new ConversionError(`cannot convert ${describe(v)} to blob (expected bytes, base64 or 0x-hex)`);
}

function checkRange(n: bigint, min: bigint, max: bigint, what: What): number {
  if (n < min || n > max) throw new ConversionError(`${n} is out of range for ${whatName(what)}`);
  return Number(n);
}

/**
 * Converts a value to what the driver encodes for `type`. `null`/`undefined` pass through as null.
 * `now()` becomes a new timeuuid (uuid/timeuuid columns) or the current time (timestamp/date/time).
 */
export function convert(value: unknown, type: CqlType, codec: CodecConfig): unknown {
  if (value === null || value === undefined) return null;
  if (value === NOW) {
    if (type.code === dataTypes.timeuuid || type.code === dataTypes.uuid) return types.TimeUuid.now();
    if (type.code === dataTypes.timestamp) return new Date();
    if (type.code === dataTypes.date) return dateFromMs(Date.now(), codec.timeZone);
    throw new ConversionError(`now() cannot be written to a ${typeName(type)} column (timeuuid, uuid, timestamp or date only)`);
  }
  switch (type.code) {
    case dataTypes.ascii:
    case dataTypes.text:
    case dataTypes.varchar: {
      let s: string;
      if (typeof value === 'string') s = value;
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') s = String(value);
      else if (value instanceof Date) s = value.toISOString();
      else if (value instanceof Uint8Array) throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)}`);
      else s = JSON.stringify(toJsonValue(value));
      if (type.code === dataTypes.ascii && /[^\x00-\x7f]/.test(s)) throw new ConversionError(`${describe(s)} is not ASCII`);
      return s;
    }
    case dataTypes.int:
      if (typeof value === 'number' && (value | 0) === value) return value; // the common case, without BigInt
      return checkRange(asBigInt(value, type), -2147483648n, 2147483647n, type);
    case dataTypes.smallint:
      return checkRange(asBigInt(value, type), -32768n, 32767n, type);
    case dataTypes.tinyint:
      return checkRange(asBigInt(value, type), -128n, 127n, type);
    case dataTypes.bigint:
    case dataTypes.counter: {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return types.Long.fromNumber(value);
      const n = value instanceof Date ? BigInt(value.getTime()) : asBigInt(value, type);
      if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new ConversionError(`${n} is out of range for ${typeName(type)}`);
      return types.Long.fromString(n.toString());
    }
    case dataTypes.varint:
      return types.Integer.fromString(asBigInt(value, type).toString());
    case dataTypes.float:
    case dataTypes.double:
      return asNumber(value, type);
    case dataTypes.decimal: {
      const s = typeof value === 'number' || typeof value === 'bigint' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new ConversionError(`cannot convert ${describe(value)} to decimal`);
      return types.BigDecimal.fromString(normalizeDecimal(s));
    }
    case dataTypes.boolean:
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
      if (typeof value === 'string' && /^(true|false|1|0|yes|no)$/i.test(value.trim())) return /^(true|1|yes)$/i.test(value.trim());
      throw new ConversionError(`cannot convert ${describe(value)} to boolean`);
    case dataTypes.uuid:
    case dataTypes.timeuuid: {
      let u: types.Uuid;
      try {
        if (typeof value === 'string') u = types.Uuid.fromString(value.trim());
        else if (value instanceof Uint8Array && value.length === 16) u = new types.Uuid(toBuffer(value));
        else if (value instanceof types.Uuid) u = value;
        else throw new Error();
      } catch {
        throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)}`);
      }
      if (type.code === dataTypes.timeuuid && u.getBuffer()[6]! >> 4 !== 1)
        throw new ConversionError(`${describe(value)} is not a version 1 (time-based) uuid`);
      return u;
    }
    case dataTypes.timestamp:
      if (value instanceof Date) return value;
      if (typeof value === 'number' && codec.unit === 'MILLISECONDS' && Number.isSafeInteger(value)) return new Date(value);
      if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(convertUnit(asBigInt(value, type), codec.unit, 'MILLISECONDS')));
      if (typeof value === 'string') return new Date(parseTimestampString(value, codec).ms);
      throw new ConversionError(`cannot convert ${describe(value)} to timestamp`);
    case dataTypes.date:
      if (value instanceof Date) return dateFromMs(value.getTime(), codec.timeZone);
      if (typeof value === 'number' && codec.unit === 'MILLISECONDS' && Number.isSafeInteger(value)) return dateFromMs(value, codec.timeZone);
      if (typeof value === 'number' || typeof value === 'bigint')
        return dateFromMs(Number(convertUnit(asBigInt(value, type), codec.unit, 'MILLISECONDS')), codec.timeZone);
      if (typeof value === 'string') return parseDateString(value, codec);
      throw new ConversionError(`cannot convert ${describe(value)} to date`);
    case dataTypes.time:
      if (value instanceof Date) {
        const ms = value.getTime();
        // Connect Time values are on 1970-01-01 UTC; other instants give their time of day in the codec zone.
        const tod = ms >= 0 && ms < 86_400_000 ? ms : (((ms + zoneOffsetMinutes(codec.timeZone, ms) * 60000) % 86_400_000) + 86_400_000) % 86_400_000;
        return timeFromNanos(BigInt(tod) * 1_000_000n);
      }
      if (typeof value === 'number' || typeof value === 'bigint') return timeFromNanos(convertUnit(asBigInt(value, type), codec.unit, 'NANOSECONDS'));
      if (typeof value === 'string') return parseTimeString(value, codec);
      throw new ConversionError(`cannot convert ${describe(value)} to time`);
    case dataTypes.inet:
      try {
        if (typeof value === 'string') return types.InetAddress.fromString(value.trim());
        if (value instanceof Uint8Array && (value.length === 4 || value.length === 16)) return new types.InetAddress(toBuffer(value));
      } catch {
        /* below */
      }
      throw new ConversionError(`cannot convert ${describe(value)} to inet`);
    case dataTypes.blob:
      return toBuffer(value);
    case dataTypes.list:
    case dataTypes.set: {
      let v = parseJsonish(value, type);
      if (v instanceof Set) v = [...v];
      if (!Array.isArray(v)) throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)} (expected an array)`);
      return v.map((x) => {
        if (x === null || x === undefined) throw new ConversionError(`${typeName(type)} cannot contain null elements`);
        return convert(x, type.info as CqlType, codec);
      });
    }
    case dataTypes.map: {
      const v = parseJsonish(value, type);
      const [kt, vt] = type.info as [CqlType, CqlType];
      let entries = entriesOf(v);
      if (!entries && Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2)) entries = v as [unknown, unknown][];
      if (!entries) throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)} (expected an object, a map or [key, value] pairs)`);
      // The driver encodes maps from plain objects whose keys it stringifies; a Map keeps typed keys.
      const out = new Map<unknown, unknown>();
      for (const [k, x] of entries) {
        if (x === null || x === undefined) throw new ConversionError(`${typeName(type)} cannot contain null values (key ${String(k)})`);
        out.set(convert(k, kt, codec), convert(x, vt, codec));
      }
      return out;
    }
    case dataTypes.tuple: {
      const v = parseJsonish(value, type);
      const elems = type.info as CqlType[];
      let arr: unknown[];
      if (Array.isArray(v)) arr = v;
      else if (v instanceof Struct) arr = v.schema.fields.map((f) => v.get(f.name));
      else throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)} (expected an array or a struct)`);
      if (arr.length !== elems.length) throw new ConversionError(`${describe(value)} has ${arr.length} elements, ${typeName(type)} has ${elems.length}`);
      return types.Tuple.fromArray(arr.map((x, i) => convert(x, elems[i]!, codec)));
    }
    case dataTypes.udt: {
      const v = parseJsonish(value, type);
      const info = type.info as { name: string; fields: { name: string; type: CqlType }[] };
      const entries = entriesOf(v);
      if (!entries) throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)} (expected an object or a struct)`);
      const out: Record<string, unknown> = {};
      const byName = new Map(info.fields.map((f) => [f.name, f]));
      for (const [k, x] of entries) {
        const f = byName.get(String(k)) ?? byName.get(String(k).toLowerCase());
        if (!f) throw new ConversionError(`field "${String(k)}" is not in ${typeName(type)} (fields: ${info.fields.map((g) => g.name).join(', ')})`);
        out[f.name] = convert(x, f.type, codec);
      }
      return out;
    }
  }
  if (isDuration(type)) {
    if (value instanceof types.Duration) return value;
    if (typeof value === 'string') {
      try {
        return types.Duration.fromString(value.trim());
      } catch {
        throw new ConversionError(`cannot convert ${describe(value)} to duration (expected e.g. 1h30m, P1DT2H or PT0.5S)`);
      }
    }
    if (typeof value === 'number' || typeof value === 'bigint') {
      const nanos = convertUnit(asBigInt(value, 'duration'), codec.unit, 'NANOSECONDS');
      return new types.Duration(0, 0, types.Long.fromString(nanos.toString()));
    }
    throw new ConversionError(`cannot convert ${describe(value)} to duration`);
  }
  if (isVector(type)) {
    const v = parseJsonish(value, type);
    const [sub, dim] = type.info as [CqlType, number];
    if (!Array.isArray(v)) throw new ConversionError(`cannot convert ${describe(value)} to ${typeName(type)} (expected an array)`);
    if (v.length !== dim) throw new ConversionError(`${typeName(type)} needs ${dim} elements, got ${v.length}`);
    const elems = v.map((x) => convert(x, sub, codec));
    if (sub.code === dataTypes.float) return new types.Vector(Float32Array.from(elems as number[]));
    return new types.Vector(elems, typeName(sub));
  }
  throw new ConversionError(`unsupported column type ${typeName(type)}`);
}

function normalizeDecimal(s: string): string {
  let t = s.startsWith('+') ? s.slice(1) : s;
  if (t.startsWith('.')) t = `0${t}`;
  if (t.startsWith('-.')) t = `-0${t.slice(1)}`;
  if (t.endsWith('.')) t = t.slice(0, -1);
  const m = /^(-?\d+(?:\.\d+)?)[eE]([-+]?\d+)$/.exec(t);
  if (!m) return t;
  // expand the exponent
  const [intPart, frac = ''] = m[1]!.replace('-', '').split('.');
  const neg = m[1]!.startsWith('-');
  const exp = Number(m[2]);
  const digits = intPart! + frac;
  const point = intPart!.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + out;
}

/** An (over)estimate of the encoded size of a converted value, for the batch byte cap. */
export function estimateSize(v: unknown): number {
  if (v === null || v === undefined) return 4;
  if (typeof v === 'string') return 4 + Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'boolean') return 12;
  if (v instanceof Date || v instanceof types.LocalDate || v instanceof types.Long) return 12;
  if (Buffer.isBuffer(v)) return 4 + v.length;
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + estimateSize(x), 8);
  if (v instanceof Map) {
    let n = 8;
    for (const [k, x] of v) n += estimateSize(k) + estimateSize(x);
    return n;
  }
  if (v instanceof types.Tuple) return v.values().reduce((a: number, x: unknown) => a + estimateSize(x), 8);
  if (v instanceof types.Vector) return 8 + v.length * 8;
  if (typeof v === 'object' && v.constructor === Object) return Object.values(v).reduce((a: number, x) => a + estimateSize(x), 8);
  return 20;
}
