/**
 * Poll mode: each task polls its share of the endpoints. One poll() fetches at most one page of one endpoint;
 * pagination continues on the next poll(), the page position and the incremental-sync high-water mark live in the
 * source offset (partition `{endpoint}`), so a restart resumes mid-pagination. Intermediate records of a page
 * carry the position of that page and the last record the position after it: an offset never gets ahead of
 * records Kafka has not acknowledged.
 */
import { createHash } from 'node:crypto';
import * as dns from 'node:dns';
import { BlockList, isIP } from 'node:net';
import {
  ConfigError,
  Headers,
  type MetricCounter,
  type MetricHistogram,
  type OffsetMap,
  type RecordMetadata,
  Schemas,
  type SourceRecord,
  type SourceTaskContext,
  sourceRecord,
} from '@kconnect/api';
import { Agent, type Dispatcher, request } from 'undici';
import { type EndpointConfig, pollEndpoints } from './poll-config';
import { pointer, scalarString } from './json-pointer';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Loopback, private, link-local, unique-local, CGNAT, multicast and unspecified addresses (IPv4-mapped too). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const v = isIP(ip);
  if (v === 0) return true;
  return PRIVATE.check(ip, v === 4 ? 'ipv4' : 'ipv6');
}

export class SsrfError extends ConfigError {}

/** A DNS lookup that refuses private answers: checked at connect time, so DNS rebinding cannot slip through. */
function guardedLookup(hostname: string, options: dns.LookupOptions, cb: (...args: any[]) => void): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad)
      return cb(
        new SsrfError(`refusing to connect to ${hostname} (${bad.address}): private or loopback address; set http.allow.private.addresses=true to allow`),
      );
    if (options.all) return cb(null, addresses);
    cb(null, addresses[0]!.address, addresses[0]!.family);
  });
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | null,
    message: string,
  ) {
    super(message);
  }
}

interface Run {
  since: string;
  cursor: string | null;
  page: number | null;
  pos: number;
  nextUrl: string | null;
  runMax: string | null;
  runSeen: Array<[string, string]>;
}

interface EState {
  cfg: EndpointConfig;
  hwm: string | null;
  seen: Array<[string, string]>;
  run: Run | null;
  dueAt: number;
  attempt: number;
  lastRequestAt: number;
  lastKey: string | null;
  fields: Record<string, string>;
}

