/**
 * Field paths (KIP-821): `field.syntax.version` V1 names a top-level field; V2 reads a dotted path into nested
 * structs and maps, with backticks around names that contain dots (`` `foo.bar`.baz ``) and `` \` `` for a backtick
 * inside them (Java's `SingleFieldPath` and `FieldSyntaxVersion`).
 */
import { ConfigError, ConfigType, type ConfigDef, type Field, Importance, type Schema, type Struct } from '@kconnect/api';
import { caseInsensitiveValidString, fieldValue, mapGet, requireMapOrNull, requireStructOrNull, type SchemalessMap } from './util';

export type FieldSyntaxVersion = 'V1' | 'V2';

export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';
export const FIELD_SYNTAX_VERSION_DOC =
  'Defines the version of the syntax to access fields. ' +
  'If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. ' +
  'If set to `V2`, the syntax will support accessing nested elements. ' +
  'To access nested elements, dotted notation is used. ' +
  'If dots are already included in the field name, ' +
  'then backtick pairs can be used to wrap field names containing dots. ' +
  'E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map ' +
  'the following format can be used to access its elements: "`foo.bar`.baz".';

/** Adds `field.syntax.version` (V1 default, case-insensitive) to a ConfigDef. */
export function withFieldSyntaxVersion<P extends Record<string, unknown>>(def: ConfigDef<P>) {
  return def.define({
    name: FIELD_SYNTAX_VERSION_CONFIG,
    type: ConfigType.STRING,
    default: 'V1',
    validator: caseInsensitiveValidString('V1', 'V2'),
    importance: Importance.HIGH,
    documentation: FIELD_SYNTAX_VERSION_DOC,
  });
}

export function fieldSyntaxVersion(value: string): FieldSyntaxVersion {
  const v = value.toUpperCase();
  if (v !== 'V1' && v !== 'V2')
    throw new ConfigError(`Invalid value ${value} for configuration ${FIELD_SYNTAX_VERSION_CONFIG}: Unrecognized field syntax version`);
  return v;
}

function incompleteBacktick(path: string, at: number): never {
  throw new ConfigError(`Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`);
}

/** The steps of a V2 path. */
export function parseFieldPathV2(path: string): string[] {
  const steps: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== '`') {
      const dot = path.indexOf('.', i);
      if (dot < 0) {
        steps.push(path.slice(i));
        i = path.length;
      } else {
        steps.push(path.slice(i, dot));
        i = dot + 1;
      }
      continue;
    }
    // a name in backticks: ends at a backtick followed by a dot (or at the end of the path) that is not escaped
    const openedAt = i;
    let name = '';
    let start = ++i;
    for (;;) {
      const tick = path.indexOf('`', i);
      if (tick < 0) incompleteBacktick(path, openedAt);
      const escaped = path[tick - 1] === '\\';
      if (tick === path.length - 1) {
        if (escaped) incompleteBacktick(path, openedAt);
        steps.push(name + path.slice(start, tick));
        i = tick + 1;
        break;
      }
      if (path[tick + 1] !== '.') {
        i = tick + 1; // a backtick inside the name
        continue;
      }
      if (escaped) {
        name += path.slice(start, tick - 1) + '`';
        i = start = tick + 1;
        continue;
      }
      steps.push(name + path.slice(start, tick));
      i = tick + 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}

/** A path to one field. */
export class SingleFieldPath {
  readonly steps: readonly string[];

  constructor(
    readonly text: string,
    readonly version: FieldSyntaxVersion,
  ) {
    this.steps = version === 'V1' ? [text] : parseFieldPathV2(text);
  }

  private get last(): string {
    return this.steps[this.steps.length - 1]!;
  }

  /** The field at this path in a struct schema, or undefined. */
  fieldFrom(schema: Schema | null): Field | undefined {
    if (!schema) return undefined;
    let cur = schema;
    for (let i = 0; i < this.steps.length - 1; i++) {
      const f = cur.field(this.steps[i]!);
      if (!f) return undefined;
      cur = f.schema;
    }
    return cur.field(this.last);
  }

  /** The value at this path in a struct, or null (`withDefault`: defaults of null fields, Java's `Struct.get`). */
  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    if (!struct) return null;
    let cur: Struct | null = struct;
    for (let i = 0; i < this.steps.length - 1; i++) {
      const step = this.steps[i]!;
      if (!cur.schema.field(step)) return null;
      cur = requireStructOrNull(fieldValue(cur, step, true), 'nested field access');
      if (!cur) return null;
    }
    return cur.schema.field(this.last) ? fieldValue(cur, this.last, withDefault) : null;
  }

  /** The value at this path in a schemaless map, or null. */
  valueFromMap(map: SchemalessMap | null): unknown {
    if (!map) return null;
    let cur: SchemalessMap | null = map;
    for (let i = 0; i < this.steps.length - 1; i++) {
      cur = requireMapOrNull(mapGet(cur, this.steps[i]!), 'nested field access');
      if (!cur) return null;
    }
    return mapGet(cur, this.last);
  }
}
