/**
 * kill -9 of a worker process while simulated devices keep posting: a device retries every reading until it gets
 * a 2xx, so after the restart every reading is in Kafka at least once, and a reading is in Kafka twice only when an
 * attempt of its request may have been written without the device seeing the 2xx (`docs/connectors/http-source.md`:
 * a connection cut by the kill, a timeout, a 503 after the records were handed to Kafka). Runs the built CLI (which
 * bundles this connector; `npm test` builds it).
 */
import type { KafkaAdmin } from '@kconnect/runtime';
import { BOOTSTRAP, CliWorker, eventually, kafkaAdmin, sleep, unique } from '@kconnect/testkit';
import { consume, freePort } from './test-helpers';

describe('HTTP source, listen mode: kill -9 while devices post', () => {
  let admin: KafkaAdmin;
  const topics: string[] = [];
  const groups: string[] = [];
  let worker: CliWorker | undefined;

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });
  afterAll(async () => {
    await worker?.close();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  it('loses no reading', async () => {
    const topic = unique('hs-crash');
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const port = await freePort();
    const w = new CliWorker({
      props: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        listeners: 'http://127.0.0.1:0',
      },
      connectors: [
        {
          name: unique('crash'),
          config: {
            'connector.class': 'io.kconnect.http.HttpSourceConnector',
            'tasks.max': '1',
            'http.listen.port': String(port),
            'http.listen.host': '127.0.0.1',
            'http.listen.routes': 'readings',
            'http.listen.route.readings.path': '/devices/:id/readings',
            'http.listen.route.readings.topic': topic,
            'http.listen.route.readings.key': 'param:id',
            'http.listen.ack.timeout.ms': '5000',
          },
        },
      ],
      logLevel: 'WARN',
    });
    worker = w;
    w.start();

    const DEVICES = 4;
    const READINGS = 150;
    let acked = 0;
    let failures = 0;
    /** Per request (`device/seq`): failed attempts that may have been written (the answer, if any, was not seen). */
    const unsure = new Map<string, number>();
    /** Connection refused: no listener, nothing sent. */
    const notWritten = (e: unknown) => (e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
    const device = async (d: number) => {
      for (let seq = 0; seq < READINGS; seq++) {
        // Two readings per request (NDJSON), retried until acknowledged.
        const body = `${JSON.stringify({ device: d, seq, temp: 20 + (seq % 7) })}\n${JSON.stringify({ device: d, seq: `${seq}b` })}\n`;
        for (;;) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/devices/dev-${d}/readings`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson' },
              body,
              signal: AbortSignal.timeout(8000),
            });
            const text = await res.text();
            if (res.status === 200) break;
            if (!(res.status === 429 || /not accepting records right now|the connector is stopping/.test(text)))
              unsure.set(`${d}/${seq}`, (unsure.get(`${d}/${seq}`) ?? 0) + 1);
          } catch (e) {
            // Connection refused: the worker is down, nothing sent. Reset, aborted: the request may have been written.
            if (!notWritten(e)) unsure.set(`${d}/${seq}`, (unsure.get(`${d}/${seq}`) ?? 0) + 1);
          }
          failures++;
          await sleep(50);
        }
        acked++;
      }
    };
    const devices = Promise.all(Array.from({ length: DEVICES }, (_, d) => device(d)));
    await eventually(() => acked >= (DEVICES * READINGS) / 3, 60_000, `a third acknowledged; worker log: ${w.log}`);
    await w.kill();
    const ackedAtKill = acked;
    await sleep(1000);
    w.start();
    await devices;
    expect(ackedAtKill).toBeLessThan(DEVICES * READINGS);
    expect(failures).toBeGreaterThan(0); // devices did see the outage

    const { records, stop } = await consume([topic], groups);
    const want = new Set<string>();
    for (let d = 0; d < DEVICES; d++) for (let s = 0; s < READINGS; s++) want.add(`${d}/${s}`).add(`${d}/${s}b`);
    try {
      await eventually(
        () => {
          const got = new Set(
            records.map((r) => JSON.parse(r.value!.toString()) as { device: number; seq: number | string }).map((v) => `${v.device}/${v.seq}`),
          );
          return [...want].every((k) => got.has(k));
        },
        30_000,
        'every reading in Kafka',
      );
      await sleep(500); // a late duplicate would be in Kafka by now
      // At-least-once: a reading appears once more at most for each attempt of its request that may have been written.
      const times = new Map<string, number>();
      for (const r of records) {
        const v = JSON.parse(r.value!.toString()) as { device: number; seq: number | string };
        const k = `${v.device}/${v.seq}`;
        times.set(k, (times.get(k) ?? 0) + 1);
      }
      // A reading `d/s` or `d/sb` came from the request `d/s`.
      const tooMany = [...times].filter(([k, n]) => n > 1 + (unsure.get(k.replace(/b$/, '')) ?? 0));
      expect(tooMany).toEqual([]);
      process.stdout.write(
        `kill -9 test: ${want.size} readings, ${ackedAtKill} requests acked before the kill, ${failures} failed attempts retried (${[...unsure.values()].reduce((a, n) => a + n, 0)} maybe written), ${records.length - want.size} duplicates\n`,
      );
      expect(records.every((r) => /^dev-\d$/.test(r.key ?? ''))).toBe(true);
    } finally {
      await stop();
    }
    await w.stop();
  }, 120_000);
});
