/**
 * Transformations that reshape the key or value: Flatten (nested structs and maps into one level, names joined by
 * a delimiter), InsertField (record metadata or a static value as new fields), HeaderFrom (fields into headers,
 * moved or copied) and SetSchemaMetadata (a schema's name and version).
 */
import {
  ConfigDef,
  ConfigError,
  ConfigType,
  type ConnectRecord,
  DataError,
  Importance,
  type Schema,
  SchemaBuilder,
  Schemas,
  SchemaType,
  Struct,
  TimestampType,
  type Transformation,
} from '@kconnect/api';
import {
  configException,
  copySchemaBasics,
  fieldValue,
  isMarkedDouble,
  isPlainObject,
  javaClass,
  mapCopy,
  mapDelete,
  mapEntries,
  mapGet,
  mapSet,
  mapSetLike,
  nonEmptyList,
  operatingSchema,
  operatingValue,
  requireMap,
  requireSchema,
  requireSinkRecord,
  requireStruct,
  requireStructOrNull,
  SchemaCache,
  type SchemalessMap,
  type Side,
  validString,
  withOperating,
} from './util';

const REPLACE_NULL_DOC =
  'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.';

// ------------------------------------------------------------------------------------------------ Flatten

export const FLATTEN_CONFIG = new ConfigDef().define({
  name: 'delimiter',
  type: ConfigType.STRING,
  default: '.',
  importance: Importance.MEDIUM,
  documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record',
});

const PRIMITIVE_OR_ARRAY = new Set<SchemaType>([
  SchemaType.INT8,
  SchemaType.INT16,
  SchemaType.INT32,
  SchemaType.INT64,
  SchemaType.FLOAT32,
  SchemaType.FLOAT64,
  SchemaType.BOOLEAN,
  SchemaType.STRING,
  SchemaType.BYTES,
  SchemaType.ARRAY,
]);

export class Flatten<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private delimiter = '.';
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return FLATTEN_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    this.delimiter = FLATTEN_CONFIG.parse(configs).delimiter;
    this.cache = new SchemaCache();
  }

  private name(prefix: string, field: string): string {
    return prefix === '' ? field : prefix + this.delimiter + field;
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    if (value === null) return record;
    const schema = operatingSchema(record, this.side);
    if (!schema) {
      const map = requireMap(value, 'flattening');
      const out: SchemalessMap = map instanceof Map ? new Map() : {};
      this.flattenSchemaless(map, '', out);
      return withOperating(record, this.side, null, out);
    }
    const struct = requireStructOrNull(value, 'flattening');
    const updated = this.cache.getOrBuild(schema, (s) => {
      const b = copySchemaBasics(s, SchemaBuilder.struct());
      this.buildSchema(s, '', b, s.optional, (s.defaultValue as Struct | null | undefined) ?? null);
      return b.build();
    });
    if (!struct) return withOperating(record, this.side, updated, null);
    const out = new Struct(updated);
    this.flattenStruct(struct, '', out);
    return withOperating(record, this.side, updated, out);
  }

  private flattenSchemaless(map: SchemalessMap, prefix: string, out: SchemalessMap): void {
    for (const [k, v] of mapEntries(map)) {
      const name = this.name(prefix, k);
      if (v === null || v === undefined) {
        mapSet(out, name, null);
        continue;
      }
      if (v instanceof Date)
        throw new DataError(`Flatten transformation was passed a value of type ${javaClass(v)} which is not supported by Connect's data API`);
      if (v instanceof Map || isPlainObject(v)) this.flattenSchemaless(v as SchemalessMap, name, out);
      else if (v instanceof Struct)
        throw new DataError(`Flatten transformation does not support ${javaClass(v)} for record without schemas (for field ${name}).`);
      else mapSetLike(out, name, v, isMarkedDouble(map, k));
    }
  }

  private buildSchema(schema: Schema, prefix: string, b: SchemaBuilder, optional: boolean, parentDefault: Struct | null): void {
    for (const f of schema.fields) {
      const name = this.name(prefix, f.name);
      const fieldOptional = optional || f.schema.optional;
      let def: unknown = null;
      if (f.schema.defaultValue !== null && f.schema.defaultValue !== undefined) def = f.schema.defaultValue;
      else if (parentDefault) def = parentDefault.get(f.name);
      if (PRIMITIVE_OR_ARRAY.has(f.schema.type)) {
        const fb = copySchemaBasics(f.schema);
        if (fieldOptional) fb.optional();
        if (def !== null && def !== undefined) fb.defaultValue(def);
        b.field(name, fb.build());
      } else if (f.schema.type === SchemaType.STRUCT) {
        this.buildSchema(f.schema, name, b, fieldOptional, (def as Struct | null) ?? null);
      } else {
        throw new DataError(`Flatten transformation does not support ${f.schema.type} for record with schemas (for field ${name}).`);
      }
    }
  }

  private flattenStruct(struct: Struct | null, prefix: string, out: Struct): void {
    if (!struct) return;
    for (const f of struct.schema.fields) {
      const name = this.name(prefix, f.name);
      if (PRIMITIVE_OR_ARRAY.has(f.schema.type)) out.put(name, fieldValue(struct, f.name, true));
      else if (f.schema.type === SchemaType.STRUCT) this.flattenStruct(fieldValue(struct, f.name, true) as Struct | null, name, out);
      else throw new DataError(`Flatten transformation does not support ${f.schema.type} for record with schemas (for field ${name}).`);
    }
  }
}

