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
  /** Day of week read from the text (0 = Sunday), checked against the date as Java's resolver does. */
  dow?: number;
  /** AM/PM read from the text: `h` is then a clock hour of AM/PM (1-12). */
  pm?: boolean;
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

/** Java's `en_US` style locale name as a BCP 47 tag (`fr_FR` → `fr-FR`). */
const bcp47 = (locale: string) => locale.trim().replace(/_/g, '-');

/** Month names, day names and AM/PM markers of a locale (CLDR, as Java 9+ uses), lower-cased → value. */
interface LocaleNames {
  monthsShort: Map<string, number>;
  monthsLong: Map<string, number>;
  daysShort: Map<string, number>;
  daysLong: Map<string, number>;
  ampm: Map<string, boolean>;
}
const localeNames = new Map<string, LocaleNames>();

function namesOf(locale: string): LocaleNames {
  let n = localeNames.get(locale);
  if (n) return n;
  const tag = bcp47(locale);
  const part = (opts: Intl.DateTimeFormatOptions, type: string, ms: number) =>
    new Intl.DateTimeFormat(tag, { ...opts, timeZone: 'UTC' })
      .formatToParts(ms)
      .find((p) => p.type === type)!
      .value.toLowerCase();
  const names = <V>(count: number, opts: Intl.DateTimeFormatOptions, type: string, at: (i: number) => number, value: (i: number) => V) =>
    new Map(Array.from({ length: count }, (_, i) => [part(opts, type, at(i)), value(i)] as const));
  // months in their format form (as in "15 janv. 2024"), days of 2023-01-01 (a Sunday) onwards
  const month = (i: number) => Date.UTC(2023, i, 15);
  const day = (i: number) => Date.UTC(2023, 0, 1 + i);
  n = {
    monthsShort: names(12, { day: 'numeric', month: 'short' }, 'month', month, (i) => i + 1),
    monthsLong: names(12, { day: 'numeric', month: 'long' }, 'month', month, (i) => i + 1),
    daysShort: names(7, { weekday: 'short' }, 'weekday', day, (i) => i),
    daysLong: names(7, { weekday: 'long' }, 'weekday', day, (i) => i),
    ampm: names(
      2,
      { hour: 'numeric', hour12: true },
      'dayPeriod',
      (i) => Date.UTC(2023, 0, 1, i * 12 + 1),
      (i) => i === 1,
    ),
  };
  localeNames.set(locale, n);
  return n;
}

const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (m: Map<string, unknown>) =>
  `(${[...m.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|')})`;

interface CompiledPattern {
  re: RegExp;
  /** Per capture group: the field it sets, and for names the lookup. */
  fields: { field: string; names?: Map<string, number | boolean> }[];
}

/**
 * A regexp for a Java DateTimeFormatter pattern: y/u M d H h m s S a E X/x/Z and quoted literals; MMM/MMMM, E…
 * and a read the names of `locale` (case-insensitive). Throws a ConversionError for other letters.
 */
function patternRegex(pattern: string, locale: string): CompiledPattern {
  const fields: CompiledPattern['fields'] = [];
  let src = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const lit = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      src += lit === '' ? "'" : escapeRe(lit);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    const num = (field: string, digits = '{1,2}') => {
      fields.push({ field });
      src += `(\\d${digits})`;
    };
    const named = (field: string, names: Map<string, number | boolean>) => {
      fields.push({ field, names });
      src += alternatives(names);
    };
    switch (c) {
      case 'y':
      case 'u':
        num('y', n === 2 ? '{2}' : '{4,}');
        break;
      case 'M':
        if (n <= 2) num('mo');
        else named('mo', n === 3 ? namesOf(locale).monthsShort : namesOf(locale).monthsLong);
        break;
      case 'd':
        num('d');
        break;
      case 'H':
      case 'h':
        num('h');
        break;
      case 'm':
        num('mi');
        break;
      case 's':
        num('s');
        break;
      case 'S':
        num('frac', `{1,${n}}`);
        break;
      case 'a':
        named('pm', namesOf(locale).ampm);
        break;
      case 'E':
        named('dow', n <= 3 ? namesOf(locale).daysShort : namesOf(locale).daysLong);
        break;
      case 'X':
      case 'x':
      case 'Z':
        fields.push({ field: 'zone' });
        src += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
        break;
      default:
        if (/[A-Za-z]/.test(c))
          throw new ConversionError(`unsupported pattern letter '${c}' in "${pattern}" (supported: y u M MMM MMMM d H h m s S a E EEEE X x Z, 'literals')`);
        src += escapeRe(c.repeat(n));
    }
  }
  return { re: new RegExp(`^${src}$`, 'i'), fields };
}

