/**
 * Field-level transformations of the key or value: ExtractField (a field, by a V1 or V2 path), HoistField (wraps
 * the whole key or value in a one-field struct or map), ValueToKey (a key from value fields), ReplaceField
 * (include, exclude, rename) and MaskField (a field's "null value" for its type, or a replacement).
 */
import {
  ConfigDef,
  ConfigType,
  type ConnectRecord,
  DataError,
  Decimal,
  Importance,
  type Schema,
  SchemaBuilder,
  SchemaType,
  Struct,
  type Transformation,
  doubleKeys,
  markDouble,
} from '@kconnect/api';
import { javaSplit } from './cast';
import { fieldSyntaxVersion, SingleFieldPath, withFieldSyntaxVersion } from './field-path';
import {
  configException,
  copySchemaBasics,
  fieldValue,
  isMarkedDouble,
  javaClass,
  lambdaValidator,
  mapEmpty,
  mapEntries,
  mapGet,
  mapSet,
  mapSetLike,
  nonEmptyList,
  nonEmptyString,
  operatingSchema,
  operatingValue,
  requireMap,
  requireMapOrNull,
  requireStruct,
  requireStructOrNull,
  SchemaCache,
  type SchemalessMap,
  type Side,
  withOperating,
} from './util';

const REPLACE_NULL_DOC =
  'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.';

function replaceNullWithDefault<P extends Record<string, unknown>>(def: ConfigDef<P>) {
  return def.define({
    name: 'replace.null.with.default',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.MEDIUM,
    documentation: REPLACE_NULL_DOC,
  });
}

// ------------------------------------------------------------------------------------------------ ExtractField

export const EXTRACT_FIELD_CONFIG = withFieldSyntaxVersion(
  replaceNullWithDefault(
    new ConfigDef().define({ name: 'field', type: ConfigType.STRING, importance: Importance.MEDIUM, documentation: 'Field name to extract.' }),
  ),
);

export class ExtractField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private path: SingleFieldPath | undefined;
  private replaceNull = true;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return EXTRACT_FIELD_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = EXTRACT_FIELD_CONFIG.parse(configs);
    this.path = new SingleFieldPath(c.field, fieldSyntaxVersion(c['field.syntax.version']));
    this.replaceNull = c['replace.null.with.default'];
  }

  apply(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    const path = this.path!;
    if (!schema) {
      const map = requireMapOrNull(value, 'field extraction');
      return withOperating(record, this.side, null, map === null ? null : path.valueFromMap(map));
    }
    const struct = requireStructOrNull(value, 'field extraction');
    const field = path.fieldFrom(schema);
    if (!field) throw new DataError(`Unknown field: ${path.text}`);
    return withOperating(record, this.side, field.schema, struct === null ? null : path.valueFromStruct(struct, this.replaceNull));
  }
}

// ------------------------------------------------------------------------------------------------ HoistField

export const HOIST_FIELD_CONFIG = new ConfigDef().define({
  name: 'field',
  type: ConfigType.STRING,
  importance: Importance.MEDIUM,
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

export class HoistField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private field = '';
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return HOIST_FIELD_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    this.field = HOIST_FIELD_CONFIG.parse(configs).field;
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) return withOperating(record, this.side, null, { [this.field]: value });
    const updated = this.cache.getOrBuild(schema, (s) => SchemaBuilder.struct().field(this.field, s).build());
    return withOperating(record, this.side, updated, new Struct(updated).put(this.field, value));
  }
}

// ------------------------------------------------------------------------------------------------ ValueToKey

export const VALUE_TO_KEY_CONFIG = replaceNullWithDefault(
  new ConfigDef().define({
    name: 'fields',
    type: ConfigType.LIST,
    validator: nonEmptyList(),
    importance: Importance.HIGH,
    documentation: 'Field names on the record value to extract as the record key.',
  }),
);

export class ValueToKey<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private fields: string[] = [];
  private replaceNull = true;
  private cache = new SchemaCache();

  config(): ConfigDef {
    return VALUE_TO_KEY_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = VALUE_TO_KEY_CONFIG.parse(configs);
    this.fields = c.fields;
    this.replaceNull = c['replace.null.with.default'];
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const purpose = 'copying fields from value to key';
    if (!record.valueSchema) {
      const value = requireMap(record.value, purpose);
      const key = mapEmpty(value);
      for (const f of this.fields) mapSetLike(key, f, mapGet(value, f), isMarkedDouble(value, f));
      return { ...record, keySchema: null, key };
    }
    const value = requireStruct(record.value, purpose);
    const keySchema = this.cache.getOrBuild(value.schema, (s) => {
      const b = SchemaBuilder.struct();
      for (const f of this.fields) {
        const field = s.field(f);
        if (!field) throw new DataError(`Field does not exist: ${f}`);
        b.field(f, field.schema);
      }
      return b.build();
    });
    const key = new Struct(keySchema);
    for (const f of this.fields) key.put(f, fieldValue(value, f, this.replaceNull));
    return { ...record, keySchema, key, valueSchema: value.schema, value };
  }
}

