/**
 * Tracks source records between poll and acknowledgement (Java's SubmittedRecords): per source partition, a
 * queue in submission order. An offset becomes committable only when its record and every earlier record of the
 * same source partition were acknowledged (or dropped), so a crash never skips an unacknowledged record.
 */
import type { OffsetMap } from '@kconnect/api';
import { canonicalJson } from '../storage/offset-store';

export interface SubmittedRecord {
  acked: boolean;
  readonly partitionKey: string;
  readonly partition: OffsetMap;
  readonly offset: OffsetMap;
}

export class SubmittedRecords {
  private readonly queues = new Map<string, SubmittedRecord[]>();
  private pending = 0;
  private lastPartition: OffsetMap | undefined;
  private lastKey = '';

  /** Registers a record; returns null for records without a source partition or offset (nothing to commit). */
  submit(partition: OffsetMap | null, offset: OffsetMap | null): SubmittedRecord | null {
    if (!partition || !offset) return null;
    // Consecutive records mostly share their source partition (the same object, or an equal one built per record,
    // as FileStreamSource does): serialize only when it changes.
    let partitionKey = this.lastKey;
    if (partition !== this.lastPartition && !(this.lastPartition && sameFlatMap(partition, this.lastPartition))) {
      partitionKey = this.lastKey = canonicalJson(partition);
    }
    this.lastPartition = partition;
    const rec: SubmittedRecord = { acked: false, partitionKey, partition, offset };
    let q = this.queues.get(partitionKey);
    if (!q) this.queues.set(partitionKey, (q = []));
    q.push(rec);
    this.pending++;
    return rec;
  }

  ack(rec: SubmittedRecord | null): void {
    if (rec && !rec.acked) {
      rec.acked = true;
      this.pending--;
    }
  }

  /** Records submitted and not yet acknowledged. */
  get outstanding(): number {
    return this.pending;
  }

  /** Removes the acknowledged prefix of every queue and returns the newest committable offset per partition. */
  committable(): Array<{ partition: OffsetMap; offset: OffsetMap }> {
    const out: Array<{ partition: OffsetMap; offset: OffsetMap }> = [];
    for (const [key, q] of this.queues) {
      let i = 0;
      while (i < q.length && q[i]!.acked) i++;
      if (i === 0) continue;
      const last = q[i - 1]!;
      out.push({ partition: last.partition, offset: last.offset });
      q.splice(0, i);
      if (q.length === 0) this.queues.delete(key);
    }
    return out;
  }
}

/** Whether two maps have the same keys with the same primitive values (nested values: false, to be safe). */
function sameFlatMap(a: OffsetMap, b: OffsetMap): boolean {
  let n = 0;
  for (const k in a) {
    const v = a[k];
    if ((v !== null && typeof v === 'object') || v !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