// ------------------------------------------------------------------------------------------------ InsertField

const OPTIONALITY_DOC = 'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

export const INSERT_FIELD_CONFIG = new ConfigDef()
  .define({
    name: 'topic.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Field name for Kafka topic. ' + OPTIONALITY_DOC,
  })
  .define({
    name: 'partition.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Field name for Kafka partition. ' + OPTIONALITY_DOC,
  })
  .define({
    name: 'offset.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Field name for Kafka offset - only applicable to sink connectors.<br/>' + OPTIONALITY_DOC,
  })
  .define({
    name: 'timestamp.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Field name for record timestamp. ' + OPTIONALITY_DOC,
  })
  .define({
    name: 'static.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Field name for static data field. ' + OPTIONALITY_DOC,
  })
  .define({
    name: 'static.value',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'Static field value, if field name configured.',
  })
  .define({ name: 'replace.null.with.default', type: ConfigType.BOOLEAN, default: true, importance: Importance.MEDIUM, documentation: REPLACE_NULL_DOC });

interface InsertionSpec {
  name: string;
  optional: boolean;
}

function insertionSpec(spec: string | null): InsertionSpec | null {
  if (spec === null) return null;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

const OPTIONAL_TIMESTAMP_SCHEMA = TimestampType.builder().optional().build();

export class InsertField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private topic: InsertionSpec | null = null;
  private partition: InsertionSpec | null = null;
  private offset: InsertionSpec | null = null;
  private timestamp: InsertionSpec | null = null;
  private staticField: InsertionSpec | null = null;
  private staticValue: string | null = null;
  private replaceNull = true;
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return INSERT_FIELD_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = INSERT_FIELD_CONFIG.parse(configs);
    this.topic = insertionSpec(c['topic.field']);
    this.partition = insertionSpec(c['partition.field']);
    this.offset = insertionSpec(c['offset.field']);
    this.timestamp = insertionSpec(c['timestamp.field']);
    this.staticField = insertionSpec(c['static.field']);
    this.staticValue = c['static.value'];
    this.replaceNull = c['replace.null.with.default'];
    if (!this.topic && !this.partition && !this.offset && !this.timestamp && !this.staticField) throw new ConfigError('No field insertion configured');
    if (this.staticField && this.staticValue === null)
      throw configException('static.value', null, `No value specified for static field: ${this.staticField.name}`);
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    if (value === null) return record;
    const schema = operatingSchema(record, this.side);
    return schema ? this.applyWithSchema(record, value) : this.applySchemaless(record, value);
  }

  private applySchemaless(record: R, value: unknown): R {
    const out = mapCopy(requireMap(value, 'field insertion'));
    if (this.topic) mapSet(out, this.topic.name, record.topic);
    if (this.partition && record.kafkaPartition !== null) mapSet(out, this.partition.name, record.kafkaPartition);
    if (this.offset) mapSet(out, this.offset.name, requireSinkRecord(record, 'field insertion').kafkaOffset);
    if (this.timestamp && record.timestamp !== null) mapSet(out, this.timestamp.name, record.timestamp);
    if (this.staticField && this.staticValue !== null) mapSet(out, this.staticField.name, this.staticValue);
    return withOperating(record, this.side, null, out);
  }

  private applyWithSchema(record: R, value: unknown): R {
    const struct = requireStruct(value, 'field insertion');
    const updated = this.cache.getOrBuild(struct.schema, (s) => this.buildSchema(s));
    const out = new Struct(updated);
    for (const f of struct.schema.fields) out.put(f.name, fieldValue(struct, f.name, this.replaceNull));
    if (this.topic) out.put(this.topic.name, record.topic);
    if (this.partition && record.kafkaPartition !== null) out.put(this.partition.name, record.kafkaPartition);
    if (this.offset) out.put(this.offset.name, requireSinkRecord(record, 'field insertion').kafkaOffset);
    if (this.timestamp && record.timestamp !== null) out.put(this.timestamp.name, new Date(record.timestamp));
    if (this.staticField && this.staticValue !== null) out.put(this.staticField.name, this.staticValue);
    return withOperating(record, this.side, updated, out);
  }

  private buildSchema(schema: Schema): Schema {
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const f of schema.fields) b.field(f.name, f.schema);
    if (this.topic) b.field(this.topic.name, this.topic.optional ? Schemas.OPTIONAL_STRING_SCHEMA : Schemas.STRING_SCHEMA);
    if (this.partition) b.field(this.partition.name, this.partition.optional ? Schemas.OPTIONAL_INT32_SCHEMA : Schemas.INT32_SCHEMA);
    if (this.offset) b.field(this.offset.name, this.offset.optional ? Schemas.OPTIONAL_INT64_SCHEMA : Schemas.INT64_SCHEMA);
    if (this.timestamp) b.field(this.timestamp.name, this.timestamp.optional ? OPTIONAL_TIMESTAMP_SCHEMA : TimestampType.SCHEMA);
    if (this.staticField) b.field(this.staticField.name, this.staticField.optional ? Schemas.OPTIONAL_STRING_SCHEMA : Schemas.STRING_SCHEMA);
    return b.build();
  }
}