// ------------------------------------------------------------------------------------------------ ReplaceField

/** Java's `ReplaceField.parseRenameMappings`. */
export function parseRenameMappings(mappings: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length !== 2) throw configException('renames', mappings, `Invalid rename mapping: ${mapping}`);
    m.set(parts[0]!, parts[1]!);
  }
  return m;
}

export const REPLACE_FIELD_CONFIG = replaceNullWithDefault(
  new ConfigDef()
    .define({
      name: 'exclude',
      type: ConfigType.LIST,
      default: [] as string[],
      importance: Importance.MEDIUM,
      documentation: 'Fields to exclude. This takes precedence over the fields to include.',
    })
    .define({
      name: 'include',
      type: ConfigType.LIST,
      default: [] as string[],
      importance: Importance.MEDIUM,
      documentation: 'Fields to include. If specified, only these fields will be used.',
    })
    .define({
      name: 'renames',
      type: ConfigType.LIST,
      default: [] as string[],
      validator: lambdaValidator(
        (_n, v) => void parseRenameMappings((v as string[]) ?? []),
        'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
      ),
      importance: Importance.MEDIUM,
      documentation: 'Field rename mappings.',
    }),
);

export class ReplaceField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private reverse = new Map<string, string>();
  private replaceNull = true;
  private cache = new SchemaCache();
  /** Per derived schema: each output field and the input field it reads. */
  private plans = new WeakMap<Schema, Array<[string, string]>>();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return REPLACE_FIELD_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = REPLACE_FIELD_CONFIG.parse(configs);
    this.exclude = new Set(c.exclude);
    this.include = new Set(c.include);
    this.renames = parseRenameMappings(c.renames);
    this.reverse = new Map([...this.renames].map(([a, b]) => [b, a]));
    this.replaceNull = c['replace.null.with.default'];
    this.cache = new SchemaCache();
    this.plans = new WeakMap();
  }

  private keep(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    if (value === null) return record;
    const schema = operatingSchema(record, this.side);
    if (!schema) {
      const map = requireMap(value, 'field replacement');
      if (map instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of map as Map<string, unknown>) if (this.keep(k)) out.set(this.renamed(k), v);
        return withOperating(record, this.side, null, out);
      }
      const out: Record<string, unknown> = {};
      const marks = doubleKeys(map);
      for (const k in map) {
        if (!Object.hasOwn(map, k) || !this.keep(k)) continue;
        const to = this.renamed(k);
        out[to] = map[k];
        if (marks?.has(k)) markDouble(out, to);
      }
      return withOperating(record, this.side, null, out);
    }
    const struct = requireStruct(value, 'field replacement');
    const updated = this.cache.getOrBuild(struct.schema, (s) => {
      const b = copySchemaBasics(s, SchemaBuilder.struct());
      for (const f of s.fields) if (this.keep(f.name)) b.field(this.renamed(f.name), f.schema);
      return b.build();
    });
    let plan = this.plans.get(updated);
    if (!plan) {
      plan = updated.fields.map((f) => [f.name, this.reverse.get(f.name) ?? f.name]);
      this.plans.set(updated, plan);
    }
    const out = new Struct(updated);
    for (const [to, from] of plan) out.put(to, fieldValue(struct, from, this.replaceNull));
    return withOperating(record, this.side, updated, out);
  }
}

// ------------------------------------------------------------------------------------------------ MaskField

export const MASK_FIELD_CONFIG = replaceNullWithDefault(
  new ConfigDef()
    .define({ name: 'fields', type: ConfigType.LIST, validator: nonEmptyList(), importance: Importance.HIGH, documentation: 'Names of fields to mask.' })
    .define({
      name: 'replacement',
      type: ConfigType.STRING,
      default: null,
      validator: nonEmptyString(),
      importance: Importance.LOW,
      documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
    }),
);

/** The Java class of a value for MaskField's per-class tables. */
type MaskClass = 'Boolean' | 'Byte' | 'Short' | 'Integer' | 'Long' | 'Float' | 'Double' | 'BigDecimal' | 'Date' | 'String' | 'List' | 'Map' | 'other';

function maskClass(value: unknown, schema: Schema | null, marked: boolean): MaskClass {
  if (schema) {
    if (schema.name === Decimal.LOGICAL_NAME) return 'BigDecimal';
    if (value instanceof Date) return 'Date';
    switch (schema.type) {
      case SchemaType.BOOLEAN:
        return 'Boolean';
      case SchemaType.INT8:
        return 'Byte';
      case SchemaType.INT16:
        return 'Short';
      case SchemaType.INT32:
        return 'Integer';
      case SchemaType.INT64:
        return 'Long';
      case SchemaType.FLOAT32:
        return 'Float';
      case SchemaType.FLOAT64:
        return 'Double';
      case SchemaType.STRING:
        return 'String';
      case SchemaType.ARRAY:
        return 'List';
      case SchemaType.MAP:
        return 'Map';
      default:
        return 'other';
    }
  }
  switch (typeof value) {
    case 'boolean':
      return 'Boolean';
    case 'string':
      return 'String';
    case 'bigint':
      return 'Long';
    case 'number':
      return Number.isInteger(value) && !marked ? 'Long' : 'Double';
  }
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return 'List';
  if (value instanceof Map || (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Struct))) return 'Map';
  return 'other';
}

