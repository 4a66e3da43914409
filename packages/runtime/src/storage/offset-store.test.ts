import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileOffsetStore, canonicalJson } from './offset-store';

describe('FileOffsetStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'offsets-'));

  it('persists offsets in the documented format and reloads them', async () => {
    const file = path.join(dir, 'a.json');
    const s = new FileOffsetStore(file);
    await s.start();
    await s.set([{ connector: 'c', partition: { filename: '/x', n: 1 }, offset: { position: 10 } }]);
    await s.set([{ connector: 'c', partition: { n: 1, filename: '/x' }, offset: { position: 20 } }]);
    await s.set([
      { connector: 'd', partition: { f: 'y' }, offset: { position: 1 } },
      { connector: 'd', partition: { f: 'y' }, offset: null },
    ]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      format: 'kconnect.offsets',
      version: 1,
      offsets: [{ key: ['c', { filename: '/x', n: 1 }], value: { position: 20 } }],
    });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = new FileOffsetStore(file);
    await again.start();
    expect(again.get('c', { n: 1, filename: '/x' })).toEqual({ position: 20 });
    expect(again.connectorOffsets('d')).toEqual([]);
  });

  it('coalesces concurrent writes and never leaves a torn file', async () => {
    const file = path.join(dir, 'b.json');
    const s = new FileOffsetStore(file);
    await s.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.set([{ connector: 'c', partition: { p: i % 3 }, offset: { o: i } }])));
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.offsets).toHaveLength(3);
    expect(s.get('c', { p: 2 })).toEqual({ o: 47 });
  });

  it('refuses a file that is not ours with a message saying what to do', async () => {
    const file = path.join(dir, 'c.json');
    writeFileSync(file, '{"something": "else"}');
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(/not a kconnect offsets file/);
    writeFileSync(file, '{torn');
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(/is not valid JSON.*fix or remove it/);
  });

  it('canonicalizes keys', () => {
    expect(canonicalJson(['c', { b: 1, a: [{ y: 1, x: 2 }] }])).toBe('["c",{"a":[{"x":2,"y":1}],"b":1}]');
  });
});
