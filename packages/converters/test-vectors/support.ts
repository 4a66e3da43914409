/**
 * Reading the Java-generated test vectors: rebuilding schemas and values from their neutral form (see
 * generator/src/main/java/kconnect/vectors/GenerateVectors.java) and comparing results in a canonical form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaBuilder, SchemaType, Struct } from '@kconnect/api';
import type { Schema, SchemaAndValue } from '@kconnect/api';

export interface NeutralSchema {
  type: keyof typeof SchemaType;
  optional: boolean;
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  default?: Tagged;
  keySchema?: NeutralSchema;
  valueSchema?: NeutralSchema;
  fields?: { name: string; schema: NeutralSchema }[];
}

export type Tagged = null | {
  t: string;
  v?: unknown;
  bits?: string;
  s?: string;
  scale?: number;
  schema?: NeutralSchema;
};

export interface JavaError {
  class: string;
  message: string;
  causeClass?: string;
  causeMessage?: string;
}

export interface JavaResult {
  schema: NeutralSchema | null;
  value: Tagged;
  javaReturnedNull?: boolean;
}

export interface Vector {
  kind: 'write' | 'writeError' | 'read' | 'floatFormat';
  name: string;
  converter?: string;
  config?: Record<string, string>;
  isKey?: boolean;
  schema?: NeutralSchema | null;
  value?: Tagged;
  bytes?: string | null;
  text?: string;
  readBack?: JavaResult;
  readBackError?: JavaError;
  result?: JavaResult;
  error?: JavaError;
  type?: 'float32' | 'float64';
  cases?: [string, string][];
}

export interface VectorFile {
  kafkaVersion: string;
  javaVersion: string;
  count: number;
  vectors: Vector[];
}

export function loadVectors(file: string): VectorFile {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as VectorFile;
}

/** A Connect schema from its neutral form. */
export function buildSchema(n: NeutralSchema | null | undefined): Schema | null {
  if (!n) return null;
  const make = (): SchemaBuilder => {
    const b = new SchemaBuilder(SchemaType[n.type], buildSchema(n.keySchema) ?? undefined, buildSchema(n.valueSchema) ?? undefined);
    if (n.optional) b.optional();
    if (n.name !== undefined) b.name(n.name);
    if (n.version !== undefined) b.version(n.version);
    if (n.doc !== undefined) b.doc(n.doc);
    if (n.parameters !== undefined && Object.keys(n.parameters).length > 0) b.parameters(n.parameters);
    for (const f of n.fields ?? []) b.field(f.name, buildSchema(f.schema)!);
    return b;
  };
  if (n.default === undefined || n.default === null) return make().build();
  const withoutDefault = make().build();
  return make().defaultValue(untag(n.default, withoutDefault)).build();
}

function bitsToFloat(bits: string, size: 4 | 8): number {
  const buf = Buffer.from(bits, 'hex');
  return size === 4 ? buf.readFloatBE(0) : buf.readDoubleBE(0);
}

/** The TypeScript value of a tagged Java value, guided by its schema when there is one. */
export function untag(t: Tagged, schema?: Schema | null): unknown {
  if (t === null) return null;
  switch (t.t) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'boolean':
    case 'string':
      return t.v;
    case 'int64': {
      const b = BigInt(t.v as string);
      return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
    }
    case 'float32':
      return bitsToFloat(t.bits!, 4);
    case 'float64':
      return bitsToFloat(t.bits!, 8);
    case 'bytes':
      return new Uint8Array(Buffer.from(t.v as string, 'base64'));
    case 'decimal':
      return t.v;
    case 'date':
      return new Date(t.v as number);
    case 'array':
      return (t.v as Tagged[]).map((e) => untag(e, schema?.valueSchema));
    case 'map': {
      const entries = (t.v as [Tagged, Tagged][]).map(([k, v]) => [untag(k, schema?.keySchema), untag(v, schema?.valueSchema)] as const);
      const stringKeys = (schema ? schema.keySchema?.type === SchemaType.STRING : true) && entries.every(([k]) => typeof k === 'string');
      if (!stringKeys) return new Map(entries);
      const obj: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(obj, k as string, { value: v, enumerable: true, writable: true, configurable: true });
      return obj;
    }
    case 'struct': {
      const own = t.schema ? buildSchema(t.schema)! : schema!;
      const s = new Struct(own);
      for (const [name, v] of t.v as [string, Tagged][]) if (v !== null) s.put(name, untag(v, own.field(name)!.schema));
      return s;
    }
    default:
      throw new Error(`unknown tag ${t.t}`);
  }
}

type Canon = unknown;

function sortEntries(entries: [Canon, Canon][]): [Canon, Canon][] {
  return entries.sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1));
}

/** A canonical, deep-comparable form of a Connect value (maps compared regardless of entry order). */
export function canon(v: unknown): Canon {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
      return { n: Object.is(v, -0) ? '-0' : String(v) };
    case 'bigint':
      return { n: v.toString() };
    case 'string':
      return { s: v };
    case 'boolean':
      return { b: v };
    default:
      break;
  }
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Date) return { date: v.getTime() };
  if (Array.isArray(v)) return { a: v.map(canon) };
  if (v instanceof Map) return { m: sortEntries([...v].map(([k, x]) => [canon(k), canon(x)])) };
  if (v instanceof Struct) return { struct: v.schema.fields.map((f) => [f.name, canon(v.getWithoutDefault(f.name))]) };
  if (typeof v === 'object') return { m: sortEntries(Object.keys(v).map((k) => [canon(k), canon((v as Record<string, unknown>)[k])])) };
  throw new Error(`cannot canonicalize ${String(v)}`);
}

/** A canonical form of a schema, defaults included. */
export function canonSchema(s: Schema | null | undefined): Canon {
  if (!s) return null;
  const out: Record<string, unknown> = { type: s.type, optional: s.optional };
  if (s.name != null) out.name = s.name;
  if (s.version != null) out.version = s.version;
  if (s.doc != null) out.doc = s.doc;
  if (s.parameters && Object.keys(s.parameters).length > 0) out.parameters = { ...s.parameters };
  if (s.defaultValue != null) out.default = canon(s.defaultValue);
  if (s.keySchema) out.keySchema = canonSchema(s.keySchema);
  if (s.valueSchema) out.valueSchema = canonSchema(s.valueSchema);
  if (s.type === SchemaType.STRUCT) out.fields = s.fields.map((f) => ({ name: f.name, schema: canonSchema(f.schema) }));
  return out;
}

/** Canonical schema and value of our result, and of Java's. */
export function compareForms(ours: SchemaAndValue, java: JavaResult): { ours: Canon; java: Canon } {
  const javaSchema = buildSchema(java.schema);
  return {
    ours: { schema: canonSchema(ours.schema), value: canon(ours.value) },
    java: { schema: canonSchema(javaSchema), value: canon(untag(java.value, javaSchema)) },
  };
}

/** The bytes of a vector, or null. */
export function vectorBytes(v: Vector): Uint8Array | null {
  return v.bytes == null ? null : new Uint8Array(Buffer.from(v.bytes, 'base64'));
}

/** Bytes as base64 (null stays null), for readable comparisons. */
export function b64(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Bytes as text when they are valid UTF-8 (for readable failure diffs), else base64. */
export function show(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `base64:${b64(bytes)}`;
  }
}
