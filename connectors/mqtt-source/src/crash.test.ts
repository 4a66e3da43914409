/**
 * kill -9 of a standalone worker (a real child process running the built CLI with this package on plugin.path)
 * while a device keeps publishing QoS 1: the MQTT acks were only sent for records Kafka had, so the broker
 * redelivers the rest to the restarted worker (same client id, persistent session) and every message reaches Kafka.
 * Needs the built package: `npx tsc -b connectors/mqtt-source`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { BOOTSTRAP, eventually, kafkaAdmin, sleep, unique } from '@kconnect/testkit';
import { MQTT_URL, consume, freePort, publisher } from './test-helpers';

const ROOT = path.join(__dirname, '../../..');
const CLI = path.join(ROOT, 'packages/cli/dist/main.js');
const N = 3000;

describe('kill -9 of the worker while a device publishes QoS 1', () => {
  let admin: KafkaAdmin;
  let dir: string;
  let child: ChildProcess | undefined;
  const topic = unique('mqcrash');
  const groups: string[] = [];
  const name = unique('mqcrash-src');

  beforeAll(async () => {
    admin = await kafkaAdmin();
    dir = mkdtempSync(path.join(tmpdir(), 'kconnect-mqtt-crash-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await admin.deleteTopics([topic]).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
    const c = await publisher({ clientId: `kconnect-${name}-0`, clean: true }).catch(() => null);
    await c?.endAsync();
  });

  it('loses no message', async () => {
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const plugins = path.join(dir, 'plugins');
    mkdirSync(plugins);
    symlinkSync(path.join(ROOT, 'connectors/mqtt-source'), path.join(plugins, 'mqtt-source'));
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'worker.properties'),
      [
        `bootstrap.servers=${BOOTSTRAP}`,
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        `offset.storage.file.filename=${path.join(dir, 'offsets.json')}`,
        'offset.flush.interval.ms=1000',
        `listeners=http://127.0.0.1:${port}`,
        `plugin.path=${plugins}`,
      ].join('\n'),
    );
    const mqttTopic = `${topic}/dev1/telemetry`;
    writeFileSync(
      path.join(dir, 'source.json'),
      JSON.stringify({
        name,
        config: {
          'connector.class': 'MqttSource',
          'mqtt.server.uri': MQTT_URL,
          'mqtt.topics': `${topic}/+/telemetry`,
          'kafka.topic': topic,
          'mqtt.qos': '1',
          'mqtt.payload.format': 'string',
        },
      }),
    );
    const start = () => {
      child = spawn(process.execPath, [CLI, 'standalone', path.join(dir, 'worker.properties'), path.join(dir, 'source.json')], {
        stdio: 'ignore',
        env: { ...process.env, KCONNECT_LOG_LEVEL: 'ERROR' },
      });
    };
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

    start();
    await eventually(
      async () =>
        (
          await fetch(`http://127.0.0.1:${port}/connectors/${name}/status`)
            .then((r) => r.json() as Promise<{ tasks?: Array<{ state: string }> }>)
            .catch(() => null)
        )?.tasks?.[0]?.state === 'RUNNING',
      30_000,
      'RUNNING',
    );
    await sleep(500);

    // The device: QoS 1, one message every ~2 ms, to the end, whatever happens to the worker.
    const pub = await publisher();
    let sent = 0;
    const device = (async () => {
      while (sent < N) {
        await pub.publishAsync(mqttTopic, `reading-${sent}`, { qos: 1 });
        sent++;
        if (sent % 10 === 0) await sleep(15);
      }
    })();

    for (let kill = 0; kill < 3; kill++) {
      // Kill while MQTT acks are flowing: mid-load.
      await eventually(async () => (await received()) > 50, 30_000, 'acks flowing');
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await sleep(300);
      start();
    }
    await device;
    expect(sent).toBe(N);
    await eventually(() => new Set(kafka.records.map((r) => r.value!.toString())).size === N, 60_000, `all ${N} messages in Kafka`);
    const values = new Set(kafka.records.map((r) => r.value!.toString()));
    for (let i = 0; i < N; i++) expect(values.has(`reading-${i}`)).toBe(true);
    // Duplicates only from records Kafka had whose MQTT ack the kill cut off.
    expect(kafka.records.length - N).toBeLessThan(N / 2);
    // eslint-disable-next-line no-console
    console.log(`kill -9 ×3: ${N} published, ${kafka.records.length} records in Kafka (${kafka.records.length - N} duplicates), none lost`);
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    await pub.endAsync();
    await kafka.stop();
  }, 180_000);
});
