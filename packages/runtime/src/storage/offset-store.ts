/**
 * Source offset stores. An offset is keyed by (connector, source partition) and is a small JSON map. The key is
 * Connect's: the compact JSON `["<connector>",{<partition>}]`, with partition keys sorted so equal maps are equal
 * keys whatever order a task builds them in.
 *
 * The standalone file format (`offset.storage.file.filename`), documented in docs/offsets.md:
 * `{"format":"kconnect.offsets","version":1,"offsets":[{"key":["conn",{"filename":"/a"}],"value":{"position":42}}]}`
 */
import type { OffsetMap } from '@kconnect/api';
import { readJson, SerialWriter, writeJsonAtomic } from './json-file';

export interface OffsetEntry {
  connector: string;
  partition: OffsetMap;
  /** null removes the partition's offset. */
  offset: OffsetMap | null;
}

export interface OffsetStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(connector: string, partition: OffsetMap): OffsetMap | null;
  /** Every stored partition and offset of a connector. */
  connectorOffsets(connector: string): Array<{ partition: OffsetMap; offset: OffsetMap }>;
  /** Stores the entries; resolves once they are durable. */
  set(entries: OffsetEntry[]): Promise<void>;
}

/** Canonical JSON with sorted object keys. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function offsetKey(connector: string, partition: OffsetMap): string {
  return canonicalJson([connector, partition]);
}

/** Offsets in memory only (tests, and standalone without `offset.storage.file.filename`). */
export class MemoryOffsetStore implements OffsetStore {
  protected readonly data = new Map<string, { connector: string; partition: OffsetMap; offset: OffsetMap }>();

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  get(connector: string, partition: OffsetMap): OffsetMap | null {
    return this.data.get(offsetKey(connector, partition))?.offset ?? null;
  }

  connectorOffsets(connector: string): Array<{ partition: OffsetMap; offset: OffsetMap }> {
    return [...this.data.values()].filter((e) => e.connector === connector).map(({ partition, offset }) => ({ partition, offset }));
  }

  async set(entries: OffsetEntry[]): Promise<void> {
    this.apply(entries);
  }

  protected apply(entries: OffsetEntry[]): void {
    for (const e of entries) {
      const k = offsetKey(e.connector, e.partition);
      if (e.offset === null) this.data.delete(k);
      else this.data.set(k, { connector: e.connector, partition: e.partition, offset: e.offset });
    }
  }
}

/** Offsets in a JSON file, rewritten atomically on every change (Java standalone's FileOffsetBackingStore). */
export class FileOffsetStore extends MemoryOffsetStore {
  private readonly writer = new SerialWriter(() => this.write());

  constructor(private readonly file: string) {
    super();
  }

  override async start(): Promise<void> {
    const doc = (await readJson(this.file)) as { format?: string; offsets?: Array<{ key: [string, OffsetMap]; value: OffsetMap }> } | undefined;
    if (doc === undefined) return;
    if (doc.format !== 'kconnect.offsets' || !Array.isArray(doc.offsets)) {
      throw new Error(
        `${this.file} is not a kconnect offsets file (expected {"format":"kconnect.offsets",...}); Java's standalone offset files are not readable, see docs/offsets.md`,
      );
    }
    this.apply(doc.offsets.map((o) => ({ connector: o.key[0], partition: o.key[1], offset: o.value })));
  }

  override async stop(): Promise<void> {
    await this.writer.schedule();
  }

  override async set(entries: OffsetEntry[]): Promise<void> {
    this.apply(entries);
    await this.writer.schedule();
  }

  private write(): Promise<void> {
    const offsets = [...this.data.values()].map((e) => ({ key: [e.connector, e.partition], value: e.offset }));
    return writeJsonAtomic(this.file, { format: 'kconnect.offsets', version: 1, offsets });
  }
}
