import { ASSIGNMENT_CONFIG_MISMATCH, decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata, toAllocation } from './connect-protocol';

describe('Connect protocol v1 bytes', () => {
  it('member metadata: version, url, config offset, then the current assignment as nullable bytes (big-endian, int16-length strings)', () => {
    const bytes = encodeMetadata({ url: 'http://w1:8083/', configOffset: 42, allocation: new Map([['c', [-1, 0]]]), leader: 'L', leaderUrl: 'u' });
    const assignment = Buffer.concat([
      Buffer.from([0, 1]), // version
      Buffer.from([0, 0]), // error
      Buffer.from([0, 1]),
      Buffer.from('L'),
      Buffer.from([0, 1]),
      Buffer.from('u'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]), // config offset
      Buffer.from([0, 0, 0, 1, 0, 1]),
      Buffer.from('c'),
      Buffer.from([0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), // assigned: c [-1, 0]
      Buffer.from([0, 0, 0, 0]), // revoked: empty
      Buffer.from([0, 0, 0, 0]), // delay
    ]);
    const expected = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.from([0, 15]),
      Buffer.from('http://w1:8083/'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]),
      Buffer.from([0, 0, 0, assignment.length]),
      assignment,
    ]);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
    expect(decodeMetadata(bytes)).toEqual({ url: 'http://w1:8083/', configOffset: 42, allocation: new Map([['c', [-1, 0]]]), leader: 'L', leaderUrl: 'u' });
  });

  it('metadata of a member that runs nothing has a null allocation', () => {
    expect(encodeMetadata({ url: 'u', configOffset: -1, allocation: new Map() })).toEqual(encodeMetadata({ url: 'u', configOffset: -1, allocation: null }));
    const bytes = encodeMetadata({ url: 'u', configOffset: -1, allocation: null });
    expect(bytes.subarray(bytes.length - 4).toString('hex')).toBe('ffffffff');
    expect(decodeMetadata(bytes)).toEqual({ url: 'u', configOffset: -1, allocation: null });
  });

  it('assignment: error, leader, leader url, config offset, assigned, revoked, delay round trip', () => {
    const a = {
      error: ASSIGNMENT_CONFIG_MISMATCH,
      leader: 'connect-1-abc',
      leaderUrl: 'http://w1:8083/',
      configOffset: 7,
      assigned: toAllocation([
        { connector: 'b', task: 1 },
        { connector: 'a', task: -1 },
        { connector: 'b', task: 0 },
      ]),
      revoked: new Map([['z', [3]]]),
      delay: 1500,
    };
    const decoded = decodeAssignment(encodeAssignment(a));
    expect(decoded).toEqual(a);
    expect([...decoded.assigned]).toEqual([
      ['b', [0, 1]],
      ['a', [-1]],
    ]);
  });

  it('truncated bytes fail with a clear error', () => {
    const bytes = encodeAssignment({ error: 0, leader: 'l', leaderUrl: 'u', configOffset: 1, assigned: new Map(), revoked: new Map(), delay: 0 });
    expect(() => decodeAssignment(bytes.subarray(0, 9))).toThrow(/truncated/);
  });
});
