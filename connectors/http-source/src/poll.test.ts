/**
 * Poll mode on a real worker and real Kafka against a real test API on 127.0.0.1: every pagination kind,
 * resume mid-pagination after a restart, incremental sync with overlap and de-dup, OAuth2 client credentials with
 * refresh and retry on 401, 429/503 retries honouring Retry-After, and the SSRF guard.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, sleep, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import { plugins } from './index';
import { consume, createConnector } from './test-helpers';
import { linkNext } from './poll';

/** A connector template placeholder, `${name}` (written this way so it is not mistaken for a JS template). */
const v = (name: string) => `$${'{'}${name}}`;

type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => void;

const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `item-${from + i}` }));
const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('HTTP source, poll mode', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  let server: Server;
  let base = '';
  const routes = new Map<string, Handler>();
  const log: Array<{ path: string; query: string; auth: string | undefined; at: number }> = [];
  const topics: string[] = [];
  const groups: string[] = [];
  const readers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      log.push({ path: url.pathname, query: url.search, auth: req.headers.authorization ?? (req.headers['x-api-key'] as string | undefined), at: Date.now() });
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        (req as IncomingMessage & { text?: string }).text = body;
        const h = routes.get(url.pathname);
        if (h) h(url, req, res);
        else send(res, 404, { error: 'not found' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await w.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    for (const stop of readers) await stop().catch(() => undefined);
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const newTopic = async () => {
    const t = unique('hp');
    topics.push(t);
    await admin.createTopics([{ topic: t, numPartitions: 1, replicationFactor: 1 }]);
    return t;
  };
  const reader = async (t: string[]) => {
    const r = await consume(t, groups);
    readers.push(r.stop);
    return r.records;
  };
  const values = (records: Array<{ value: Buffer | null }>) => records.map((r) => JSON.parse(r.value!.toString()) as { id: number });

  it('parses Link headers', () => {
    expect(linkNext('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"')).toBe('https://a/x?page=2');
    expect(linkNext('<https://a/x?page=1>; rel="prev"')).toBeNull();
  });

  it('follows every pagination kind, endpoints spread over tasks', async () => {
    const name = unique('pages');
    const t = await newTopic();
    const data = items(23);
    const p = unique('p');
    routes.set(`/${p}/offset`, (u, _q, res) => {
      const off = Number(u.searchParams.get('offset'));
      const lim = Number(u.searchParams.get('limit'));
      send(res, 200, { data: data.slice(off, off + lim) });
    });
    routes.set(`/${p}/page`, (u, _q, res) => {
      const page = Number(u.searchParams.get('page'));
      const size = Number(u.searchParams.get('per_page'));
      send(res, 200, data.slice((page - 1) * size, page * size));
    });
    routes.set(`/${p}/cursor`, (u, _q, res) => {
      const c = Number(u.searchParams.get('cursor') ?? '0');
      const next = c + 10 < data.length ? String(c + 10) : null;
      send(res, 200, { result: { rows: data.slice(c, c + 10) }, meta: { next } });
    });
    routes.set(`/${p}/next`, (u, _q, res) => {
      const at = Number(u.searchParams.get('at') ?? '0');
      send(res, 200, { items: data.slice(at, at + 10), links: { next: at + 10 < data.length ? `/${p}/next?at=${at + 10}` : null } });
    });
    routes.set(`/${p}/link`, (u, _q, res) => {
      const at = Number(u.searchParams.get('at') ?? '0');
      const headers: Record<string, string> = at + 10 < data.length ? { link: `<${base}/${p}/link?at=${at + 10}>; rel="next"` } : {};
      send(res, 200, data.slice(at, at + 10), headers);
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'tasks.max': '2',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'offset,page,cursor,next,link',
      'http.poll.topic': t,
      'http.poll.interval.ms': '600000',
      'http.poll.key.pointer': '/id',
      'http.poll.endpoint.offset.url': `${base}/${p}/offset`,
      'http.poll.endpoint.offset.records.pointer': '/data',
      'http.poll.endpoint.offset.pagination.type': 'offset',
      'http.poll.endpoint.offset.pagination.limit': '10',
      'http.poll.endpoint.page.url': `${base}/${p}/page`,
      'http.poll.endpoint.page.pagination.type': 'page',
      'http.poll.endpoint.page.pagination.size': '10',
      'http.poll.endpoint.page.pagination.size.param': 'per_page',
      'http.poll.endpoint.cursor.url': `${base}/${p}/cursor`,
      'http.poll.endpoint.cursor.records.pointer': '/result/rows',
      'http.poll.endpoint.cursor.pagination.type': 'cursor',
      'http.poll.endpoint.cursor.pagination.cursor.pointer': '/meta/next',
      'http.poll.endpoint.next.url': `${base}/${p}/next`,
      'http.poll.endpoint.next.records.pointer': '/items',
      'http.poll.endpoint.next.pagination.type': 'next.url',
      'http.poll.endpoint.next.pagination.next.pointer': '/links/next',
      'http.poll.endpoint.link.url': `${base}/${p}/link`,
      'http.poll.endpoint.link.pagination.type': 'link',
    });
    const status = (await w.api('GET', `/connectors/${name}/status`)).body;
    expect(status.tasks).toHaveLength(2);
    await eventually(() => records.length >= 5 * 23, 20_000, 'all pages of all endpoints');
    await sleep(800);
    expect(records).toHaveLength(5 * 23);
    for (const ep of ['offset', 'page', 'cursor', 'next', 'link']) {
      const got = records.filter((r) => r.headers['http.endpoint'] === ep);
      expect({ ep, ids: values(got).map((v) => v.id) }).toEqual({ ep, ids: data.map((d) => d.id) });
      expect(got.map((r) => r.key)).toEqual(data.map((d) => String(d.id)));
    }
    // Offsets are stored per endpoint once Kafka acknowledged; a finished run is not in a pagination.
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets.length === 5, 10_000, 'five offsets');
    const offsets = (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets as Array<{ offset: { in_run: boolean } }>;
    expect(offsets.every((o) => o.offset.in_run === false)).toBe(true);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('resumes mid-pagination after a restart from the cursor in the stored offset', async () => {
    const name = unique('resume');
    const t = await newTopic();
    const data = items(30);
    const path = `/${unique('cur')}`;
    let blockPage3 = true;
    routes.set(path, (u, _q, res) => {
      const c = Number(u.searchParams.get('cursor') ?? '0');
      if (c >= 20 && blockPage3) return send(res, 503, { error: 'down' });
      send(res, 200, { rows: data.slice(c, c + 10), next: c + 10 < data.length ? `c${c + 10}`.slice(1) : null });
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'e',
      'http.poll.endpoint.e.url': `${base}${path}`,
      'http.poll.endpoint.e.topic': t,
      'http.poll.endpoint.e.records.pointer': '/rows',
      'http.poll.endpoint.e.pagination.type': 'cursor',
      'http.poll.endpoint.e.pagination.cursor.pointer': '/next',
      'http.poll.endpoint.e.interval.ms': '600000',
      'http.poll.endpoint.e.retry.backoff.ms': '100',
      'http.poll.endpoint.e.retry.max': '1000',
    });
    await eventually(() => records.length === 20, 15_000, 'two pages');
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset.cursor === '20', 10_000, 'cursor 20 stored');
    expect([202, 204]).toContain((await w.api('PUT', `/connectors/${name}/stop`)).status);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.connector.state === 'STOPPED', 10_000, 'stopped');
    const mark = log.length;
    blockPage3 = false;
    await w.api('PUT', `/connectors/${name}/resume`);
    await eventually(() => records.length === 30, 15_000, 'third page after restart');
    const after = log.slice(mark).filter((l) => l.path === path);
    expect(after[0]!.query).toBe('?cursor=20'); // not from the start
    await sleep(500);
    expect(values(records).map((v) => v.id)).toEqual(data.map((d) => d.id));
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('syncs incrementally by timestamp with an overlap window, without duplicates', async () => {
    const name = unique('sync');
    const t = await newTopic();
    const path = `/${unique('inc')}`;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const rows = [0, 1, 2].map((i) => ({ id: i, updated: new Date(t0 + i * 1000).toISOString() }));
    routes.set(path, (u, _q, res) => {
      const since = u.searchParams.get('since');
      send(res, 200, { rows: rows.filter((r) => !since || Date.parse(r.updated) >= Date.parse(since)) });
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'e',
      'http.poll.endpoint.e.url': `${base}${path}`,
      'http.poll.endpoint.e.query': `since=${v('since')}`,
      'http.poll.endpoint.e.topic': t,
      'http.poll.endpoint.e.records.pointer': '/rows',
      'http.poll.endpoint.e.key.pointer': '/id',
      'http.poll.endpoint.e.timestamp.pointer': '/updated',
      'http.poll.endpoint.e.sync.mode': 'timestamp',
      'http.poll.endpoint.e.sync.initial': '2025-12-31T00:00:00.000Z',
      'http.poll.endpoint.e.sync.overlap': '5000',
      'http.poll.endpoint.e.interval.ms': '300',
    });
    await eventually(() => records.length === 3, 10_000, 'first run');
    expect(records[0]!.headers['http.endpoint']).toBe('e');
    // A late row inside the overlap window (older than the high-water mark) and a new one.
    rows.push({ id: 3, updated: new Date(t0 + 1500).toISOString() }, { id: 4, updated: new Date(t0 + 9000).toISOString() });
    await eventually(() => records.length === 5, 10_000, 'late and new rows');
    const mark = log.length;
    await eventually(() => log.slice(mark).filter((l) => l.path === path).length >= 3, 10_000, 'more runs');
    expect(records.map((r) => r.key)).toEqual(['0', '1', '2', '3', '4']);
    const last = log.filter((l) => l.path === path).at(-1)!;
    // since = high-water mark (t0+9s) minus the 5 s overlap
    expect(new URLSearchParams(last.query).get('since')).toBe(new Date(t0 + 4000).toISOString());
    expect(new URLSearchParams(log.filter((l) => l.path === path)[0]!.query).get('since')).toBe('2025-12-31T00:00:00.000Z');
    // After a restart the high-water mark and the keys seen in the overlap window come from the stored offset.
    await w.api('PUT', `/connectors/${name}/stop`);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.connector.state === 'STOPPED', 10_000, 'stopped');
    const mark2 = log.length;
    await w.api('PUT', `/connectors/${name}/resume`);
    await eventually(() => log.slice(mark2).filter((l) => l.path === path).length >= 2, 10_000, 'runs after restart');
    expect(new URLSearchParams(log.slice(mark2).find((l) => l.path === path)!.query).get('since')).toBe(new Date(t0 + 4000).toISOString());
    await sleep(500);
    expect(records.map((r) => r.key)).toEqual(['0', '1', '2', '3', '4']);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('syncs incrementally by id high-water mark with offset/limit pagination', async () => {
    const name = unique('ids');
    const t = await newTopic();
    const path = `/${unique('ids')}`;
    const rows = items(25, 100);
    routes.set(path, (u, _q, res) => {
      const after = Number(u.searchParams.get('after_id') ?? '0');
      const off = Number(u.searchParams.get('offset'));
      const lim = Number(u.searchParams.get('limit'));
      send(res, 200, rows.filter((r) => r.id > after).slice(off, off + lim));
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'e',
      'http.poll.endpoint.e.url': `${base}${path}`,
      'http.poll.endpoint.e.query': `after_id=${v('since')}`,
      'http.poll.endpoint.e.topic': t,
      'http.poll.endpoint.e.key.pointer': '/id',
      'http.poll.endpoint.e.sync.mode': 'id',
      'http.poll.endpoint.e.sync.initial': '0',
      'http.poll.endpoint.e.pagination.type': 'offset',
      'http.poll.endpoint.e.pagination.limit': '10',
      'http.poll.endpoint.e.interval.ms': '200',
    });
    await eventually(() => records.length === 25, 10_000, 'first run, three pages');
    rows.push(...items(3, 125));
    await eventually(() => records.length === 28, 10_000, 'new ids');
    const mark = log.length;
    await eventually(() => log.slice(mark).filter((l) => l.path === path).length >= 2, 10_000, 'more runs');
    await sleep(300);
    expect(records.map((r) => Number(r.key))).toEqual([...items(28, 100).map((r) => r.id)]);
    expect(new URLSearchParams(log.filter((l) => l.path === path).at(-1)!.query).get('after_id')).toBe('127');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('accepts castorm/kafka-connect-http configs (class alias, keys, offset.* templates)', async () => {
    const name = unique('castorm');
    const t = await newTopic();
    const path = `/${unique('cas')}`;
    const rows = [
      { id: 'a', updated: '2026-01-01T00:00:01Z', page: 'p1' },
      { id: 'b', updated: '2026-01-01T00:00:02Z', page: 'p2' },
    ];
    routes.set(path, (u, req, res) => {
      if (req.headers['x-tenant'] !== 't1') return send(res, 400, { error: 'tenant' });
      const after = u.searchParams.get('after') ?? '';
      send(res, 200, { items: rows.filter((r) => r.updated >= after).map((r) => ({ data: r })) });
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'connector.class': 'com.github.castorm.kafka.connect.http.HttpSourceConnector',
      'http.allow.private.addresses': 'true',
      'kafka.topic': t,
      'http.request.url': `${base}${path}`,
      'http.request.headers': 'X-Tenant: t1, Accept: application/json',
      'http.request.params': `after=${v('offset.timestamp')} & last=${v('offset.page')}`,
      'http.response.list.pointer': '/items',
      'http.response.record.pointer': '/data',
      'http.response.record.offset.pointer': 'key=/data/id, timestamp=/data/updated, page=/data/page',
      'http.offset.initial': 'timestamp=2026-01-01T00:00:00Z',
      'http.timer.interval.millis': '300',
    });
    await eventually(() => records.length === 2, 10_000, 'two records');
    rows.push({ id: 'c', updated: '2026-01-01T00:00:03Z', page: 'p3' });
    await eventually(() => records.length === 3, 10_000, 'third record');
    await sleep(700);
    expect(records.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(records[0]!.value!.toString())).toEqual(rows[0]);
    const queries = log.filter((l) => l.path === path).map((l) => new URLSearchParams(l.query));
    expect(queries[0]!.get('after')).toBe('2026-01-01T00:00:00Z');
    expect(queries.at(-1)!.get('after')).toBe('2026-01-01T00:00:03Z');
    expect(queries.at(-1)!.get('last')).toBe('p3');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('OAuth2 client credentials: caches the token, refreshes before expiry, retries once on 401; basic, bearer and API key', async () => {
    const name = unique('oauth');
    const t = await newTopic();
    const p = `/${unique('auth')}`;
    let issued = 0;
    const valid = new Set<string>();
    routes.set(`${p}/token`, (_u, req, res) => {
      const text = (req as IncomingMessage & { text?: string }).text ?? '';
      const form = new URLSearchParams(text);
      const ok = req.headers.authorization === `Basic ${Buffer.from('cid:csecret').toString('base64')}` && form.get('grant_type') === 'client_credentials';
      if (!ok) return send(res, 401, { error: 'invalid_client' });
      const token = `tok-${++issued}`;
      valid.add(token);
      send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 2 });
    });
    let n = 0;
    routes.set(`${p}/data`, (_u, req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!valid.has(token)) return send(res, 401, { error: 'invalid_token' });
      send(res, 200, [{ id: n++ }]);
    });
    const want: Record<string, string> = {
      basic: `Basic ${Buffer.from('u:p').toString('base64')}`,
      bearer: 'Bearer static-token',
      apikey: 'key-1',
    };
    for (const [kind, expected] of Object.entries(want))
      routes.set(`${p}/${kind}`, (_u, req, res) => {
        const got = kind === 'apikey' ? req.headers['x-api-key'] : req.headers.authorization;
        send(res, got === expected ? 200 : 401, got === expected ? [{ id: kind }] : { error: 'no' });
      });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'data,basic,bearer,apikey',
      'http.poll.topic': t,
      'http.poll.endpoint.data.url': `${base}${p}/data`,
      'http.poll.endpoint.data.interval.ms': '200',
      'http.poll.endpoint.data.auth.type': 'oauth2',
      'http.poll.endpoint.data.auth.oauth2.token.url': `${base}${p}/token`,
      'http.poll.endpoint.data.auth.oauth2.client.id': 'cid',
      'http.poll.endpoint.data.auth.oauth2.client.secret': 'csecret',
      'http.poll.endpoint.data.auth.oauth2.refresh.before.ms': '500',
      'http.poll.endpoint.basic.url': `${base}${p}/basic`,
      'http.poll.endpoint.basic.auth.type': 'basic',
      'http.poll.endpoint.basic.auth.username': 'u',
      'http.poll.endpoint.basic.auth.password': 'p',
      'http.poll.endpoint.bearer.url': `${base}${p}/bearer`,
      'http.poll.endpoint.bearer.auth.type': 'bearer',
      'http.poll.endpoint.bearer.auth.token': 'static-token',
      'http.poll.endpoint.apikey.url': `${base}${p}/apikey`,
      'http.poll.endpoint.apikey.auth.type': 'apikey',
      'http.poll.endpoint.apikey.auth.key': 'key-1',
    });
    await eventually(() => records.filter((r) => r.headers['http.endpoint'] === 'data').length >= 4, 15_000, 'some data');
    expect(records.some((r) => r.headers['http.endpoint'] === 'basic')).toBe(true);
    expect(records.some((r) => r.headers['http.endpoint'] === 'bearer')).toBe(true);
    expect(records.some((r) => r.headers['http.endpoint'] === 'apikey')).toBe(true);
    const dataCalls = log.filter((l) => l.path === `${p}/data`).length;
    expect(issued).toBeLessThan(dataCalls); // cached, not one token per call
    // Refreshed before expiry (2 s tokens, refreshed 0.5 s early) with no 401 in between.
    const issuedBefore = issued;
    await eventually(() => issued > issuedBefore, 10_000, 'a token refreshed before expiry');
    expect(log.filter((l) => l.path === `${p}/data` && !valid.has((l.auth ?? '').replace(/^Bearer /, ''))).length).toBe(0);
    // Revoked: 401, a new token, the request once more, and on.
    valid.clear();
    const before = records.length;
    const issuedAtRevoke = issued;
    await eventually(() => records.length > before + 2, 10_000, 'data after revocation');
    expect(issued).toBeGreaterThan(issuedAtRevoke);
    expect((await w.api('GET', `/connectors/${name}/status`)).body.tasks[0].state).toBe('RUNNING');
    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(new RegExp(`http_source_poll_requests_total\\{endpoint="data",status="401",connector="${name}",task="0"\\} [1-9]`));
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('retries 429 and 503 with back-off, honouring Retry-After', async () => {
    const name = unique('retry');
    const t = await newTopic();
    const path = `/${unique('flaky')}`;
    let calls = 0;
    routes.set(path, (_u, _q, res) => {
      calls++;
      if (calls === 1) return send(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      if (calls === 2) return send(res, 503, { error: 'busy' });
      send(res, 200, [{ id: calls }]);
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'e',
      'http.poll.endpoint.e.url': `${base}${path}`,
      'http.poll.endpoint.e.topic': t,
      'http.poll.endpoint.e.interval.ms': '600000',
      'http.poll.endpoint.e.retry.backoff.ms': '200',
    });
    await eventually(() => records.length === 1, 15_000, 'record after retries');
    const times = log.filter((l) => l.path === path).map((l) => l.at);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(90); // back-off 200 ms ± jitter
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('templates URL, headers and body over the stored offset (chaining), also after a restart', async () => {
    const name = unique('tpl');
    const t = await newTopic();
    const p = `/${unique('tpl')}`;
    const seen: Array<{ body: string; header: string | undefined; path: string }> = [];
    let next = 1;
    let upTo = 2;
    routes.set(`${p}/tenant-7/events`, (_u, req, res) => {
      const body = (req as IncomingMessage & { text?: string }).text ?? '';
      seen.push({ body, header: req.headers['x-after'] as string | undefined, path: _u.pathname });
      const after = Number(JSON.parse(body).after);
      send(res, 200, { events: after < upTo ? [{ seq: next++, token: `t${after + 1}` }] : [] });
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'e',
      'http.poll.endpoint.e.url': `${base}${p}/${v('offset.tenant')}/events`,
      'http.poll.endpoint.e.method': 'POST',
      'http.poll.endpoint.e.body': `{"after": ${v('offset.last')}}`,
      'http.poll.endpoint.e.headers': `X-After: ${v('offset.token')}`,
      'http.poll.endpoint.e.topic': t,
      'http.poll.endpoint.e.records.pointer': '/events',
      'http.poll.endpoint.e.offset.fields': 'last=/seq,token=/token',
      'http.poll.endpoint.e.offset.initial.last': '0',
      'http.poll.endpoint.e.offset.initial.tenant': 'tenant-7',
      'http.poll.endpoint.e.interval.ms': '100',
    });
    await eventually(() => records.length === 2, 10_000, 'two events');
    await eventually(async () => (await w.api('GET', `/connectors/${name}/offsets`)).body.offsets[0]?.offset['f.last'] === '2', 10_000, 'offset with last=2');
    await w.api('PUT', `/connectors/${name}/stop`);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.connector.state === 'STOPPED', 10_000, 'stopped');
    const mark = seen.length;
    upTo = 4;
    await w.api('PUT', `/connectors/${name}/resume`);
    await eventually(() => records.length === 4, 10_000, 'four events');
    expect(JSON.parse(seen[0]!.body)).toEqual({ after: 0 });
    expect(seen[0]!.header).toBe('');
    expect(JSON.parse(seen[1]!.body)).toEqual({ after: 1 });
    expect(seen[1]!.header).toBe('t1');
    // After the restart the body continues from the stored offset, not from the initial value.
    expect(Number(JSON.parse(seen[mark]!.body).after)).toBeGreaterThanOrEqual(2);
    expect(records.map((r) => JSON.parse(r.value!.toString()).seq)).toEqual([1, 2, 3, 4]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('rate-limits requests and times out a hanging API (then retries)', async () => {
    const name = unique('rate');
    const t = await newTopic();
    const p = `/${unique('rl')}`;
    let hangs = 1;
    routes.set(`${p}/fast`, (_u, _q, res) => send(res, 200, [{ id: 1 }]));
    routes.set(`${p}/slow`, (_u, _q, res) => {
      if (hangs-- > 0) return; // never answers: the client times out
      send(res, 200, [{ id: 'late' }]);
    });
    const records = await reader([t]);
    await createConnector(w, name, {
      'http.mode': 'poll',
      'http.allow.private.addresses': 'true',
      'http.poll.endpoints': 'fast,slow',
      'http.poll.topic': t,
      'http.poll.endpoint.fast.url': `${base}${p}/fast`,
      'http.poll.endpoint.fast.interval.ms': '1',
      'http.poll.endpoint.fast.rate.limit.per.second': '4',
      'http.poll.endpoint.slow.url': `${base}${p}/slow`,
      'http.poll.endpoint.slow.interval.ms': '600000',
      'http.poll.endpoint.slow.timeout.ms': '500',
      'http.poll.endpoint.slow.retry.backoff.ms': '50',
    });
    await eventually(() => records.some((r) => r.headers['http.endpoint'] === 'slow'), 10_000, 'slow endpoint after a timeout');
    await eventually(() => log.filter((l) => l.path === `${p}/fast`).length > 4, 10_000, 'several fast requests');
    const fast = log.filter((l) => l.path === `${p}/fast`).map((l) => l.at);
    const gaps = fast.slice(1).map((at, i) => at - fast[i]!);
    expect(fast.length).toBeGreaterThan(3);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(240); // at most 4 per second
    expect(log.filter((l) => l.path === `${p}/slow`)).toHaveLength(2);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('refuses loopback targets unless http.allow.private.addresses=true (SSRF guard)', async () => {
    const t = await newTopic();
    for (const url of [`${base}/whatever`, `http://localhost:${new URL(base).port}/whatever`]) {
      const name = unique('ssrf');
      const res = await w.api('POST', '/connectors', {
        name,
        config: {
          'connector.class': 'HttpSourceConnector',
          'http.mode': 'poll',
          'http.poll.endpoints': 'e',
          'http.poll.endpoint.e.url': url,
          'http.poll.endpoint.e.topic': t,
        },
      });
      expect(res.status).toBe(201);
      const failed = await eventually(
        async () => {
          const s = (await w.api('GET', `/connectors/${name}/status`)).body;
          return s.tasks[0]?.state === 'FAILED' ? s : null;
        },
        15_000,
        'task failed',
      );
      expect(failed.tasks[0].trace).toMatch(/refusing to connect to .*private or loopback address/);
      await w.api('DELETE', `/connectors/${name}`);
    }
  });
});
