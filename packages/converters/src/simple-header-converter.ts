/**
 * SimpleHeaderConverter: Java's `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default header
 * converter. Header values are written as UTF-8 strings (`Values.convertToString`) and read back with their schema
 * inferred (`Values.parseString`).
 */
import { ConfigDef, NULL_SCHEMA_AND_VALUE, Schemas } from '@kconnect/api';
import type { HeaderConverter, Schema, SchemaAndValue } from '@kconnect/api';
import { convertToString, parseString } from './values';

const EMPTY_CONFIG_DEF = new ConfigDef();

/**
 * Writes header values as strings (numbers as Java prints them, arrays and maps in a JSON-like form, dates in
 * ISO-8601) and reads them back inferring the schema: `42` → INT8, `3.5` → FLOAT32, `true` → BOOLEAN,
 * `[1,2]` → ARRAY of INT8, `{"a":1}` → MAP, `2024-01-15` → Date, anything else → STRING.
 */
export class SimpleHeaderConverter implements HeaderConverter {
  /** No settings. */
  config(): ConfigDef {
    return EMPTY_CONFIG_DEF;
  }

  configure(_configs: Record<string, string>): void {
    // nothing to configure
  }

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(convertToString(schema, value)!, 'utf8');
  }

  /** Never throws for unreadable text: like Java, it falls back to the raw bytes with a BYTES schema. */
  toConnectHeader(_topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    if (value == null) return NULL_SCHEMA_AND_VALUE;
    try {
      const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
      return parseString(text) ?? NULL_SCHEMA_AND_VALUE;
    } catch {
      return { schema: Schemas.BYTES_SCHEMA, value };
    }
  }
}
