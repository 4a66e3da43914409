/**
 * Username/password authentication and TLS with client certificates (mTLS) against a real Cassandra 5 that requires
 * both: scripts/services.sh's `cassandra-secure` (port 9142), started here when it is not running and stopped again
 * afterwards. Records go through a worker on real Kafka; refused settings are reported on the key to fix.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventually, startWorker, type WorkerHandle } from '@kconnect/testkit';
import { Client, auth } from 'cassandra-driver';
import { plugins } from '../index';
import { parseSinkConfig } from '../config';
import { closeReplacedHosts, connectClient } from '../session';
import { Feeder, JSON_CONVERTER, keyspaceName } from './helpers';

const ROOT = path.resolve(__dirname, '../../../..');
const TLS = path.join(process.env.KCONNECT_SERVICES_DIR ?? path.join(ROOT, '.services'), 'cassandra-secure/tls');
const services = (...args: string[]) => execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore', timeout: 240_000 });
const running = () => {
  try {
    services('health', 'cassandra-secure');
    return true;
  } catch {
    return false;
  }
};

/** Everything the secure instance needs, with the client certificate as PEM files. */
const SECURE: Record<string, string> = {
  contactPoints: '127.0.0.1',
  port: '9142',
  'loadBalancing.localDc': 'datacenter1',
  'auth.provider': 'PLAIN',
  'auth.username': 'cassandra',
  'auth.password': 'cassandra',
  'ssl.provider': 'OpenSSL',
  'ssl.truststore.path': path.join(TLS, 'ca.pem'),
  'ssl.openssl.keyCertChain': path.join(TLS, 'client.pem'),
  'ssl.openssl.privateKey': path.join(TLS, 'client-key.pem'),
};
/** Trust and key stores in PKCS12. */
const PKCS12: Record<string, string> = {
  ...SECURE,
  'ssl.provider': 'JDK',
  'ssl.truststore.path': path.join(TLS, 'truststore.p12'),
  'ssl.truststore.password': 'kconnect',
  'ssl.openssl.keyCertChain': '',
  'ssl.openssl.privateKey': '',
  'ssl.keystore.path': path.join(TLS, 'client.p12'),
  'ssl.keystore.password': 'kconnect',
};
/** Trust and key stores in JKS (made by keytool), as in the DataStax connector's docs. */
const JKS: Record<string, string> = {
  ...PKCS12,
  'ssl.truststore.path': path.join(TLS, 'truststore.jks'),
  'ssl.keystore.path': path.join(TLS, 'client.jks'),
};

