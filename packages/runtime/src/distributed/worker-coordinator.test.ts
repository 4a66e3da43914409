import { type GroupJoinResult, GroupRejoinNeeded, type KafkaGroupMember } from '../kafka/client';
import { LoggerRegistry } from '../logging';
import { decodeAssignment, encodeMetadata, type WorkerAssignment } from './connect-protocol';
import { WorkerCoordinator } from './worker-coordinator';

const log = new LoggerRegistry({ level: 'ERROR' }).get('test');

/** A group of one: this member always leads; heartbeats answer what the test says. */
class FakeMember implements KafkaGroupMember {
  joins = 0;
  heartbeat: (generation: number) => Promise<void> = async () => undefined;
  unreachable: number | null = null;
  failNextJoin: Error | null = null;
  async join(protocols: Array<{ name: string; metadata: Uint8Array }>): Promise<GroupJoinResult> {
    this.joins++;
    if (this.failNextJoin) {
      const e = this.failNextJoin;
      this.failNextJoin = null;
      throw e;
    }
    return {
      generationId: this.joins,
      memberId: 'm1',
      leaderId: 'm1',
      protocolName: protocols[0]!.name,
      members: [{ memberId: 'm1', metadata: protocols[0]!.metadata }],
    };
  }
  async sync(_join: GroupJoinResult, assignments: Array<{ memberId: string; assignment: Uint8Array }>): Promise<Uint8Array> {
    return assignments[0]!.assignment;
  }
  unreachableSince(): number | null {
    return this.unreachable;
  }
  async leave(): Promise<void> {}
  async close(): Promise<void> {}
}

function coordinator(member: FakeMember, lost: string[], assignments: WorkerAssignment[], fatal: Error[] = []) {
  return new WorkerCoordinator(
    member,
    { url: () => 'http://w1/', heartbeatIntervalMs: 20, sessionTimeoutMs: 400, scheduledRebalanceMaxDelayMs: 0 },
    {
      configOffset: () => 5,
      readConfigToEnd: async () => undefined,
      configured: () => [
        { connector: 'c', task: -1 },
        { connector: 'c', task: 0 },
      ],
      allocation: () => new Map(),
      onAssignment: async (a) => void assignments.push(a),
      onMembershipLost: async (reason) => void lost.push(reason),
    },
    log,
    (e) => void fatal.push(e),
  );
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WorkerCoordinator', () => {
  it('joins, leads, assigns all configured work to itself and settles', async () => {
    const member = new FakeMember();
    const assignments: WorkerAssignment[] = [];
    const c = coordinator(member, [], assignments);
    c.start();
    expect(await c.settled(2000)).toBe(true);
    expect(c.isLeader).toBe(true);
    expect([...assignments[0]!.assigned]).toEqual([['c', [-1, 0]]]);
    expect(c.ownerUrl({ connector: 'c', task: 0 })).toBe('http://w1/');
    await c.stop();
  });

  it('fences (stops all work) at once when the coordinator says the member is gone, then joins again', async () => {
    const member = new FakeMember();
    const lost: string[] = [];
    const c = coordinator(member, lost, []);
    c.start();
    await c.settled(2000);
    member.heartbeat = async () => {
      throw new GroupRejoinNeeded('UNKNOWN_MEMBER_ID', true);
    };
    await until(() => lost.length > 0);
    expect(lost[0]).toMatch(/removed this worker from the group \(UNKNOWN_MEMBER_ID\)/);
    member.heartbeat = async () => undefined;
    await until(() => member.joins >= 2);
    await c.stop();
  });

  it('a rebalance in progress only makes it join again: no fencing', async () => {
    const member = new FakeMember();
    const lost: string[] = [];
    const c = coordinator(member, lost, []);
    c.start();
    await c.settled(2000);
    let once = true;
    member.heartbeat = async () => {
      if (once) {
        once = false;
        throw new GroupRejoinNeeded('REBALANCE_IN_PROGRESS');
      }
    };
    await until(() => member.joins >= 2);
    expect(lost).toEqual([]);
    await c.stop();
  });

  it('fences when heartbeats go unanswered for most of the session timeout', async () => {
    const member = new FakeMember();
    const lost: string[] = [];
    const c = coordinator(member, lost, []);
    c.start();
    await c.settled(2000);
    member.heartbeat = () => new Promise(() => undefined); // never answered
    await until(() => lost.length > 0);
    expect(lost[0]).toMatch(/no answer from the group coordinator/);
    member.heartbeat = async () => undefined;
    await c.stop();
  });

  it('fences when the coordinator has been unreachable during a join for most of the session timeout', async () => {
    const member = new FakeMember();
    const lost: string[] = [];
    const c = coordinator(member, lost, []);
    c.start();
    await c.settled(2000);
    member.unreachable = Date.now();
    await until(() => lost.length > 0);
    member.unreachable = null;
    await c.stop();
  });

  it('an error during a rebalance (e.g. Kafka unreachable while reading configs) is retried, not fatal', async () => {
    const member = new FakeMember();
    const fatal: Error[] = [];
    const assignments: WorkerAssignment[] = [];
    member.failNextJoin = new Error('connect ECONNREFUSED');
    const c = coordinator(member, [], assignments, fatal);
    c.start();
    await until(() => assignments.length > 0);
    expect(fatal).toEqual([]);
    expect(member.joins).toBe(2);
    await c.stop();
  });

  it('a group of workers speaking another protocol is fatal', async () => {
    const member = new FakeMember();
    const fatal: Error[] = [];
    member.failNextJoin = new Error('The group g already has members that speak another protocol (e.g. Java Connect workers, or consumers)');
    const c = coordinator(member, [], [], fatal);
    c.start();
    await until(() => fatal.length > 0);
    await c.stop();
  });

  it('metadata carries the URL, the config offset read and the current allocation', () => {
    const bytes = encodeMetadata({ url: 'http://w1/', configOffset: 5, allocation: new Map([['c', [0]]]) });
    expect(bytes.length).toBeGreaterThan(20);
    expect(decodeAssignment(encodeAssignmentFrom(bytes)).assigned.get('c')).toEqual([0]);
  });
});

/** The allocation bytes inside member metadata (after version, url and config offset). */
function encodeAssignmentFrom(metadata: Buffer): Buffer {
  const urlLength = metadata.readInt16BE(2);
  const at = 2 + 2 + urlLength + 8;
  const n = metadata.readInt32BE(at);
  return metadata.subarray(at + 4, at + 4 + n);
}
