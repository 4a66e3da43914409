/**
 * Kafka client security against the real broker's security listeners (scripts/services.sh: SASL_SSL on 9094 and
 * SASL_PLAINTEXT on 9096 with SCRAM-SHA-256/512 and PLAIN, user kconnect / kconnect-secret; SSL with client
 * certificates on 9095; certificates in <services dir>/kafka/tls): a source and a sink through SASL_SSL +
 * SCRAM-SHA-512 from the worker's settings, a wrong password, trust stores in PKCS12, JKS and PEM, client
 * certificates, and per-connector `producer.override.sasl.jaas.config` under the Principal and None policies.
 * Other ports and folders: KAFKA_SASL_SSL_PORT, KAFKA_SSL_PORT, KAFKA_SASL_PLAINTEXT_PORT, KCONNECT_SERVICES_DIR.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { createKafkaClient, type KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, quietLoggers, startWorker, unique, type WorkerHandle } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const TLS = path.join(process.env.KCONNECT_SERVICES_DIR ?? path.join(ROOT, '.services'), 'kafka/tls');
const HOST = '127.0.0.1';
const SASL_SSL = `${HOST}:${process.env.KAFKA_SASL_SSL_PORT ?? '9094'}`;
const SSL = `${HOST}:${process.env.KAFKA_SSL_PORT ?? '9095'}`;
const SASL_PLAINTEXT = `${HOST}:${process.env.KAFKA_SASL_PLAINTEXT_PORT ?? '9096'}`;
const USER = 'kconnect';
const PASSWORD = 'kconnect-secret';

const scram = (user: string, password: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`;
const plain = (user: string, password: string) => `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}";`;

/** SASL_SSL with SCRAM-SHA-512, the CA in a PKCS12 trust store. */
const SASL_SSL_SETTINGS: Record<string, string> = {
  'security.protocol': 'SASL_SSL',
  'sasl.mechanism': 'SCRAM-SHA-512',
  'sasl.jaas.config': scram(USER, PASSWORD),
  'ssl.truststore.type': 'PKCS12',
  'ssl.truststore.location': path.join(TLS, 'truststore.p12'),
  'ssl.truststore.password': 'kconnect',
};

