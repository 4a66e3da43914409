/**
 * A worker's membership of its Connect group (Java's `WorkerCoordinator` + `WorkerGroupMember`): join with the
 * work it runs and the config offset it has read, let the leader assign, hand the assignment to the herder, and
 * heartbeat on a timer of its own so heartbeats never wait behind task work. A member that cannot heartbeat for a
 * session timeout stops its work itself (the group has given it to others by then): never two copies of a task.
 */
import { GroupRejoinNeeded, type KafkaGroupMember } from '../kafka/client';
import type { Logger } from '../logging';
import { assign, newAssignorState } from './assignor';
import {
  ASSIGNMENT_CONFIG_MISMATCH,
  type Allocation,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  PROTOCOL_NAME,
  type WorkerAssignment,
  type WorkItem,
} from './connect-protocol';

export interface CoordinatorOptions {
  /** This worker's advertised REST URL (known once its listener is up). */
  url(): string;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  scheduledRebalanceMaxDelayMs: number;
}

/** What the coordinator needs from the herder. */
export interface CoordinatorCallbacks {
  /** The offset after the last config record this worker has read. */
  configOffset(): number;
  /** Reads the config topic to its end. */
  readConfigToEnd(): Promise<void>;
  /** Every connector (task -1) and task of the current config snapshot. */
  configured(): WorkItem[];
  /** What this worker runs now. */
  allocation(): Allocation;
  /** Stops the revoked work, starts the assigned work. */
  onAssignment(assignment: WorkerAssignment, generation: number): Promise<void>;
  /** The membership is lost (no heartbeat for a session timeout): stop everything. */
  onMembershipLost(): Promise<void>;
}

export interface GroupState {
  generation: number;
  memberId: string;
  leaderId: string;
  leaderUrl: string;
  /** True between a join and the end of the resulting assignment's handling. */
  rebalancing: boolean;
}

export class WorkerCoordinator {
  private running = false;
  private loop: Promise<void> | undefined;
  private rejoinRequested = true;
  private wake: (() => void) | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeartbeatOk = 0;
  private readonly assignorState = newAssignorState();
  private delayTimer: NodeJS.Timeout | undefined;
  readonly state: GroupState = { generation: -1, memberId: '', leaderId: '', leaderUrl: '', rebalancing: true };
  private settledWaiters: Array<() => void> = [];

  constructor(
    private readonly member: KafkaGroupMember,
    private readonly o: CoordinatorOptions,
    private readonly cb: CoordinatorCallbacks,
    private readonly log: Logger,
    private readonly onFatal: (e: Error) => void,
  ) {}

  get isLeader(): boolean {
    return this.state.memberId !== '' && this.state.memberId === this.state.leaderId;
  }

  start(): void {
    this.running = true;
    this.loop = this.run().catch((e: Error) => {
      if (this.running) this.onFatal(e);
    });
  }

  /** Asks for a rebalance (a connector or its task count changed). */
  requestRejoin(reason: string): void {
    if (!this.rejoinRequested) this.log.debug({ reason }, 'rejoining the group');
    this.rejoinRequested = true;
    this.wake?.();
  }

