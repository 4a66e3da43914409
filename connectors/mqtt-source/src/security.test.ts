/**
 * Username/password and TLS/mTLS against our own Mosquitto processes (password file from mosquitto_passwd, certs
 * from openssl), through a real worker on real Kafka.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import mqtt from 'mqtt';
import { plugins } from './index';
import { consume, makeCerts, startMosquitto } from './test-helpers';

describe('MQTT source: authentication and TLS', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  let certDir: string;
  let certs: ReturnType<typeof makeCerts>;
  const brokers: Array<{ port: number; stop: () => Promise<void> }> = [];
  const topics: string[] = [];
  const groups: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let pw: { port: number };
  let mtls: { port: number };

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
    certDir = mkdtempSync(path.join(tmpdir(), 'mqtt-src-certs-'));
    certs = makeCerts(certDir);
    const pwFile = path.join(certDir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', pwFile, 'device', 's3cret']);
    pw = await startMosquitto(['allow_anonymous false', `password_file ${pwFile}`]);
    brokers.push(pw as never);
    mtls = await startMosquitto([
      'allow_anonymous true',
      `cafile ${certs.ca}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
      'use_identity_as_username true',
    ]);
    brokers.push(mtls as never);
  });
  afterAll(async () => {
    for (const s of stops) await s().catch(() => undefined);
    await w.stop();
    for (const b of brokers) await b.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  const roundTrip = async (config: Record<string, string>, pubUrl: string, pubOpts: mqtt.IClientOptions) => {
    const kt = unique('sec');
    topics.push(kt);
    await admin.createTopics([{ topic: kt, numPartitions: 1, replicationFactor: 1 }]);
    const name = unique('mqsec');
    const res = await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'MqttSourceConnector',
        'mqtt.topics': 'sec/#',
        'kafka.topic': kt,
        'mqtt.payload.format': 'string',
        'mqtt.clean.session.enabled': 'true',
        ...config,
      },
    });
    expect(res.status).toBe(201);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body?.tasks?.[0]?.state === 'RUNNING', 20_000, 'RUNNING');
    const c = await consume([kt], groups);
    stops.push(c.stop);
    const pub = await mqtt.connectAsync(pubUrl, { ...pubOpts, protocolVersion: 5 });
    await eventually(
      async () => {
        await pub.publishAsync('sec/x', 'hello', { qos: 1 });
        return c.records.length > 0;
      },
      20_000,
      'a record',
    );
    expect(c.records[0]!.value!.toString()).toBe('hello');
    await pub.endAsync();
    await w.api('DELETE', `/connectors/${name}`);
  };

  it('connects with username and password', async () => {
    await roundTrip({ 'mqtt.server.uri': `tcp://127.0.0.1:${pw.port}`, 'mqtt.username': 'device', 'mqtt.password': 's3cret' }, `mqtt://127.0.0.1:${pw.port}`, {
      username: 'device',
      password: 's3cret',
    });
  });

  it('fails the task with a clear error on a wrong password', async () => {
    const name = unique('mqbad');
    await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'MqttSourceConnector',
        'mqtt.server.uri': `tcp://127.0.0.1:${pw.port}`,
        'mqtt.topics': 'sec/#',
        'kafka.topic': 'x',
        'mqtt.username': 'device',
        'mqtt.password': 'wrong',
      },
    });
    const s = await eventually(
      async () => {
        const st = (await w.api('GET', `/connectors/${name}/status`)).body;
        return st?.tasks?.[0]?.state === 'FAILED' ? st : null;
      },
      20_000,
      'FAILED',
    );
    expect(s.tasks[0].trace).toMatch(/refused the connection/);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('connects with mutual TLS from PEM files (first URI unreachable: fails over to the second)', async () => {
    await roundTrip(
      {
        'mqtt.server.uri': `ssl://127.0.0.1:1,ssl://localhost:${mtls.port}`,
        'mqtt.ssl.ca.file': certs.ca,
        'mqtt.ssl.cert.file': certs.clientCert,
        'mqtt.ssl.key.file': certs.clientKey,
        'mqtt.reconnect.backoff.ms': '200',
      },
      `mqtts://localhost:${mtls.port}`,
      { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
    );
  });

  it('fails the task when the broker certificate does not verify (unknown CA)', async () => {
    const name = unique('mqtlsbad');
    await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'MqttSourceConnector',
        'mqtt.server.uri': `ssl://localhost:${mtls.port}`,
        'mqtt.topics': 'sec/#',
        'kafka.topic': 'x',
        'mqtt.connect.timeout.seconds': '2',
      },
    });
    const st = await eventually(
      async () => {
        const x = (await w.api('GET', `/connectors/${name}/status`)).body;
        return x?.tasks?.[0]?.state === 'FAILED' ? x : null;
      },
      20_000,
      'FAILED',
    );
    expect(st.tasks[0].trace).toMatch(/self-signed certificate/);
    await w.api('DELETE', `/connectors/${name}`);
  });
});
