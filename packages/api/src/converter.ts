/**
 * Converters turn Connect data (schema + value) into the bytes stored in Kafka and back; header converters do the
 * same for header values. The runtime configures one key converter, one value converter and one header converter
 * per task, from the worker's settings overridden by the connector's (`key.converter.*`, `value.converter.*`).
 */
import type { ConfigDef } from './config';
import type { Headers } from './records';
import type { Schema } from './schema';

/** A schema with a value; `schema` null means schemaless. */
export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export const NULL_SCHEMA_AND_VALUE: SchemaAndValue = Object.freeze({ schema: null, value: null });

/** A result that may be immediate (JSON, String) or need I/O (Avro with a schema registry). */
export type MaybePromise<T> = T | Promise<T>;

export interface Converter {
  /** Configure with the prefix-stripped settings (e.g. `schemas.enable`); `isKey` says which side it converts. */
  configure(configs: Record<string, string>, isKey: boolean): void;
  /** Serialize; null value with null schema → null (a tombstone). Throws a DataError when the value is invalid. */
  fromConnectData(topic: string, schema: Schema | null, value: unknown, headers?: Headers): MaybePromise<Uint8Array | null>;
  /** Deserialize; null bytes → null value. Throws a DataError when the bytes cannot be read. */
  toConnectData(topic: string, value: Uint8Array | null, headers?: Headers): MaybePromise<SchemaAndValue>;
  /** The converter's config keys. */
  config(): ConfigDef;
  close?(): void | Promise<void>;
}

export interface HeaderConverter {
  configure(configs: Record<string, string>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null;
  toConnectHeader(topic: string, headerKey: string, value: Uint8Array | null): SchemaAndValue;
  config(): ConfigDef;
  close?(): void | Promise<void>;
}
