/**
 * The text FileStreamSink writes for a record value: Java's `String.valueOf(record.value())`, as close as the
 * JavaScript data model allows.
 */
import { Struct } from '@kconnect/api';

/**
 * The bytes of one output line (without the line terminator):
 * - `null`/`undefined` → `null` (Java's `println(null)`);
 * - strings as they are; numbers, bigints and booleans via `String()`;
 * - a top-level `Buffer`/`Uint8Array`/`ArrayBuffer` (BYTES, e.g. from the ByteArrayConverter) is written raw, byte for
 *   byte — Java would print a useless `[B@1b6d3586`; raw bytes make the sink a faithful pipe for text payloads;
 * - anything else via {@link javaString}.
 */
export function valueToLine(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(javaString(value), 'utf8');
}

/**
 * Java-like `toString` of a Connect value:
 * - `Struct{a=1,b=x}` (fields in schema order, null fields left out, as Java's `Struct.toString`);
 * - arrays as `[a, b]` and maps / plain objects as `{k=v, k2=v2}` (Java's `AbstractCollection`/`AbstractMap`);
 * - `Date` as ISO-8601 (Java's `java.util.Date.toString` depends on the JVM's time zone; this does not);
 * - bytes nested inside a container as base64 (Java would print an identity hash).
 */
export function javaString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Struct) {
    const parts: string[] = [];
    for (const f of value.schema.fields) {
      const v = value.getWithoutDefault(f.name);
      if (v !== null && v !== undefined) parts.push(`${f.name}=${javaString(v)}`);
    }
    return `Struct{${parts.join(',')}}`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${javaString(k)}=${javaString(v)}`).join(', ')}}`;
  if (typeof value === 'object') {
    const own = value as { toString?: () => string };
    if (own.toString !== Object.prototype.toString && typeof own.toString === 'function') return own.toString();
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
