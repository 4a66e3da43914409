/**
 * Source offset stores. An offset is keyed by (connector, source partition) and is a small JSON map. The key is
 * Connect's: the compact JSON `["<connector>",{<partition>}]`, with partition keys sorted so equal maps are equal
 * keys whatever order a task builds them in.
 *
 * The standalone file (`offset.storage.file.filename`) is Java standalone's: a Java-serialized map of key bytes to
 * value bytes (`java-offset-file.ts`, docs/offsets.md), so one file serves both runtimes.
 */
import type { OffsetMap } from '@kconnect/api';
import { isJavaSerialized, type RawOffsetEntry, readJavaOffsetFile, writeJavaOffsetFile } from './java-offset-file';
import { parseJson, readFileIfExists, SerialWriter, writeFileAtomic } from './json-file';

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

/**
 * Offsets in Java standalone's offsets file, rewritten atomically on every change (Java's `FileOffsetBackingStore`).
 * Keys read from the file keep their bytes (Java looks offsets up by them); entries whose key is not Connect's JSON
 * key are kept as they are. Files an earlier kconnect wrote (`{"format":"kconnect.offsets",…}`) are read and rewritten in
 * Java's format.
 */
export class FileOffsetStore extends MemoryOffsetStore {
  private readonly writer = new SerialWriter(() => this.write());
  /** Canonical key → the key bytes read from the file. */
  private readonly rawKeys = new Map<string, Buffer>();
  /** Entries of the file that are not Connect offsets (kept, never changed). */
  private foreign: RawOffsetEntry[] = [];

  constructor(private readonly file: string) {
    super();
  }

  override async start(): Promise<void> {
    const data = await readFileIfExists(this.file);
    if (data === undefined || data.length === 0) return;
    if (isJavaSerialized(data)) return this.load(data);
    const doc = parseJson(this.file, data.toString('utf8')) as { format?: string; offsets?: Array<{ key: [string, OffsetMap]; value: OffsetMap }> };
    if (doc?.format !== 'kconnect.offsets' || !Array.isArray(doc.offsets)) {
      throw new Error(`${this.file} is not an offsets file (neither Java standalone's nor an earlier kconnect's); fix or remove it`);
    }
    this.apply(doc.offsets.map((o) => ({ connector: o.key[0], partition: o.key[1], offset: o.value })));
  }

  private load(data: Buffer): void {
    let entries: RawOffsetEntry[];
    try {
      entries = readJavaOffsetFile(data);
    } catch (e) {
      throw new Error(`${this.file} is not a readable offsets file (${(e as Error).message}); fix or remove it`);
    }
    for (const [key, value] of entries) {
      const parsed = key && parseOffsetKey(key);
      if (!parsed) {
        this.foreign.push([key, value]);
        continue;
      }
      const offset = value && parseOffset(value);
      if (value && offset === undefined) {
        this.foreign.push([key, value]);
        continue;
      }
      this.rawKeys.set(offsetKey(parsed.connector, parsed.partition), key);
      this.apply([{ ...parsed, offset: offset ?? null }]);
    }
  }

  override async stop(): Promise<void> {
    await this.writer.schedule();
  }

  override async set(entries: OffsetEntry[]): Promise<void> {
    this.apply(entries);
    await this.writer.schedule();
  }

  private write(): Promise<void> {
    const entries: RawOffsetEntry[] = [...this.data].map(([k, e]) => [
      this.rawKeys.get(k) ?? Buffer.from(k, 'utf8'),
      Buffer.from(JSON.stringify(e.offset), 'utf8'),
    ]);
    return writeFileAtomic(this.file, writeJavaOffsetFile([...entries, ...this.foreign]));
  }
}

/** `["<connector>",{<partition>}]`, as Connect's internal JSON converter writes offset keys; null for anything else. */
export function parseOffsetKey(key: Buffer): { connector: string; partition: OffsetMap } | null {
  try {
    const k = JSON.parse(key.toString('utf8')) as unknown;
    if (!Array.isArray(k) || k.length !== 2 || typeof k[0] !== 'string' || !isMap(k[1])) return null;
    return { connector: k[0], partition: k[1] as OffsetMap };
  } catch {
    return null;
  }
}

/** An offset value's map, or undefined when it is not one. */
function parseOffset(value: Buffer): OffsetMap | undefined {
  try {
    const v = JSON.parse(value.toString('utf8')) as unknown;
    return isMap(v) ? (v as OffsetMap) : undefined;
  } catch {
    return undefined;
  }
}

const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
