/** Helpers shared by the @platformatic/kafka backend's files: record decoding and its retriable errors. */
import { type Consumer, NetworkError } from '@platformatic/kafka';
import type { ConsumedRecord, KafkaHeaders } from './client';
import { securityFailure } from './security';

const IS_CONTROL_BATCH = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;
export const NO_HEADERS = Object.freeze([]) as unknown as KafkaHeaders;

/** Retriable errors of the library: network trouble, or a protocol error the broker marks as retriable. */
export function isRetriable(e: unknown): boolean {
  // The library marks a failed connection retriable even when authentication or TLS failed: no retry fixes that.
  // (A SASL handshake cut short is retried: a broker going down does that too.)
  const security = securityFailure(e);
  if (security && security.kind !== 'handshake') return false;
  const err = e as Error & { canRetry?: boolean; errors?: Error[] };
  if (NetworkError.isRetryable(err) || err?.canRetry) return true;
  return Array.isArray(err?.errors) && err.errors.length > 0 && err.errors.every((x) => isRetriable(x));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export type FetchedBatches = NonNullable<Awaited<ReturnType<Consumer['fetch']>>['responses'][number]['partitions'][number]['records']>;

/** The data records of fetched batches from offset `from` on (control batches skipped), with their timestamps. */
export function decodeBatches(topic: string, partition: number, batches: FetchedBatches, from: number): ConsumedRecord[] {
  const records: ConsumedRecord[] = [];
  for (const b of batches) {
    const base = Number(b.firstOffset);
    if (b.attributes & IS_CONTROL_BATCH) continue;
    const logAppend = (b.attributes & LOG_APPEND_TIME) !== 0;
    const firstTs = Number(b.firstTimestamp);
    const maxTs = Number(b.maxTimestamp);
    for (const r of b.records) {
      const offset = base + r.offsetDelta;
      if (offset < from) continue;
      records.push({
        topic,
        partition,
        offset,
        timestamp: logAppend ? maxTs : firstTs + Number(r.timestampDelta),
        timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
        key: r.key,
        value: r.value,
        headers: r.headers.length ? r.headers.map(([hk, hv]) => [hk ? hk.toString() : '', hv]) : NO_HEADERS,
      });
    }
  }
  return records;
}

/** The offset after the last of the fetched batches (control batches included), at least `from`. */
export function endOfBatches(batches: FetchedBatches, from: number): number {
  let end = from;
  for (const b of batches) end = Math.max(end, Number(b.firstOffset) + b.lastOffsetDelta + 1);
  return end;
}