  /** Resolves when no rebalance is in progress (or after `timeoutMs`); true when settled. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (!this.state.rebalancing && !this.rejoinRequested) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      new Promise<boolean>((r) => this.settledWaiters.push(() => r(true))),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return ok;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.rejoinRequested) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      this.rejoinRequested = false;
      this.state.rebalancing = true;
      try {
        await this.rebalance();
      } catch (e) {
        if (!this.running) return;
        if (e instanceof GroupRejoinNeeded) {
          this.rejoinRequested = true;
          continue;
        }
        throw e;
      }
      if (!this.rejoinRequested) {
        this.state.rebalancing = false;
        for (const w of this.settledWaiters.splice(0)) w();
      }
    }
  }

  private async rebalance(): Promise<void> {
    this.stopHeartbeats();
    const metadata = encodeMetadata({ url: this.o.url(), configOffset: this.cb.configOffset(), allocation: this.cb.allocation() });
    const join = await this.member.join([{ name: PROTOCOL_NAME, metadata }]);
    this.state.generation = join.generationId;
    this.state.memberId = join.memberId;
    this.state.leaderId = join.leaderId;
    // Heartbeats keep the membership from here on (the leader's assignment and the herder's work may take time).
    this.startHeartbeats();
    let assignments: Array<{ memberId: string; assignment: Uint8Array }> = [];
    if (join.leaderId === join.memberId) assignments = await this.lead(join.members);
    const bytes = await this.member.sync(join, assignments);
    const a = decodeAssignment(bytes);
    this.state.leaderUrl = a.leaderUrl;
    if (a.error === ASSIGNMENT_CONFIG_MISMATCH || a.configOffset > this.cb.configOffset()) {
      // Behind the leader's view of the configs: catch up, then join again (Java's CONFIG_MISMATCH).
      await this.cb.readConfigToEnd();
      if (a.error === ASSIGNMENT_CONFIG_MISMATCH) {
        this.rejoinRequested = true;
        return;
      }
    }
    this.log.info(
      { generation: join.generationId, leader: join.leaderId === join.memberId, assigned: [...a.assigned], revoked: [...a.revoked], delay: a.delay },
      'joined the group',
    );
    await this.cb.onAssignment(a, join.generationId);
    // Revoked work is stopped: join again at once so the leader can give it to others. Held work: after the delay.
    if (a.revoked.size > 0) this.rejoinRequested = true;
    clearTimeout(this.delayTimer);
    if (a.delay > 0) this.delayTimer = setTimeout(() => this.requestRejoin('scheduled rebalance delay expired'), a.delay);
  }

  /** The leader: read the configs as far as any member has, then assign. */
  private async lead(members: Array<{ memberId: string; metadata: Uint8Array }>): Promise<Array<{ memberId: string; assignment: Uint8Array }>> {
    const decoded = members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) }));
    const maxOffset = Math.max(...decoded.map((m) => m.metadata.configOffset));
    if (this.cb.configOffset() < maxOffset) await this.cb.readConfigToEnd();
    const configOffset = this.cb.configOffset();
    if (configOffset < maxOffset) {
      this.log.warn({ configOffset, maxOffset }, 'the leader cannot read the config topic as far as a member has: asking all to rejoin');
      const mismatch = encodeAssignment({
        error: ASSIGNMENT_CONFIG_MISMATCH,
        leader: this.state.memberId,
        leaderUrl: this.o.url(),
        configOffset,
        assigned: new Map(),
        revoked: new Map(),
        delay: 0,
      });
      return decoded.map((m) => ({ memberId: m.memberId, assignment: mismatch }));
    }
    const out = assign({
      members: decoded,
      configured: this.cb.configured(),
      leaderId: this.state.memberId,
      configOffset,
      now: Date.now(),
      maxDelayMs: this.o.scheduledRebalanceMaxDelayMs,
      state: this.assignorState,
    });
    return [...out].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }));
  }

  private startHeartbeats(): void {
    this.lastHeartbeatOk = Date.now();
    const generation = this.state.generation;
    const beat = () => {
      if (!this.running || generation !== this.state.generation) return;
      this.member.heartbeat(generation).then(
        () => {
          this.lastHeartbeatOk = Date.now();
        },
        (e: Error) => {
          if (!this.running || generation !== this.state.generation) return;
          if (e instanceof GroupRejoinNeeded) {
            this.lastHeartbeatOk = Date.now();
            this.requestRejoin(e.reason);
            return;
          }
          this.log.warn({ err: e }, 'heartbeat failed');
          if (Date.now() - this.lastHeartbeatOk > this.o.sessionTimeoutMs) {
            // The coordinator has dropped this member by now: its work runs elsewhere. Stop ours, join again.
            this.log.error('no heartbeat accepted for a session timeout: stopping all work and rejoining');
            this.state.generation = -1;
            this.cb.onMembershipLost().finally(() => this.requestRejoin('membership lost'));
          }
        },
      );
    };
    this.heartbeatTimer = setInterval(beat, this.o.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Leaves the group (the others rebalance at once) after the herder stopped its work. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopHeartbeats();
    clearTimeout(this.delayTimer);
    this.wake?.();
    for (const w of this.settledWaiters.splice(0)) w();
    await this.member.leave('the worker is shutting down');
    await this.member.close();
    await this.loop?.catch(() => undefined);
  }
}
