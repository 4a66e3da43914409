/**
 * The bytes Connect workers exchange through Kafka's group coordinator, in the layout of Apache Kafka's
 * `IncrementalCooperativeConnectProtocol` (version 1): big-endian, strings as int16 length + UTF-8, arrays as int32
 * count (-1 = null). Task -1 in an assignment stands for the connector itself.
 *
 * Member metadata: `version:int16, url:string, config_offset:int64, allocation:nullable bytes`, where the allocation
 * is the member's current assignment serialized as an assignment below (null when it runs nothing).
 * Assignment: `version:int16, error:int16, leader:string, leader_url:string, config_offset:int64,
 * assignment:nullable [...], revoked:nullable [...], delay:int32`.
 */
import { BinaryReader, BinaryWriter } from '../binary';

/** Connect's protocol type: the broker keeps Connect groups apart from consumer groups by it. */
export const PROTOCOL_TYPE = 'connect';
/**
 * Our protocol name. Java workers offer `default`, `compatible` or `sessioned`: sharing none of them, a Java worker
 * that joins a kconnect group (or the reverse) is refused by the broker with INCONSISTENT_GROUP_PROTOCOL instead of
 * forming a mixed group whose members cannot read each other's assignments.
 */
export const PROTOCOL_NAME = 'kconnect-v1';
const VERSION = 1;

export const ASSIGNMENT_NO_ERROR = 0;
/** The leader could not read the config topic up to the member's offset: the member catches up and rejoins. */
export const ASSIGNMENT_CONFIG_MISMATCH = 1;

/** Connector name → its task numbers held (-1 for the connector itself). */
export type Allocation = Map<string, number[]>;

export interface WorkerMetadata {
  url: string;
  configOffset: number;
  /** What the member runs now (null: nothing, e.g. a new member). */
  allocation: Allocation | null;
  /** The leader of the assignment the allocation came from (kept in the allocation bytes, as Java does). */
  leader?: string;
  leaderUrl?: string;
}

export interface WorkerAssignment {
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: number;
  assigned: Allocation;
  revoked: Allocation;
  /** Milliseconds after which the members should rejoin (work of a departed worker held for it meanwhile). */
  delay: number;
}

class Writer extends BinaryWriter {
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }
  allocation(a: Allocation | null): this {
    if (a === null) return this.int32(-1);
    this.int32(a.size);
    for (const [connector, tasks] of a) {
      this.string(connector).int32(tasks.length);
      for (const t of tasks) this.int32(t);
    }
    return this;
  }
}

class Reader extends BinaryReader {
  constructor(b: Buffer) {
    super(b, 'Connect protocol data');
  }
  bytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }
  allocation(): Allocation | null {
    const n = this.int32();
    if (n < 0) return null;
    const a: Allocation = new Map();
    for (let i = 0; i < n; i++) {
      const connector = this.string();
      const count = this.int32();
      const tasks: number[] = [];
      for (let j = 0; j < count; j++) tasks.push(this.int32());
      a.set(connector, tasks);
    }
    return a;
  }
}

const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function encodeMetadata(m: WorkerMetadata): Buffer {
  const allocation =
    m.allocation === null || m.allocation.size === 0
      ? null
      : encodeAssignment({
          error: ASSIGNMENT_NO_ERROR,
          leader: m.leader ?? '',
          leaderUrl: m.leaderUrl ?? '',
          configOffset: m.configOffset,
          assigned: m.allocation,
          revoked: new Map(),
          delay: 0,
        });
  return new Writer().int16(VERSION).string(m.url).int64(m.configOffset).bytes(allocation).done();
}

export function decodeMetadata(bytes: Uint8Array): WorkerMetadata {
  const r = new Reader(asBuffer(bytes));
  const version = r.int16();
  if (version < VERSION) throw new Error(`Unsupported Connect protocol version ${version} in member metadata`);
  const url = r.string();
  const configOffset = r.int64();
  const raw = r.bytes();
  if (raw === null || raw.length === 0) return { url, configOffset, allocation: null };
  const a = decodeAssignment(raw);
  return { url, configOffset, allocation: a.assigned, leader: a.leader, leaderUrl: a.leaderUrl };
}

export function encodeAssignment(a: WorkerAssignment): Buffer {
  return new Writer()
    .int16(VERSION)
    .int16(a.error)
    .string(a.leader)
    .string(a.leaderUrl)
    .int64(a.configOffset)
    .allocation(a.assigned)
    .allocation(a.revoked)
    .int32(a.delay)
    .done();
}

export function decodeAssignment(bytes: Uint8Array): WorkerAssignment {
  const r = new Reader(asBuffer(bytes));
  const version = r.int16();
  if (version < VERSION) throw new Error(`Unsupported Connect protocol version ${version} in an assignment`);
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const assigned = r.allocation() ?? new Map();
  const revoked = r.allocation() ?? new Map();
  const delay = r.remaining >= 4 ? r.int32() : 0;
  return { error, leader, leaderUrl, configOffset, assigned, revoked, delay };
}

/** Work items as strings: the connector `name`, a task `name-3` (as Java's ConnectorTaskId prints). */
export type WorkItem = { connector: string; task: number };

export const itemKey = (i: WorkItem) => (i.task < 0 ? `c:${i.connector}` : `t:${i.connector}\u0000${i.task}`);

export function allocationItems(a: Allocation | null): WorkItem[] {
  const out: WorkItem[] = [];
  for (const [connector, tasks] of a ?? []) for (const task of tasks) out.push({ connector, task });
  return out;
}

export function toAllocation(items: Iterable<WorkItem>): Allocation {
  const a: Allocation = new Map();
  for (const i of items) {
    const l = a.get(i.connector);
    if (l) l.push(i.task);
    else a.set(i.connector, [i.task]);
  }
  for (const l of a.values()) l.sort((x, y) => x - y);
  return a;
}
