/**
 * HTTPS on the REST listener (docs/security.md) with certificates made here by openssl (and keytool when
 * installed): PEM files and inline PEM, PKCS12 and JKS key stores, PEM / PKCS12 / JKS trust stores, mTLS
 * (`ssl.client.auth=required|requested`), and a distributed pair over mTLS whose follower forwards to the leader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { type DistributedWorker, generateToken, hashToken, startDistributed } from '@kconnect/runtime';
import { distributedWorkerProps, eventually, kafkaAdmin, quietLoggers, startWorker, unique, type WorkerHandle } from './harness';

jest.setTimeout(120_000);

let dir: string;
const f = (n: string) => path.join(dir, n);
const read = (n: string) => readFileSync(f(n), 'utf8');
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const hasKeytool = (() => {
  try {
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A key and a certificate signed by `ca` (with localhost / 127.0.0.1 names). */
function issue(name: string, ca: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(f(`${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kconnect-tls-'));
  for (const ca of ['ca', 'other-ca'])
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=${ca}`);
  issue('server', 'ca');
  issue('client', 'ca');
  issue('stranger', 'other-ca');
  writeFileSync(f('server-bundle.pem'), read('server.key') + read('server.pem') + read('ca.pem'));
  openssl('pkcs12', '-export', '-inkey', 'server.key', '-in', 'server.pem', '-certfile', 'ca.pem', '-out', 'server.p12', '-passout', 'pass:store-pw');
  openssl('pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'trust.p12', '-passout', 'pass:trust-pw');
  if (hasKeytool) {
    const kt = (...args: string[]) => execFileSync('keytool', args, { cwd: dir, stdio: 'ignore' });
    kt(
      '-importkeystore',
      '-srckeystore',
      'server.p12',
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      'store-pw',
      '-destkeystore',
      'server.jks',
      '-deststoretype',
      'JKS',
      '-deststorepass',
      'store-pw',
      '-noprompt',
    );
    kt('-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'trust.jks', '-storetype', 'JKS', '-storepass', 'trust-pw');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Res {
  status: number;
  body: any;
  authorized?: boolean;
}
/** A request with node's https client: the test CA trusted, and a client certificate when `client` names one. */
function request(url: string, o: { client?: string; method?: string; body?: unknown; headers?: Record<string, string>; ca?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: o.method ?? 'GET',
        agent: false,
        ca: read(o.ca ?? 'ca.pem'),
        ...(o.client ? { key: read(`${o.client}.key`), cert: read(`${o.client}.pem`) } : {}),
        headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

async function withWorker(props: Record<string, string>, fn: (w: WorkerHandle) => Promise<void>): Promise<void> {
  const w = await startWorker({ listeners: 'https://127.0.0.1:0', ...props });
  try {
    await fn(w);
  } finally {
    await w.stop();
  }
}

test('PEM: a key store file with key and chain, or Java inline PEM (one line, as in a properties file)', async () => {
  await withWorker({ 'listeners.https.ssl.keystore.type': 'PEM', 'listeners.https.ssl.keystore.location': f('server-bundle.pem') }, async (w) => {
    expect(w.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await request(`${w.url}/`);
    expect(r.status).toBe(200);
    expect(r.body.version).toEqual(expect.any(String));
    // Plain HTTP on the HTTPS port gets no Connect answer.
    const plain = await fetch(w.url.replace('https:', 'http:')).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    // The server's certificate must chain to the trusted CA.
    await expect(request(`${w.url}/`, { ca: 'other-ca.pem' })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
  const oneLine = (pem: string) => pem.replace(/\n/g, ' ');
  await withWorker(
    {
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.key': oneLine(read('server.key')),
      'listeners.https.ssl.keystore.certificate.chain': oneLine(read('server.pem')),
    },
    async (w) => expect((await request(`${w.url}/connectors`)).status).toBe(200),
  );
});

test('PKCS12 key store (and a wrong password stops the start, naming the setting)', async () => {
  await withWorker(
    {
      'listeners.https.ssl.keystore.type': 'PKCS12',
      'listeners.https.ssl.keystore.location': f('server.p12'),
      'listeners.https.ssl.keystore.password': 'store-pw',
    },
    async (w) => expect((await request(`${w.url}/connectors`)).status).toBe(200),
  );
  await expect(
    startWorker({
      listeners: 'https://127.0.0.1:0',
      'listeners.https.ssl.keystore.location': f('server.p12'),
      'listeners.https.ssl.keystore.password': 'nope',
    }),
  ).rejects.toThrow(/listeners\.https\.ssl\.keystore\.location: cannot read the key store .*wrong password/);
  await expect(startWorker({ listeners: 'https://127.0.0.1:0' })).rejects.toThrow(/an https listener needs a key store/);
});

(hasKeytool ? test : test.skip)('JKS key store and JKS trust store (keytool), with the top-level ssl.* keys as Java falls back to', async () => {
  await withWorker(
    {
      'ssl.keystore.location': f('server.jks'),
      'ssl.keystore.password': 'store-pw',
      'ssl.truststore.location': f('trust.jks'),
      'ssl.truststore.password': 'trust-pw',
      'ssl.client.auth': 'required',
    },
    async (w) => {
      expect((await request(`${w.url}/connectors`, { client: 'client' })).status).toBe(200);
      await expect(request(`${w.url}/connectors`)).rejects.toThrow();
    },
  );
});

test('mTLS required: a client without a certificate, or with one of another CA, is refused; with one of the trusted CA accepted', async () => {
  await withWorker(
    {
      'listeners.https.ssl.keystore.location': f('server.p12'),
      'listeners.https.ssl.keystore.password': 'store-pw',
      'listeners.https.ssl.truststore.type': 'PKCS12',
      'listeners.https.ssl.truststore.location': f('trust.p12'),
      'listeners.https.ssl.truststore.password': 'trust-pw',
      'listeners.https.ssl.client.auth': 'required',
    },
    async (w) => {
      await expect(request(`${w.url}/connectors`)).rejects.toThrow(/certificate required|socket hang up|ECONNRESET|alert/i);
      await expect(request(`${w.url}/connectors`, { client: 'stranger' })).rejects.toThrow(/unknown ca|socket hang up|ECONNRESET|alert/i);
      const ok = await request(`${w.url}/connectors`, { client: 'client' });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual(expect.any(Array));
    },
  );
});

test('mTLS requested: no certificate is fine, a trusted one too, an untrusted one is refused (as Java)', async () => {
  await withWorker(
    {
      'listeners.https.ssl.keystore.location': f('server.p12'),
      'listeners.https.ssl.keystore.password': 'store-pw',
      'listeners.https.ssl.truststore.location': f('ca.pem'),
      'listeners.https.ssl.client.auth': 'requested',
    },
    async (w) => {
      expect((await request(`${w.url}/connectors`)).status).toBe(200);
      expect((await request(`${w.url}/connectors`, { client: 'client' })).status).toBe(200);
      await expect(request(`${w.url}/connectors`, { client: 'stranger' })).rejects.toThrow();
    },
  );
});

test('a distributed pair over HTTPS with mTLS and bearer authentication: advertised https URLs, forwarding to the leader', async () => {
  const id = unique('kc-tls');
  const token = generateToken();
  writeFileSync(f('tokens'), `admin:admin:${hashToken(token)}\n`);
  const props: Record<string, string> = distributedWorkerProps(id, {
    listeners: 'https://127.0.0.1:0',
    'listeners.https.ssl.keystore.location': f('server.p12'),
    'listeners.https.ssl.keystore.password': 'store-pw',
    'listeners.https.ssl.truststore.location': f('ca.pem'),
    'listeners.https.ssl.client.auth': 'required',
    'rest.authentication.type': 'bearer',
    'rest.authentication.bearer.tokens.file': f('tokens'),
  });
  const workers: DistributedWorker[] = [];
  const admin = await kafkaAdmin();
  try {
    workers.push(await startDistributed({ workerProps: props, plugins: filePlugins, loggers: quietLoggers() }));
    await eventually(async () => (await workers[0]!.herder.leaderUrl(1000)) === null, 60_000, 'first worker leading');
    workers.push(await startDistributed({ workerProps: props, plugins: filePlugins, loggers: quietLoggers() }));
    const [leader, follower] = workers as [DistributedWorker, DistributedWorker];
    expect(leader.url).toMatch(/^https:/);
    await eventually(async () => (await follower.herder.leaderUrl(1000)) === `${leader.url}/`, 60_000, 'follower knowing the leader');

    const auth = { authorization: `Bearer ${token}` };
    const name = unique('tls-sink');
    const out = f(`${name}.txt`);
    const created = await request(`${follower.url}/connectors`, {
      client: 'client',
      method: 'POST',
      headers: auth,
      body: { name, config: { 'connector.class': 'FileStreamSink', topics: unique('tls-data'), file: out, 'tasks.max': '2' } },
    });
    expect(created.status).toBe(201);
    const status = await eventually(
      async () => {
        const s = await request(`${leader.url}/connectors/${name}/status`, { client: 'client', headers: auth });
        return s.body?.tasks?.length === 2 && s.body.tasks.every((t: { state: string }) => t.state === 'RUNNING') ? s.body : null;
      },
      60_000,
      'tasks running',
    );
    expect(status.connector.worker_id).toMatch(/^127\.0\.0\.1:\d+$/);
    // Task restarts that need forwarding (to the leader, then to the task's worker) go over mTLS too.
    for (const w of workers)
      for (const t of [0, 1])
        expect((await request(`${w.url}/connectors/${name}/tasks/${t}/restart`, { client: 'client', method: 'POST', headers: auth })).status).toBe(204);
    expect((await request(`${follower.url}/connectors/${name}`, { client: 'client', method: 'DELETE', headers: auth })).status).toBe(204);
  } finally {
    for (const w of workers.reverse()) await w.stop().catch(() => undefined);
    await admin.deleteTopics([props['config.storage.topic']!, props['offset.storage.topic']!, props['status.storage.topic']!]).catch(() => undefined);
    await admin.close();
  }
});
