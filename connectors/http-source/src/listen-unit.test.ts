/**
 * Listener paths that a real worker only reaches on failures: records dropped by a transformation or a tolerated
 * error (500, says how many), the ack timeout (503, Idempotency-Key retry joins the pending attempt), stop with
 * queued and handed requests (503), and the auth helpers. The runtime side is played by calling poll() and
 * commitRecord() directly.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Agent, request } from 'undici';
import type { PluginLogger, PluginMetrics, RecordMetadata } from '@kconnect/api';
import { checkHmac, safeEqual } from './auth';
import { pointer } from './json-pointer';
import { Listener } from './listen';
import { isPrivateAddress } from './poll';

const noop = () => undefined;
const logger: PluginLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const metric = { inc: noop, set: noop, dec: noop, observe: noop };
const metrics: PluginMetrics = { counter: () => metric, gauge: () => metric, histogram: () => metric };
const meta = (offset: number): RecordMetadata => ({ topic: 't', partition: 0, offset, timestamp: 0 });

describe('Listener (no Kafka)', () => {
  let l: Listener;
  const start = async (extra: Record<string, string> = {}) => {
    l = new Listener(
      {
        'http.listen.port': '0',
        'http.listen.host': '127.0.0.1',
        'http.listen.routes': 'r',
        'http.listen.route.r.path': '/r',
        'http.listen.route.r.topic': 't',
        ...extra,
      },
      logger,
      metrics,
    );
    await l.start();
  };
  afterEach(async () => l.stop(100));
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${l.port}/r`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers 500 naming how many records were dropped, 200 only when all were acknowledged', async () => {
    await start();
    const pending = post('[1,2,3]');
    const batch = (await (async () => {
      for (;;) {
        const b = await l.poll();
        if (b?.length) return b;
      }
    })())!;
    expect(batch).toHaveLength(3);
    l.commitRecord(batch[0]!, meta(0));
    l.commitRecord(batch[1]!, null);
    l.commitRecord(batch[2]!, meta(1));
    const res = await pending;
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ records: 2, dropped: 1, message: expect.stringMatching(/1 of 3 records were not written/) });
  });

  it('times out with 503 and Retry-After; an Idempotency-Key retry waits for the first attempt instead of writing again', async () => {
    await start({ 'http.listen.ack.timeout.ms': '300' });
    const first = post('{"a":1}', { 'idempotency-key': 'x' });
    let batch = null;
    while (!batch?.length) batch = await l.poll();
    const r1 = await first;
    expect(r1.status).toBe(503);
    expect(r1.headers.get('retry-after')).toBe('1');
    expect(await r1.text()).toMatch(/may still be written/);
    const retry = post('{"a":1}', { 'idempotency-key': 'x' });
    await new Promise((r) => setTimeout(r, 50));
    l.commitRecord(batch[0]!, meta(7));
    const r2 = await retry;
    expect(r2.status).toBe(200);
    expect(r2.headers.get('idempotent-replayed')).toBe('true');
    expect(await r2.json()).toMatchObject({ records: 1, offset: 7 });
    expect(await l.poll()).toBeNull(); // nothing new was queued
  });

  it('on stop: queued requests get 503 (nothing written), handed ones get 503 after the drain time', async () => {
    await start();
    const handed = post('{"a":1}');
    let batch = null;
    while (!batch?.length) batch = await l.poll();
    const queued = post('{"b":2}');
    await new Promise((r) => setTimeout(r, 100));
    const stopping = l.stop(300);
    const [h, q] = await Promise.all([handed, queued]);
    await stopping;
    expect(q.status).toBe(503);
    expect(await q.text()).toMatch(/nothing was written/);
    expect(h.status).toBe(503);
    expect(await h.text()).toMatch(/may or may not have been written/);
  });

  it('503 while nobody polls (paused task), 429 when the queue is full', async () => {
    await start({ 'http.listen.stall.ms': '500', 'http.listen.queue.max.records': '2' });
    const a = post('[1,2]');
    await new Promise((r) => setTimeout(r, 50));
    const b = await post('[3]');
    expect(b.status).toBe(429);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await a).status).toBe(503); // never handed over: rejected, nothing written
    expect((await post('[4]')).status).toBe(503);
  });
});

describe('Listener over HTTPS', () => {
  it('serves the routes with the configured certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'http-src-tls-'));
    const f = (n: string) => path.join(dir, n);
    writeFileSync(f('ext'), 'subjectAltName=IP:127.0.0.1\n');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        f('key.pem'),
        '-out',
        f('cert.pem'),
      ],
      {
        stdio: 'ignore',
      },
    );
    const l = new Listener(
      {
        'http.listen.port': '0',
        'http.listen.host': '127.0.0.1',
        'http.listen.tls.cert.file': f('cert.pem'),
        'http.listen.tls.key.file': f('key.pem'),
        'http.listen.routes': 'r',
        'http.listen.route.r.path': '/r',
        'http.listen.route.r.topic': 't',
      },
      logger,
      metrics,
    );
    await l.start();
    const agent = new Agent({ connect: { ca: readFileSync(f('cert.pem')) } });
    try {
      const res = request(`https://127.0.0.1:${l.port}/r`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
        dispatcher: agent,
      });
      let batch = null;
      while (!batch?.length) batch = await l.poll();
      l.commitRecord(batch[0]!, meta(3));
      const r = await res;
      expect(r.statusCode).toBe(200);
      expect(await r.body.json()).toMatchObject({ records: 1, offset: 3 });
    } finally {
      await agent.close();
      await l.stop(100);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('helpers', () => {
  it('HMAC: hex or base64, prefix, timestamp tolerance', () => {
    const auth = { type: 'hmac' as const, secret: 's', algorithm: 'sha256', header: 'x-sig', prefix: 'sha256=', timestampHeader: 'x-ts', toleranceMs: 1000 };
    const body = Buffer.from('{"a":1}');
    const now = 1_700_000_000_000;
    const mac = (ts: string) => createHmac('sha256', 's').update(`${ts}.`).update(body);
    expect(checkHmac(auth, { 'x-sig': `sha256=${mac('1700000000').digest('hex')}`, 'x-ts': '1700000000' }, body, now).ok).toBe(true);
    expect(checkHmac(auth, { 'x-sig': mac('1700000000000').digest('base64'), 'x-ts': '1700000000000' }, body, now).ok).toBe(true);
    expect(checkHmac(auth, { 'x-sig': mac('1699999990').digest('hex'), 'x-ts': '1699999990' }, body, now)).toMatchObject({ ok: false, message: /tolerance/ });
    expect(checkHmac({ ...auth, timestampHeader: null }, { 'x-sig': createHmac('sha256', 's').update(body).digest('hex') }, body, now).ok).toBe(true);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
  it('JSON Pointer', () => {
    expect(pointer('/a/0/b~1c')({ a: [{ 'b/c': 5 }] })).toBe(5);
    expect(pointer('/')({ x: 1 })).toEqual({ x: 1 });
    expect(pointer('/missing/x')({})).toBeUndefined();
  });
  it('private addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '100.64.0.1',
    ])
      expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: true });
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: false });
  });
});