function parseRetryAfter(v: string | string[] | undefined): number | null {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return null;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

/** `Link: <url>; rel="next", ...` → the next URL. */
export function linkNext(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v.join(',') : v;
  if (!s) return null;
  for (const part of s.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>(.*)/.exec(part.trim());
    if (m && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) return m[1]!;
  }
  return null;
}

const TEMPLATE = /\$\{\s*([A-Za-z0-9_.-]+)\s*\}/g;

export class Poller {
  private readonly endpoints: EState[];
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly dispatcher: Dispatcher;
  private readonly m: { requests: MetricCounter; records: MetricCounter; latency: MetricHistogram };

  constructor(
    props: Record<string, string>,
    private readonly ctx: SourceTaskContext,
  ) {
    const errors = new Map<string, string[]>();
    const only = props['http.task.endpoints'] !== undefined ? props['http.task.endpoints'].split(',').filter(Boolean) : null;
    const cfgs = pollEndpoints(props, only, errors);
    if (errors.size) throw new ConfigError([...errors.values()].flat().join('\n'));
    this.endpoints = cfgs.map((cfg) => ({
      cfg,
      hwm: null,
      seen: [],
      run: null,
      dueAt: 0,
      attempt: 0,
      lastRequestAt: 0,
      lastKey: null,
      fields: { ...cfg.offsetInitial },
    }));
    const allowPrivate = cfgs.some((c) => c.allowPrivate);
    this.dispatcher = new Agent({ connect: allowPrivate ? {} : { lookup: guardedLookup as never } });
    const mt = ctx.metrics;
    this.m = {
      requests: mt.counter('http_source_poll_requests_total', 'HTTP requests made in poll mode, by endpoint and status (or error)', ['endpoint', 'status']),
      records: mt.counter('http_source_poll_records_total', 'Records produced in poll mode, by endpoint', ['endpoint']),
      latency: mt.histogram('http_source_poll_request_seconds', 'Duration of poll-mode HTTP requests', ['endpoint']),
    };
  }

  async start(): Promise<void> {
    for (const e of this.endpoints) {
      const o = await this.ctx.offsetStorageReader.offset({ endpoint: e.cfg.name });
      if (!o) continue;
      e.hwm = (o.hwm as string | null) ?? null;
      e.seen = o.seen ? (JSON.parse(String(o.seen)) as Array<[string, string]>) : [];
      e.lastKey = (o.key as string | null) ?? null;
      for (const [k, v] of Object.entries(o)) if (k.startsWith('f.') && v !== null) e.fields[k.slice(2)] = String(v);
      if (o.in_run) {
        e.run = {
          since: String(o.since ?? ''),
          cursor: (o.cursor as string | null) ?? null,
          page: o.page === null || o.page === undefined ? null : Number(o.page),
          pos: Number(o.pos ?? 0),
          nextUrl: (o.next_url as string | null) ?? null,
          runMax: (o.run_max as string | null) ?? null,
          runSeen: o.run_seen ? (JSON.parse(String(o.run_seen)) as Array<[string, string]>) : [],
        };
      }
      this.ctx.logger.info(`endpoint ${e.cfg.name}: resuming from ${JSON.stringify(o)}`);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.dispatcher.destroy().catch(() => undefined);
  }

  commitRecord(_record: SourceRecord, _metadata: RecordMetadata | null): void {}

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopping) return null;
    // The endpoint due first, its rate limit included.
    const dueOf = (x: EState) => Math.max(x.dueAt, x.cfg.ratePerSecond > 0 ? x.lastRequestAt + 1000 / x.cfg.ratePerSecond : 0);
    let e = this.endpoints[0]!;
    for (const x of this.endpoints) if (dueOf(x) < dueOf(e)) e = x;
    const due = dueOf(e);
    const wait = due - Date.now();
    if (wait > 0) {
      await this.sleep(Math.min(wait, 500));
      return null;
    }
    try {
      const records = await this.fetchPage(e);
      e.attempt = 0;
      return records;
    } catch (err) {
      if (this.stopping) return null;
      if (err instanceof SsrfError || (err as { cause?: unknown }).cause instanceof SsrfError)
        throw err instanceof SsrfError ? err : (err as { cause: Error }).cause;
      if (err instanceof HttpStatusError && !(err.status >= 500 || err.status === 429 || err.status === 408)) throw err;
      e.attempt++;
      if (e.attempt > e.cfg.retry.max) {
        this.ctx.logger.error({ err }, `endpoint ${e.cfg.name}: giving up after ${e.cfg.retry.max} retries; next try in ${e.cfg.intervalMs} ms`);
        e.attempt = 0;
        e.dueAt = Date.now() + e.cfg.intervalMs;
        return null;
      }
      const exp = Math.min(e.cfg.retry.maxBackoffMs, e.cfg.retry.backoffMs * 2 ** (e.attempt - 1));
      const jittered = exp / 2 + Math.random() * (exp / 2);
      const delay = err instanceof HttpStatusError && err.retryAfterMs !== null ? Math.max(err.retryAfterMs, 0) : jittered;
      this.ctx.logger.warn(`endpoint ${e.cfg.name}: ${(err as Error).message}; retry ${e.attempt}/${e.cfg.retry.max} in ${Math.round(delay)} ms`);
      e.dueAt = Date.now() + delay;
      return null;
    }
  }

  // ---- sync helpers

  private cmp(cfg: EndpointConfig, a: string, b: string): number {
    if (cfg.sync.mode === 'timestamp') return toMs(a) - toMs(b);
    const na = Number(a);
    const nb = Number(b);
    if (a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The lower bound of the next run: the high-water mark minus the overlap window (or the initial value). */
  private sinceOf(cfg: EndpointConfig, hwm: string | null): string {
    if (hwm === null) return cfg.sync.initial ?? '';
    if (cfg.sync.overlap <= 0) return hwm;
    if (cfg.sync.mode === 'timestamp') {
      const ms = toMs(hwm) - cfg.sync.overlap;
      return /^\d+$/.test(hwm) ? String(ms) : new Date(ms).toISOString();
    }
    const n = Number(hwm);
    return Number.isNaN(n) ? hwm : String(n - cfg.sync.overlap);
  }

  private render(template: string, vars: Record<string, string>, encode: boolean): string {
    return template.replace(TEMPLATE, (_m, name: string) => {
      const v = vars[name] ?? '';
      return encode ? encodeURIComponent(v) : v;
    });
  }

  private vars(e: EState, run: Run): Record<string, string> {
    const p = e.cfg.pagination;
    const v: Record<string, string> = {
      since: run.since,
      hwm: e.hwm ?? '',
      cursor: run.cursor ?? '',
      page: String(run.page ?? ''),
      offset: String(run.pos),
      limit: p.type === 'offset' ? String(p.limit) : p.type === 'page' ? String(p.size) : '',
      now: new Date().toISOString(),
      'offset.timestamp': e.hwm ?? e.cfg.sync.initial ?? '',
      'offset.key': e.lastKey ?? '',
      'offset.hwm': e.hwm ?? '',
      'offset.since': run.since,
      'offset.cursor': run.cursor ?? '',
    };
    for (const [k, val] of Object.entries(e.fields)) v[`offset.${k}`] = val;
    return v;
  }

  private buildUrl(e: EState, run: Run): string {
    const cfg = e.cfg;
    if (run.nextUrl) return new URL(run.nextUrl, cfg.url.replace(TEMPLATE, 'x')).toString();
    const vars = this.vars(e, run);
    const url = new URL(this.render(cfg.url, vars, true));
    if (cfg.query) {
      for (const pair of cfg.query.split('&')) {
        if (!pair) continue;
        const i = pair.indexOf('=');
        const k = i < 0 ? pair : pair.slice(0, i);
        url.searchParams.append(this.render(k, vars, false), i < 0 ? '' : this.render(pair.slice(i + 1), vars, false));
      }
    }
    const set = (k: string, v: string) => {
      if (!url.searchParams.has(k)) url.searchParams.set(k, v);
    };
    const p = cfg.pagination;
    if (p.type === 'offset') {
      set(p.offsetParam, String(run.pos));
      set(p.limitParam, String(p.limit));
    } else if (p.type === 'page') {
      set(p.pageParam, String(run.page ?? p.start));
      if (p.sizeParam && p.size) set(p.sizeParam, String(p.size));
    } else if (p.type === 'cursor' && run.cursor) set(p.cursorParam, run.cursor);
    if (cfg.auth.type === 'apikey' && cfg.auth.in === 'query') set(cfg.auth.header, cfg.auth.key);
    return url.toString();
  }

  private checkTarget(cfg: EndpointConfig, url: string): void {
    if (cfg.allowPrivate) return;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isPrivateAddress(host))
      throw new SsrfError(`refusing to connect to ${host}: private or loopback address; set http.allow.private.addresses=true to allow`);
  }

  private async oauthToken(cfg: EndpointConfig, force: boolean): Promise<string> {
    const a = cfg.auth;
    if (a.type !== 'oauth2') return '';
    const cacheKey = `${a.tokenUrl}\u0000${a.clientId}\u0000${a.scope ?? ''}`;
    const cached = this.tokens.get(cacheKey);
    if (!force && cached && Date.now() < cached.expiresAt - a.refreshBeforeMs) return cached.token;
    this.checkTarget(cfg, a.tokenUrl);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (a.scope) form.set('scope', a.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (a.clientAuth === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(a.clientId)}:${encodeURIComponent(a.clientSecret)}`).toString('base64')}`;
    else {
      form.set('client_id', a.clientId);
      form.set('client_secret', a.clientSecret);
    }
    const res = await request(a.tokenUrl, {
      method: 'POST',
      headers,
      body: form.toString(),
      dispatcher: this.dispatcher,
      headersTimeout: cfg.timeoutMs,
      bodyTimeout: cfg.timeoutMs,
    });
    const text = await res.body.text();
    this.m.requests.inc({ endpoint: `${cfg.name}:token`, status: String(res.statusCode) });
    if (res.statusCode !== 200)
      throw new HttpStatusError(
        res.statusCode >= 500 ? res.statusCode : 401,
        parseRetryAfter(res.headers['retry-after']),
        `OAuth2 token endpoint answered ${res.statusCode}: ${text.slice(0, 200)}`,
      );
    const json = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (!json.access_token) throw new HttpStatusError(401, null, 'OAuth2 token response has no access_token');
    this.tokens.set(cacheKey, { token: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 });
    return json.access_token;
  }

  private async send(
    e: EState,
    url: string,
    run: Run,
    forceToken: boolean,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const cfg = e.cfg;
    this.checkTarget(cfg, url);
    const vars = this.vars(e, run);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of cfg.headers) headers[k.toLowerCase()] = this.render(v, vars, false);
    const a = cfg.auth;
    if (a.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    else if (a.type === 'bearer') headers.authorization = `Bearer ${a.token}`;
    else if (a.type === 'apikey' && a.in === 'header') headers[a.header.toLowerCase()] = a.key;
    else if (a.type === 'oauth2') headers.authorization = `Bearer ${await this.oauthToken(cfg, forceToken)}`;
    const body = cfg.body ? this.render(cfg.body, vars, false) : undefined;
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    e.lastRequestAt = Date.now();
    const t0 = process.hrtime.bigint();
    try {
      const res = await request(url, {
        method: cfg.method as 'GET',
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: cfg.timeoutMs,
        bodyTimeout: cfg.timeoutMs,
      });
      const text = await res.body.text();
      this.m.requests.inc({ endpoint: cfg.name, status: String(res.statusCode) });
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      this.m.requests.inc({ endpoint: cfg.name, status: 'error' });
      throw err;
    } finally {
      this.m.latency.observe({ endpoint: cfg.name }, Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  private offsetOf(run: Run | null, hwm: string | null, seen: Array<[string, string]>, key: string | null, fields: Record<string, string>): OffsetMap {
    const o: OffsetMap = {
      hwm,
      seen: JSON.stringify(seen),
      key,
      in_run: run !== null,
      since: run?.since ?? null,
      cursor: run?.cursor ?? null,
      page: run?.page ?? null,
      pos: run?.pos ?? null,
      next_url: run?.nextUrl ?? null,
      run_max: run?.runMax ?? null,
      run_seen: run ? JSON.stringify(run.runSeen) : null,
    };
    for (const [k, v] of Object.entries(fields)) o[`f.${k}`] = v;
    return o;
  }

  private async fetchPage(e: EState): Promise<SourceRecord[] | null> {
    const cfg = e.cfg;
    const p = cfg.pagination;
    const run: Run = e.run ?? {
      since: this.sinceOf(cfg, e.hwm),
      cursor: null,
      page: p.type === 'page' ? p.start : null,
      pos: 0,
      nextUrl: null,
      runMax: e.hwm,
      runSeen: [],
    };
    const url = this.buildUrl(e, run);
    let res = await this.send(e, url, run, false);
    if (res.status === 401 && cfg.auth.type === 'oauth2') res = await this.send(e, url, run, true); // token revoked or expired early
    if (res.status < 200 || res.status >= 300)
      throw new HttpStatusError(
        res.status,
        parseRetryAfter(res.headers['retry-after']),
        `${cfg.method} ${url} answered ${res.status}: ${res.text.slice(0, 200)}`,
      );
    let doc: unknown;
    try {
      doc = res.text.trim() === '' ? [] : JSON.parse(res.text);
    } catch (err) {
      throw new HttpStatusError(502, null, `${url}: the response is not JSON: ${(err as Error).message}`);
    }
    const listAt = pointer(cfg.recordsPointer)(doc);
    const list: unknown[] = Array.isArray(listAt) ? listAt : listAt === undefined || listAt === null ? [] : [listAt];

    // The next position, or null when this run is over.
    let next: Run | null = null;
    const adv = { ...run, nextUrl: null as string | null };
    if (p.type === 'offset' && list.length >= p.limit) next = { ...adv, pos: run.pos + list.length };
    else if (p.type === 'page' && list.length > 0 && (p.size === 0 || list.length >= p.size)) next = { ...adv, page: (run.page ?? p.start) + 1 };
    else if (p.type === 'cursor') {
      const c = scalarString(pointer(p.cursorPointer)(doc));
      if (c && list.length > 0 && c !== run.cursor) next = { ...adv, cursor: c };
    } else if (p.type === 'next.url') {
      const n = scalarString(pointer(p.nextPointer)(doc));
      if (n && list.length > 0) next = { ...run, nextUrl: new URL(n, url).toString() };
    } else if (p.type === 'link') {
      const n = linkNext(res.headers.link);
      if (n && list.length > 0) next = { ...run, nextUrl: new URL(n, url).toString() };
    }

    // Records, de-duplicated against the high-water mark and the keys seen in the overlap window.
    const keyAt = cfg.keyPointer ? pointer(cfg.keyPointer) : null;
    const tsAt = cfg.timestampPointer ? pointer(cfg.timestampPointer) : null;
    const valueAt = pointer(cfg.recordPointer);
    const syncAt = cfg.sync.pointer ? pointer(cfg.sync.pointer) : null;
    const seenIds = new Set(e.seen.map(([id]) => id).concat(run.runSeen.map(([id]) => id)));
    const lower = e.hwm === null ? null : run.since;
    const kept: Array<{ el: unknown; key: string | null }> = [];
    let runMax = run.runMax;
    const runSeen = [...run.runSeen];
    for (const el of list) {
      const text = JSON.stringify(el);
      const key = keyAt ? scalarString(keyAt(el)) : null;
      if (syncAt) {
        const sv = scalarString(syncAt(el));
        if (sv !== null) {
          const id = key ?? createHash('sha1').update(text).digest('base64');
          if (lower !== null && lower !== '' && this.cmp(cfg, sv, lower) < 0) continue;
          if (seenIds.has(id)) continue;
          seenIds.add(id);
          runSeen.push([id, sv]);
          if (runMax === null || this.cmp(cfg, sv, runMax) > 0) runMax = sv;
        }
      }
      kept.push({ el, key });
    }
    const trimSeen = (s: Array<[string, string]>, hwm: string | null) => {
      if (hwm === null) return s.slice(-1000);
      const bound = this.sinceOf(cfg, hwm);
      return s.filter(([, v]) => this.cmp(cfg, v, bound) >= 0).slice(-1000);
    };
    const before = this.offsetOf(e.run ? run : null, e.hwm, e.seen, e.lastKey, e.fields);
    const lastEl = kept.at(-1)?.el;
    const fields = { ...e.fields };
    if (lastEl !== undefined)
      for (const [name, ptr] of e.cfg.offsetFields) {
        const v = scalarString(pointer(ptr)(lastEl));
        if (v !== null) fields[name] = v;
      }
    e.fields = fields;
    let after: OffsetMap;
    if (next) {
      next.runMax = runMax;
      next.runSeen = trimSeen(runSeen, runMax);
      e.run = next;
      e.dueAt = Date.now();
      after = this.offsetOf(next, e.hwm, e.seen, kept.at(-1)?.key ?? e.lastKey, fields);
    } else {
      e.hwm = runMax;
      e.seen = trimSeen([...e.seen, ...runSeen], runMax);
      e.run = null;
      e.dueAt = Date.now() + cfg.intervalMs;
      after = this.offsetOf(null, e.hwm, e.seen, kept.at(-1)?.key ?? e.lastKey, fields);
    }
    if (kept.length) e.lastKey = kept.at(-1)!.key ?? e.lastKey;
    if (kept.length === 0) return null;
    this.m.records.inc({ endpoint: cfg.name }, kept.length);
    const now = Date.now();
    return kept.map((k, i) => {
      const headers = new Headers().add('http.endpoint', cfg.name, Schemas.STRING_SCHEMA).add('http.url', url, Schemas.STRING_SCHEMA);
      const ts = tsAt ? tsAt(k.el) : undefined;
      const tms = ts === undefined || ts === null ? Number.NaN : toMs(scalarString(ts)!);
      return sourceRecord({
        topic: cfg.topic,
        key: k.key,
        keySchema: k.key === null ? null : Schemas.OPTIONAL_STRING_SCHEMA,
        value: cfg.valueFormat === 'json' ? (valueAt(k.el) ?? null) : JSON.stringify(valueAt(k.el) ?? null),
        valueSchema: cfg.valueFormat === 'json' ? null : Schemas.STRING_SCHEMA,
        timestamp: Number.isFinite(tms) ? tms : now,
        headers,
        sourcePartition: { endpoint: cfg.name },
        sourceOffset: i === kept.length - 1 ? after : before,
      });
    });
  }
}

/** Milliseconds of an ISO date or epoch number (seconds below 1e11, else milliseconds). */
function toMs(v: string): number {
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) {
    const n = Number(v);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  return Date.parse(v);
}