// ------------------------------------------------------------------------------------------------ HeaderFrom

export const HEADER_FROM_CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: ConfigType.LIST,
    validator: nonEmptyList(),
    importance: Importance.HIGH,
    documentation: 'Field names in the record whose values are to be copied or moved to headers.',
  })
  .define({
    name: 'headers',
    type: ConfigType.LIST,
    validator: nonEmptyList(),
    importance: Importance.HIGH,
    documentation: 'Header names, in the same order as the field names listed in the fields configuration property.',
  })
  .define({
    name: 'operation',
    type: ConfigType.STRING,
    validator: validString('move', 'copy'),
    importance: Importance.HIGH,
    documentation:
      'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), ' +
      'or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).',
  })
  .define({ name: 'replace.null.with.default', type: ConfigType.BOOLEAN, default: true, importance: Importance.MEDIUM, documentation: REPLACE_NULL_DOC });

export class HeaderFrom<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private fields: string[] = [];
  private headers: string[] = [];
  private move = false;
  private replaceNull = true;
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return HEADER_FROM_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = HEADER_FROM_CONFIG.parse(configs);
    this.fields = c.fields;
    this.headers = c.headers;
    if (this.fields.length !== this.headers.length) throw new ConfigError("'fields' config must have the same number of elements as 'headers' config.");
    this.move = c.operation === 'move';
    this.replaceNull = c['replace.null.with.default'];
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    const schema = operatingSchema(record, this.side);
    const purpose = `header ${this.move ? 'move' : 'copy'}`;
    const headers = record.headers.duplicate();
    if (!schema) {
      const map = requireMap(value, purpose);
      const out = mapCopy(map);
      for (let i = 0; i < this.fields.length; i++) {
        const f = this.fields[i]!;
        if (this.move) mapDelete(out, f);
        headers.add(this.headers[i]!, mapGet(map, f), null);
      }
      return { ...withOperating(record, this.side, null, out), headers };
    }
    const struct = requireStruct(value, purpose);
    let updatedSchema = schema;
    let updated = struct;
    if (this.move) {
      updatedSchema = this.cache.getOrBuild(schema, (s) => {
        const b = copySchemaBasics(s, SchemaBuilder.struct());
        for (const f of s.fields) if (!this.fields.includes(f.name)) b.field(f.name, f.schema);
        return b.build();
      });
      updated = new Struct(updatedSchema);
      for (const f of updatedSchema.fields) updated.put(f.name, fieldValue(struct, f.name, this.replaceNull));
    }
    for (let i = 0; i < this.fields.length; i++) {
      const name = this.fields[i]!;
      const field = schema.field(name);
      if (!field) throw new DataError(`Field does not exist: ${name}`);
      const v = struct.schema.field(name) ? fieldValue(struct, name, this.replaceNull) : null;
      headers.add(this.headers[i]!, v, field.schema);
    }
    return { ...withOperating(record, this.side, updatedSchema, updated), headers };
  }
}