const patternCache = new Map<string, CompiledPattern>();
function compiledPattern(pattern: string, locale: string): CompiledPattern {
  const key = `${locale}\u0000${pattern}`;
  let p = patternCache.get(key);
  if (!p) {
    p = patternRegex(pattern, locale);
    patternCache.set(key, p);
  }
  return p;
}

/** Checks a codec setting: a format name (`CQL_TIMESTAMP`, `ISO_*`) or a pattern this codec can read; throws why not. */
export function checkFormat(format: string, locale: string): void {
  if (ISO_NAMES.has(format)) return;
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(format))
    throw new ConversionError(`unknown format name ${format}: use one of ${[...ISO_NAMES].join(', ')}, or a pattern such as yyyy-MM-dd HH:mm:ss`);
  compiledPattern(format, locale);
}

/** Checks a codec locale (`en_US`, `fr_FR`…); throws why not. */
export function checkLocale(locale: string): void {
  try {
    Intl.getCanonicalLocales(bcp47(locale));
  } catch {
    throw new ConversionError(`not a locale (expected e.g. en_US or fr_FR)`);
  }
}

function parseWithPattern(pattern: string, locale: string, s: string): Parsed | null {
  const p = compiledPattern(pattern, locale);
  const m = p.re.exec(s);
  if (!m) return null;
  const out: Parsed = {};
  p.fields.forEach(({ field, names }, i) => {
    const g = m[i + 1]!;
    if (names) (out as Record<string, unknown>)[field] = names.get(g.toLowerCase());
    else if (field === 'frac') out.nanos = fracNanos(g);
    else if (field === 'zone') out.offsetMin = parseOffset(g);
    else if (field === 'y') out.y = g.length === 2 ? 2000 + Number(g) : Number(g);
    else (out as Record<string, number>)[field] = Number(g);
  });
  if (out.pm !== undefined && out.h !== undefined) {
    if (out.h < 1 || out.h > 12) return null;
    out.h = (out.h % 12) + (out.pm ? 12 : 0);
  }
  return out;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Java's resolver rejects a day of week that is not the date's: so does this. */
function checkDayOfWeek(p: Parsed, s: string): void {
  if (p.dow === undefined || p.y === undefined) return;
  const actual = new Date(Date.UTC(p.y, (p.mo ?? 1) - 1, p.d ?? 1)).getUTCDay();
  if (actual !== p.dow) throw new ConversionError(`${describe(s)}: the date is a ${DAY_NAMES[actual]}, not a ${DAY_NAMES[p.dow]}`);
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
  } else p = parseWithPattern(codec.timestamp, codec.locale, str);
  if (!p || p.y === undefined) throw new ConversionError(`cannot parse ${describe(s)} as a timestamp with format ${codec.timestamp}`);
  checkDayOfWeek(p, s);
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
  } else p = parseWithPattern(codec.date, codec.locale, str);
  if (!p || p.y === undefined) throw new ConversionError(`cannot parse ${describe(s)} as a date with format ${codec.date}`);
  checkDayOfWeek(p, s);
  return new types.LocalDate(p.y, p.mo ?? 1, p.d ?? 1);
}

function parseTimeString(s: string, codec: CodecConfig): types.LocalTime {
  const str = s.trim();
  if (/^-?\d+$/.test(str)) return timeFromNanos(convertUnit(BigInt(str), codec.unit, 'NANOSECONDS'));
  let p: Parsed | null = null;
  if (ISO_NAMES.has(codec.time)) {
    const m = TIME_RE.exec(str);
    if (m) p = { h: Number(m[1]), mi: Number(m[2]), s: Number(m[3] ?? 0), nanos: fracNanos(m[4]) };
  } else p = parseWithPattern(codec.time, codec.locale, str);
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
