/**
 * kill -9 of a standalone worker (a real child process) in the middle of a load, several times: the offsets file
 * is always readable, and after each restart the source resumes from its last flushed offset, so every line of
 * the input reaches the topic (at-least-once; duplicates only from the unflushed window).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaAdmin } from '@kconnect/runtime';
import { BOOTSTRAP, eventually, kafkaAdmin, sleep, unique } from './harness';

const CLI = path.join(__dirname, '../../packages/cli/dist/main.js');
const N = 60_000;

describe('kill -9 during a load', () => {
  let admin: KafkaAdmin;
  let dir: string;
  let child: ChildProcess | undefined;
  const topic = unique('crash');

  beforeAll(async () => {
    admin = await kafkaAdmin();
    dir = mkdtempSync(path.join(tmpdir(), 'kconnect-crash-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never corrupts the offsets file and loses no record', async () => {
    const input = path.join(dir, 'in.txt');
    const offsets = path.join(dir, 'offsets.json');
    const line = (i: number) => `reading-${i}`;
    writeFileSync(input, Array.from({ length: N }, (_, i) => `${line(i)}\n`).join(''));
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const port = 20000 + (process.pid % 10000);
    writeFileSync(
      path.join(dir, 'worker.properties'),
      [
        `bootstrap.servers=${BOOTSTRAP}`,
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        `offset.storage.file.filename=${offsets}`,
        'offset.flush.interval.ms=100',
        `listeners=http://127.0.0.1:${port}`,
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'source.json'),
      JSON.stringify({ name: 'crash-src', config: { 'connector.class': 'FileStreamSource', file: input, topic, 'batch.size': '200' } }),
    );
    const start = () => {
      child = spawn(process.execPath, [CLI, 'standalone', path.join(dir, 'worker.properties'), path.join(dir, 'source.json')], {
        stdio: 'ignore',
        env: { ...process.env, KCONNECT_LOG_LEVEL: 'ERROR' },
      });
    };
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
      start();
      // Kill as soon as the offsets moved on since the last start: always mid-load.
      await eventually(() => position() > last, 30_000, 'offsets to advance');
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      kills++;
      const p = position();
      expect(p).toBeGreaterThanOrEqual(last);
      last = p;
      if (p >= total) break;
    }
    expect(last).toBeLessThan(total); // the kills really happened mid-load
    start();
    await eventually(() => position() === total, 60_000, 'source to finish after restart');
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));

    // Every line is in the topic.
    const kafka = new Kafka({ brokers: [BOOTSTRAP], logLevel: logLevel.NOTHING });
    const groupId = unique('crash-check');
    const consumer = kafka.consumer({ groupId });
    const seen = new Set<string>();
    let count = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          seen.add(String(m.value));
          count++;
        }
      },
    });
    await eventually(() => seen.size === N, 60_000, `all ${N} lines in the topic`);
    await sleep(500);
    await consumer.disconnect();
    await admin.deleteGroup(groupId).catch(() => undefined);
    expect(seen.size).toBe(N);
    // Duplicates come only from the unflushed window before each kill.
    expect(count - N).toBeLessThan(N);
  }, 240_000);
});
