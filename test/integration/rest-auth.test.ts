/**
 * REST authentication and roles (docs/security.md) on real requests: basic (scrypt-hashed users file) and bearer
 * (SHA-256-hashed tokens file); 401 with WWW-Authenticate, 403, each role on representative endpoints; the open
 * endpoints; a distributed pair where a follower forwards the user's credentials to the leader.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { type DistributedWorker, generateToken, hashPassword, hashToken, startDistributed, startStandalone } from '@kconnect/runtime';
import { BOOTSTRAP, distributedWorkerProps, eventually, kafkaAdmin, quietLoggers, sleep, startWorker, unique, type WorkerHandle } from './harness';

jest.setTimeout(120_000);

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const bearer = (token: string) => `Bearer ${token}`;

async function call(base: string, method: string, p: string, auth?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

let dir: string;
const tokens = { reader: generateToken(), operator: generateToken(), admin: generateToken() };
const topics: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kconnect-auth-'));
  writeFileSync(
    path.join(dir, 'users'),
    [
      '# user:role:scrypt hash (kconnect hash-password)',
      `rita:read:${await hashPassword('rita-pw')}`,
      `otto:operate:${await hashPassword('otto-pw')}`,
      '',
      `ada:admin:${await hashPassword('ada-pw')}`,
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'tokens'),
    `dashboard:read:${hashToken(tokens.reader)}\nci-ops:operate:${hashToken(tokens.operator)}\ndeployer:admin:${hashToken(tokens.admin)}\n`,
  );
});
afterAll(async () => {
  const admin = await kafkaAdmin();
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

const authProps = () => ({
  'rest.authentication.type': 'basic,bearer',
  'rest.authentication.basic.users.file': path.join(dir, 'users'),
  'rest.authentication.bearer.tokens.file': path.join(dir, 'tokens'),
});

describe('standalone worker with basic and bearer authentication', () => {
  let w: WorkerHandle;
  const api = (method: string, p: string, auth?: string, body?: unknown) => call(w.url, method, p, auth, body);
  const source = (topic: string) => {
    topics.push(topic);
    const file = path.join(w.dir, `${topic}.txt`);
    writeFileSync(file, '');
    return { 'connector.class': 'FileStreamSource', file, topic };
  };
  const ADA = basic('ada', 'ada-pw');
  const OTTO = basic('otto', 'otto-pw');
  const RITA = basic('rita', 'rita-pw');

  beforeAll(async () => {
    w = await startWorker(authProps());
  });
  afterAll(() => w?.stop());

  test('GET /, /health and OPTIONS stay open', async () => {
    expect((await api('GET', '/')).status).toBe(200);
    expect((await api('GET', '/health')).status).toBe(200);
    expect((await api('OPTIONS', '/connectors')).status).toBe(200);
  });

  test('401 without credentials, with a wrong password, an unknown user or token; WWW-Authenticate names both schemes', async () => {
    for (const [p, method] of [
      ['/connectors', 'GET'],
      ['/metrics', 'GET'],
      ['/admin/loggers', 'GET'],
      ['/connectors', 'POST'],
      ['/no/such/path', 'GET'],
    ] as const) {
      const r = await api(method, p);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error_code: 401, message: expect.stringMatching(/Authentication required/) });
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="kconnect", charset="UTF-8", Bearer realm="kconnect"');
    }
    const wrong = await api('GET', '/connectors', basic('ada', 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error_code: 401, message: 'Invalid username or password' });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm="kconnect"/);
    expect((await api('GET', '/connectors', basic('nobody', 'ada-pw'))).status).toBe(401);
    expect((await api('GET', '/connectors', 'Basic not-base64-colon')).status).toBe(401);
    const badToken = await api('GET', '/connectors', bearer('kct_wrong'));
    expect(badToken.status).toBe(401);
    expect(badToken.body).toEqual({ error_code: 401, message: 'Invalid bearer token' });
    expect(badToken.headers.get('www-authenticate')).toContain('Bearer realm="kconnect", error="invalid_token"');
    expect((await api('GET', '/connectors', 'Digest username="ada"')).body.message).toMatch(/Unsupported authorization scheme digest/);
  });

  test('read: GETs only; operate: also pause / resume / restart / stop; admin: everything', async () => {
    const name = unique('auth');
    const config = source(unique('auth-topic'));

    // Creating needs admin.
    for (const who of [RITA, OTTO, bearer(tokens.reader), bearer(tokens.operator)]) {
      const r = await api('POST', '/connectors', who, { name, config });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error_code: 403, message: expect.stringMatching(/may not POST \/connectors: it needs the admin role/) });
    }
    const created = await api('POST', '/connectors', ADA, { name, config });
    expect(created.status).toBe(201);
    await eventually(async () => (await api('GET', `/connectors/${name}/status`, RITA)).body?.tasks?.[0]?.state === 'RUNNING', 30_000, 'task running');

    // read: every GET.
    for (const p of [
      '/connectors',
      `/connectors/${name}`,
      `/connectors/${name}/config`,
      `/connectors/${name}/tasks`,
      `/connectors/${name}/offsets`,
      '/connector-plugins',
      '/admin/loggers',
      '/metrics',
    ])
      expect([p, (await api('GET', p, RITA)).status]).toEqual([p, 200]);
    expect((await api('GET', '/connectors?expand=status', bearer(tokens.reader))).status).toBe(200);
    // ... but nothing else.
    expect((await api('PUT', `/connectors/${name}/pause`, RITA)).status).toBe(403);
    expect((await api('POST', `/connectors/${name}/restart`, bearer(tokens.reader))).status).toBe(403);
    expect((await api('POST', `/connectors/${name}/tasks/0/restart`, RITA)).status).toBe(403);

    // operate: pause, resume, restarts, stop; not config changes, deletes, offsets, loggers or validation.
    expect((await api('PUT', `/connectors/${name}/pause`, OTTO)).status).toBe(202);
    expect((await api('PUT', `/connectors/${name}/resume`, bearer(tokens.operator))).status).toBe(202);
    expect((await api('POST', `/connectors/${name}/restart`, OTTO)).status).toBe(204);
    expect((await api('POST', `/connectors/${name}/tasks/0/restart`, OTTO)).status).toBe(204);
    expect((await api('PUT', `/connectors/${name}/config`, OTTO, config)).status).toBe(403);
    expect((await api('PATCH', `/connectors/${name}/config`, OTTO, { 'tasks.max': '1' })).status).toBe(403);
    expect((await api('DELETE', `/connectors/${name}`, bearer(tokens.operator))).status).toBe(403);
    expect((await api('PUT', '/admin/loggers/kconnect', OTTO, { level: 'DEBUG' })).status).toBe(403);
    expect((await api('PUT', '/connector-plugins/FileStreamSource/config/validate', OTTO, config)).status).toBe(403);
    expect((await api('PUT', `/connectors/${name}/stop`, OTTO)).status).toBe(204);
    expect((await api('DELETE', `/connectors/${name}/offsets`, OTTO)).status).toBe(403);

    // admin: the rest.
    expect((await api('DELETE', `/connectors/${name}/offsets`, ADA)).status).toBe(200);
    expect((await api('PUT', `/connectors/${name}/config`, bearer(tokens.admin), config)).status).toBe(200);
    expect((await api('PUT', '/admin/loggers/kconnect.test', ADA, { level: 'DEBUG' })).status).toBe(200);
    expect((await api('PUT', '/connector-plugins/FileStreamSource/config/validate', ADA, config)).status).toBe(200);
    expect((await api('DELETE', `/connectors/${name}`, bearer(tokens.admin))).status).toBe(204);
  });

  test('the internal, signed requests between workers are not asked for credentials', async () => {
    // Standalone has none: the request reaches the resource (Java's answer), it is not a 401.
    const r = await api('POST', '/connectors/x/tasks', undefined, []);
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/standalone mode does not support/);
  });

  test('the users file is read again when it changes', async () => {
    expect((await api('GET', '/connectors', basic('newbie', 'newbie-pw'))).status).toBe(401);
    await sleep(1100);
    appendFileSync(path.join(dir, 'users'), `\nnewbie:read:${await hashPassword('newbie-pw')}\n`);
    await eventually(async () => (await api('GET', '/connectors', basic('newbie', 'newbie-pw'))).status === 200, 10_000, 'newbie accepted');
  });
});

test('settings: off by default; a type without its file, an unknown type or a bad file stop the start', async () => {
  const w = await startWorker();
  try {
    expect((await call(w.url, 'GET', '/connectors')).status).toBe(200);
  } finally {
    await w.stop();
  }
  const start = (props: Record<string, string>) =>
    startStandalone({
      workerProps: {
        'bootstrap.servers': BOOTSTRAP,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        listeners: 'http://127.0.0.1:0',
        ...props,
      },
      loggers: quietLoggers(),
    });
  await expect(start({ 'rest.authentication.type': 'basic' })).rejects.toThrow(/needs rest.authentication.basic.users.file/);
  await expect(start({ 'rest.authentication.type': 'kerberos' })).rejects.toThrow(/must be none, basic, bearer/);
  const bad = path.join(dir, 'bad-users');
  writeFileSync(bad, 'ada:superuser:scrypt$1$1$1$a$b\n');
  await expect(start({ 'rest.authentication.type': 'basic', 'rest.authentication.basic.users.file': bad })).rejects.toThrow(/line 1: role superuser/);
  writeFileSync(bad, 'ada:admin:plaintext\n');
  await expect(start({ 'rest.authentication.type': 'basic', 'rest.authentication.basic.users.file': bad })).rejects.toThrow(/scrypt\$N\$r\$p/);
});

describe('distributed pair with authentication', () => {
  const workers: DistributedWorker[] = [];
  let leader: DistributedWorker;
  let follower: DistributedWorker;
  let props: Record<string, string>;

  beforeAll(async () => {
    const id = unique('kc-auth');
    props = distributedWorkerProps(id, {
      'offset.flush.interval.ms': '500',
      listeners: 'http://127.0.0.1:0',
      ...authProps(),
    });
    topics.push(props['config.storage.topic']!, props['offset.storage.topic']!, props['status.storage.topic']!);
    // The second worker knows one more admin (bob) than the first: what bob does through it is forwarded and refused by the leader.
    const moreUsers = path.join(dir, 'users-plus-bob');
    writeFileSync(moreUsers, `${readFileSync(path.join(dir, 'users'), 'utf8')}\nbob:admin:${await hashPassword('bob-pw')}\n`);
    workers.push(await startDistributed({ workerProps: props, plugins: filePlugins, loggers: quietLoggers() }));
    await eventually(async () => (await workers[0]!.herder.leaderUrl(1000)) === null, 60_000, 'first worker leading');
    workers.push(
      await startDistributed({ workerProps: { ...props, 'rest.authentication.basic.users.file': moreUsers }, plugins: filePlugins, loggers: quietLoggers() }),
    );
    leader = workers[0]!;
    follower = workers[1]!;
    await eventually(async () => (await follower.herder.leaderUrl(1000)) === `${leader.url}/`, 60_000, 'follower knowing the leader');
  });
  afterAll(async () => {
    for (const w of workers.reverse()) await w.stop().catch(() => undefined);
  });

  test('a create through the follower is forwarded with the user credentials; the leader authorizes the user', async () => {
    const ADA = basic('ada', 'ada-pw');
    const connectors = [unique('fwd-a'), unique('fwd-b')];
    // read and operate users cannot create through the follower (refused there, and the leader would refuse too).
    for (const who of [basic('rita', 'rita-pw'), basic('otto', 'otto-pw'), bearer(tokens.reader)]) {
      const r = await call(follower.url, 'POST', '/connectors', who, {
        name: connectors[0],
        config: { 'connector.class': 'FileStreamSink', topics: 'x', file: '/dev/null' },
      });
      expect(r.status).toBe(403);
    }
    expect((await call(follower.url, 'POST', '/connectors', undefined, { name: connectors[0], config: {} })).status).toBe(401);
    // bob is an admin for the follower only: the leader does not know him.
    const bob = await call(follower.url, 'POST', '/connectors', basic('bob', 'bob-pw'), {
      name: connectors[0],
      config: { 'connector.class': 'FileStreamSink', topics: 'x', file: '/dev/null' },
    });
    expect(bob.status).toBe(401);
    expect(bob.headers.get('www-authenticate')).toMatch(/Basic realm/);

    // An admin (basic and bearer) creates through the follower: forwarded, 201; the tasks run wherever they are assigned
    // (the internal task-config requests between the workers pass authentication with their signature).
    const dirOut = mkdtempSync(path.join(tmpdir(), 'kconnect-auth-out-'));
    const data = unique('auth-data');
    topics.push(data);
    for (const [i, name] of connectors.entries()) {
      const r = await call(follower.url, 'POST', '/connectors', i === 0 ? ADA : bearer(tokens.admin), {
        name,
        config: { 'connector.class': 'FileStreamSink', topics: data, file: path.join(dirOut, `${name}.txt`), 'tasks.max': '1' },
      });
      expect([name, r.status]).toEqual([name, 201]);
    }
    for (const name of connectors)
      await eventually(
        async () => (await call(leader.url, 'GET', `/connectors/${name}/status`, ADA)).body?.tasks?.[0]?.state === 'RUNNING',
        60_000,
        `${name} running`,
      );
    // Task restarts through either worker: forwarded (with the user's credentials) to the worker that runs the task.
    for (const w of [leader, follower]) {
      expect((await call(w.url, 'POST', `/connectors/${connectors[0]}/tasks/0/restart`, basic('otto', 'otto-pw'))).status).toBe(204);
      expect((await call(w.url, 'POST', `/connectors/${connectors[0]}/tasks/0/restart`, basic('rita', 'rita-pw'))).status).toBe(403);
    }
    // Leader-only requests of an operate user through the follower.
    expect((await call(follower.url, 'PUT', `/connectors/${connectors[1]}/stop`, basic('otto', 'otto-pw'))).status).toBe(204);
    expect((await call(follower.url, 'DELETE', `/connectors/${connectors[1]}`, basic('otto', 'otto-pw'))).status).toBe(403);
    for (const name of connectors) expect((await call(follower.url, 'DELETE', `/connectors/${name}`, ADA)).status).toBe(204);
    rmSync(dirOut, { recursive: true, force: true });
  });
});
