/**
 * One mapped table (`topic.<topic>.<keyspace>.<table>`): checked against the live table metadata, with its CQL
 * statements, and turning a record into a write operation (insert/update, or delete) of bound values.
 */
import type { SinkRecord } from '@kconnect/api';
import { types, type Client } from 'cassandra-driver';
import type { CodecConfig, TableConfig } from './config';
import { ConversionError, type CqlType, convert, convertUnit, estimateSize, typeName } from './convert';
import { MISSING, type MappingEntry, extract } from './mapping';

// The driver prepares lazily on first execute; its PrepareHandler prepares (and caches) up front, and returns the
// bind metadata a custom query needs. No public API offers either.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PrepareHandler = require('cassandra-driver/lib/prepare-handler');

const { dataTypes } = types;
const lbp = (client: Client) => (client as unknown as { options: { policies: { loadBalancing: unknown } } }).options.policies.loadBalancing;

/** Bind names a custom query can use for the record's writetime (µs) and TTL (s). */
export const TIMESTAMP_BIND = 'kafka_internal_timestamp';
export const TTL_BIND = 'kafka_internal_ttl';

export interface Op {
  query: string;
  params: unknown[];
  /** Table and partition key: records with the same group key go to the same batch chain, in order. */
  group: string;
  /**
   * Clustering key when the write has no writetime of its own (counters, records without timestamp): two such
   * writes to one row never share a batch, which would give them the same timestamp. Null otherwise.
   */
  row: string | null;
  bytes: number;
  counter: boolean;
  /** Driver consistency code. */
  consistency: number;
  /** The table writer that made it (metrics, error reports). */
  writer: TableWriter;
}

/** A record that cannot be written, with why (and whether it is a mapping or a driver error). */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly kind: 'mapping' | 'driver',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataError';
  }
}

interface Column {
  name: string;
  type: CqlType;
}

