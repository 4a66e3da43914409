import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ConnectError, Schemas } from '@kconnect/api';
import type { SourceRecord } from '@kconnect/api';
import { FileStreamSourceTask } from './source-task';
import type { FileStreamSourceTaskOptions } from './source-task';
import { MemoryOffsetStorageReader, sourceContext, tempDir } from './test-helpers';

let tmp: ReturnType<typeof tempDir>;
const tasks: FileStreamSourceTask[] = [];

beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((t) => t.stop()));
  tmp.cleanup();
});

async function startTask(
  props: Record<string, string>,
  reader = new MemoryOffsetStorageReader(),
  options: FileStreamSourceTaskOptions = {},
): Promise<FileStreamSourceTask> {
  const task = new FileStreamSourceTask({ maxPollWaitMs: 200, checkIntervalMs: 20, ...options });
  tasks.push(task);
  task.initialize(sourceContext(reader, props));
  await task.start(props);
  return task;
}

/** Polls until `n` records arrived (or fails after `timeoutMs`). */
async function pollN(task: FileStreamSourceTask, n: number, timeoutMs = 5000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${out.length} of ${n} records: ${JSON.stringify(out.map((r) => r.value))}`);
    const batch = await task.poll();
    if (batch) out.push(...batch);
  }
  return out;
}

/** A poll wait no test outlives (jest's timeout is 60 s): a poll that returns did so for its reason, not the wait. */
const LONGER_THAN_THE_TEST = 600_000;

const values = (rs: SourceRecord[]) => rs.map((r) => r.value);
const positions = (rs: SourceRecord[]) => rs.map((r) => r.sourceOffset?.position);

describe('FileStreamSourceTask', () => {
  test('reads \\n, \\r\\n and \\r terminated lines into records like Java', async () => {
    const file = tmp.path('in.txt');
    writeFileSync(file, 'one\ntwo\r\nthree\rfour\n');
    const task = await startTask({ file, topic: 'lines' });
    const rs = await pollN(task, 4);
    expect(values(rs)).toEqual(['one', 'two', 'three', 'four']);
    expect(positions(rs)).toEqual([4, 9, 15, 20]);
    for (const r of rs) {
      expect(r.topic).toBe('lines');
      expect(r.key).toBeNull();
      expect(r.keySchema).toBeNull();
      expect(r.valueSchema).toBe(Schemas.STRING_SCHEMA);
      expect(r.kafkaPartition).toBeNull();
      expect(r.sourcePartition).toEqual({ filename: file });
      expect(typeof r.timestamp).toBe('number');
    }
  });

  test('a partial last line waits for its terminator', async () => {
    const file = tmp.path('in.txt');
    writeFileSync(file, 'a\nhalf');
    const task = await startTask({ file, topic: 't' });
    expect(values(await pollN(task, 1))).toEqual(['a']);
    expect(await task.poll()).toBeNull();
    appendFileSync(file, '-done\nnext');
    const rs = await pollN(task, 1);
    expect(values(rs)).toEqual(['half-done']);
    expect(positions(rs)).toEqual([12]);
    expect(await task.poll()).toBeNull();
  });

  test('a trailing \\r waits for the next byte to tell \\r from \\r\\n', async () => {
    const file = tmp.path('in.txt');
    writeFileSync(file, 'x\r');
    const task = await startTask({ file, topic: 't' });
    expect(await task.poll()).toBeNull();
    appendFileSync(file, '\ny\r');
    const rs = await pollN(task, 1);
    expect(values(rs)).toEqual(['x']);
    expect(positions(rs)).toEqual([3]);
    appendFileSync(file, 'z\n');
    const more = await pollN(task, 2);
    expect(values(more)).toEqual(['y', 'z']);
    expect(positions(more)).toEqual([5, 7]);
  });

  test('empty lines are records too', async () => {
    const file = tmp.path('in.txt');
    writeFileSync(file, '\n\r\n\rlast\n');
    const task = await startTask({ file, topic: 't' });
    const rs = await pollN(task, 4);
    expect(values(rs)).toEqual(['', '', '', 'last']);
    expect(positions(rs)).toEqual([1, 3, 4, 9]);
  });

  test('positions are UTF-8 byte offsets', async () => {
    const file = tmp.path('utf8.txt');
    const lines = ['héllo', '日本語', '😀x', 'plain'];
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const task = await startTask({ file, topic: 't' });
    const rs = await pollN(task, 4);
    expect(values(rs)).toEqual(lines);
    let pos = 0;
    expect(positions(rs)).toEqual(lines.map((l) => (pos += Buffer.byteLength(l) + 1)));
  });

  test('lines and multi-byte characters split across read chunks', async () => {
    const file = tmp.path('chunks.txt');
    const lines = Array.from({ length: 50 }, (_, i) => `línea ${i} ✓ ${'z'.repeat(i % 7)}`);
    const text = lines.map((l, i) => l + (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r')).join('');
    writeFileSync(file, `${text}end\n`);
    const task = await startTask({ file, topic: 't' }, undefined, { readChunkBytes: 5 });
    const rs = await pollN(task, 51);
    expect(values(rs)).toEqual([...lines, 'end']);
    expect(rs[50]!.sourceOffset).toEqual({ position: Buffer.byteLength(text) + 4 });
  });

  test('resumes from the stored offset with no duplicates and no gaps', async () => {
    const file = tmp.path('resume.txt');
    const lines = Array.from({ length: 20 }, (_, i) => `rec-${i}-ü€`);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const first = await startTask({ file, topic: 't', 'batch.size': '7' });
    const firstBatch = await first.poll();
    expect(firstBatch).toHaveLength(7);
    await first.stop();

    // the runtime committed the offset of the 5th record only (later ones were in flight)
    const committed = firstBatch![4]!;
    const reader = new MemoryOffsetStorageReader().set(committed.sourcePartition!, committed.sourceOffset!);
    const second = await startTask({ file, topic: 't' }, reader);
    expect(reader.reads).toBe(1);
    appendFileSync(file, 'appended\n');
    const rest = await pollN(second, 16);
    expect(values(rest)).toEqual([...lines.slice(5), 'appended']);
    expect(values([...firstBatch!.slice(0, 5), ...rest])).toEqual([...lines, 'appended']);
  });

  test('resumes from a stored position in the middle of the file', async () => {
    const file = tmp.path('p.txt');
    writeFileSync(file, 'aaa\nbbb\n');
    const reader = new MemoryOffsetStorageReader().set({ filename: file }, { position: 4 });
    const task = await startTask({ file, topic: 't' }, reader);
    const rs = await pollN(task, 1);
    expect(values(rs)).toEqual(['bbb']);
    expect(positions(rs)).toEqual([8]);
  });

  test('a stored position beyond the end of the file waits for the file to grow', async () => {
    const file = tmp.path('short.txt');
    writeFileSync(file, 'ab\n');
    const reader = new MemoryOffsetStorageReader().set({ filename: file }, { position: 6 });
    const task = await startTask({ file, topic: 't' }, reader);
    expect(await task.poll()).toBeNull();
    appendFileSync(file, 'cd\nef\n');
    const rs = await pollN(task, 1);
    expect(values(rs)).toEqual(['ef']);
    expect(positions(rs)).toEqual([9]);
  });

  test('a stored offset of the wrong type fails start', async () => {
    const file = tmp.path('x.txt');
    writeFileSync(file, 'a\n');
    const reader = new MemoryOffsetStorageReader().set({ filename: file }, { position: 'ten' });
    await expect(startTask({ file, topic: 't' }, reader)).rejects.toThrow(/Offset position is the incorrect type/);
    const negative = new MemoryOffsetStorageReader().set({ filename: file }, { position: -1 });
    await expect(startTask({ file, topic: 't' }, negative)).rejects.toThrow(ConnectError);
  });

  test('returns at most batch.size records per poll', async () => {
    const file = tmp.path('b.txt');
    writeFileSync(file, 'a\nb\nc\nd\ne\n');
    const task = await startTask({ file, topic: 't', 'batch.size': '2' });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push((await task.poll())?.length ?? 0);
    expect(sizes).toEqual([2, 2, 1]);
    expect(await task.poll()).toBeNull();
  });

  test('default batch.size is 2000', async () => {
    const file = tmp.path('big.txt');
    writeFileSync(file, Array.from({ length: 4500 }, (_, i) => `${i}\n`).join(''));
    const task = await startTask({ file, topic: 't' });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push((await task.poll())?.length ?? 0);
    expect(sizes).toEqual([2000, 2000, 500]);
  });

  test('concurrent appends in arbitrary pieces, with a restart half way: every line exactly once', async () => {
    const file = tmp.path('live.txt');
    writeFileSync(file, '');
    const lines = Array.from({ length: 400 }, (_, i) => `l${i}-${'é'.repeat(i % 5)}`);
    const text = Buffer.from(lines.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join(''));
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let written = 0;
    const writer = setInterval(() => {
      if (written >= text.length) return clearInterval(writer);
      const n = Math.min(text.length - written, 1 + rnd(40)); // splits CRLF pairs and UTF-8 sequences too
      appendFileSync(file, text.subarray(written, written + n));
      written += n;
    }, 1);
    const reader = new MemoryOffsetStorageReader();
    const first = await startTask({ file, topic: 't', 'batch.size': '17' }, reader, { readChunkBytes: 13 });
    const got = await pollN(first, 150);
    await first.stop();
    const last = got[got.length - 1]!;
    reader.set(last.sourcePartition!, last.sourceOffset!);
    const second = await startTask({ file, topic: 't', 'batch.size': '17' }, reader, { readChunkBytes: 13 });
    got.push(...(await pollN(second, lines.length - got.length, 10_000)));
    clearInterval(writer);
    expect(values(got)).toEqual(lines);
    expect(got[got.length - 1]!.sourceOffset).toEqual({ position: text.length });
  });

  test('a missing file is waited for, then read once created', async () => {
    const file = tmp.path('later.txt');
    const task = await startTask({ file, topic: 't' });
    const t0 = Date.now();
    expect(await task.poll()).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // waited, no busy loop
    writeFileSync(file, 'hello\n');
    const rs = await pollN(task, 1);
    expect(values(rs)).toEqual(['hello']);
    expect(positions(rs)).toEqual([6]);
  });

  test('a file created during a waiting poll is picked up by that poll', async () => {
    const file = tmp.path('soon.txt');
    // A wait longer than the test's timeout: the poll can only return because it saw the file.
    const task = await startTask({ file, topic: 't' }, undefined, { maxPollWaitMs: LONGER_THAN_THE_TEST });
    setTimeout(() => writeFileSync(file, 'now\n'), 100);
    const rs = await task.poll();
    expect(values(rs ?? [])).toEqual(['now']);
  });

  test('an idle poll waits about maxPollWaitMs and returns null', async () => {
    const file = tmp.path('idle.txt');
    writeFileSync(file, '');
    const task = await startTask({ file, topic: 't' }, undefined, { maxPollWaitMs: 300 });
    const t0 = Date.now();
    expect(await task.poll()).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280); // waited (how much longer is for a benchmark, not a test)
  });

  test('stop() makes a pending poll return promptly', async () => {
    const file = tmp.path('idle.txt');
    writeFileSync(file, '');
    // Waits longer than the test's timeout: only stop() can end the pending poll.
    const task = await startTask({ file, topic: 't' }, undefined, { maxPollWaitMs: LONGER_THAN_THE_TEST, checkIntervalMs: LONGER_THAN_THE_TEST });
    const pending = task.poll();
    await new Promise((r) => setTimeout(r, 50));
    await task.stop();
    expect(await pending).toBeNull();
    expect(await task.poll()).toBeNull();
  });

  test('stop() while waiting for a missing file', async () => {
    const task = await startTask({ file: tmp.path('never.txt'), topic: 't' }, undefined, {
      maxPollWaitMs: LONGER_THAN_THE_TEST,
      checkIntervalMs: LONGER_THAN_THE_TEST,
    });
    const pending = task.poll();
    await new Promise((r) => setTimeout(r, 50));
    await task.stop();
    expect(await pending).toBeNull();
  });

  test('the default poll wait is about one second', async () => {
    const file = tmp.path('idle.txt');
    writeFileSync(file, '');
    const task = new FileStreamSourceTask();
    tasks.push(task);
    task.initialize(sourceContext(new MemoryOffsetStorageReader()));
    await task.start({ file, topic: 't' });
    const t0 = Date.now();
    expect(await task.poll()).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  describe('stdin mode', () => {
    test('reads lines without tracking offsets, and emits the last line at end of input', async () => {
      const stdin = new PassThrough();
      const reader = new MemoryOffsetStorageReader();
      const task = await startTask({ topic: 't' }, reader, { stdin });
      expect(reader.reads).toBe(0);
      stdin.write('first\r\nsec');
      const rs = await pollN(task, 1);
      expect(values(rs)).toEqual(['first']);
      expect(rs[0]!.sourcePartition).toEqual({ filename: null });
      expect(rs[0]!.sourceOffset).toEqual({ position: null });
      stdin.write('ond\nlast');
      expect(values(await pollN(task, 1))).toEqual(['second']);
      stdin.end();
      expect(values(await pollN(task, 1))).toEqual(['last']);
      expect(await task.poll()).toBeNull();
    });

    test('an empty file setting means stdin; stop does not end stdin', async () => {
      const stdin = new PassThrough();
      const task = await startTask({ file: '', topic: 't' }, undefined, { stdin });
      stdin.write('x\n');
      const rs = await pollN(task, 1);
      expect(rs[0]!.sourcePartition).toEqual({ filename: '' });
      const pending = task.poll();
      await task.stop();
      expect(await pending).toBeNull();
      expect(stdin.destroyed).toBe(false);
      expect(stdin.listenerCount('readable')).toBe(0);
    });

    test('data arriving during a waiting poll wakes it', async () => {
      const stdin = new PassThrough();
      // Waits longer than the test's timeout: the poll returns only because the data woke it.
      const task = await startTask({ topic: 't' }, undefined, { stdin, maxPollWaitMs: LONGER_THAN_THE_TEST, checkIntervalMs: LONGER_THAN_THE_TEST });
      setTimeout(() => stdin.write('ping\n'), 50);
      expect(values((await task.poll()) ?? [])).toEqual(['ping']);
    });
  });

  test('version() is the package version', () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(new FileStreamSourceTask().version()).toBe(version);
  });
});
