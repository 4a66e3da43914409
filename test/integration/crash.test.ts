/**
 * kill -9 of a standalone worker (a real child process) in the middle of a load, several times: the offsets file
 * is always readable, and after each restart the source resumes from its last flushed offset, so every line of
 * the input reaches the topic (at-least-once; duplicates only from the unflushed window).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
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
        const doc = JSON.parse(readFileSync(offsets, 'utf8')); // must always parse
        return doc.offsets[0]?.value.position ?? 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw e;
      }
    };
    const total = Buffer.byteLength(Array.from({ length: N }, (_, i) => `${line(i)}\n`).join(''));

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
    // Duplicates come only from the unflushed window before each kill.
    expect(count - N).toBeLessThan(N);
  }, 240_000);
});