describe('Cassandra sink with authentication and mTLS (real Cassandra 5 requiring both)', () => {
  let startedHere = false;
  let cql: Client;
  let ks: string;
  let feeder: Feeder;
  let w: WorkerHandle;

  beforeAll(async () => {
    if (!running()) {
      services('start', 'cassandra-secure');
      startedHere = true;
    }
    cql = closeReplacedHosts(
      new Client({
        contactPoints: ['127.0.0.1:9142'],
        localDataCenter: 'datacenter1',
        protocolOptions: { maxVersion: 4 }, // see the burst test below
        authProvider: new auth.PlainTextAuthProvider('cassandra', 'cassandra'),
        sslOptions: {
          ca: readFileSync(SECURE['ssl.truststore.path']!),
          cert: readFileSync(SECURE['ssl.openssl.keyCertChain']!),
          key: readFileSync(SECURE['ssl.openssl.privateKey']!),
        },
      }),
    );
    // the default superuser is created just after the port opens
    await eventually(() => cql.connect().then(() => true), 60_000, 'an authenticated mTLS connection');
    ks = keyspaceName('sec');
    await cql.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await cql.execute(`CREATE TABLE ${ks}.readings (id int PRIMARY KEY, reading double)`); // for the validation test
    feeder = await Feeder.create();
    w = await startWorker({}, plugins);
  }, 300_000);

  afterAll(async () => {
    await w?.stop();
    await feeder?.close();
    await cql?.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
    await cql?.shutdown();
    if (startedHere) services('stop', 'cassandra-secure');
  }, 120_000);

  const config = (settings: Record<string, string>, topic: string, table: string) => ({
    'connector.class': 'com.datastax.oss.kafka.sink.CassandraSinkConnector',
    'key.converter': JSON_CONVERTER,
    'value.converter': JSON_CONVERTER,
    'value.converter.schemas.enable': 'false',
    topics: topic,
    [`topic.${topic}.${ks}.${table}.mapping`]: 'id=value.id, reading=value.reading',
    ...settings,
  });

  async function writesThrough(settings: Record<string, string>, table: string) {
    await cql.execute(`CREATE TABLE ${ks}.${table} (id int PRIMARY KEY, reading double)`);
    const topic = await feeder.topic(table);
    await feeder.send(
      topic,
      Array.from({ length: 50 }, (_, i) => ({ value: { id: i, reading: i / 4 } })),
    );
    const name = `sec-${table}`;
    feeder.groups.push(`connect-${name}`);
    const res = await w.api('POST', '/connectors', { name, config: config(settings, topic, table) });
    expect(res.status).toBe(201);
    await eventually(async () => Number((await cql.execute(`SELECT count(*) AS n FROM ${ks}.${table}`)).rows[0]!.n) === 50, 60_000, '50 rows');
    const row = (await cql.execute(`SELECT reading FROM ${ks}.${table} WHERE id = 7`)).rows[0]!;
    expect(row.reading).toBe(1.75);
    expect((await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state).toBe('RUNNING');
    expect((await w.api('DELETE', `/connectors/${name}`)).status).toBe(204);
  }

  it('PLAIN auth + mTLS with PEM files (ssl.provider=OpenSSL): every record is written', async () => {
    await writesThrough(SECURE, 'pem');
  });

  it('mTLS with PKCS12 trust and key stores (ssl.provider=JDK, ssl.truststore/keystore.path/password): every record is written', async () => {
    await writesThrough(PKCS12, 'pkcs12');
  });

  it('mTLS with JKS trust and key stores, a DataStax config unchanged: every record is written', async () => {
    await writesThrough(JKS, 'jks');
  });

  it('bursts of concurrent requests are all answered (the driver is kept at protocol v4)', async () => {
    // Letting cassandra-driver 4.10 negotiate down from a higher protocol left a stream id free twice on the
    // connection: in each burst two requests shared it and one never got its response (read timeout).
    const client = await connectClient(parseSinkConfig({ ...SECURE, queryExecutionTimeout: '5' }));
    try {
      const q = `INSERT INTO ${ks}.readings (id, reading) VALUES (?, ?)`;
      await client.execute(q, [0, 0], { prepare: true });
      for (let burst = 0; burst < 3; burst++) {
        const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => client.execute(q, [i, i], { prepare: true })));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      }
    } finally {
      await client.shutdown();
    }
  });

  /** Validation errors of a config: key → messages (only keys with errors). */
  async function errorsOf(settings: Record<string, string>): Promise<Record<string, string[]>> {
    const res = await w.api('PUT', '/connector-plugins/CassandraSinkConnector/config/validate', {
      name: 'sec-validate',
      ...config(settings, 'readings', 'readings'),
    });
    expect(res.status).toBe(200);
    const out: Record<string, string[]> = {};
    for (const c of res.body.configs as { value: { name: string; errors: string[]; value: unknown } }[])
      if (c.value.errors.length) out[c.value.name] = c.value.errors;
    expect(res.body.error_count).toBe(Object.values(out).flat().length);
    return out;
  }

  it('refused credentials and certificates are reported on the key to fix, and POST creates nothing', async () => {
    expect(await errorsOf(SECURE)).toEqual({});
    expect(await errorsOf(PKCS12)).toEqual({});
    expect(await errorsOf(JKS)).toEqual({});
    expect(await errorsOf({ ...JKS, 'ssl.truststore.password': '' })).toEqual({}); // Java reads a JKS trust store without one
    expect(await errorsOf({ ...PKCS12, 'ssl.truststore.path': path.join(TLS, 'truststore-openssl.p12') })).toEqual({}); // no aliases

    const badPassword = await errorsOf({ ...SECURE, 'auth.password': 'wrong' });
    expect(Object.keys(badPassword)).toEqual(['auth.password']);
    expect(badPassword['auth.password']![0]).toMatch(/rejected the credentials of auth.username 'cassandra'/);

    const noAuth = await errorsOf({ ...SECURE, 'auth.provider': 'None' });
    expect(Object.keys(noAuth)).toEqual(['auth.provider']);
    expect(noAuth['auth.provider']![0]).toMatch(/requires authentication: set auth.provider=PLAIN/);

    const noClientCert = await errorsOf({ ...SECURE, 'ssl.openssl.keyCertChain': '', 'ssl.openssl.privateKey': '' });
    expect(Object.keys(noClientCert)).toEqual(['ssl.keystore.path']);
    expect(noClientCert['ssl.keystore.path']![0]).toMatch(/requires a client certificate \(mTLS\)/);

    const untrusted = await errorsOf({ ...SECURE, 'ssl.truststore.path': '' }); // the system CAs do not know the test CA
    expect(Object.keys(untrusted)).toEqual(['ssl.truststore.path']);
    expect(untrusted['ssl.truststore.path']![0]).toMatch(/server certificate is not trusted/);

    const wrongStorePassword = await errorsOf({ ...PKCS12, 'ssl.keystore.password': 'wrong' });
    expect(Object.keys(wrongStorePassword)).toEqual(['ssl.keystore.password']);

    const certWithoutKey = await errorsOf({ ...SECURE, 'ssl.openssl.privateKey': '' });
    expect(certWithoutKey['ssl.openssl.privateKey']![0]).toMatch(/Set both ssl.openssl.keyCertChain and ssl.openssl.privateKey/);

    const wrongKey = await errorsOf({ ...SECURE, 'ssl.openssl.privateKey': path.join(TLS, 'ca-key.pem') });
    expect(wrongKey['ssl.openssl.privateKey']![0]).toMatch(/client certificate and key do not load together/);

    const wrongJksPasswords = await errorsOf({ ...JKS, 'ssl.truststore.password': 'wrong', 'ssl.keystore.password': 'wrong' });
    expect(Object.keys(wrongJksPasswords).sort()).toEqual(['ssl.truststore.password']); // the first file read
    expect(wrongJksPasswords['ssl.truststore.password']![0]).toMatch(/Cannot open ssl.truststore.path .*truststore.jks: wrong ssl.truststore.password/);
    expect(Object.keys(await errorsOf({ ...JKS, 'ssl.keystore.password': 'wrong' }))).toEqual(['ssl.keystore.password']);
    expect(Object.keys(await errorsOf({ ...PKCS12, 'ssl.truststore.password': 'wrong' }))).toEqual(['ssl.truststore.password']);

    const noKeyEntry = await errorsOf({ ...JKS, 'ssl.keystore.path': path.join(TLS, 'truststore.jks') });
    expect(noKeyEntry['ssl.keystore.path']![0]).toMatch(/has no private key entry/);
    const noTrustedEntry = await errorsOf({ ...JKS, 'ssl.truststore.path': path.join(TLS, 'client.jks') });
    expect(noTrustedEntry['ssl.truststore.path']![0]).toMatch(/has no trusted certificate entry/);

    const garbage = path.join(w.dir, 'garbage.bin');
    writeFileSync(garbage, Buffer.from('not a certificate store'));
    expect((await errorsOf({ ...SECURE, 'ssl.truststore.path': garbage }))['ssl.truststore.path']![0]).toMatch(/is not a PEM, JKS or PKCS12 file/);
    expect((await errorsOf({ ...PKCS12, 'ssl.keystore.path': path.join(TLS, 'client.pem') }))['ssl.keystore.path']![0]).toMatch(/is not a JKS or PKCS12 file/);
    const jksAsPem = await errorsOf({ ...SECURE, 'ssl.openssl.keyCertChain': path.join(TLS, 'client.jks') });
    expect(jksAsPem['ssl.openssl.keyCertChain']![0]).toMatch(/is not a PEM file \(it is a JKS key store: set ssl.keystore.path to it instead\)/);
    const brokenJks = path.join(w.dir, 'broken.jks');
    writeFileSync(brokenJks, readFileSync(path.join(TLS, 'client.jks')).subarray(0, 40)); // cut short
    expect((await errorsOf({ ...JKS, 'ssl.keystore.path': brokenJks }))['ssl.keystore.path']![0]).toMatch(/Cannot read ssl.keystore.path .* as a JKS store/);
    const brokenP12 = path.join(w.dir, 'broken.p12');
    writeFileSync(brokenP12, readFileSync(path.join(TLS, 'client.p12')).subarray(0, 40));
    expect((await errorsOf({ ...PKCS12, 'ssl.keystore.path': brokenP12 }))['ssl.keystore.path']![0]).toMatch(
      /Cannot read ssl.keystore.path .* as a PKCS12 store/,
    );
    expect((await errorsOf({ ...PKCS12, 'ssl.keystore.password': 'wrong' }))['ssl.keystore.password']![0]).toMatch(/wrong ssl.keystore.password/);

    // the password is hidden in the validation answer
    const res = await w.api('PUT', '/connector-plugins/CassandraSinkConnector/config/validate', {
      name: 'sec-validate',
      ...config({ ...SECURE, 'auth.password': 'wrong' }, 'readings', 'readings'),
    });
    expect(JSON.stringify(res.body)).not.toContain('"wrong"');

    const post = await w.api('POST', '/connectors', { name: 'sec-refused', config: config({ ...SECURE, 'auth.password': 'wrong' }, 'readings', 'readings') });
    expect(post.status).toBe(400);
    expect(post.body.message).toMatch(/rejected the credentials of auth.username 'cassandra': Provided username cassandra and\/or password are incorrect/);
    expect((await w.api('GET', '/connectors')).body).not.toContain('sec-refused');
  });
});
