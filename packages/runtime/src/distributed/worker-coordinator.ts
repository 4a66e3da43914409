/**
 * A worker's membership of its Connect group (Java's `WorkerCoordinator` + `WorkerGroupMember`): join with the
 * work it runs and the config offset it has read, let the leader assign, hand the assignment to the herder, and
 * heartbeat on a timer of its own so heartbeats never wait behind task work.
 *
 * Fencing — never two copies of a task: once the group may have given this worker's work to others, the worker stops
 * it itself. That is when no heartbeat (or join / sync) has reached the coordinator for a session timeout minus a
 * margin, in any phase, or at once when the coordinator answers that this member is gone (UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION: the group completed a rebalance without it).
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
  itemKey,
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
  /** The group may have given this worker's work to others: stop all of it now. */
  onMembershipLost(reason: string): Promise<void>;
}

export interface GroupState {
  generation: number;
  memberId: string;
  leaderId: string;
  leaderUrl: string;
  /** True between a join and the end of the resulting assignment's handling. */
  rebalancing: boolean;
}

/** Fence this long before the session timeout: the others start our work only after it (plus the join and sync). */
const FENCE_MARGIN_FRACTION = 0.25;
const MEMBER_GONE = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

export class WorkerCoordinator {
  private running = false;
  private loop: Promise<void> | undefined;
  private rejoinRequested = true;
  private wake: (() => void) | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private watchdog: NodeJS.Timeout | undefined;
  /** Last time the coordinator answered this member (heartbeat, join or sync). */
  private lastContact = Date.now();
  /** The coordinator kept us while a JoinGroup waits for the rebalance: no fencing for an answered-to-be join. */
  private joinPending = false;
  private fenced = false;
  private readonly assignorState = newAssignorState();
  /** Member id → URL, of the members in the last round this worker led. */
  private memberUrls = new Map<string, string>();
  private delayTimer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
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

  /** The leader's view: the URL of the worker that runs an item (from the last assignment it computed), or null. */
  ownerUrl(item: WorkItem): string | null {
    if (!this.isLeader) return null;
    const owner = this.assignorState.previous.get(itemKey(item));
    return owner ? (this.memberUrls.get(owner) ?? null) : null;
  }