// ------------------------------------------------------------------------------------------------ SetSchemaMetadata

export const SET_SCHEMA_METADATA_CONFIG = new ConfigDef()
  .define({ name: 'schema.name', type: ConfigType.STRING, default: null, importance: Importance.HIGH, documentation: 'Schema name to set.' })
  .define({ name: 'schema.version', type: ConfigType.INT, default: null, importance: Importance.HIGH, documentation: 'Schema version to set.' })
  .define({ name: 'replace.null.with.default', type: ConfigType.BOOLEAN, default: true, importance: Importance.MEDIUM, documentation: REPLACE_NULL_DOC });

export class SetSchemaMetadata<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private name: string | null = null;
  private version: number | null = null;
  private replaceNull = true;
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return SET_SCHEMA_METADATA_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = SET_SCHEMA_METADATA_CONFIG.parse(configs);
    this.name = c['schema.name'];
    this.version = c['schema.version'];
    this.replaceNull = c['replace.null.with.default'];
    if (this.name === null && this.version === null) throw new ConfigError('Neither schema name nor version configured');
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    const schema = operatingSchema(record, this.side);
    if (value === null && schema === null) return record;
    const s = requireSchema(schema, 'updating schema metadata');
    const updated = this.cache.getOrBuild(s, (orig) => this.rename(orig));
    let v = value;
    if (value instanceof Struct) {
      const out = new Struct(updated);
      for (const f of updated.fields) out.put(f.name, fieldValue(value, f.name, this.replaceNull));
      v = out;
    }
    return withOperating(record, this.side, updated, v);
  }

  private rename(orig: Schema): Schema {
    const b =
      orig.type === SchemaType.ARRAY
        ? SchemaBuilder.array(orig.valueSchema!)
        : orig.type === SchemaType.MAP
          ? SchemaBuilder.map(orig.keySchema!, orig.valueSchema!)
          : SchemaBuilder.type(orig.type);
    if (orig.optional) b.optional();
    const name = this.name ?? orig.name;
    if (name !== undefined) b.name(name);
    const version = this.version ?? orig.version;
    if (version !== undefined) b.version(version);
    if (orig.doc !== undefined) b.doc(orig.doc);
    if (orig.parameters) b.parameters(orig.parameters);
    for (const f of orig.fields) b.field(f.name, f.schema);
    const def = orig.defaultValue;
    if (def === undefined || def === null) return b.build();
    if (!(def instanceof Struct)) return b.defaultValue(def).build();
    // a struct default must be a struct of the renamed schema (schema equality ignores defaults)
    const bare = b.build();
    const copy = new Struct(bare);
    for (const f of bare.fields) copy.put(f.name, def.getWithoutDefault(f.name) ?? null);
    return b.defaultValue(copy).build();
  }
}
