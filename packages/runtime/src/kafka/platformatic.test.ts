import type { ClusterMetadata, ExtendedGroupProtocolSubscription } from '@platformatic/kafka';
import { rangeAssigner } from './platformatic';

function assign(members: Record<string, string[]>, partitions: Record<string, number>): Record<string, Record<string, number[]>> {
  const m = new Map<string, ExtendedGroupProtocolSubscription>(Object.entries(members).map(([id, topics]) => [id, { memberId: id, topics, version: 1 }]));
  const metadata = { topics: new Map(Object.entries(partitions).map(([t, n]) => [t, { partitionsCount: n }])) } as unknown as ClusterMetadata;
  const out: Record<string, Record<string, number[]>> = {};
  for (const a of rangeAssigner('', m, new Set(), metadata)) {
    out[a.memberId] = Object.fromEntries([...a.assignments].map(([t, g]) => [t, g.partitions]));
  }
  return out;
}

// Java's RangeAssignor: per topic, the subscribed members sorted by id take contiguous ranges, the first
// (partitions % members) of them one more; every member is in the result, with nothing when nothing is left.
describe('rangeAssigner', () => {
  test('splits each topic into contiguous ranges, the first members taking the extra partitions', () => {
    expect(assign({ b: ['t'], a: ['t'] }, { t: 5 })).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] } });
    expect(assign({ c1: ['t1', 't2'], c2: ['t1', 't2'] }, { t1: 3, t2: 3 })).toEqual({
      c1: { t1: [0, 1], t2: [0, 1] },
      c2: { t1: [2], t2: [2] },
    });
  });
  test('more members than partitions: the last members get nothing', () => {
    expect(assign({ a: ['t'], b: ['t'], c: ['t'] }, { t: 2 })).toEqual({ a: { t: [0] }, b: { t: [1] }, c: {} });
  });
  test('only the subscribers of a topic share it; unknown topics assign nothing', () => {
    expect(assign({ a: ['t1'], b: ['t1', 't2'] }, { t1: 2, t2: 2 })).toEqual({ a: { t1: [0] }, b: { t1: [1], t2: [0, 1] } });
    expect(assign({ a: ['gone'] }, {})).toEqual({ a: {} });
  });
});