const JAVA_CLASS: Record<MaskClass, string> = {
  Boolean: 'class java.lang.Boolean',
  Byte: 'class java.lang.Byte',
  Short: 'class java.lang.Short',
  Integer: 'class java.lang.Integer',
  Long: 'class java.lang.Long',
  Float: 'class java.lang.Float',
  Double: 'class java.lang.Double',
  BigDecimal: 'class java.math.BigDecimal',
  Date: 'class java.util.Date',
  String: 'class java.lang.String',
  List: 'class java.util.ArrayList',
  Map: 'class java.util.HashMap',
  other: '',
};

const NUMBER_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Java's `Values.convertToByte` etc. of a string: the number it parses to, narrowed to the class. */
function replacementNumber(text: string, cls: MaskClass): number | bigint | string {
  const bad = () => new DataError(`Unable to convert ${text} (class java.lang.String) to number`);
  if (cls === 'BigDecimal') {
    if (!NUMBER_RE.test(text)) throw bad();
    return text.trim();
  }
  if (!NUMBER_RE.test(text)) throw bad();
  const n = Number(text);
  switch (cls) {
    case 'Byte':
      return Number(BigInt.asIntN(8, BigInt(Math.trunc(n))));
    case 'Short':
      return Number(BigInt.asIntN(16, BigInt(Math.trunc(n))));
    case 'Integer':
      return Number(BigInt.asIntN(32, BigInt(Math.trunc(n))));
    case 'Long': {
      const l = /^\s*[-+]?\d+\s*$/.test(text) ? BigInt(text.trim()) : BigInt(Math.trunc(n));
      const v = BigInt.asIntN(64, l);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'Float':
      return Math.fround(n);
    default:
      return n;
  }
}

export class MaskField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private fields = new Set<string>();
  private replacement: string | null = null;
  private replaceNull = true;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return MASK_FIELD_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = MASK_FIELD_CONFIG.parse(configs);
    this.fields = new Set(c.fields);
    this.replacement = c.replacement;
    this.replaceNull = c['replace.null.with.default'];
  }

  apply(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) {
      const map = requireMap(value, 'mask fields');
      const out: SchemalessMap = map instanceof Map ? new Map(map) : {};
      if (!(out instanceof Map)) for (const [k, v] of mapEntries(map)) mapSetLike(out, k, v, !this.fields.has(k) && isMarkedDouble(map, k));
      for (const f of this.fields) {
        const masked = this.masked(mapGet(map, f), null, isMarkedDouble(map, f));
        mapSet(out, f, masked);
        if (!(out instanceof Map) && typeof masked === 'number' && maskClass(mapGet(map, f), null, isMarkedDouble(map, f)) === 'Double') markDouble(out, f);
      }
      return withOperating(record, this.side, null, out);
    }
    const struct = requireStruct(value, 'mask fields');
    const out = new Struct(struct.schema);
    for (const f of struct.schema.fields) {
      const v = fieldValue(struct, f.name, this.replaceNull);
      out.put(f.name, this.fields.has(f.name) ? this.masked(v, f.schema, false) : v);
    }
    return withOperating(record, this.side, schema, out);
  }

  private masked(value: unknown, schema: Schema | null, marked: boolean): unknown {
    if (value === null || value === undefined) return null;
    const cls = maskClass(value, schema, marked);
    if (this.replacement === null) {
      switch (cls) {
        case 'Boolean':
          return false;
        case 'Byte':
        case 'Short':
        case 'Integer':
        case 'Long':
        case 'Float':
        case 'Double':
          return 0;
        case 'BigDecimal':
          return '0';
        case 'Date':
          return new Date(0);
        case 'String':
          return '';
        case 'List':
          return [];
        case 'Map':
          return value instanceof Map ? new Map() : {};
        default:
          throw new DataError(`Cannot mask value of type: ${javaClass(value)}`);
      }
    }
    switch (cls) {
      case 'String':
        return this.replacement;
      case 'Byte':
      case 'Short':
      case 'Integer':
      case 'Long':
      case 'Float':
      case 'Double':
      case 'BigDecimal':
        return replacementNumber(this.replacement, cls);
      default:
        throw new DataError(`Cannot mask value of type ${JAVA_CLASS[cls] || javaClass(value)} with custom replacement.`);
    }
  }
}
