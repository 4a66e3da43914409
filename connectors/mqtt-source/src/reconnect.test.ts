/**
 * Reconnect with resubscribe: our own Mosquitto (no persistence) is restarted under a running connector, so the
 * broker forgets the session; the client reconnects, finds no session and subscribes again, and messages flow.
 */
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import { plugins } from './index';
import { consume, publisher, startMosquitto } from './test-helpers';

describe('MQTT source: broker restart', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  let broker: { port: number; stop: () => Promise<void> } | undefined;
  const kt = unique('mqre');
  const groups: string[] = [];
  let stopConsumer: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    await stopConsumer?.().catch(() => undefined);
    await w.stop();
    await broker?.stop();
    await admin.deleteTopics([kt]).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  it('reconnects and resubscribes when the broker lost the session', async () => {
    broker = await startMosquitto(['allow_anonymous true']);
    const port = broker.port;
    await admin.createTopics([{ topic: kt, numPartitions: 1, replicationFactor: 1 }]);
    const name = unique('mqre');
    await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'MqttSourceConnector',
        'mqtt.server.uri': `tcp://127.0.0.1:${port}`,
        'mqtt.topics': 're/+',
        'kafka.topic': kt,
        'mqtt.payload.format': 'string',
        'mqtt.reconnect.backoff.ms': '200',
      },
    });
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body?.tasks?.[0]?.state === 'RUNNING', 20_000, 'RUNNING');
    const c = await consume([kt], groups);
    stopConsumer = c.stop;
    const send = async (text: string) => {
      const pub = await publisher({}, `mqtt://127.0.0.1:${port}`);
      await pub.publishAsync('re/a', text, { qos: 1 });
      await pub.endAsync();
    };
    await eventually(
      async () => {
        await send('before');
        return c.records.some((r) => r.value!.toString() === 'before');
      },
      20_000,
      'before',
    );

    await broker.stop();
    broker = await startMosquitto(['allow_anonymous true'], port);
    await eventually(
      async () => {
        await send('after');
        return c.records.some((r) => r.value!.toString() === 'after');
      },
      30_000,
      'a message after the broker restart',
    );
    const text = (await w.api('GET', '/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith('mqtt_source_reconnects_total') && l.includes(name));
    expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(1);
    expect((await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state).toBe('RUNNING');
    await w.api('DELETE', `/connectors/${name}`);
  });
});
