import { SubmittedRecords } from './submitted-records';

describe('SubmittedRecords', () => {
  it('commits only the contiguous acknowledged prefix per source partition', () => {
    const s = new SubmittedRecords();
    const a1 = s.submit({ f: 'a' }, { p: 1 });
    const a2 = s.submit({ f: 'a' }, { p: 2 });
    const b1 = s.submit({ f: 'b' }, { p: 10 });
    expect(s.submit(null, { p: 1 })).toBeNull();
    s.ack(a2);
    expect(s.committable()).toEqual([]);
    s.ack(a1);
    s.ack(b1);
    expect(s.committable()).toEqual([
      { partition: { f: 'a' }, offset: { p: 2 } },
      { partition: { f: 'b' }, offset: { p: 10 } },
    ]);
    expect(s.committable()).toEqual([]);
    expect(s.outstanding).toBe(0);
  });
});
