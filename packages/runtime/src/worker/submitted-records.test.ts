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

  it('keys equal source partitions built per record together, and tells different ones apart', () => {
    const s = new SubmittedRecords();
    const recs = [
      s.submit({ f: 'a' }, { p: 1 }),
      s.submit({ f: 'a' }, { p: 2 }),
      s.submit({ f: 'b' }, { p: 1 }),
      s.submit({ f: 'a', g: 1 }, { p: 3 }),
      s.submit({ f: 'a' }, { p: 4 }),
      s.submit({ nested: { x: 1 } } as never, { p: 1 }),
      s.submit({ nested: { x: 2 } } as never, { p: 2 }),
    ];
    for (const r of recs) s.ack(r);
    expect(s.committable()).toEqual([
      { partition: { f: 'a' }, offset: { p: 4 } },
      { partition: { f: 'b' }, offset: { p: 1 } },
      { partition: { f: 'a', g: 1 }, offset: { p: 3 } },
      { partition: { nested: { x: 1 } }, offset: { p: 1 } },
      { partition: { nested: { x: 2 } }, offset: { p: 2 } },
    ]);
  });
});
