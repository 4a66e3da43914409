/**
 * Secrets stay secret (docs/security.md): a real worker on real Kafka gets connectors whose passwords are unique
 * strings (MQTT source on the real Mosquitto, Cassandra sink on the real Cassandra, an Avro converter's registry
 * credentials, a client override's JAAS config, a password given through a config provider). Every REST answer
 * about them and the worker's whole log (at DEBUG) are searched for those strings: none may appear. A `[hidden]`
 * sent back by PUT or PATCH keeps the stored value; `rest.secrets.visible=true` shows them in clear, as Java; the
 * files holding configs and offsets are 0600. The same in distributed mode, more briefly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { plugins as avroPlugins } from '@kconnect/avro-converter';
import { plugins as cassandraPlugins } from '@kconnect/cassandra-sink';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { plugins as mqttPlugins } from '@kconnect/mqtt-source';
import { Client } from 'cassandra-driver';
import { type KafkaAdmin, LoggerRegistry, startDistributed, startStandalone } from '@kconnect/runtime';
import { BOOTSTRAP, distributedWorkerProps, eventually, kafkaAdmin, unique } from './harness';

jest.setTimeout(180_000);

const HIDDEN = '[hidden]';
const MQTT_URL = process.env.KCONNECT_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const PLUGINS = [...filePlugins, ...mqttPlugins, ...cassandraPlugins, ...avroPlugins];
const secret = (what: string) => `${what}-${randomBytes(9).toString('hex')}`;

/** A LoggerRegistry whose every line is kept (the worker's whole log). */
function capturingLoggers() {
  const lines: string[] = [];
  const loggers = new LoggerRegistry({ level: 'DEBUG', destination: { write: (s: string) => void lines.push(s) } });
  return { loggers, text: () => lines.join('') };
}

type Api = (method: string, p: string, body?: unknown) => Promise<{ status: number; text: string; body: any }>;
function client(url: string): Api {
  return async (method, p, body) => {
    const res = await fetch(url + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, text, body: parsed };
  };
}

/** Every REST answer about the connectors, as text: each must be free of the secrets. */
async function everyAnswer(api: Api, names: string[], configs: Record<string, Record<string, string>>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const get = async (method: string, p: string, body?: unknown) => {
    const r = await api(method, p, body);
    out.push([`${method} ${p} → ${r.status}`, r.text]);
    return r;
  };
  await get('GET', '/connectors');
  await get('GET', '/connectors?expand=info');
  await get('GET', '/connectors?expand=status');
  await get('GET', '/connectors?expand=info&expand=status');
  for (const n of names) {
    const c = encodeURIComponent(n);
    await get('GET', `/connectors/${c}`);
    await get('GET', `/connectors/${c}/config`);
    const status = await get('GET', `/connectors/${c}/status`);
    await get('GET', `/connectors/${c}/tasks`);
    for (const t of status.body?.tasks ?? []) await get('GET', `/connectors/${c}/tasks/${t.id}/status`);
    await get('GET', `/connectors/${c}/topics`);
    await get('GET', `/connectors/${c}/offsets`);
    const cls = configs[n]!['connector.class']!;
    await get('PUT', `/connector-plugins/${encodeURIComponent(cls)}/config/validate`, { ...configs[n], name: n });
  }
  return out;
}

