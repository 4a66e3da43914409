import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readJavaOffsetFile, writeJavaOffsetFile } from './java-offset-file';
import { FileOffsetStore, canonicalJson } from './offset-store';

describe('FileOffsetStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'offsets-'));

  const entries = (file: string) => readJavaOffsetFile(readFileSync(file)).map((e) => e.map((b) => b?.toString() ?? null));

  it("persists offsets in Java standalone's file format and reloads them", async () => {
    const file = path.join(dir, 'a.offsets');
    const s = new FileOffsetStore(file);
    await s.start();
    await s.set([{ connector: 'c', partition: { filename: '/x', n: 1 }, offset: { position: 10 } }]);
    await s.set([{ connector: 'c', partition: { n: 1, filename: '/x' }, offset: { position: 20 } }]);
    await s.set([
      { connector: 'd', partition: { f: 'y' }, offset: { position: 1 } },
      { connector: 'd', partition: { f: 'y' }, offset: null },
    ]);
    expect(entries(file)).toEqual([['["c",{"filename":"/x","n":1}]', '{"position":20}']]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = new FileOffsetStore(file);
    await again.start();
    expect(again.get('c', { n: 1, filename: '/x' })).toEqual({ position: 20 });
    expect(again.connectorOffsets('d')).toEqual([]);
  });

  it("keeps the key bytes of a file Java wrote, and entries that are not Connect's", async () => {
    const file = path.join(dir, 'java.offsets');
    writeFileSync(
      file,
      writeJavaOffsetFile([
        [Buffer.from('["c",{"n":1,"filename":"/x"}]'), Buffer.from('{"position":5}')],
        [Buffer.from('not json'), Buffer.from('?')],
        [null, null],
      ]),
    );
    const s = new FileOffsetStore(file);
    await s.start();
    expect(s.get('c', { filename: '/x', n: 1 })).toEqual({ position: 5 });
    await s.set([{ connector: 'c', partition: { filename: '/x', n: 1 }, offset: { position: 6 } }]);
    expect(entries(file)).toEqual([
      ['["c",{"n":1,"filename":"/x"}]', '{"position":6}'],
      ['not json', '?'],
      [null, null],
    ]);
  });

  it("reads an earlier kconnect's JSON file and rewrites it in Java's format", async () => {
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ format: 'kconnect.offsets', version: 1, offsets: [{ key: ['c', { f: 'a' }], value: { position: 3 } }] }));
    const s = new FileOffsetStore(file);
    await s.start();
    expect(s.get('c', { f: 'a' })).toEqual({ position: 3 });
    await s.stop();
    expect(entries(file)).toEqual([['["c",{"f":"a"}]', '{"position":3}']]);
  });

  it('coalesces concurrent writes and never leaves a torn file', async () => {
    const file = path.join(dir, 'b.offsets');
    const s = new FileOffsetStore(file);
    await s.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.set([{ connector: 'c', partition: { p: i % 3 }, offset: { o: i } }])));
    expect(entries(file)).toHaveLength(3);
    expect(s.get('c', { p: 2 })).toEqual({ o: 47 });
  });

  it('refuses a file that is not an offsets file with a message saying what to do', async () => {
    const file = path.join(dir, 'c.json');
    writeFileSync(file, '{"something": "else"}');
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(/is not an offsets file .*fix or remove it/);
    writeFileSync(file, '{torn');
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(/is not valid JSON.*fix or remove it/);
    writeFileSync(file, writeJavaOffsetFile([[Buffer.from('k'), Buffer.from('v')]]).subarray(0, 60));
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(
      /is not a readable offsets file \(the Java serialization stream truncated at byte \d+ \(needs \d+ more\)\); fix or remove it/,
    );
  });

  it('canonicalizes keys', () => {
    expect(canonicalJson(['c', { b: 1, a: [{ y: 1, x: 2 }] }])).toBe('["c",{"a":[{"x":2,"y":1}],"b":1}]');
  });
});
