/** Shared fakes for the unit tests (not exported from the package). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Headers } from '@kconnect/api';
import type {
  ConnectorContext,
  OffsetMap,
  OffsetStorageReader,
  PluginLogger,
  PluginMetrics,
  SinkRecord,
  SinkTaskContext,
  SourceTaskContext,
} from '@kconnect/api';

/** An in-memory offset store keyed by the JSON of the partition, as the runtime's offset store. */
export class MemoryOffsetStorageReader implements OffsetStorageReader {
  readonly store = new Map<string, OffsetMap>();
  reads = 0;
  set(partition: OffsetMap, offset: OffsetMap): this {
    this.store.set(JSON.stringify(partition), offset);
    return this;
  }
  async offset(partition: OffsetMap): Promise<OffsetMap | null> {
    this.reads++;
    return this.store.get(JSON.stringify(partition)) ?? null;
  }
  async offsets(partitions: OffsetMap[]): Promise<Map<OffsetMap, OffsetMap>> {
    const out = new Map<OffsetMap, OffsetMap>();
    for (const p of partitions) {
      const o = this.store.get(JSON.stringify(p));
      if (o) out.set(p, o);
    }
    return out;
  }
}

/** Records log lines (as `LEVEL message`) instead of printing them. */
export function recordingLogger(lines: string[] = []): PluginLogger & { lines: string[] } {
  const at = (level: string) => (a: unknown, b?: string) => void lines.push(`${level} ${typeof a === 'string' ? a : (b ?? '')}`);
  return { lines, trace: at('TRACE'), debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/** Metrics that go nowhere. */
export const noMetrics: PluginMetrics = {
  counter: () => ({ inc: () => undefined }),
  gauge: () => ({ set: () => undefined, inc: () => undefined, dec: () => undefined }),
  histogram: () => ({ observe: () => undefined }),
};

export function connectorContext(): ConnectorContext {
  return { logger: recordingLogger(), metrics: noMetrics, requestTaskReconfiguration: () => undefined, raiseError: () => undefined };
}

export function sourceContext(reader: OffsetStorageReader, props: Record<string, string> = {}): SourceTaskContext {
  return { offsetStorageReader: reader, configs: () => props, logger: recordingLogger(), metrics: noMetrics };
}

export function sinkContext(props: Record<string, string> = {}): SinkTaskContext {
  return {
    configs: () => props,
    logger: recordingLogger(),
    metrics: noMetrics,
    assignment: () => [],
    offset: () => undefined,
    timeout: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    requestCommit: () => undefined,
    errantRecordReporter: () => null,
  };
}

export function sinkRecord(value: unknown, offset = 0): SinkRecord {
  return {
    topic: 't',
    kafkaPartition: 0,
    kafkaOffset: offset,
    keySchema: null,
    key: null,
    valueSchema: null,
    value,
    timestamp: null,
    timestampType: 'CreateTime',
    headers: new Headers(),
    originalTopic: 't',
    originalKafkaPartition: 0,
    originalKafkaOffset: offset,
  };
}

export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kconnect-file-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
