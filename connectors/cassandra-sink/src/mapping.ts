/**
 * The DataStax mapping grammar: `col1=key.f1, col2=value.f2.nested, col3=header.h, col4=key, col5=value,
 * col6=now(), __ttl=value.ttl, __timestamp=value.ts`, extended with record metadata (`record.topic`,
 * `record.partition`, `record.offset`, `record.timestamp`) and literals (`'text'`, numbers, `true`, `false`).
 * Identifiers may be double-quoted (`"My Col"="value.a b"` is not valid; `"My Col"=value."a b"` is).
 */
import { Struct } from '@kconnect/api';
import type { SinkRecord } from '@kconnect/api';

export type Source =
  | { kind: 'key' | 'value'; path: string[] }
  | { kind: 'header'; name: string }
  | { kind: 'now' }
  | { kind: 'record'; field: 'topic' | 'partition' | 'offset' | 'timestamp' }
  | { kind: 'literal'; value: string | number | boolean };

export interface MappingEntry {
  /** The column name as Cassandra stores it (unquoted identifiers are lower-cased). */
  column: string;
  source: Source;
  /** The text of the source, for messages. */
  text: string;
}

export interface Mapping {
  /** Regular column entries (not __ttl/__timestamp). */
  columns: MappingEntry[];
  ttl: MappingEntry | null;
  timestamp: MappingEntry | null;
}

class Lexer {
  pos = 0;
  constructor(readonly s: string) {}
  ws() {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }
  eof() {
    this.ws();
    return this.pos >= this.s.length;
  }
  fail(what: string): never {
    const near = this.s.slice(this.pos, this.pos + 20);
    throw new Error(`${what} at position ${this.pos + 1}${near ? ` (near "${near}")` : ' (end of mapping)'}`);
  }
  peek(c: string) {
    this.ws();
    return this.s[this.pos] === c;
  }
  expect(c: string) {
    this.ws();
    if (this.s[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }
  /** An identifier: bare (letters, digits, _, -, $) or double-quoted ("" escapes a quote). Returns [name, quoted]. */
  ident(what: string): [string, boolean] {
    this.ws();
    if (this.s[this.pos] === '"') {
      let out = '';
      this.pos++;
      for (;;) {
        if (this.pos >= this.s.length) this.fail(`unterminated quoted ${what}`);
        const ch = this.s[this.pos++]!;
        if (ch === '"') {
          if (this.s[this.pos] === '"') {
            out += '"';
            this.pos++;
          } else break;
        } else out += ch;
      }
      return [out, true];
    }
    const m = /^[A-Za-z0-9_$@-]+/.exec(this.s.slice(this.pos));
    if (!m) this.fail(`expected a ${what}`);
    this.pos += m[0].length;
    return [m[0], false];
  }
}

function parseSource(lx: Lexer): Source {
  lx.ws();
  const start = lx.pos;
  const rest = lx.s.slice(lx.pos);
  // literals
  if (rest.startsWith("'")) {
    let out = '';
    lx.pos++;
    for (;;) {
      if (lx.pos >= lx.s.length) lx.fail('unterminated string literal');
      const ch = lx.s[lx.pos++]!;
      if (ch === "'") {
        if (lx.s[lx.pos] === "'") {
          out += "'";
          lx.pos++;
        } else break;
      } else out += ch;
    }
    return { kind: 'literal', value: out };
  }
  const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?(?=\s*(,|$))/.exec(rest);
  if (num) {
    lx.pos += num[0].length;
    return { kind: 'literal', value: Number(num[0]) };
  }
  const [head, quoted] = lx.ident('field (key, value, header.<name>, record.<field>, now() or a literal)');
  const name = quoted ? head : head.toLowerCase();
  if (!quoted && name === 'now' && lx.peek('(')) {
    lx.expect('(');
    lx.expect(')');
    return { kind: 'now' };
  }
  if (!quoted && (name === 'true' || name === 'false')) return { kind: 'literal', value: name === 'true' };
  if (quoted || !['key', 'value', 'header', 'record'].includes(name)) {
    lx.pos = start;
    lx.fail(
      `unknown field source "${head}": expected key, value, key.<path>, value.<path>, header.<name>, record.<topic|partition|offset|timestamp>, now() or a literal`,
    );
  }
  const path: string[] = [];
  while (lx.peek('.')) {
    lx.expect('.');
    path.push(lx.ident('field name')[0]);
  }
  if (name === 'header') {
    if (path.length === 0) lx.fail('expected header.<name>');
    return { kind: 'header', name: path.join('.') };
  }
  if (name === 'record') {
    const f = path[0];
    if (path.length !== 1 || !['topic', 'partition', 'offset', 'timestamp'].includes(f!))
      lx.fail('expected record.topic, record.partition, record.offset or record.timestamp');
    return { kind: 'record', field: f as 'topic' };
  }
  return { kind: name as 'key' | 'value', path };
}

/** Parses a mapping; throws an Error saying where it does not parse. */
export function parseMapping(text: string): Mapping {
  const lx = new Lexer(text);
  const columns: MappingEntry[] = [];
  let ttl: MappingEntry | null = null;
  let timestamp: MappingEntry | null = null;
  const seen = new Set<string>();
  if (lx.eof()) throw new Error('the mapping is empty');
  for (;;) {
    const [col, quoted] = lx.ident('column name');
    const column = quoted ? col : col.toLowerCase();
    lx.expect('=');
    const start = lx.pos;
    const source = parseSource(lx);
    const entry: MappingEntry = { column, source, text: lx.s.slice(start, lx.pos).trim() };
    if (seen.has(column)) throw new Error(`column ${column} is mapped twice`);
    seen.add(column);
    if (column === '__ttl') ttl = entry;
    else if (column === '__timestamp') timestamp = entry;
    else columns.push(entry);
    if (lx.eof()) break;
    lx.expect(',');
  }
  if (columns.length === 0) throw new Error('the mapping has no column');
  return { columns, ttl, timestamp };
}

/** Marks a field that does not exist (as opposed to a null value). */
export const MISSING = Symbol('missing');

function child(v: unknown, name: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return MISSING;
  // schemaless JSON first: a plain object (one with an own "constructor" key takes the general path below)
  if ((v as object).constructor === Object) return Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : MISSING;
  if (v instanceof Struct) return v.schema.field(name) ? v.get(name) : MISSING;
  if (v instanceof Map) return v.has(name) ? v.get(name) : MISSING;
  if (!Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date)) return Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : MISSING;
  return MISSING;
}

/** The value of a mapping source for a record; {@link MISSING} when a path does not exist in it. */
export function extract(record: SinkRecord, source: Source): unknown {
  switch (source.kind) {
    case 'key':
    case 'value': {
      let v: unknown = source.kind === 'key' ? record.key : record.value;
      for (const p of source.path) {
        v = child(v, p);
        if (v === MISSING) return MISSING;
      }
      return v ?? null;
    }
    case 'header':
      return record.headers.lastWithName(source.name)?.value ?? null;
    case 'now':
      return NOW;
    case 'record':
      switch (source.field) {
        case 'topic':
          return record.topic;
        case 'partition':
          return record.kafkaPartition;
        case 'offset':
          return record.kafkaOffset;
        case 'timestamp':
          return record.timestamp === null ? null : new Date(record.timestamp);
      }
      return null;
    case 'literal':
      return source.value;
  }
}

/** The value of `now()`: converted to a new timeuuid, or the current time for timestamp columns. */
export const NOW = Symbol('now()');