/** A cheap, exact string form of a converted key value (Date.toString() is slow and loses ms). */
function keyPart(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (v instanceof Date) return String(v.getTime());
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

export class TableWriter {
  readonly fqtn: string;
  readonly labels: Record<string, string>;
  private readonly cl: number;
  private readonly columns: { entry: MappingEntry; col: Column }[] = [];
  private readonly pkCols: Column[] = [];
  private readonly partitionCols: Column[] = [];
  private insertQuery = '';
  private deleteQuery = '';
  private customBinds: string[] = [];
  /** Whether the custom query sets the writetime from the record (`USING TIMESTAMP :kafka_internal_timestamp`). */
  private readonly queryHasWritetime: boolean;
  private counter = false;
  private nonPk: Set<string> = new Set();

  constructor(
    readonly cfg: TableConfig,
    readonly codec: CodecConfig,
  ) {
    this.fqtn = `${cfg.keyspace}.${cfg.table}`;
    this.queryHasWritetime = new RegExp(`TIMESTAMP\\s+:"?${TIMESTAMP_BIND}\\b`, 'i').test(cfg.query ?? '');
    this.labels = { topic: cfg.topic, keyspace: cfg.keyspace, table: cfg.table };
    const camel = cfg.consistencyLevel.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    this.cl = types.consistencies[camel as keyof typeof types.consistencies];
  }

  private where(what: string) {
    return `topic ${this.cfg.topic}, table ${this.fqtn}${what ? `, ${what}` : ''}`;
  }

  /** Checks the mapping against the live metadata and builds the statements. Returns the problems found. */
  async init(client: Client): Promise<string[]> {
    const { keyspace, table, mapping } = this.cfg;
    const problems: string[] = [];
    const ks = client.metadata.keyspaces[keyspace];
    const meta = ks ? await client.metadata.getTable(keyspace, table) : null;
    if (!ks) return [`${this.where('')}: keyspace ${keyspace} does not exist (${this.cfg.prefix}mapping)`];
    if (!meta) return [`${this.where('')}: table ${this.fqtn} does not exist (${this.cfg.prefix}mapping)`];
    const byName = new Map<string, Column>(meta.columns.map((c) => [c.name, { name: c.name, type: c.type as CqlType }]));
    for (const c of meta.partitionKeys) this.partitionCols.push(byName.get(c.name)!);
    for (const c of [...meta.partitionKeys, ...meta.clusteringKeys]) this.pkCols.push(byName.get(c.name)!);
    const pkNames = new Set(this.pkCols.map((c) => c.name));
    this.counter = meta.columns.some((c) => (c.type as CqlType).code === dataTypes.counter);
    const qt = `${q(keyspace)}.${q(table)}`;

    if (this.cfg.query) {
      // Custom CQL: the mapping names the query's named binds; their types come from the prepared statement.
      let binds: { name: string; type: CqlType }[];
      try {
        const prepared = await PrepareHandler.getPrepared(client, lbp(client), this.cfg.query, null);
        binds = prepared.meta.columns.map((c: { name: string; type: CqlType }) => ({ name: c.name, type: c.type }));
      } catch (e) {
        return [`${this.where('')}: the query does not prepare: ${(e as Error).message} (${this.cfg.prefix}query)`];
      }
      const entries = new Map(mapping.columns.map((e) => [e.column, e]));
      for (const b of binds) {
        if (b.name === TIMESTAMP_BIND || b.name === TTL_BIND) {
          this.customBinds.push(b.name);
          continue;
        }
        const entry = entries.get(b.name);
        if (!entry) {
          problems.push(`${this.where(`bind :${b.name}`)}: the query's bind variable ${b.name} is not mapped (${this.cfg.prefix}mapping)`);
          continue;
        }
        this.checkStatic(entry, { name: b.name, type: b.type }, problems);
        this.columns.push({ entry, col: { name: b.name, type: b.type } });
        this.customBinds.push(b.name);
      }
      this.insertQuery = this.cfg.query;
      return problems;
    }

    for (const entry of mapping.columns) {
      const col = byName.get(entry.column);
      if (!col) {
        problems.push(
          `${this.where(`column ${entry.column}`)}: the column does not exist (mapped from ${entry.text}); columns: ${[...byName.keys()].join(', ')}`,
        );
        continue;
      }
      this.checkStatic(entry, col, problems);
      this.columns.push({ entry, col });
      if (!pkNames.has(col.name)) this.nonPk.add(col.name);
    }
    if (this.counter && (mapping.ttl || this.cfg.ttl >= 0)) problems.push(`${this.where('')}: a counter table cannot have a TTL (__ttl or ttl)`);
    if (this.counter && mapping.timestamp) problems.push(`${this.where('')}: a counter table cannot have a __timestamp`);
    for (const pk of this.pkCols)
      if (!this.columns.some((c) => c.col.name === pk.name))
        problems.push(`${this.where(`column ${pk.name}`)}: primary key column ${pk.name} is not mapped (${this.cfg.prefix}mapping)`);
    if (problems.length) return problems;
    if (this.counter) {
      const sets = this.columns.filter((c) => !pkNames.has(c.col.name));
      for (const b of sets.filter((c) => c.col.type.code !== dataTypes.counter))
        problems.push(`${this.where(`column ${b.col.name}`)}: a counter table can only map counter columns besides its primary key`);
      const pks = this.pkCols.map((pk) => this.columns.find((c) => c.col.name === pk.name)!);
      this.columns.splice(0, this.columns.length, ...sets, ...pks);
      this.insertQuery = `UPDATE ${qt} SET ${sets.map((c) => `${q(c.col.name)} = ${q(c.col.name)} + ?`).join(', ')} WHERE ${this.pkCols.map((c) => `${q(c.name)} = ?`).join(' AND ')}`;
    } else {
      const cols = this.columns.map((c) => q(c.col.name));
      const using = ['TIMESTAMP ?'];
      if (mapping.ttl || this.cfg.ttl >= 0) using.push('TTL ?');
      this.insertQuery = `INSERT INTO ${qt} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) USING ${using.join(' AND ')}`;
    }
    if (!this.counter) this.deleteQuery = `DELETE FROM ${qt} USING TIMESTAMP ? WHERE ${this.pkCols.map((c) => `${q(c.name)} = ?`).join(' AND ')}`;
    for (const query of this.queries()) {
      try {
        await PrepareHandler.getPrepared(client, lbp(client), query, null);
      } catch (e) {
        problems.push(`${this.where('')}: cannot prepare ${query}: ${(e as Error).message}`);
      }
    }
    return problems;
  }

  /** Sources known before any record (now(), literals, record metadata) must convert to the column now. */
  private checkStatic(entry: MappingEntry, col: Column, problems: string[]) {
    const s = entry.source;
    if (s.kind !== 'now' && s.kind !== 'literal' && s.kind !== 'record') return;
    const sample = s.kind === 'record' ? (s.field === 'topic' ? 'topic' : s.field === 'timestamp' ? new Date() : 1) : extract({} as SinkRecord, s);
    try {
      convert(sample, col.type, this.codec);
    } catch (e) {
      problems.push(`${this.where(`column ${col.name}`)}: ${entry.text} cannot be written to a ${typeName(col.type)} column: ${(e as Error).message}`);
    }
  }

  private err(column: string, why: string, cause?: unknown): RecordError {
    return new RecordError(`Cannot write record to ${this.where(`column ${column}`)}: ${why}`, 'mapping', { cause });
  }

  /** Writetime in µs: `__timestamp` (in timestampTimeUnit) when mapped and not null, else the record timestamp. */
  private writetime(record: SinkRecord): unknown {
    const m = this.cfg.mapping.timestamp;
    if (m) {
      const v = extract(record, m.source);
      if (v === MISSING) throw this.err('__timestamp', `field ${m.text} is missing`);
      if (v !== null) {
        try {
          if (v instanceof Date) return types.Long.fromString((BigInt(v.getTime()) * 1000n).toString());
          const n = convert(v, { code: dataTypes.bigint }, this.codec) as types.Long;
          return types.Long.fromString(convertUnit(BigInt(n.toString()), this.cfg.timestampTimeUnit, 'MICROSECONDS').toString());
        } catch (e) {
          throw this.err('__timestamp', (e as Error).message, e);
        }
      }
    }
    if (record.timestamp === null || record.timestamp < 0) return types.unset;
    return types.Long.fromNumber(record.timestamp * 1000);
  }

  /** TTL in seconds: `__ttl` (in ttlTimeUnit) when mapped and not null, else the static `ttl`, else unset. */
  private ttl(record: SinkRecord): unknown {
    const m = this.cfg.mapping.ttl;
    if (m) {
      const v = extract(record, m.source);
      if (v === MISSING) throw this.err('__ttl', `field ${m.text} is missing`);
      if (v !== null) {
        try {
          const n = convert(v, { code: dataTypes.bigint }, this.codec) as types.Long;
          const secs = convertUnit(BigInt(n.toString()), this.cfg.ttlTimeUnit, 'SECONDS');
          if (secs < 0n || secs > 630720000n) throw new ConversionError(`TTL ${secs}s is out of range [0, 630720000]`);
          return Number(secs);
        } catch (e) {
          throw this.err('__ttl', (e as Error).message, e);
        }
      }
    }
    if (this.cfg.ttl >= 0) return Number(convertUnit(BigInt(this.cfg.ttl), this.cfg.ttlTimeUnit, 'SECONDS'));
    return types.unset;
  }

  /**
   * Positions in `columns` of the primary key, partition key and non-key columns, and of a custom query's binds
   * (-1: not mapped, or the timestamp/TTL bind).
   */
  private idx: { pk: number[]; part: number[]; nonPk: number[]; binds: number[] } | null = null;

  private indexes() {
    if (this.idx) return this.idx;
    const at = (c: Column) => this.columns.findIndex((x) => x.col.name === c.name);
    this.idx = {
      pk: this.pkCols.map(at),
      part: this.partitionCols.map(at),
      nonPk: this.columns.flatMap((c, i) => (this.nonPk.has(c.col.name) ? [i] : [])),
      binds: this.customBinds.map((b) => this.columns.findIndex((c) => c.col.name === b)),
    };
    return this.idx;
  }

  private unsetOrNull(v: unknown): unknown {
    return v === null ? (this.cfg.nullToUnset ? types.unset : null) : v;
  }

  /**
   * The op's row key (clustering values; rows are only compared within a group, which has the partition key), or
   * null when the write carries its own writetime: two writes to one row in a batch then resolve by their
   * timestamps exactly as they would one after the other, so they need not be kept apart.
   */
  private rowKey(values: unknown[], writetime: unknown): string | null {
    if (writetime !== types.unset) return null;
    const { pk, part } = this.indexes();
    let row = '';
    for (let i = part.length; i < pk.length; i++) row += `${keyPart(pk[i]! < 0 ? undefined : values[pk[i]!])}\u0000`;
    return row;
  }

  /** The write for one record (throws {@link RecordError} when a value cannot be written). Hot path: no maps. */
  toOp(record: SinkRecord): Op {
    const idx = this.indexes();
    const cols = this.columns;
    const values: unknown[] = [];
    let bytes = 0;
    for (let i = 0; i < cols.length; i++) {
      const { entry, col } = cols[i]!;
      const raw = extract(record, entry.source);
      if (raw === MISSING) throw this.err(col.name, `field ${entry.text} is missing from the record`);
      let v: unknown;
      try {
        v = convert(raw, col.type, this.codec);
      } catch (e) {
        throw this.err(col.name, `${entry.text}: ${(e as Error).message}`, e);
      }
      values.push(v);
      bytes += estimateSize(v);
    }
    const pk = idx.pk;
    if (!this.cfg.query)
      for (let i = 0; i < pk.length; i++)
        if (pk[i]! < 0 || values[pk[i]!] === null) throw this.err(this.pkCols[i]!.name, 'a primary key column cannot be null');
    let part = '';
    let grouped = true;
    for (const i of idx.part) {
      if (i < 0) grouped = false;
      else part += `${keyPart(values[i])}\u0000`;
    }
    // A custom query whose binds do not name the partition key: no grouping (one request per record).
    const group = grouped ? `${this.fqtn}\u0001${part}` : `${this.fqtn}\u0001#${record.kafkaPartition}@${record.kafkaOffset}`;

    if (this.cfg.query) {
      let wt: unknown = types.unset;
      const params = this.customBinds.map((b, j) => {
        if (b === TIMESTAMP_BIND) return (wt = this.writetime(record));
        if (b === TTL_BIND) return this.ttl(record);
        return this.unsetOrNull(values[idx.binds[j]!] ?? null);
      });
      const row = this.rowKey(values, this.queryHasWritetime ? wt : types.unset);
      return { query: this.insertQuery, params, group, row, bytes, counter: this.counter, consistency: this.cl, writer: this };
    }
    let isDelete = this.cfg.deletesEnabled && !this.counter && (record.value === null || idx.nonPk.length > 0);
    if (isDelete && record.value !== null) for (const i of idx.nonPk) if (values[i] !== null) isDelete = false;
    if (isDelete) {
      const wt = this.writetime(record);
      return {
        query: this.deleteQuery,
        params: [wt, ...pk.map((i) => values[i])],
        group,
        row: this.rowKey(values, wt),
        bytes,
        counter: false,
        consistency: this.cl,
        writer: this,
      };
    }
    if (this.counter) {
      const row = this.rowKey(values, types.unset);
      for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = types.Long.ZERO;
      return { query: this.insertQuery, params: values, group, row, bytes, counter: true, consistency: this.cl, writer: this };
    }
    const wt = this.writetime(record);
    const row = this.rowKey(values, wt);
    for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = this.unsetOrNull(null);
    values.push(wt);
    if (this.cfg.mapping.ttl || this.cfg.ttl >= 0) values.push(this.ttl(record));
    return { query: this.insertQuery, params: values, group, row, bytes: bytes + 16, counter: false, consistency: this.cl, writer: this };
  }

  /** The statements this table uses (to prepare them at start). */
  queries(): string[] {
    return [this.insertQuery, this.deleteQuery].filter(Boolean);
  }
}
