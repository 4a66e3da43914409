import { assign, newAssignorState } from './assignor';
import { allocationItems, type Allocation, toAllocation, type WorkItem } from './connect-protocol';

const c = (connector: string): WorkItem => ({ connector, task: -1 });
const t = (connector: string, task: number): WorkItem => ({ connector, task });
/** Connectors with their task counts → every work item. */
const work = (spec: Record<string, number>) => Object.entries(spec).flatMap(([n, tasks]) => [c(n), ...Array.from({ length: tasks }, (_, i) => t(n, i))]);
const member = (memberId: string, items: WorkItem[] | null) => ({
  memberId,
  metadata: { url: `http://${memberId}/`, configOffset: 10, allocation: items === null ? null : toAllocation(items) },
});
const names = (a: Allocation) => allocationItems(a).map((i) => (i.task < 0 ? i.connector : `${i.connector}-${i.task}`));

describe('incremental cooperative assignor', () => {
  it('spreads connectors and tasks of a fresh cluster evenly (within one per worker, each kind)', () => {
    const state = newAssignorState();
    const out = assign({
      members: [member('w1', null), member('w2', null), member('w3', null)],
      configured: work({ a: 4, b: 2 }),
      leaderId: 'w1',
      configOffset: 10,
      now: 0,
      maxDelayMs: 1000,
      state,
    });
    const counts = [...out.values()].map((a) => allocationItems(a.assigned));
    expect(counts.flat()).toHaveLength(8);
    for (const items of counts) {
      expect(items.filter((i) => i.task >= 0).length).toBe(2);
      expect(items.filter((i) => i.task < 0).length).toBeLessThanOrEqual(1);
    }
    expect(out.get('w2')!.leaderUrl).toBe('http://w1/');
    expect([...out.values()].every((a) => a.revoked.size === 0 && a.delay === 0)).toBe(true);
  });

  it('a new worker takes only what balance needs: the others keep the rest running (revoked first, assigned next round)', () => {
    const state = newAssignorState();
    const w1 = [c('a'), t('a', 0), t('a', 1), t('a', 2)];
    const w2 = [c('b'), t('a', 3), t('b', 0), t('b', 1)];
    const round1 = assign({
      members: [member('w1', w1), member('w2', w2), member('w3', [])],
      configured: work({ a: 4, b: 2 }),
      leaderId: 'w1',
      configOffset: 10,
      now: 0,
      maxDelayMs: 1000,
      state,
    });
    const revoked = [...round1.values()].flatMap((a) => names(a.revoked));
    expect(revoked).toHaveLength(2); // one task from each loaded worker, no connector
    expect(names(round1.get('w3')!.assigned)).toEqual([]);
    // Round 2: the owners report their work without the revoked tasks; the newcomer gets them.
    const keep = (items: WorkItem[]) => items.filter((i) => !revoked.includes(i.task < 0 ? i.connector : `${i.connector}-${i.task}`));
    const round2 = assign({
      members: [member('w1', keep(w1)), member('w2', keep(w2)), member('w3', [])],
      configured: work({ a: 4, b: 2 }),
      leaderId: 'w1',
      configOffset: 10,
      now: 1,
      maxDelayMs: 1000,
      state,
    });
    expect(names(round2.get('w3')!.assigned).sort()).toEqual([...revoked].sort());
    expect(names(round2.get('w1')!.assigned)).toEqual([]);
    expect([...round2.values()].every((a) => a.revoked.size === 0)).toBe(true);
  });

  it('deleted and duplicated work is revoked; the first holder keeps a duplicate', () => {
    const state = newAssignorState();
    const out = assign({
      members: [member('w1', [c('a'), t('a', 0), t('gone', 0)]), member('w2', [t('a', 0), c('b')])],
      configured: work({ a: 1, b: 0 }),
      leaderId: 'w1',
      configOffset: 10,
      now: 0,
      maxDelayMs: 0,
      state,
    });
    expect(names(out.get('w1')!.revoked)).toEqual(['gone-0']);
    expect(names(out.get('w2')!.revoked)).toEqual(['a-0']);
  });

  it("a departed worker's work waits up to the delay, then goes to the others", () => {
    const state = newAssignorState();
    const all = work({ a: 2, b: 2 });
    assign({ members: [member('w1', null), member('w2', null)], configured: all, leaderId: 'w1', configOffset: 10, now: 0, maxDelayMs: 1000, state });
    const w1Items = [...state.previous]
      .filter(([, m]) => m === 'w1')
      .map(([k]) => all.find((i) => (i.task < 0 ? `c:${i.connector}` : `t:${i.connector}\u0000${i.task}`) === k)!);
    // w2 is gone: during the delay nothing is assigned and the delay left is announced.
    const held = assign({ members: [member('w1', w1Items)], configured: all, leaderId: 'w1', configOffset: 10, now: 100, maxDelayMs: 1000, state });
    expect(names(held.get('w1')!.assigned)).toEqual([]);
    expect(held.get('w1')!.delay).toBe(1000); // counted from when the loss was first seen
    const later = assign({ members: [member('w1', w1Items)], configured: all, leaderId: 'w1', configOffset: 10, now: 1100, maxDelayMs: 1000, state });
    expect(allocationItems(later.get('w1')!.assigned).length + w1Items.length).toBe(all.length);
    expect(later.get('w1')!.delay).toBe(0);
  });

  it('a worker that joins during the delay gets the held work at once', () => {
    const state = newAssignorState();
    const all = work({ a: 2 });
    assign({ members: [member('w1', null), member('w2', null)], configured: all, leaderId: 'w1', configOffset: 10, now: 0, maxDelayMs: 60_000, state });
    const w1Items = all.filter((i) => state.previous.get(i.task < 0 ? `c:${i.connector}` : `t:${i.connector}\u0000${i.task}`) === 'w1');
    const out = assign({
      members: [member('w1', w1Items), member('w3', null)],
      configured: all,
      leaderId: 'w1',
      configOffset: 10,
      now: 10,
      maxDelayMs: 60_000,
      state,
    });
    expect(allocationItems(out.get('w3')!.assigned).length).toBeGreaterThan(0);
    expect(out.get('w3')!.delay).toBe(0);
  });
});
