/**
 * kill -9 of a standalone worker (a real child process) in the middle of a load, several times: the offsets file
 * is always readable, and after each restart the source resumes from its last flushed offset, so every line of
 * the input reaches the topic and the only duplicates are the lines after that offset (`docs/offsets.md`: at-least-
 * once, duplicates only from the unflushed window). Checked from the topic itself, not against a time window: each
 * run of the source is an ascending run of lines in the topic, every restart begins exactly at the line the offsets
 * file held at the kill, and the duplicates are exactly the lines between that line and the last one Kafka had.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type KafkaAdmin, readJavaOffsetFile } from '@kconnect/runtime';
import { CliWorker } from '@kconnect/testkit';
import { BOOTSTRAP, eventually, kafkaAdmin, readTopics, sleep, unique } from './harness';

const N = 60_000;

describe('kill -9 during a load', () => {
  let admin: KafkaAdmin;
  let worker: CliWorker | undefined;
  const topic = unique('crash');
  const groups: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });
  afterAll(async () => {
    await worker?.close();
    await admin.deleteTopics([topic]).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  it('never corrupts the offsets file and loses no record', async () => {
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const input = 'in.txt';
    const w = new CliWorker({
      props: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'offset.flush.interval.ms': '100',
        listeners: 'http://127.0.0.1:0',
      },
      connectors: [{ name: 'crash-src', config: { 'connector.class': 'FileStreamSource', file: input, topic, 'batch.size': '200' } }],
    });
    worker = w;
    const offsets = w.offsetsFile;
    const line = (i: number) => `reading-${i}`;
    writeFileSync(path.join(w.dir, input), Array.from({ length: N }, (_, i) => `${line(i)}\n`).join(''));
    const position = (): number => {
      try {
        const entries = readJavaOffsetFile(readFileSync(offsets)); // must always parse
        return entries[0]?.[1] ? JSON.parse(entries[0][1].toString()).position : 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw e;
      }
    };
    const total = Buffer.byteLength(Array.from({ length: N }, (_, i) => `${line(i)}\n`).join(''));
    // The offset of a record is the position after its line: position → index of the next line to read.
    const lineAt = new Map<number, number>([[0, 0]]);
    for (let i = 0, pos = 0; i < N; i++) lineAt.set((pos += Buffer.byteLength(`${line(i)}\n`)), i + 1);
    const resumedAt: number[] = []; // the line each restart reads first: the flushed offset at the kill

    let kills = 0;
    let last = 0;
    while (kills < 3) {
      w.start();
      // Kill as soon as the offsets moved on since the last start: always mid-load.
      await eventually(() => position() > last, 30_000, 'offsets to advance');
      await w.kill();
      kills++;
      const p = position();
      expect(p).toBeGreaterThanOrEqual(last);
      expect(lineAt.has(p)).toBe(true); // a line boundary
      resumedAt.push(lineAt.get(p)!);
      last = p;
      if (p >= total) break;
    }
    expect(last).toBeLessThan(total); // the kills really happened mid-load
    w.start();
    await eventually(() => position() === total, 60_000, `source to finish after restart; worker log: ${w.log}`);
    await w.stop();

    // Every line is in the topic.
    const reader = await readTopics([topic], groups);
    const seen = new Set<string>();
    let counted = 0;
    try {
      await eventually(
        () => {
          for (; counted < reader.records.length; counted++) seen.add(String(reader.records[counted]!.value));
          return seen.size === N;
        },
        60_000,
        `all ${N} lines in the topic`,
      );
      await sleep(500);
    } finally {
      await reader.stop();
    }
    const count = reader.records.length;
    expect(seen.size).toBe(N);
    // The topic (one partition, in order) is the runs of the source one after the other. A run that restarts
    // below the highest line so far re-sends the lines from its start up to that line: it must start at the
    // flushed offset of a kill, in the order of the kills (a kill whose run had nothing unflushed in Kafka
    // continues seamlessly and is not visible as a restart).
    const lines = reader.records.map((r) => Number(String(r.value).slice('reading-'.length)));
    let highest = lines[0]!;
    expect(highest).toBe(0);
    let k = 0;
    let duplicates = 0;
    const windows: number[] = [];
    for (let j = 1; j < lines.length; j++) {
      const i = lines[j]!;
      if (i !== lines[j - 1]! + 1) {
        // A restart: at the flushed line of this or a later kill (the ones between were seamless).
        const at = resumedAt.indexOf(i, k);
        expect({ record: j, line: i, flushedAtKills: resumedAt.slice(k), found: at >= 0 }).toMatchObject({ found: true });
        k = at + 1;
        windows.push(highest + 1 - i);
      }
      if (i <= highest) duplicates++;
      else expect(i).toBe(highest + 1); // no line skipped
      highest = Math.max(highest, i);
    }
    // Every duplicate lies in the window of a restart: after the flushed offset, up to the last line Kafka had (a
    // window can be cut short by the next kill, so the windows bound the duplicates rather than sum to them).
    expect(duplicates).toBe(count - N);
    expect(duplicates).toBeLessThanOrEqual(windows.reduce((a, b) => a + b, 0));
    process.stdout.write(`kill -9 ×${kills}: ${N} lines, ${count} records, restarts re-sent ${windows.join(' + ')} lines after the flushed offset\n`);
  }, 240_000);
});
