/**
 * Java's fixed-format converters from `org.apache.kafka.connect.converters`: ByteArrayConverter (pass-through),
 * IntegerConverter, LongConverter, ShortConverter, FloatConverter, DoubleConverter (big-endian, as Kafka's
 * serializers) and BooleanConverter (one byte, 0 or 1). Each is also a header converter, as in Java.
 */
import { DataError, Schemas, SchemaType } from '@kconnect/api';
import type { ConfigDef, Converter, HeaderConverter, Schema, SchemaAndValue } from '@kconnect/api';
import { dataError, newConverterConfigDef, withConverterType } from './converter-config';
import { describeType } from '@kconnect/api';

const CONVERTER_CONFIG_DEF = newConverterConfigDef();

/** Shared plumbing: config, header methods. */
abstract class SimpleConverter implements Converter, HeaderConverter {
  /** Java's `ConverterConfig` keys (`converter.type`). */
  config(): ConfigDef {
    return CONVERTER_CONFIG_DEF;
  }

  configure(configs: Record<string, string>, isKey?: boolean): void {
    CONVERTER_CONFIG_DEF.parse(withConverterType(configs, isKey));
  }

  abstract fromConnectData(topic: string, schema: Schema | null, value: unknown): Uint8Array | null;
  abstract toConnectData(topic: string, value: Uint8Array | null): SchemaAndValue;

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }
}

/** Pass-through converter for raw bytes: BYTES schema (or none) and `Uint8Array` values; reads OPTIONAL_BYTES. */
export class ByteArrayConverter extends SimpleConverter {
  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (schema != null && schema.type !== SchemaType.BYTES) throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value === null || value === undefined) return null;
    if (!(value instanceof Uint8Array)) throw new DataError(`ByteArrayConverter is not compatible with objects of type ${describeType(value)}`);
    return value;
  }

  toConnectData(_topic: string, value: Uint8Array | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES_SCHEMA, value: value ?? null };
  }
}

/** Base of the number converters: a fixed-size big-endian encoding; the schema given on write is ignored. */
abstract class NumberConverter extends SimpleConverter {
  protected abstract readonly typeName: string;
  protected abstract readonly schema: Schema;
  protected abstract readonly size: number;
  /** Java's deserializer name in its size error (`IntegerDeserializer`, or just `Deserializer` for floats). */
  protected abstract readonly deserializerName: string;
  /** Writes the value into a buffer of {@link size} bytes; returns false when the value is not of this type. */
  protected abstract encode(value: unknown, out: Buffer): boolean;
  protected abstract decode(bytes: Buffer): number | bigint;

  fromConnectData(_topic: string, _schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    const out = Buffer.allocUnsafe(this.size);
    if (!this.encode(value, out)) {
      throw new DataError(`Failed to serialize to ${this.typeName} (was ${describeType(value)}): value is not a valid ${this.typeName}`);
    }
    return out;
  }

