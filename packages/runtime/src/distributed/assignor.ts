/**
 * The leader's assignment of connectors and tasks to the workers of a group: incremental and cooperative, as Java's
 * `IncrementalCooperativeAssignor`, and a pure function of the members' reported work, the configured work and
 * the leader's memory of the previous round (so it is tested with tables).
 *
 * - What a member runs and may keep, it keeps: nothing moves that need not.
 * - Work that is no longer configured, or that two members run, is revoked (a duplicate is kept by one member).
 * - Work of a member that left is held for it up to `maxDelayMs` (a restarting worker gets it back), then given to
 *   the others; a new member meanwhile gets it at once.
 * - Unassigned work goes to the least loaded members; connectors and tasks are balanced separately, within one item
 *   per worker. Balancing revokes from the most loaded first: a revoked item is assigned in the next round, after
 *   its owner stopped it (its owner rejoins as soon as it has), so one task never runs twice.
 */
import { ASSIGNMENT_NO_ERROR, allocationItems, itemKey, toAllocation, type WorkerAssignment, type WorkerMetadata, type WorkItem } from './connect-protocol';

export interface AssignorMember {
  memberId: string;
  metadata: WorkerMetadata;
}

/** The leader's memory between rounds (lost when leadership moves; a new leader starts from the members' reports). */
export interface AssignorState {
  /** Item key → the member that ran it after the previous round. */
  previous: Map<string, string>;
  /** When held work of departed members is given away. */
  lostDeadline: number | null;
  /** The members of the previous round (a member not among them is new: it may take held work at once). */
  members: Set<string>;
}

export const newAssignorState = (): AssignorState => ({ previous: new Map(), lostDeadline: null, members: new Set() });

export interface AssignorInput {
  members: AssignorMember[];
  configured: WorkItem[];
  leaderId: string;
  configOffset: number;
  now: number;
  maxDelayMs: number;
  state: AssignorState;
}

export function assign(input: AssignorInput): Map<string, WorkerAssignment> {
  const { members, configured, state, now } = input;
  const ids = members.map((m) => m.memberId).sort();
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const configuredByKey = new Map(configured.map((i) => [itemKey(i), i]));

  // 1. Keep what each member runs and may keep; revoke the rest.
  const owner = new Map<string, string>();
  const held = new Map<string, WorkItem[]>(ids.map((id) => [id, []]));
  const revoked = new Map<string, WorkItem[]>(ids.map((id) => [id, []]));
  for (const id of ids) {
    for (const item of allocationItems(byId.get(id)!.metadata.allocation)) {
      const k = itemKey(item);
      if (!configuredByKey.has(k) || owner.has(k)) revoked.get(id)!.push(item);
      else {
        owner.set(k, id);
        held.get(id)!.push(item);
      }
    }
  }

  // 2. Work of departed members: held back for them until the deadline, unless a new member can take it now.
  const present = new Set(ids);
  const lost = configured.filter((i) => {
    const prev = state.previous.get(itemKey(i));
    return !owner.has(itemKey(i)) && prev !== undefined && !present.has(prev);
  });
  const newcomers = ids.filter((id) => !state.members.has(id) && (byId.get(id)!.metadata.allocation?.size ?? 0) === 0);
  let delay = 0;
  let heldBack = new Set<string>();
  if (lost.length && input.maxDelayMs > 0 && newcomers.length === 0) {
    state.lostDeadline ??= now + input.maxDelayMs;
    if (now < state.lostDeadline) {
      delay = state.lostDeadline - now;
      heldBack = new Set(lost.map(itemKey));
    }
  }
  if (heldBack.size === 0) state.lostDeadline = null;

  // 3. Unassigned work to the least loaded; then balance by revoking from the most loaded.
  const assigned = new Map<string, WorkItem[]>(ids.map((id) => [id, []]));
  const unassigned = configured.filter((i) => !owner.has(itemKey(i)) && !heldBack.has(itemKey(i)));
  for (const isConnector of [true, false]) {
    const kind = (i: WorkItem) => i.task < 0 === isConnector;
    const load = new Map(ids.map((id) => [id, held.get(id)!.filter(kind).length]));
    const leastLoaded = () => ids.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
    const mostLoaded = () => ids.reduce((a, b) => (load.get(b)! > load.get(a)! ? b : a));
    for (const item of unassigned.filter(kind)) {
      const id = leastLoaded();
      assigned.get(id)!.push(item);
      load.set(id, load.get(id)! + 1);
    }
    // While a departed worker's work is held for it, nothing else moves (it may come back and rebalance anyway).
    while (heldBack.size === 0) {
      const max = mostLoaded();
      const min = leastLoaded();
      if (load.get(max)! - load.get(min)! <= 1) break;
      // Revoke one of what `max` held before this round (never something assigned to it just now).
      const h = held.get(max)!;
      let idx = h.length - 1;
      while (idx >= 0 && !kind(h[idx]!)) idx--;
      if (idx < 0) break;
      const [item] = h.splice(idx, 1);
      revoked.get(max)!.push(item!);
      load.set(max, load.get(max)! - 1);
      load.set(min, load.get(min)! + 1);
    }
  }

  // 4. Remember who runs what (held-back work stays with its departed owner).
  const previous = new Map<string, string>();
  for (const id of ids) for (const i of [...held.get(id)!, ...assigned.get(id)!]) previous.set(itemKey(i), id);
  for (const k of heldBack) previous.set(k, state.previous.get(k)!);
  state.previous = previous;
  state.members = new Set(ids);

  const leaderUrl = byId.get(input.leaderId)?.metadata.url ?? '';
  return new Map(
    ids.map((id) => [
      id,
      {
        error: ASSIGNMENT_NO_ERROR,
        leader: input.leaderId,
        leaderUrl,
        configOffset: input.configOffset,
        assigned: toAllocation(assigned.get(id)!),
        revoked: toAllocation(revoked.get(id)!),
        delay,
      },
    ]),
  );
}