  start(): void {
    this.running = true;
    this.lastContact = Date.now();
    const every = Math.max(100, Math.min(this.o.heartbeatIntervalMs, 1000));
    this.watchdog = setInterval(() => this.checkFence(), every);
    this.watchdog.unref();
    this.loop = this.run();
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
        this.backoffMs = 0;
      } catch (e) {
        if (!this.running) return;
        if (e instanceof GroupRejoinNeeded) {
          if (e.resetMemberId) this.memberGone(e.reason);
          this.rejoinRequested = true;
          continue;
        }
        if ((e as Error).message?.includes('already has members that speak another protocol')) {
          this.running = false;
          this.onFatal(e as Error);
          return;
        }
        // Anything else (Kafka unreachable while reading configs or writing, a failed task start): back off and
        // join again; the watchdog fences if the membership is lost meanwhile.
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 250), 10_000);
        this.log.warn({ err: e, retryInMs: this.backoffMs }, 'rebalance failed; joining the group again');
        this.rejoinRequested = true;
        await new Promise((r) => setTimeout(r, this.backoffMs).unref());
        continue;
      }
      if (!this.rejoinRequested) {
        this.state.rebalancing = false;
        for (const w of this.settledWaiters.splice(0)) w();
      }
    }
  }

  private async rebalance(): Promise<void> {
    this.stopHeartbeats();
    const metadata = encodeMetadata({
      url: this.o.url(),
      configOffset: this.cb.configOffset(),
      allocation: this.cb.allocation(),
      leader: this.state.leaderId,
      leaderUrl: this.state.leaderUrl,
    });
    this.joinPending = true;
    let join: Awaited<ReturnType<KafkaGroupMember['join']>>;
    try {
      join = await this.member.join([{ name: PROTOCOL_NAME, metadata }]);
    } finally {
      this.joinPending = false;
    }
    this.contact();
    this.state.generation = join.generationId;
    this.state.memberId = join.memberId;
    this.state.leaderId = join.leaderId;
    // Heartbeats keep the membership from here on (the leader's assignment and the herder's work may take time).
    this.startHeartbeats();
    let assignments: Array<{ memberId: string; assignment: Uint8Array }> = [];
    if (join.leaderId === join.memberId) assignments = await this.lead(join.members);
    const bytes = await this.member.sync(join, assignments);
    this.contact();
    const a = decodeAssignment(bytes);
    this.state.leaderUrl = a.leaderUrl;
    if (a.error === ASSIGNMENT_CONFIG_MISMATCH || a.configOffset > this.cb.configOffset()) {
      // Behind the leader's view of the configs: catch up, then join again (Java's CONFIG_MISMATCH).
      await this.cb.readConfigToEnd();
      if (a.error === ASSIGNMENT_CONFIG_MISMATCH) {
        this.rejoinRequested = true;
        await new Promise((r) => setTimeout(r, 250).unref());
        return;
      }
    }
    this.fenced = false;
    this.log.info(
      { generation: join.generationId, leader: join.leaderId === join.memberId, assigned: [...a.assigned], revoked: [...a.revoked], delay: a.delay },
      'joined the group',
    );
    await this.cb.onAssignment(a, join.generationId);
    // Revoked work is stopped: join again at once so the leader can give it to others. Held work: after the delay.
    if (a.revoked.size > 0) this.rejoinRequested = true;
    clearTimeout(this.delayTimer);
    if (a.delay > 0) {
      this.delayTimer = setTimeout(() => this.requestRejoin('scheduled rebalance delay expired'), a.delay);
      this.delayTimer.unref();
    }
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
    this.memberUrls = new Map(decoded.map((m) => [m.memberId, m.metadata.url]));
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

  private contact(): void {
    this.lastContact = Date.now();
  }

  private startHeartbeats(): void {
    const generation = this.state.generation;
    const timeout = Math.max(this.o.heartbeatIntervalMs, 500);
    const beat = () => {
      if (!this.running || generation !== this.state.generation || this.heartbeatInFlight) return;
      this.heartbeatInFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`heartbeat not answered within ${timeout} ms`)), timeout);
      });
      Promise.race([this.member.heartbeat(generation), timedOut])
        .then(
          () => this.contact(),
          (e: Error) => {
            if (!this.running || generation !== this.state.generation) return;
            if (e instanceof GroupRejoinNeeded) {
              if (MEMBER_GONE.has(e.reason)) this.memberGone(e.reason);
              else this.contact(); // REBALANCE_IN_PROGRESS: the coordinator answered; join again
              this.requestRejoin(e.reason);
              return;
            }
            this.log.warn({ err: e }, 'heartbeat failed');
          },
        )
        .finally(() => {
          clearTimeout(timer);
          this.heartbeatInFlight = false;
        });
    };
    this.heartbeatTimer = setInterval(beat, this.o.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** The coordinator says we are out of the group: our work has been (or is being) given to others. */
  private memberGone(reason: string): void {
    this.fence(`the group coordinator removed this worker from the group (${reason})`);
  }

  private checkFence(): void {
    if (!this.running || this.fenced) return;
    const silent = Date.now() - this.lastContact;
    // A JoinGroup the coordinator holds keeps us in the group; one that cannot reach it does not (the member retries).
    const unreachable = this.member.unreachableSince();
    const limit = this.o.sessionTimeoutMs * (1 - FENCE_MARGIN_FRACTION);
    if ((!this.joinPending && silent > limit) || (unreachable !== null && Date.now() - unreachable > limit)) {
      this.fence(`no answer from the group coordinator for ${Math.round(silent / 1000)} s`);
      this.requestRejoin('fenced');
    }
  }

  private fence(reason: string): void {
    if (this.fenced) return;
    this.fenced = true;
    this.log.error(`${reason}: stopping all work (the group gives it to other workers) and joining again`);
    this.cb.onMembershipLost(reason).catch((e: Error) => this.log.error({ err: e }, 'stopping work after the membership was lost failed'));
  }

  /** Leaves the group (the others rebalance at once) after the herder stopped its work. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopHeartbeats();
    clearInterval(this.watchdog);
    clearTimeout(this.delayTimer);
    this.wake?.();
    for (const w of this.settledWaiters.splice(0)) w();
    await this.member.leave('the worker is shutting down');
    await this.member.close();
    await this.loop?.catch(() => undefined);
  }
}