  toConnectData(_topic: string, value: Uint8Array | null): SchemaAndValue {
    if (value == null) return { schema: this.schema, value: null };
    if (value.byteLength !== this.size) {
      throw dataError(`Failed to deserialize ${this.typeName}: `, new Error(`Size of data received by ${this.deserializerName} is not ${this.size}`));
    }
    return { schema: this.schema, value: this.decode(Buffer.from(value.buffer, value.byteOffset, value.byteLength)) };
  }
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** 4-byte big-endian INT32 (Java's IntegerConverter); reads OPTIONAL_INT32. */
export class IntegerConverter extends NumberConverter {
  protected readonly typeName = 'integer';
  protected readonly schema = Schemas.OPTIONAL_INT32_SCHEMA;
  protected readonly size = 4;
  protected readonly deserializerName = 'IntegerDeserializer';
  protected encode(v: unknown, out: Buffer): boolean {
    if (!isInt(v, -2147483648, 2147483647)) return false;
    out.writeInt32BE(v);
    return true;
  }
  protected decode(b: Buffer): number {
    return b.readInt32BE(0);
  }
}

/** 2-byte big-endian INT16 (Java's ShortConverter); reads OPTIONAL_INT16. */
export class ShortConverter extends NumberConverter {
  protected readonly typeName = 'short';
  protected readonly schema = Schemas.OPTIONAL_INT16_SCHEMA;
  protected readonly size = 2;
  protected readonly deserializerName = 'ShortDeserializer';
  protected encode(v: unknown, out: Buffer): boolean {
    if (!isInt(v, -32768, 32767)) return false;
    out.writeInt16BE(v);
    return true;
  }
  protected decode(b: Buffer): number {
    return b.readInt16BE(0);
  }
}

/** 8-byte big-endian INT64 (Java's LongConverter); values are numbers or bigints; reads OPTIONAL_INT64. */
export class LongConverter extends NumberConverter {
  protected readonly typeName = 'long';
  protected readonly schema = Schemas.OPTIONAL_INT64_SCHEMA;
  protected readonly size = 8;
  protected readonly deserializerName = 'LongDeserializer';
  protected encode(v: unknown, out: Buffer): boolean {
    let big: bigint;
    if (typeof v === 'bigint') big = v;
    else if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
    else return false;
    if (big !== BigInt.asIntN(64, big)) return false;
    out.writeBigInt64BE(big);
    return true;
  }
  protected decode(b: Buffer): number | bigint {
    const v = b.readBigInt64BE(0);
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
}

/** 4-byte IEEE 754 FLOAT32 (Java's FloatConverter); reads OPTIONAL_FLOAT32. */
export class FloatConverter extends NumberConverter {
  protected readonly typeName = 'float';
  protected readonly schema = Schemas.OPTIONAL_FLOAT32_SCHEMA;
  protected readonly size = 4;
  protected readonly deserializerName = 'Deserializer';
  protected encode(v: unknown, out: Buffer): boolean {
    if (typeof v !== 'number') return false;
    out.writeFloatBE(v);
    return true;
  }
  protected decode(b: Buffer): number {
    return b.readFloatBE(0);
  }
}

/** 8-byte IEEE 754 FLOAT64 (Java's DoubleConverter); reads OPTIONAL_FLOAT64. */
export class DoubleConverter extends NumberConverter {
  protected readonly typeName = 'double';
  protected readonly schema = Schemas.OPTIONAL_FLOAT64_SCHEMA;
  protected readonly size = 8;
  protected readonly deserializerName = 'Deserializer';
  protected encode(v: unknown, out: Buffer): boolean {
    if (typeof v !== 'number') return false;
    out.writeDoubleBE(v);
    return true;
  }
  protected decode(b: Buffer): number {
    return b.readDoubleBE(0);
  }
}

const TRUE = Uint8Array.of(1);
const FALSE = Uint8Array.of(0);

/** One byte, 1 for true and 0 for false (Java's BooleanConverter); BOOLEAN schema (or none); reads OPTIONAL_BOOLEAN. */
export class BooleanConverter extends SimpleConverter {
  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (schema != null && schema.type !== SchemaType.BOOLEAN) throw new DataError(`Invalid schema type for BooleanConverter: ${schema.type}`);
    if (value === null || value === undefined) return null;
    if (typeof value !== 'boolean') throw new DataError(`BooleanConverter is not compatible with objects of type ${describeType(value)}`);
    return Uint8Array.from(value ? TRUE : FALSE);
  }

  toConnectData(_topic: string, value: Uint8Array | null): SchemaAndValue {
    if (value == null) return { schema: Schemas.OPTIONAL_BOOLEAN_SCHEMA, value: null };
    if (value.byteLength !== 1) throw dataError('Failed to deserialize boolean: ', new Error('Size of data received by BooleanDeserializer is not 1'));
    const b = value[0];
    if (b !== 0 && b !== 1) {
      throw dataError('Failed to deserialize boolean: ', new Error(`Unexpected byte received by BooleanDeserializer: ${(b! << 24) >> 24}`));
    }
    return { schema: Schemas.OPTIONAL_BOOLEAN_SCHEMA, value: b === 1 };
  }
}
