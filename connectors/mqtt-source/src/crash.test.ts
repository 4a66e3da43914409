/**
 * kill -9 of a standalone worker (a real child process running the built CLI, which bundles this connector)
 * while a device keeps publishing QoS 1: the MQTT acks were only sent for records Kafka had, so the broker
 * redelivers the rest to the restarted worker (same client id, persistent session) and every message reaches Kafka.
 * Needs the built CLI (`npm test` builds it).
 */
import type { KafkaAdmin } from '@kconnect/runtime';
import { BOOTSTRAP, CliWorker, eventually, kafkaAdmin, sleep, unique } from '@kconnect/testkit';
import { MQTT_URL, consume, freePort, publisher } from './test-helpers';

const N = 3000;
const KILLS = 3;
/**
 * At most this many messages are received and not yet acknowledged to the broker (`mqtt.queue.max.messages`), small
 * on purpose: Mosquitto 2.0.11 sends a session more unacknowledged messages than this Receive Maximum, and after a
 * restart resends them all before the SUBACK, which a task's start() must not wait for (session-backlog.test.ts).
 */
const QUEUE = 100;

describe('kill -9 of the worker while a device publishes QoS 1', () => {
  let admin: KafkaAdmin;
  let worker: CliWorker | undefined;
  const topic = unique('mqcrash');
  const groups: string[] = [];
  const name = unique('mqcrash-src');

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });
  afterAll(async () => {
    await worker?.close();
    await admin.deleteTopics([topic]).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
    const c = await publisher({ clientId: `kconnect-${name}-0`, clean: true }).catch(() => null);
    await c?.endAsync();
  });

  it('loses no message', async () => {
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const port = await freePort();
    const mqttTopic = `${topic}/dev1/telemetry`;
    const w = new CliWorker({
      props: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'offset.flush.interval.ms': '1000',
        listeners: `http://127.0.0.1:${port}`,
      },
      connectors: [
        {
          name,
          config: {
            'connector.class': 'MqttSource',
            'mqtt.server.uri': MQTT_URL,
            'mqtt.topics': `${topic}/+/telemetry`,
            'kafka.topic': topic,
            'mqtt.qos': '1',
            'mqtt.payload.format': 'string',
            'mqtt.queue.max.messages': String(QUEUE),
          },
        },
      ],
      logLevel: 'WARN',
    });
    worker = w;
    const received = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        const line = (await res.text()).split('\n').find((l) => l.startsWith('mqtt_source_messages_acked_total'));
        return line ? Number(line.split(' ').pop()) : 0;
      } catch {
        return 0;
      }
    };
    const kafka = await consume([topic], groups);

    w.start();
    await eventually(
      async () =>
        (
          await fetch(`http://127.0.0.1:${port}/connectors/${name}/status`)
            .then((r) => r.json() as Promise<{ tasks?: Array<{ state: string }> }>)
            .catch(() => null)
        )?.tasks?.[0]?.state === 'RUNNING',
      30_000,
      'RUNNING', // start() returns after the SUBACK: subscribed
    );

    // The device: QoS 1, one message every ~2 ms, to the end, whatever happens to the worker. A publish the broker
    // refuses (MQTT 5 PUBACK with an error reason, e.g. quota exceeded while the session's queue is full during a
    // restart) was not taken: the device sends it again, as a real one would.
    const pub = await publisher();
    let sent = 0;
    const refused: string[] = [];
    const device = (async () => {
      while (sent < N) {
        try {
          await pub.publishAsync(mqttTopic, `reading-${sent}`, { qos: 1 });
        } catch (e) {
          refused.push((e as Error).message);
          await sleep(50);
          continue;
        }
        sent++;
        if (sent % 10 === 0) await sleep(15);
      }
    })();

    for (let kill = 0; kill < KILLS; kill++) {
      // Kill while MQTT acks are flowing: mid-load.
      await eventually(
        async () => (await received()) > 50,
        30_000,
        `acks flowing before kill ${kill + 1} (${sent} published, ${refused.length} refused: ${refused.at(-1)}); worker log: ${w.log}`,
      );
      await w.kill();
      await sleep(300);
      w.start();
    }
    await device;
    expect(sent).toBe(N);
    await eventually(() => new Set(kafka.records.map((r) => r.value!.toString())).size === N, 60_000, `all ${N} messages in Kafka`);
    const values = new Set(kafka.records.map((r) => r.value!.toString()));
    for (let i = 0; i < N; i++) expect(values.has(`reading-${i}`)).toBe(true);
    // Duplicates only from records Kafka had whose MQTT ack the kill cut off: each is a redelivery by the broker
    // (dup flag), and a kill can cut off at most the QUEUE messages the connector holds unacknowledged.
    const first = new Set<string>();
    const duplicates = kafka.records.filter((r) => {
      const v = r.value!.toString();
      if (!first.has(v)) return !first.add(v);
      return true;
    });
    expect(duplicates.length).toBe(kafka.records.length - N);
    expect(duplicates.filter((r) => r.headers['mqtt.dup'] !== 'true').map((r) => r.value!.toString())).toEqual([]);
    expect(duplicates.length).toBeLessThanOrEqual(KILLS * QUEUE);
    // eslint-disable-next-line no-console
    console.log(
      `kill -9 ×${KILLS}: ${N} published (${refused.length} publishes refused and sent again: ${[...new Set(refused)].join('; ')}), ${kafka.records.length} records in Kafka (${duplicates.length} duplicates), none lost`,
    );
    await w.stop();
    await pub.endAsync();
    await kafka.stop();
  }, 180_000);
});
