/**
 * A task that resumes a persistent session with a backlog larger than `mqtt.queue.max.messages`: the broker may
 * send more unacknowledged messages than that before it answers the SUBSCRIBE (MQTT 3.1.1 has no Receive Maximum;
 * Mosquitto 2.0.11 also exceeds an MQTT 5 one, and resends everything that was in flight right after the CONNACK).
 * The client stops reading at the limit, so the SUBACK stays unread behind those messages until poll() takes some,
 * and the runtime polls only once start() returned: start() must not wait for that SUBACK (it used to, until
 * `mqtt.connect.timeout.seconds` ran out).
 */
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import { plugins } from './index';
import { MQTT_URL, consume, publisher } from './test-helpers';

describe('MQTT source: resuming a session with a backlog beyond mqtt.queue.max.messages', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const kt = unique('mqbacklog');
  const groups: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    for (const c of cleanups) await c().catch(() => undefined);
    await w.stop();
    await admin.deleteTopics([kt]).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  it('starts (RUNNING) and delivers the backlog without waiting for the connect timeout (MQTT 3.1.1)', async () => {
    await admin.createTopics([{ topic: kt, numPartitions: 1, replicationFactor: 1 }]);
    const name = unique('mqbacklog-src');
    const clientId = `kconnect-${name}-0`;
    const filter = `${kt}/+/telemetry`;
    const N = 50;
    // The connector's persistent session (same client id), subscribed, then offline while a device publishes.
    const session = await publisher({ clientId, clean: false, protocolVersion: 4 });
    await session.subscribeAsync(filter, { qos: 1 });
    await session.endAsync();
    cleanups.push(async () => {
      const c = await publisher({ clientId, clean: true, protocolVersion: 4 });
      await c.endAsync();
    });
    const pub = await publisher();
    for (let i = 0; i < N; i++) await pub.publishAsync(`${kt}/dev1/telemetry`, `reading-${i}`, { qos: 1 });
    await pub.endAsync();

    const kafka = await consume([kt], groups);
    cleanups.unshift(kafka.stop);
    const created = Date.now();
    const res = await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'MqttSourceConnector',
        'mqtt.server.uri': MQTT_URL,
        'mqtt.version': '3.1.1',
        'mqtt.topics': filter,
        'kafka.topic': kt,
        'mqtt.qos': '1',
        'mqtt.payload.format': 'string',
        'mqtt.queue.max.messages': '5',
        'mqtt.connect.timeout.seconds': '60',
      },
    });
    expect(res.status).toBe(201);
    cleanups.unshift(async () => void (await w.api('DELETE', `/connectors/${name}`)));
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body?.tasks?.[0]?.state === 'RUNNING', 10_000, 'RUNNING');
    await eventually(() => new Set(kafka.records.map((r) => r.value!.toString())).size === N, 10_000, `the ${N} queued messages in Kafka`);
    expect(Date.now() - created).toBeLessThan(20_000);
  }, 60_000);
});
