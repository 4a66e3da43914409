/**
 * Listen mode on a real worker and real Kafka: every body kind, keys and headers, every rejection status (and
 * nothing written for rejected requests), auth, idempotency, back-pressure and validation.
 */
import { createHmac } from 'node:crypto';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, sleep, startWorker, unique, type WorkerHandle } from '@kconnect/testkit';
import { plugins } from './index';
import { type Consumed, consume, createConnector, freePort } from './test-helpers';

describe('HTTP source, listen mode', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const topics: string[] = [];
  const groups: string[] = [];
  const readers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker({}, plugins);
  });
  afterAll(async () => {
    await w.stop();
    for (const stop of readers) await stop().catch(() => undefined);
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const newTopic = async (prefix = 'hs') => {
    const t = unique(prefix);
    topics.push(t);
    await admin.createTopics([{ topic: t, numPartitions: 1, replicationFactor: 1 }]);
    return t;
  };
  const reader = async (t: string[]) => {
    const r = await consume(t, groups);
    readers.push(r.stop);
    return r.records;
  };
  const post = (port: number, path: string, body: string | Buffer, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal });

  it('writes JSON objects, arrays, NDJSON and raw bytes, with keys and headers, answering after the ack', async () => {
    const name = unique('listen');
    const t1 = await newTopic();
    const t2 = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.routes': 'readings,events',
      'http.listen.route.readings.path': '/devices/:deviceId/readings',
      'http.listen.route.readings.topic': t1,
      'http.listen.route.readings.key': 'param:deviceId',
      'http.listen.route.readings.headers': 'x-firmware,user-agent',
      'http.listen.route.events.path': '/events',
      'http.listen.route.events.topic': t2,
      'http.listen.route.events.key': 'pointer:/device/id',
    });
    const records = await reader([t1, t2]);

    let res = await post(port, '/devices/d1/readings', JSON.stringify({ temp: 21.5 }), { 'x-firmware': '1.2.3' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { records: number; topic: string; offset: number };
    expect(body).toMatchObject({ records: 1, topic: t1, partition: 0, offset: 0 });
    // Acknowledged means in Kafka: a consumer sees it now.
    await eventually(() => records.length === 1, 10_000, 'first record');
    expect(records[0]).toMatchObject({ topic: t1, key: 'd1', value: Buffer.from('{"temp":21.5}') });
    expect(records[0]!.headers).toMatchObject({ 'http.route': 'readings', 'http.param.deviceId': 'd1', 'x-firmware': '1.2.3' });
    expect(Math.abs(Number(records[0]!.headers['http.received.at']) - Date.now())).toBeLessThan(10_000);

    res = await post(port, '/events', JSON.stringify([{ device: { id: 'a' }, n: 1 }, { device: { id: 'b' }, n: 2 }, { n: 3 }]));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { records: number }).records).toBe(3);
    res = await post(port, '/events', '{"device":{"id":"c"},"n":4}\n\n{"device":{"id":"d"},"n":5}\n', { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(200);
    await eventually(() => records.length === 6, 10_000, 'six records');
    const events = records.filter((r) => r.topic === t2);
    expect(events.map((r) => r.key)).toEqual(['a', 'b', null, 'c', 'd']);
    expect(events.map((r) => JSON.parse(r.value!.toString()).n)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((r) => r.headers['http.route'] === 'events')).toBe(true);

    // An empty array writes nothing and is fine.
    res = await post(port, '/events', '[]');
    expect(res.status).toBe(200);

    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toContain(`http_source_requests_total{route="events",status="200",connector="${name}",task="0"} 3`);
    expect(metrics).toContain(`http_source_records_total{route="events",connector="${name}",task="0"} 5`);
    expect(metrics).toMatch(new RegExp(`http_source_ack_latency_seconds_count\\{route="readings",connector="${name}",task="0"\\} 1`));
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('writes raw bytes with their content type (ByteArrayConverter)', async () => {
    const name = unique('raw');
    const t = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.routes': 'blob',
      'http.listen.route.blob.path': '/blob',
      'http.listen.route.blob.topic': t,
      'http.listen.route.blob.format': 'raw',
      'http.listen.route.blob.content.types': 'application/octet-stream,image/*',
      'http.listen.route.blob.key': 'header:x-device-id',
    });
    const records = await reader([t]);
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const res = await post(port, '/blob', bytes, { 'content-type': 'image/png', 'x-device-id': 'cam-7' });
    expect(res.status).toBe(200);
    expect((await post(port, '/blob', '{}', { 'content-type': 'application/json' })).status).toBe(415);
    await eventually(() => records.length === 1, 10_000, 'raw record');
    expect(records[0]!.value).toEqual(bytes);
    expect(records[0]!.key).toBe('cam-7');
    expect(records[0]!.headers['http.content.type']).toBe('image/png');
    await sleep(500);
    expect(records).toHaveLength(1);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('value.format=json writes the parsed values for the JsonConverter', async () => {
    const name = unique('jsonfmt');
    const t = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.value.format': 'json',
      'http.listen.routes': 'r',
      'http.listen.route.r.path': '/r',
      'http.listen.route.r.topic': t,
    });
    const records = await reader([t]);
    expect((await post(port, '/r', '[{"a": 1, "b": [true, null]}, 42]')).status).toBe(200);
    await eventually(() => records.length === 2, 10_000, 'two records');
    expect(records.map((r) => JSON.parse(r.value!.toString()))).toEqual([{ a: 1, b: [true, null] }, 42]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('rejects bad input and failed auth with the right status, writing nothing', async () => {
    const name = unique('reject');
    const t = await newTopic();
    const port = await freePort();
    const secret = 'hmac-secret';
    await createConnector(w, name, {
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.max.body.bytes': '200',
      'http.listen.routes': 'open,bearer,basic,apikey,hmac',
      'http.listen.topic': t,
      'http.listen.route.open.path': '/open',
      'http.listen.route.open.format': 'json',
      'http.listen.route.bearer.path': '/bearer',
      'http.listen.route.bearer.auth.type': 'bearer',
      'http.listen.route.bearer.auth.token': 'tok-1,tok-2',
      'http.listen.route.basic.path': '/basic',
      'http.listen.route.basic.auth.type': 'basic',
      'http.listen.route.basic.auth.username': 'dev',
      'http.listen.route.basic.auth.password': 'pw',
      'http.listen.route.apikey.path': '/apikey',
      'http.listen.route.apikey.auth.type': 'apikey',
      'http.listen.route.apikey.auth.key': 'k-123',
      'http.listen.route.hmac.path': '/hmac',
      'http.listen.route.hmac.auth.type': 'hmac',
      'http.listen.route.hmac.auth.hmac.secret': secret,
    });
    const records = await reader([t]);
    const expectStatus = async (res: Response, status: number, message?: RegExp) => {
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status });
      if (message) expect(text).toMatch(message);
      return res;
    };
    await expectStatus(await post(port, '/open', '{"a":1,'), 400, /malformed JSON/);
    await expectStatus(await post(port, '/open', ''), 400, /empty body/);
    await expectStatus(await post(port, '/open', 'x'.repeat(300)), 413, /larger than the limit of 200 bytes/);
    await expectStatus(await post(port, '/open', '{"a":1}', { 'content-type': 'text/plain' }), 415, /unsupported content type text\/plain/);
    await expectStatus(await post(port, '/open', '{"a":1}\n{"b":', { 'content-type': 'application/x-ndjson' }), 415);
    await expectStatus(await post(port, '/nowhere', '{}'), 404);
    // A malformed NDJSON line rejects the whole batch.
    await expectStatus(
      await post(port, '/bearer', '{"a":1}\n{"b":\n', { 'content-type': 'application/x-ndjson', authorization: 'Bearer tok-2' }),
      400,
      /line 2/,
    );

    const r401 = await expectStatus(await post(port, '/bearer', '{"a":1}'), 401, /missing bearer token/);
    expect(r401.headers.get('www-authenticate')).toMatch(/Bearer/);
    await expectStatus(await post(port, '/bearer', '{"a":1}', { authorization: 'Bearer nope' }), 401, /invalid bearer token/);
    await expectStatus(await post(port, '/basic', '{"a":1}', { authorization: `Basic ${Buffer.from('dev:wrong').toString('base64')}` }), 401);
    await expectStatus(await post(port, '/apikey', '{"a":1}', { 'x-api-key': 'k-124' }), 401, /invalid API key/);
    // 401 comes before the body is read: an unauthenticated oversize body is 401, not 413.
    await expectStatus(await post(port, '/apikey', 'x'.repeat(300)), 401);

    const sign = (body: string, ts: number) => createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    const nowS = Math.floor(Date.now() / 1000);
    const hb = '{"h":1}';
    await expectStatus(await post(port, '/hmac', hb, { 'x-signature': `sha256=${sign(hb, nowS)}` }), 401, /timestamp/);
    await expectStatus(
      await post(port, '/hmac', hb, { 'x-signature': `sha256=${sign('{"h":2}', nowS)}`, 'x-signature-timestamp': String(nowS) }),
      401,
      /invalid signature/,
    );
    await expectStatus(
      await post(port, '/hmac', hb, { 'x-signature': `sha256=${sign(hb, nowS - 3600)}`, 'x-signature-timestamp': String(nowS - 3600) }),
      401,
      /tolerance/,
    );
    expect(records).toHaveLength(0);

    // The good requests are written; only them.
    await expectStatus(await post(port, '/bearer', '{"ok":"bearer"}', { authorization: 'Bearer tok-1' }), 200);
    await expectStatus(await post(port, '/basic', '{"ok":"basic"}', { authorization: `Basic ${Buffer.from('dev:pw').toString('base64')}` }), 200);
    await expectStatus(await post(port, '/apikey', '{"ok":"apikey"}', { 'x-api-key': 'k-123' }), 200);
    await expectStatus(
      await post(port, '/hmac', '{"ok":"hmac"}', { 'x-signature': `sha256=${sign('{"ok":"hmac"}', nowS)}`, 'x-signature-timestamp': String(nowS) }),
      200,
    );
    await expectStatus(await post(port, '/open', '{"ok":"open"}'), 200);
    await eventually(() => records.length === 5, 10_000, 'five good records');
    await sleep(500);
    expect(records.map((r: Consumed) => JSON.parse(r.value!.toString()).ok)).toEqual(['bearer', 'basic', 'apikey', 'hmac', 'open']);

    const metrics = (await w.api('GET', '/metrics')).body as string;
    expect(metrics).toContain(`http_source_requests_total{route="open",status="413",connector="${name}",task="0"} 1`);
    expect(metrics).toContain(`http_source_requests_total{route="bearer",status="401",connector="${name}",task="0"} 2`);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('de-duplicates retries by Idempotency-Key', async () => {
    const name = unique('idem');
    const t = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.routes': 'r',
      'http.listen.route.r.path': '/r',
      'http.listen.route.r.topic': t,
    });
    const records = await reader([t]);
    const body = '[{"n":1},{"n":2}]';
    // Two concurrent attempts and a later retry: one write.
    const [a, b] = await Promise.all([post(port, '/r', body, { 'idempotency-key': 'k1' }), post(port, '/r', body, { 'idempotency-key': 'k1' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await post(port, '/r', body, { 'idempotency-key': 'k1' });
    expect(c.status).toBe(200);
    expect(c.headers.get('idempotent-replayed')).toBe('true');
    expect(await c.json()).toEqual(await a.json());
    expect((await post(port, '/r', '[{"n":3}]', { 'idempotency-key': 'k1' })).status).toBe(422);
    expect((await post(port, '/r', '[{"n":3}]', { 'idempotency-key': 'k2' })).status).toBe(200);
    await eventually(() => records.length === 3, 10_000, 'three records');
    await sleep(700);
    expect(records.map((r) => JSON.parse(r.value!.toString()).n)).toEqual([1, 2, 3]);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('answers 503 with Retry-After while paused and 429 when the queue is full; rejected requests write nothing', async () => {
    const name = unique('bp');
    const t = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.routes': 'r',
      'http.listen.route.r.path': '/r',
      'http.listen.route.r.topic': t,
      'http.listen.queue.max.records': '10',
      'http.listen.stall.ms': '300',
      'http.listen.retry.after.seconds': '2',
    });
    const records = await reader([t]);
    expect((await w.api('PUT', `/connectors/${name}/pause`)).status).toBe(202);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'PAUSED', 10_000, 'PAUSED');
    // The listener answers 503 once the runtime has not asked for records for stall.ms. Until it notices, a request
    // is queued (and answered 503 by the housekeeping, unwritten) or, if the poll running at the pause takes it, held
    // until the resume and written then: such a probe is not an answer to check but a record that may appear.
    const mayBeWritten: string[] = [];
    const paused = await eventually(
      async () => {
        const n = `paused-${mayBeWritten.length}`;
        const res = await post(port, '/r', JSON.stringify({ n }), {}, AbortSignal.timeout(2000)).catch(() => null);
        const body = res ? await res.text() : '';
        if (res?.status === 503 && body.includes('not accepting records right now')) return res;
        mayBeWritten.push(n);
        return null;
      },
      15_000,
      '503 while paused',
    );
    expect(paused!.headers.get('retry-after')).toBe('2');
    await w.api('PUT', `/connectors/${name}/resume`);
    await eventually(async () => (await post(port, '/r', '{"n":"resumed"}')).status === 200, 10_000, '200 after resume');

    // 60 concurrent requests of 4 records each against a queue of 10 records: some must wait their turn.
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await post(port, '/r', JSON.stringify([0, 1, 2, 3].map((j) => ({ n: `${i}.${j}` }))));
        return { i, status: res.status, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(60);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.retryAfter === '2')).toBe(true);
    const expected = ['resumed', ...ok.flatMap((r) => [0, 1, 2, 3].map((j) => `${r.i}.${j}`))].sort();
    await eventually(() => records.length >= expected.length, 15_000, 'accepted records');
    await sleep(700);
    const written = records.map((r) => JSON.parse(r.value!.toString()).n as string);
    expect(written.filter((n) => !mayBeWritten.includes(n)).sort()).toEqual(expected);
    expect(new Set(written).size).toBe(written.length);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('rebinds the same port when the task restarts; requests during the restart get 503 or are written, never lost silently', async () => {
    const name = unique('restart');
    const t = await newTopic();
    const port = await freePort();
    await createConnector(w, name, {
      'http.listen.port': String(port),
      'http.listen.host': '127.0.0.1',
      'http.listen.routes': 'r',
      'http.listen.route.r.path': '/r',
      'http.listen.route.r.topic': t,
    });
    const records = await reader([t]);
    let stop = false;
    const answered: Array<{ n: number; status: number }> = [];
    const device = (async () => {
      for (let n = 0; !stop; n++) {
        try {
          const res = await post(port, '/r', JSON.stringify({ n }));
          await res.arrayBuffer();
          answered.push({ n, status: res.status });
        } catch {
          answered.push({ n, status: 0 }); // connection refused while no listener is bound
        }
        await sleep(10);
      }
    })();
    await eventually(() => answered.some((a) => a.status === 200), 15_000, 'the device writing');
    // The 202 comes with the task RESTARTING (set before the answer), so RUNNING below is the new task.
    expect((await w.api('POST', `/connectors/${name}/restart?includeTasks=true`)).status).toBe(202);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'RUNNING', 15_000, 'running again');
    await eventually(() => answered.filter((a) => a.status === 200).length > 0 && answered.at(-1)!.status === 200, 15_000, '200 after restart');
    stop = true;
    await device;
    const ok = answered.filter((a) => a.status === 200).map((a) => a.n);
    expect(answered.every((a) => [0, 200, 503].includes(a.status))).toBe(true);
    await eventually(() => ok.every((n) => records.some((r) => JSON.parse(r.value!.toString()).n === n)), 10_000, 'every 200 in Kafka');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('validates: tasks.max must be 1 in listen mode, routes need a path and a topic', async () => {
    const cls = 'io.kconnect.http.HttpSourceConnector';
    const res = await w.api('PUT', `/connector-plugins/${cls}/config/validate`, {
      'connector.class': cls,
      name: 'v',
      'tasks.max': '2',
      'http.listen.routes': 'a',
      'http.listen.route.a.auth.type': 'magic',
    });
    expect(res.status).toBe(200);
    const errors = (res.body.configs as Array<{ value: { name: string; errors: string[] } }>).filter((c) => c.value.errors.length);
    const byName = Object.fromEntries(errors.map((c) => [c.value.name, c.value.errors.join(' ')]));
    expect(byName['tasks.max']).toMatch(/listen mode runs one HTTP listener.*tasks.max=1/);
    expect(byName['http.listen.route.a.path']).toMatch(/Missing required/);
    expect(byName['http.listen.route.a.topic']).toMatch(/Missing required/);
    expect(byName['http.listen.route.a.auth.type']).toMatch(/must be one of/);
  });
});