const portOpen = (hostPort: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

/** Fails (never skips) when the broker runs without the security listeners: it was started before they existed. */
async function requireSecurityListeners(): Promise<void> {
  const missing = [];
  for (const l of [SASL_SSL, SSL, SASL_PLAINTEXT]) if (!(await portOpen(l))) missing.push(l);
  if (missing.length || !existsSync(path.join(TLS, 'ca.pem')))
    throw new Error(
      `The Kafka security listeners are not up (${missing.length ? `nothing answers on ${missing.join(', ')}` : `no certificates in ${TLS}`}): ` +
        'the broker was started without them. Restart Kafka: bash scripts/services.sh restart kafka',
    );
}

const client = (backend: 'platformatic' | 'kafkajs', bootstrap: string, security: Record<string, string>) =>
  createKafkaClient({ backend, bootstrapServers: [bootstrap], log: quietLoggers().get('test'), security });

describe('Kafka security (SASL/SCRAM and TLS listeners of the test broker)', () => {
  let plainAdmin: KafkaAdmin;
  let clusterId: string;
  const topics: string[] = [];
  const workers: WorkerHandle[] = [];

  beforeAll(async () => {
    await requireSecurityListeners();
    plainAdmin = await kafkaAdmin();
    clusterId = await plainAdmin.clusterId();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await plainAdmin?.deleteTopics(topics).catch(() => undefined);
    await plainAdmin?.close();
  });

  const topic = (prefix: string) => {
    const t = unique(prefix);
    topics.push(t);
    return t;
  };
  const worker = async (props: Record<string, string>) => {
    const w = await startWorker(props);
    workers.push(w);
    return w;
  };

  describe.each(['platformatic', 'kafkajs'] as const)('KafkaClient contract on %s', (backend) => {
    const connects = async (bootstrap: string, security: Record<string, string>) => {
      const admin = await client(backend, bootstrap, security).admin();
      try {
        return await admin.clusterId();
      } finally {
        await admin.close().catch(() => undefined);
      }
    };

    it('produces and consumes through SASL_SSL with SCRAM-SHA-512 (PKCS12 trust store)', async () => {
      const t = topic(`sec-${backend}`);
      const kafka = client(backend, SASL_SSL, SASL_SSL_SETTINGS);
      const admin = await kafka.admin();
      await admin.createTopics([{ topic: t, numPartitions: 1 }]);
      const producer = await kafka.producer({ clientId: unique('sec-producer') });
      const sent = await producer.send([{ topic: t, key: null, value: Buffer.from('over SCRAM and TLS') }]);
      expect(sent[0]).toMatchObject({ topic: t, partition: 0, offset: 0 });
      await producer.close();
      const consumer = await kafka.consumer({ clientId: unique('sec-consumer'), groupId: unique('sec-group') });
      const got: string[] = [];
      await consumer.run([t], {
        onBatch: async (records) => {
          got.push(...records.map((r) => Buffer.from(r.value!).toString()));
          return true;
        },
        onAssigned: async () => undefined,
        onRebalancing: async () => undefined,
        onCrash: () => undefined,
      });
      try {
        await eventually(() => got.length > 0);
      } finally {
        await consumer.close();
      }
      expect(got).toEqual(['over SCRAM and TLS']);
      expect(await admin.highWatermark(t, 0)).toBe(1);
      await admin.close();
    });

    it('authenticates with SCRAM-SHA-256 and PLAIN, over SASL_PLAINTEXT too', async () => {
      expect(await connects(SASL_SSL, { ...SASL_SSL_SETTINGS, 'sasl.mechanism': 'SCRAM-SHA-256' })).toBe(clusterId);
      expect(await connects(SASL_SSL, { ...SASL_SSL_SETTINGS, 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain(USER, PASSWORD) })).toBe(clusterId);
      const saslPlaintext = { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': scram(USER, PASSWORD) };
      expect(await connects(SASL_PLAINTEXT, saslPlaintext)).toBe(clusterId);
    });

    it('trusts the broker through a JKS, PKCS12 (openssl) or PEM trust store, and inline PEM', async () => {
      const jks = { ...SASL_SSL_SETTINGS, 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': path.join(TLS, 'truststore.jks') };
      expect(await connects(SASL_SSL, jks)).toBe(clusterId);
      const p12 = { ...SASL_SSL_SETTINGS, 'ssl.truststore.location': path.join(TLS, 'truststore-openssl.p12') };
      expect(await connects(SASL_SSL, p12)).toBe(clusterId);
      const pem: Record<string, string> = { ...SASL_SSL_SETTINGS, 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': path.join(TLS, 'ca.pem') };
      delete pem['ssl.truststore.password'];
      expect(await connects(SASL_SSL, pem)).toBe(clusterId);
      const inline = { ...pem, 'ssl.truststore.location': '', 'ssl.truststore.certificates': readFileSync(path.join(TLS, 'ca.pem'), 'utf8') };
      expect(await connects(SASL_SSL, inline)).toBe(clusterId);
    });

    it('presents a client certificate from a PKCS12, JKS or PEM key store to an SSL listener that requires one', async () => {
      const ssl = { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': path.join(TLS, 'ca.pem') };
      const p12 = { ...ssl, 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': path.join(TLS, 'client.p12'), 'ssl.keystore.password': 'kconnect' };
      expect(await connects(SSL, p12)).toBe(clusterId);
      expect(await connects(SSL, { ...p12, 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': path.join(TLS, 'client.jks') })).toBe(clusterId);
      const inline = {
        ...ssl,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.certificate.chain': readFileSync(path.join(TLS, 'client.pem'), 'utf8'),
        'ssl.keystore.key': readFileSync(path.join(TLS, 'client-key.pem'), 'utf8'),
      };
      expect(await connects(SSL, inline)).toBe(clusterId);
    });

    it('fails at once with what to fix: a wrong password, an untrusted broker, TLS without SSL', async () => {
      const t0 = Date.now();
      await expect(connects(SASL_SSL, { ...SASL_SSL_SETTINGS, 'sasl.jaas.config': scram(USER, 'wrong') })).rejects.toThrow(
        "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (user 'kconnect' at " +
          `${SASL_SSL}): check the username and password in sasl.jaas.config`,
      );
      const { 'ssl.truststore.location': _l, 'ssl.truststore.password': _p, 'ssl.truststore.type': _t, ...noTrust } = SASL_SSL_SETTINGS;
      await expect(connects(SASL_SSL, noTrust)).rejects.toThrow(/the broker's certificate is not trusted .*set ssl.truststore.location/);
      if (backend === 'platformatic') {
        await expect(connects(SASL_SSL, { 'security.protocol': 'PLAINTEXT' })).rejects.toThrow(
          /speaks TLS but security.protocol is PLAINTEXT: set security.protocol=SSL/,
        );
        await expect(connects(SASL_SSL, { ...SASL_SSL_SETTINGS, 'security.protocol': 'SASL_PLAINTEXT' })).rejects.toThrow(
          /SASL handshake with .* failed .*speaks security.protocol=SASL_PLAINTEXT \(a TLS listener needs SASL_SSL\)/,
        );
      }
      // No retrying for minutes: none of these can succeed by waiting.
      expect(Date.now() - t0).toBeLessThan(backend === 'kafkajs' ? 50_000 : 15_000);
    }, 90_000);

    it('refuses unreadable stores and bad settings on the key to fix, before connecting', () => {
      expect(() => client(backend, SASL_SSL, { ...SASL_SSL_SETTINGS, 'ssl.truststore.password': 'nope' })).toThrow(
        /Cannot open ssl.truststore.location .*truststore.p12: wrong ssl.truststore.password/,
      );
      expect(() => client(backend, SASL_SSL, { ...SASL_SSL_SETTINGS, 'ssl.truststore.location': '/nonexistent/ts.p12' })).toThrow(
        'Invalid value /nonexistent/ts.p12 for configuration ssl.truststore.location: cannot read the file (ENOENT)',
      );
      expect(() => client(backend, SASL_SSL, { ...SASL_SSL_SETTINGS, 'sasl.mechanism': 'GSSAPI' })).toThrow(/sasl.mechanism: GSSAPI .* is not supported/);
      expect(() => client(backend, SASL_SSL, { ...SASL_SSL_SETTINGS, 'sasl.jaas.config': '' })).toThrow(
        /security.protocol=SASL_SSL needs the credentials in sasl.jaas.config/,
      );
    });
  });

  const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
  const FILE_SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

  it('runs a source and a sink through SASL_SSL + SCRAM-SHA-512 set in the worker properties', async () => {
    const w = await worker({ 'bootstrap.servers': SASL_SSL, ...SASL_SSL_SETTINGS });
    const t = topic('sec-pipeline');
    const input = path.join(w.dir, 'in.txt');
    const output = path.join(w.dir, 'out.txt');
    writeFileSync(input, 'one\ntwo\nthree\n');
    expect((await w.api('POST', '/connectors', { name: unique('sec-source'), config: { 'connector.class': FILE_SOURCE, file: input, topic: t } })).status).toBe(
      201,
    );
    expect((await w.api('POST', '/connectors', { name: unique('sec-sink'), config: { 'connector.class': FILE_SINK, file: output, topics: t } })).status).toBe(
      201,
    );
    const read = () => (existsSync(output) ? readFileSync(output, 'utf8') : '');
    await eventually(() => read() === 'one\ntwo\nthree\n', 30_000, `the sink's file (now ${JSON.stringify(read())})`);
    // The records really went to the broker (read back on the PLAINTEXT listener).
    expect(await plainAdmin.highWatermark(t, 0)).toBe(3);
  });

  it('does not start with a wrong password, saying what to fix', async () => {
    await expect(worker({ 'bootstrap.servers': SASL_SSL, ...SASL_SSL_SETTINGS, 'sasl.jaas.config': scram(USER, 'wrong') })).rejects.toThrow(
      /invalid credentials with SASL mechanism SCRAM-SHA-512 \(user 'kconnect' at .*\): check the username and password in sasl\.jaas\.config/,
    );
  });

  describe('per-connector producer.override.sasl.jaas.config', () => {
    // The worker's own clients authenticate; its producers (producer.*) would not: the connector's override must.
    const props = (policy: string) => ({
      'bootstrap.servers': SASL_SSL,
      ...SASL_SSL_SETTINGS,
      'producer.sasl.jaas.config': scram(USER, 'not-the-password'),
      'connector.client.config.override.policy': policy,
    });
    const source = (w: WorkerHandle, t: string, extra: Record<string, string> = {}) => {
      const file = path.join(w.dir, `${t}.txt`);
      writeFileSync(file, 'a\nb\n');
      return { 'connector.class': FILE_SOURCE, file, topic: t, ...extra };
    };

    it('is applied under the Principal policy (without it the task fails with the authentication error)', async () => {
      const w = await worker(props('Principal'));
      const t = topic('sec-principal');
      const ok = unique('principal-ok');
      const created = await w.api('POST', '/connectors', { name: ok, config: source(w, t, { 'producer.override.sasl.jaas.config': scram(USER, PASSWORD) }) });
      expect(created.status).toBe(201);
      await eventually(async () => (await plainAdmin.highWatermark(t, 0)) === 2, 30_000, 'the records of the connector with the override');

      const failing = unique('principal-none');
      expect((await w.api('POST', '/connectors', { name: failing, config: source(w, topic('sec-principal-bad')) })).status).toBe(201);
      const status = await eventually(
        async () => {
          const s = (await w.api('GET', `/connectors/${failing}/status`)).body;
          return s.tasks?.[0]?.state === 'FAILED' ? s : undefined;
        },
        30_000,
        'the task without the override to fail',
      );
      expect(status.tasks[0].trace).toContain('invalid credentials with SASL mechanism SCRAM-SHA-512');
      expect(status.tasks[0].trace).not.toContain('not-the-password');

      // Principal allows exactly Java's keys.
      const refused = await w.api('POST', '/connectors', { name: unique('principal-linger'), config: source(w, t, { 'producer.override.linger.ms': '10' }) });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain("The 'Principal' policy does not allow 'linger.ms' to be overridden in the connector configuration.");
    }, 90_000);

    it("is refused under the None policy with Java's message", async () => {
      const w = await worker(props('None'));
      const res = await w.api('POST', '/connectors', {
        name: unique('none'),
        config: source(w, topic('sec-none'), { 'producer.override.sasl.jaas.config': scram(USER, PASSWORD) }),
      });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe(400);
      expect(res.body.message).toMatch(/^Connector configuration is invalid and contains the following 1 error\(s\):/);
      expect(res.body.message).toContain("The 'None' policy does not allow 'sasl.jaas.config' to be overridden in the connector configuration.");
      // The refused value is a password: it is not echoed.
      expect(res.body.message).not.toContain(PASSWORD);
    });
  });
});
