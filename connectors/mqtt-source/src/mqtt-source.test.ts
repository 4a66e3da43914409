/**
 * The MQTT source in a real worker (testkit) on real Kafka and the real Mosquitto: routing templates, keys, payload
 * formats, headers, QoS 2, persistent sessions while the connector is stopped, payload error policies,
 * shared subscriptions over two tasks, metrics and config validation.
 */
import { eventually, kafkaAdmin, sleep, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import type { KafkaAdmin } from '@kconnect/runtime';
import { plugins } from './index';
import { MQTT_URL, consume, publisher } from './test-helpers';

const BYTES = 'org.apache.kafka.connect.converters.ByteArrayConverter';
const JSON_CONV = 'org.apache.kafka.connect.json.JsonConverter';

describe('MQTT source in a worker', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    for (const s of stops) await s().catch(() => undefined);
    await w.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const newTopics = async (...names: string[]) => {
    topics.push(...names);
    await admin.createTopics(names.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })));
  };
  const create = async (name: string, config: Record<string, string>) => {
    const res = await w.api('POST', '/connectors', {
      name,
      config: { 'connector.class': 'io.kconnect.mqtt.MqttSourceConnector', 'mqtt.server.uri': MQTT_URL, 'tasks.max': '1', ...config },
    });
    expect(res.status).toBe(201);
    // Every task RUNNING means subscribed: the task's start() returns only after the broker's SUBACK.
    const tasks = Number(config['tasks.max'] ?? '1');
    await eventually(
      async () =>
        ((await w.api('GET', `/connectors/${name}/status`)).body?.tasks ?? []).filter((t: { state: string }) => t.state === 'RUNNING').length === tasks,
      20_000,
      `${tasks} task(s) RUNNING`,
    );
  };
  const reader = async (ts: string[]) => {
    const c = await consume(ts, groups);
    stops.push(c.stop);
    return c.records;
  };
  /** Removes the connector and its persistent sessions (clean start with the same client ids). */
  const remove = async (name: string, tasks = 1) => {
    await w.api('DELETE', `/connectors/${name}`);
    for (let t = 0; t < tasks; t++) {
      const c = await publisher({ clientId: `kconnect-${name}-${t}`, clean: true });
      await c.endAsync();
    }
  };

  it('routes filters to templated topics with keys, bytes values and MQTT headers (QoS 1 and 2, MQTT 5 user properties)', async () => {
    const base = unique('mq');
    const p = base.replace(/[^a-zA-Z0-9]/g, '');
    const [d1, d2, alerts] = [`${p}.d1`, `${p}.d2`, `${p}.alerts`];
    await newTopics(d1, d2, alerts);
    const name = unique('mqsrc');
    await create(name, {
      'mqtt.routes': 'telemetry,alerts',
      'mqtt.route.telemetry.filter': `${base}/devices/+/telemetry`,
      'mqtt.route.telemetry.qos': '1',
      'mqtt.route.telemetry.kafka.topic': `${p}.\${1}`,
      'mqtt.route.alerts.filter': `${base}/alerts/#`,
      'mqtt.route.alerts.qos': '2',
      'mqtt.route.alerts.kafka.topic': `${p}.alerts`,
      'value.converter': BYTES,
    });
    const recs = await reader([d1, d2, alerts]);
    const pub = await publisher();
    await pub.publishAsync(`${base}/devices/d1/telemetry`, Buffer.from([0, 1, 2, 255]), {
      qos: 1,
      properties: { userProperties: { site: 'berlin', fw: '1.2' } },
    });
    await pub.publishAsync(`${base}/devices/d2/telemetry`, 't2', { qos: 1 });
    await pub.publishAsync(`${base}/alerts/fire/room1`, 'hot', { qos: 2 });
    await pub.publishAsync(`${base}/devices/d1/other`, 'unrouted', { qos: 1 }); // not subscribed
    await eventually(() => recs.length === 3, 20_000, '3 records');
    await pub.endAsync();
    const byTopic = Object.fromEntries(recs.map((r) => [r.topic, r]));
    expect(byTopic[d1]!.value).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(byTopic[d1]!.key).toBe(`${base}/devices/d1/telemetry`);
    expect(byTopic[d1]!.headers).toMatchObject({
      'mqtt.topic': `${base}/devices/d1/telemetry`,
      'mqtt.qos': '1',
      'mqtt.retain': 'false',
      'mqtt.dup': 'false',
      site: 'berlin',
      fw: '1.2',
    });
    expect(byTopic[d2]!.value!.toString()).toBe('t2');
    expect(byTopic[alerts]!.value!.toString()).toBe('hot');
    expect(byTopic[alerts]!.headers['mqtt.qos']).toBe('2');
    // metrics
    const metrics = (await w.api('GET', '/metrics')).body as string;
    const line = (m: string) => metrics.split('\n').find((l) => l.startsWith(m) && l.includes(`connector="${name}"`));
    await eventually(
      async () => {
        const text = (await w.api('GET', '/metrics')).body as string;
        return text.split('\n').some((l) => l.startsWith('mqtt_source_messages_acked_total') && l.includes(`connector="${name}"`) && l.trim().endsWith(' 3'));
      },
      10_000,
      'acked metric = 3',
    );
    expect(line('mqtt_source_messages_received_total')).toBeDefined();
    expect(line('mqtt_source_queue_depth')).toBeDefined();
    expect(line('mqtt_source_unacked_messages')).toBeDefined();
    await remove(name);
  });

  it('persistent session: messages published while the connector is stopped arrive after resume (MQTT 3.1.1 and 5)', async () => {
    for (const version of ['3.1.1', '5']) {
      const base = unique('ps');
      const kt = unique('ps-k');
      await newTopics(kt);
      const name = unique('mqps');
      await create(name, { 'mqtt.version': version, 'mqtt.topics': `${base}/#`, 'kafka.topic': kt, 'mqtt.payload.format': 'string' });
      const recs = await reader([kt]);
      const pub = await publisher();
      await pub.publishAsync(`${base}/a`, 'before', { qos: 1 });
      await eventually(() => recs.length === 1, 20_000, 'first record');
      expect((await w.api('PUT', `/connectors/${name}/stop`)).status).toBe(204);
      await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.connector.state === 'STOPPED', 10_000, 'STOPPED');
      for (let i = 0; i < 20; i++) await pub.publishAsync(`${base}/a`, `while-down-${i}`, { qos: 1 });
      await w.api('PUT', `/connectors/${name}/resume`);
      await eventually(() => recs.length >= 21, 20_000, `21 records (${version})`);
      const values = new Set(recs.map((r) => r.value!.toString()));
      for (let i = 0; i < 20; i++) expect(values.has(`while-down-${i}`)).toBe(true);
      await pub.endAsync();
      await remove(name);
    }
  });

  it('JSON payloads: key from a payload field, schemaless values; bad payloads go to the DLQ topic and are acknowledged', async () => {
    const base = unique('js');
    const kt = unique('js-k');
    const dlq = unique('js-dlq');
    await newTopics(kt, dlq);
    const name = unique('mqjs');
    await create(name, {
      'mqtt.topics': `${base}/+`,
      'kafka.topic': kt,
      'mqtt.payload.format': 'json',
      'mqtt.record.key': 'payload.field',
      'mqtt.record.key.field': 'device.id',
      'mqtt.payload.error.policy': 'dlq',
      'mqtt.payload.error.topic': dlq,
      'value.converter': JSON_CONV,
      'value.converter.schemas.enable': 'false',
    });
    const recs = await reader([kt]);
    const bad = await reader([dlq]);
    const pub = await publisher();
    await pub.publishAsync(`${base}/x`, JSON.stringify({ device: { id: 'dev-7' }, t: 21.5 }), { qos: 1 });
    await pub.publishAsync(`${base}/x`, '{not json', { qos: 1 });
    await pub.publishAsync(`${base}/x`, JSON.stringify({ device: { id: 'dev-8' }, t: 22 }), { qos: 1 });
    await eventually(() => recs.length === 2 && bad.length === 1, 20_000, '2 good + 1 dlq');
    expect(recs.map((r) => r.key)).toEqual(['dev-7', 'dev-8']);
    expect(JSON.parse(recs[0]!.value!.toString())).toEqual({ device: { id: 'dev-7' }, t: 21.5 });
    expect(bad[0]!.headers['mqtt.error.message']).toMatch(/JSON/);
    expect(bad[0]!.headers['mqtt.topic']).toBe(`${base}/x`);
    // The DLQ record was acked too: after a restart of the task nothing is redelivered. The restart answers with the
    // task RESTARTING; once the new task is RUNNING (subscribed), a redelivery would come first (the broker resends
    // unacknowledged messages at the reconnect), so markers published now arrive after anything redelivered.
    expect((await w.api('POST', `/connectors/${name}/restart?includeTasks=true`)).status).toBe(202);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'RUNNING', 20_000, 'RUNNING again');
    await pub.publishAsync(`${base}/x`, JSON.stringify({ device: { id: 'marker' } }), { qos: 1 });
    await pub.publishAsync(`${base}/x`, '{bad marker', { qos: 1 });
    await eventually(() => recs.some((r) => r.key === 'marker') && bad.some((r) => !r.value!.equals(bad[0]!.value!)), 20_000, 'the markers');
    expect(recs.map((r) => r.key)).toEqual(['dev-7', 'dev-8', 'marker']);
    expect(bad).toHaveLength(2); // the first bad payload and the bad marker, no redelivery between them
    await pub.endAsync();
    await remove(name);
  });

  it('error policy skip acks and logs; fail fails the task without acking, so the broker redelivers after the fix', async () => {
    const base = unique('ep');
    const kt = unique('ep-k');
    await newTopics(kt);
    const name = unique('mqep');
    await create(name, {
      'mqtt.topics': `${base}/+`,
      'kafka.topic': kt,
      'mqtt.payload.format': 'json',
      'value.converter': JSON_CONV,
      'value.converter.schemas.enable': 'false',
    });
    const recs = await reader([kt]);
    const pub = await publisher();
    await pub.publishAsync(`${base}/x`, '{"n":1}', { qos: 1 });
    await pub.publishAsync(`${base}/x`, 'garbage', { qos: 1 });
    const failed = await eventually(
      async () => {
        const s = (await w.api('GET', `/connectors/${name}/status`)).body;
        return s.tasks[0].state === 'FAILED' ? s : null;
      },
      20_000,
      'FAILED',
    );
    expect(failed.tasks[0].trace).toMatch(/Cannot convert the payload from MQTT topic .*garbage|Cannot convert the payload/);
    await eventually(() => recs.length === 1, 10_000, 'the good record');
    // Switch to skip: the restarted task gets the unacked bad message again (dup), skips and acks it.
    await w.api('PATCH', `/connectors/${name}/config`, { 'mqtt.payload.error.policy': 'skip' });
    await w.api('POST', `/connectors/${name}/restart?includeTasks=true`);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state === 'RUNNING', 20_000, 'RUNNING again');
    await pub.publishAsync(`${base}/x`, '{"n":2}', { qos: 1 });
    await eventually(() => recs.some((r) => r.value!.toString() === '{"n":2}'), 20_000, 'record after the skipped one');
    await eventually(
      async () => {
        const text = (await w.api('GET', '/metrics')).body as string;
        return text
          .split('\n')
          .some((l) => l.startsWith('mqtt_source_payload_errors_total') && l.includes('policy="skip"') && l.includes(`connector="${name}"`));
      },
      10_000,
      'skip counted',
    );
    await pub.endAsync();
    await remove(name);
  });

  it('spreads a shared subscription over two tasks', async () => {
    const base = unique('sh');
    const kt = unique('sh-k');
    await newTopics(kt);
    const name = unique('mqsh');
    await create(name, {
      'tasks.max': '2',
      'mqtt.topics': `${base}/+`,
      'kafka.topic': kt,
      'mqtt.shared.subscription.group': 'kc',
      'mqtt.payload.format': 'string',
    });
    const recs = await reader([kt]);
    const pub = await publisher();
    for (let i = 0; i < 40; i++) await pub.publishAsync(`${base}/s${i % 4}`, `m${i}`, { qos: 1 });
    await eventually(() => new Set(recs.map((r) => r.value!.toString())).size === 40, 20_000, '40 records');
    const text = (await w.api('GET', '/metrics')).body as string;
    const perTask = text.split('\n').filter((l) => l.startsWith('mqtt_source_messages_received_total') && l.includes(`connector="${name}"`));
    expect(perTask.map((l) => Number(l.split(' ').pop())).filter((n) => n > 0)).toHaveLength(2);
    await pub.endAsync();
    await remove(name, 2);
  });

  it('back-pressure while paused: a 10-message queue holds the rest at the broker; everything arrives after resume', async () => {
    const base = unique('bp');
    const kt = unique('bp-k');
    await newTopics(kt);
    const name = unique('mqbp');
    await create(name, { 'mqtt.topics': `${base}/+`, 'kafka.topic': kt, 'mqtt.payload.format': 'string', 'mqtt.queue.max.messages': '10' });
    const recs = await reader([kt]);
    await w.api('PUT', `/connectors/${name}/pause`);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state === 'PAUSED', 10_000, 'PAUSED');
    const pub = await publisher();
    for (let i = 0; i < 30; i++) await pub.publishAsync(`${base}/x`, `p${i}`, { qos: 1 });
    const unacked = async () =>
      Number(
        ((await w.api('GET', '/metrics')).body as string)
          .split('\n')
          .find((l) => l.startsWith('mqtt_source_unacked_messages') && l.includes(`connector="${name}"`))
          ?.split(' ')
          .pop(),
      );
    // The connector takes a full queue (10) and then stops reading; nothing reaches Kafka while paused.
    await eventually(async () => (await unacked()) === 10, 20_000, '10 messages held in the connector');
    await sleep(500);
    expect(await unacked()).toBe(10);
    expect(recs).toHaveLength(0);
    await w.api('PUT', `/connectors/${name}/resume`);
    await eventually(() => new Set(recs.map((r) => r.value!.toString())).size === 30, 20_000, '30 records');
    expect(recs.map((r) => r.value!.toString()).slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `p${i}`));
    await pub.endAsync();
    await remove(name);
  });

  it('validates configs: bad filters, unknown template placeholders, missing kafka.topic and DLQ topic', async () => {
    const res = await w.api('PUT', '/connector-plugins/MqttSourceConnector/config/validate', {
      'connector.class': 'MqttSourceConnector',
      'mqtt.server.uri': MQTT_URL,
      'mqtt.topics': 'a/#/b',
      'mqtt.routes': 'r',
      'mqtt.route.r.filter': 'x/+',
      'mqtt.route.r.kafka.topic': 'k.${2}',
      'mqtt.payload.error.policy': 'dlq',
    });
    expect(res.status).toBe(200);
    const errs = (res.body.configs as Array<{ value: { name: string; errors: string[] } }>).flatMap((c) => c.value.errors);
    expect(errs.join('\n')).toMatch(/'#' must be a whole level and the last one/);
    expect(errs.join('\n')).toMatch(/refers to wildcard 2/);
    expect(errs.join('\n')).toMatch(/mqtt.payload.error.topic is required/);
  });
});
