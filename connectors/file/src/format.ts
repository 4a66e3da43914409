/**
 * The text FileStreamSink writes for a record value: Java's `String.valueOf(record.value())`, as Java's
 * FileStreamSinkTask prints it ({@link javaString}), except for raw bytes.
 */
import { javaString, type Schema } from '@kconnect/api';

/**
 * The bytes of one output line (without the line terminator), for a value and its schema (null when schemaless):
 * - a top-level `Buffer`/`Uint8Array`/`ArrayBuffer` (BYTES, e.g. from the ByteArrayConverter) is written raw, byte for
 *   byte — Java would print a useless `[B@1b6d3586`; raw bytes make the sink a faithful pipe for text payloads;
 * - anything else as {@link javaString}.
 */
export function valueToLine(value: unknown, schema?: Schema | null): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(javaString(value, schema), 'utf8');
}