function expectFree(answers: Array<[string, string]>, secrets: string[]): void {
  const leaks = answers.flatMap(([what, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${what} shows ${s}`));
  expect(leaks).toEqual([]);
}

describe('secrets (standalone)', () => {
  let admin: KafkaAdmin;
  let cql: Client;
  let dir: string;
  const topics: string[] = [];
  const ks = `ks_${unique('secrets').replace(/\W/g, '_')}`;

  beforeAll(async () => {
    admin = await kafkaAdmin();
    dir = mkdtempSync(path.join(tmpdir(), 'kconnect-secrets-'));
    // The sink's validation looks its table up (the local Cassandra does not check passwords).
    cql = new Client({ contactPoints: ['127.0.0.1:9042'], localDataCenter: 'datacenter1' });
    await cql.connect();
    await cql.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await cql.execute(`CREATE TABLE ${ks}.t (id text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
    await cql.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no REST answer and no log line shows a secret; [hidden] round trips keep them; rest.secrets.visible shows them', async () => {
    const S = {
      mqtt: secret('mqtt-pw'),
      registry: secret('registry-pw'),
      jaas: secret('jaas-pw'),
      provided: secret('provided-pw'),
      cassandra: secret('cassandra-pw'),
      invalid: secret('invalid-pw'),
    };
    const all = Object.values(S);
    const secretsFile = path.join(dir, 'secrets.properties');
    writeFileSync(secretsFile, `keypass=${S.provided}\n`);
    const sourceFile = path.join(dir, 'input.txt');
    writeFileSync(sourceFile, 'a\nb\n');
    const topic = unique('secrets');
    topics.push(topic);
    const configFile = path.join(dir, 'connectors.json');
    const offsetFile = path.join(dir, 'offsets.json');
    const props = (extra: Record<string, string> = {}) => ({
      'bootstrap.servers': BOOTSTRAP,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': offsetFile,
      'config.storage.file.filename': configFile,
      'offset.flush.interval.ms': '500',
      'config.providers': 'file',
      'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      listeners: 'http://127.0.0.1:0',
      ...extra,
    });
    const log = capturingLoggers();
    let worker = await startStandalone({ workerProps: props(), plugins: PLUGINS, loggers: log.loggers });
    let api = client(worker.url);
    const placeholder = `\${file:${secretsFile}:keypass}`;
    const mqtt: Record<string, string> = {
      'connector.class': 'io.kconnect.mqtt.MqttSourceConnector',
      'mqtt.server.uri': MQTT_URL,
      'mqtt.topics': `kconnect/secrets/${topic}/#`,
      'kafka.topic': topic,
      'mqtt.username': 'someone',
      'mqtt.password': S.mqtt,
      'mqtt.ssl.key.password': placeholder,
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': 'http://127.0.0.1:1',
      'value.converter.basic.auth.credentials.source': 'USER_INFO',
      'value.converter.basic.auth.user.info': `user:${S.registry}`,
      'producer.override.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${S.jaas}";`,
    };
    const cassandra: Record<string, string> = {
      'connector.class': 'com.datastax.oss.kafka.sink.CassandraSinkConnector',
      topics: topic,
      contactPoints: '127.0.0.1',
      port: '9042',
      'loadBalancing.localDc': 'datacenter1',
      'auth.provider': 'PLAIN',
      'auth.username': 'cassandra',
      'auth.password': S.cassandra,
      [`topic.${topic}.${ks}.t.mapping`]: 'id=value',
    };
    const file: Record<string, string> = { 'connector.class': 'FileStreamSource', file: sourceFile, topic };
    const configs = { 'mqtt-src': mqtt, 'cass-sink': cassandra, 'file-src': file };
    try {
      const created = await api('POST', '/connectors', { name: 'mqtt-src', config: mqtt });
      expect(created.status).toBe(201);
      expect(created.body.config['mqtt.password']).toBe(HIDDEN);
      const put = await api('PUT', '/connectors/cass-sink/config', cassandra);
      expect(put.status).toBe(201);
      expect(put.body.config['auth.password']).toBe(HIDDEN);
      expect((await api('POST', '/connectors', { name: 'file-src', config: file })).status).toBe(201);
      // A rejected config: its error answer names the bad key, not the secret next to it.
      const rejected = await api('POST', '/connectors', { name: 'bad', config: { ...mqtt, 'mqtt.password': S.invalid, 'mqtt.qos': '7' } });
      expect(rejected.status).toBe(400);
      const noClass = await api('POST', '/connectors', { name: 'bad2', config: { 'mqtt.password': S.invalid } });
      expect(noClass.status).toBe(400);
      expectFree(
        [
          ['rejected', rejected.text],
          ['no class', noClass.text],
        ],
        all,
      );

      // Each connector has come up (or failed: the trace must not show the secret either).
      for (const n of Object.keys(configs))
        await eventually(
          async () => {
            const s = (await api('GET', `/connectors/${n}/status`)).body;
            return s?.tasks?.length > 0 && s.tasks.every((t: { state: string }) => t.state === 'RUNNING' || t.state === 'FAILED');
          },
          60_000,
          `${n} tasks started`,
        );
      await eventually(
        () => {
          try {
            return statSync(offsetFile).isFile();
          } catch {
            return false;
          }
        },
        20_000,
        'the offsets file',
      );

      const shown = (await api('GET', '/connectors/mqtt-src/config')).body;
      expect(shown['mqtt.password']).toBe(HIDDEN);
      expect(shown['value.converter.basic.auth.user.info']).toBe(HIDDEN);
      expect(shown['producer.override.sasl.jaas.config']).toBe(HIDDEN);
      expect(shown['mqtt.ssl.key.password']).toBe(placeholder);
      expect(shown['mqtt.username']).toBe('someone');
      const validated = (await api('PUT', `/connector-plugins/MqttSourceConnector/config/validate`, { ...mqtt, name: 'mqtt-src' })).body;
      const value = (k: string) => validated.configs.find((c: { value: { name: string } }) => c.value.name === k)?.value.value;
      expect(value('mqtt.password')).toBe(HIDDEN);
      expect(value('producer.override.sasl.jaas.config')).toBe(HIDDEN);
      expect(value('mqtt.ssl.key.password')).toBe(placeholder);

      expectFree(await everyAnswer(api, Object.keys(configs), configs), all);
      const restarted = await api('POST', '/connectors/cass-sink/restart?includeTasks=true');
      expectFree([['restart', restarted.text]], all);

      // Get, edit, put back: the [hidden] values keep the stored secrets.
      const edited = { ...shown, 'mqtt.username': 'someone-else' };
      const back = await api('PUT', '/connectors/mqtt-src/config', edited);
      expect(back.status).toBe(200);
      expect(back.body.config['mqtt.password']).toBe(HIDDEN);
      const patched = await api('PATCH', '/connectors/cass-sink/config', { 'auth.password': HIDDEN, 'auth.username': 'cassandra2' });
      expect(patched.status).toBe(200);
      expect(patched.body.config['auth.password']).toBe(HIDDEN);
      const stored = JSON.parse(readFileSync(configFile, 'utf8')).connectors;
      expect(stored['mqtt-src'].config).toMatchObject({ 'mqtt.password': S.mqtt, 'mqtt.username': 'someone-else', 'mqtt.ssl.key.password': placeholder });
      expect(stored['mqtt-src'].config['value.converter.basic.auth.user.info']).toBe(`user:${S.registry}`);
      expect(stored['cass-sink'].config).toMatchObject({ 'auth.password': S.cassandra, 'auth.username': 'cassandra2' });
      // The MQTT source still logs in with its password after the round trip.
      await eventually(
        async () => (await api('GET', '/connectors/mqtt-src/status')).body?.tasks?.[0]?.state === 'RUNNING',
        30_000,
        'mqtt-src RUNNING after the round trip',
      );

      // Files holding connector configs and offsets: owner only.
      expect(statSync(configFile).mode & 0o777).toBe(0o600);
      expect(statSync(offsetFile).mode & 0o777).toBe(0o600);

      expectFree(await everyAnswer(api, Object.keys(configs), configs), all);
    } finally {
      await worker.stop();
    }
    const logged = log.text();
    expect(logged).toContain('Created connector');
    expectFree([['the log', logged]], all);

    // rest.secrets.visible=true: Java's behaviour, the stored (unchanged) secrets in clear.
    worker = await startStandalone({ workerProps: props({ 'rest.secrets.visible': 'true' }), plugins: PLUGINS, loggers: capturingLoggers().loggers });
    api = client(worker.url);
    try {
      const clear = (await api('GET', '/connectors/mqtt-src/config')).body;
      expect(clear['mqtt.password']).toBe(S.mqtt);
      expect(clear['value.converter.basic.auth.user.info']).toBe(`user:${S.registry}`);
      expect((await api('GET', '/connectors/cass-sink')).body.config['auth.password']).toBe(S.cassandra);
    } finally {
      await worker.stop();
    }
  });
});

describe('secrets (distributed)', () => {
  let admin: KafkaAdmin;
  const topics: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
  });

  it('hides secrets, keeps them on [hidden] round trips, logs none', async () => {
    const id = unique('kc-secrets');
    const props = (extra: Record<string, string> = {}) =>
      distributedWorkerProps(id, {
        listeners: 'http://127.0.0.1:0',
        ...extra,
      });
    topics.push(`${id}-configs`, `${id}-offsets`, `${id}-status`, id);
    const pw = secret('dist-pw');
    const config = {
      'connector.class': 'io.kconnect.mqtt.MqttSourceConnector',
      'mqtt.server.uri': MQTT_URL,
      'mqtt.topics': `kconnect/secrets/${id}/#`,
      'kafka.topic': id,
      'mqtt.username': 'someone',
      'mqtt.password': pw,
    };
    const log = capturingLoggers();
    let worker = await startDistributed({ workerProps: props(), plugins: PLUGINS, loggers: log.loggers });
    let api = client(worker.url);
    try {
      await eventually(async () => (await api('POST', '/connectors', { name: 'dist-mqtt', config })).status === 201, 60_000, 'connector created');
      await eventually(async () => (await api('GET', '/connectors/dist-mqtt/status')).body?.tasks?.[0]?.state === 'RUNNING', 60_000, 'task RUNNING');
      const shown = (await api('GET', '/connectors/dist-mqtt/config')).body;
      expect(shown['mqtt.password']).toBe(HIDDEN);
      const back = await api('PUT', '/connectors/dist-mqtt/config', { ...shown, 'mqtt.username': 'someone-else' });
      expect(back.status).toBe(200);
      expect((await api('PATCH', '/connectors/dist-mqtt/config', { 'mqtt.password': HIDDEN, 'mqtt.qos': '0' })).status).toBe(200);
      await eventually(async () => (await api('GET', '/connectors/dist-mqtt/config')).body?.['mqtt.qos'] === '0', 30_000, 'patched config');
      expectFree(await everyAnswer(api, ['dist-mqtt'], { 'dist-mqtt': config }), [pw]);
    } finally {
      await worker.stop();
    }
    expectFree([['the log', log.text()]], [pw]);

    // The stored value is the original secret: a worker showing secrets reads it back from the config topic.
    worker = await startDistributed({ workerProps: props({ 'rest.secrets.visible': 'true' }), plugins: PLUGINS, loggers: capturingLoggers().loggers });
    api = client(worker.url);
    try {
      await eventually(async () => (await api('GET', '/connectors/dist-mqtt/config')).body?.['mqtt.password'] === pw, 60_000, 'the secret in clear');
      expect((await api('GET', '/connectors/dist-mqtt/config')).body['mqtt.username']).toBe('someone-else');
    } finally {
      await api('DELETE', '/connectors/dist-mqtt').catch(() => undefined);
      await worker.stop();
    }
  });
});
