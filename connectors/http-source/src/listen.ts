/**
 * Listen mode: one HTTP(S) listener per connector (task 0), many routes, each to a topic. A request's records are
 * queued whole, handed to the runtime in one poll() batch, and the request is answered only once Kafka
 * acknowledged every one of them (commitRecord). Rejected requests write nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Headers,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type PluginLogger,
  type PluginMetrics,
  type RecordMetadata,
  Schemas,
  type SourceRecord,
  sourceRecord,
} from '@kconnect/api';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkHeaders, checkHmac } from './auth';
import { CONFIG, L, type RouteConfig, listenRoutes } from './config';
import { pointer, scalarString } from './json-pointer';

interface Outcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** One accepted request on its way to Kafka. */
interface Pending {
  route: RouteConfig;
  records: SourceRecord[];
  remaining: number;
  dropped: number;
  state: 'queued' | 'handed' | 'done';
  received: bigint;
  first: RecordMetadata | null;
  last: RecordMetadata | null;
  final: Promise<Outcome>;
  settle: (o: Outcome) => void;
  idemKey: string | null;
}

interface IdemEntry {
  hash: string;
  pending: Pending | null;
  outcome: Outcome | null;
  expiresAt: number;
}

const JSON_TYPES = /^(application\/json|text\/json|application\/[^/]+\+json)$/;
const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
  'application/json-seq',
]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const mediaType = (ct: string | undefined) => (ct ?? '').split(';')[0]!.trim().toLowerCase();
const typeMatches = (pattern: string, type: string) =>
  pattern === '*/*' || pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1)));

export class Listener {
  private app: FastifyInstance | null = null;
  private readonly queue: Pending[] = [];
  private readonly byRecord = new Map<SourceRecord, Pending>();
  private readonly handed = new Set<Pending>();
  private readonly idem = new Map<string, IdemEntry>();
  private outstanding = 0;
  private queuedRecords = 0;
  private wake: (() => void) | null = null;
  private polling = false;
  private lastPollEnd = Date.now();
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly cfg: ReturnType<typeof CONFIG.parse>;
  private readonly routes: RouteConfig[];
  private readonly m: { requests: MetricCounter; records: MetricCounter; latency: MetricHistogram; queue: MetricGauge };
  port = 0;

  constructor(
    props: Record<string, string>,
    private readonly log: PluginLogger,
    metrics: PluginMetrics,
  ) {
    this.cfg = CONFIG.parse(props);
    const errors = new Map<string, string[]>();
    this.routes = listenRoutes(props, errors);
    if (errors.size) throw new Error([...errors.values()].flat().join('\n'));
    this.m = {
      requests: metrics.counter('http_source_requests_total', 'Webhook requests answered, by route and HTTP status', ['route', 'status']),
      records: metrics.counter('http_source_records_total', 'Records acknowledged by Kafka, by route', ['route']),
      latency: metrics.histogram(
        'http_source_ack_latency_seconds',
        'From request received to the last record acknowledged by Kafka',
        ['route'],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
      queue: metrics.gauge('http_source_outstanding_records', 'Records received and not yet acknowledged', []),
    };
  }

  private get c() {
    return this.cfg;
  }

  async start(): Promise<void> {
    const certFile = this.c[`${L}tls.cert.file`];
    const keyFile = this.c[`${L}tls.key.file`];
    const https = certFile && keyFile ? { https: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {};
    const app = Fastify({
      logger: false,
      bodyLimit: this.c[`${L}max.body.bytes`],
      return503OnClosing: false,
      forceCloseConnections: 'idle',
      ...https,
    }) as unknown as FastifyInstance;
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const route = (req.routeOptions.config as { route?: string } | undefined)?.route ?? 'none';
      let status = err.statusCode ?? 500;
      let message = err.message;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `body larger than the limit of ${reply.request.routeOptions.bodyLimit} bytes`;
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') status = 415;
      if (status >= 500) this.log.error({ err }, 'webhook request failed');
      this.count(route, status);
      void reply.code(status).send({ error_code: status, message });
    });
    app.setNotFoundHandler((req, reply) => {
      this.count('none', 404);
      void reply.code(404).send({ error_code: 404, message: `no route for ${req.method} ${req.url.split('?')[0]}` });
    });
    for (const route of this.routes) {
      app.route({
        method: route.methods as ('POST' | 'PUT' | 'PATCH')[],
        url: route.path,
        bodyLimit: route.maxBodyBytes,
        config: { route: route.name },
        onRequest: async (req, reply) => {
          if (this.stopping) return this.reject(reply, route, new HttpError(503, 'the connector is stopping', this.retryAfter()));
          const a = checkHeaders(route.auth, req.headers);
          if (!a.ok) return this.reject(reply, route, new HttpError(401, a.message, a.challenge ? { 'www-authenticate': a.challenge } : {}));
        },
        handler: (req, reply) => this.handle(route, req, reply),
      });
    }
    this.app = app;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await app.listen({ port: this.c[`${L}port`], host: this.c[`${L}host`] });
        break;
      } catch (e) {
        // A restarting task: the previous instance may still be releasing the port.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const addr = app.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.c[`${L}port`];
    this.log.info(
      `HTTP source listening on ${this.c[`${L}host`]}:${this.port} (${this.routes.map((r) => `${r.methods.join('|')} ${r.path} → ${r.topic}`).join(', ')})`,
    );
    this.lastPollEnd = Date.now();
    this.timer = setInterval(() => this.housekeeping(), 250);
    this.timer.unref();
  }

  private retryAfter(): Record<string, string> {
    return { 'retry-after': String(this.c[`${L}retry.after.seconds`]) };
  }

  private count(route: string, status: number) {
    this.m.requests.inc({ route, status: String(status) });
  }

  private reject(reply: FastifyReply, route: RouteConfig, e: HttpError) {
    this.count(route.name, e.status);
    if (this.stopping) reply.header('connection', 'close');
    return reply.code(e.status).headers(e.headers).send({ error_code: e.status, message: e.message });
  }

  /** The runtime has not asked for records for a while: paused, failed, or Kafka is not keeping up. */
  private stalled(): boolean {
    return !this.polling && Date.now() - this.lastPollEnd > this.c[`${L}stall.ms`];
  }

  private housekeeping() {
    if (this.stalled() && this.queue.length) {
      for (const p of this.queue.splice(0))
        this.unqueue(p, new HttpError(503, 'the connector is not accepting records right now (paused or back-pressure)', this.retryAfter()));
    }
    const now = Date.now();
    for (const [k, e] of this.idem) {
      if (e.pending === null && e.expiresAt < now) this.idem.delete(k);
      else if (e.pending === null) break; // insertion order ≈ expiry order
    }
  }

  private unqueue(p: Pending, e: HttpError) {
    this.queuedRecords -= p.records.length;
    this.outstanding -= p.records.length;
    this.m.queue.set(undefined, this.outstanding);
    this.finish(p, { status: e.status, body: { error_code: e.status, message: `${e.message}; nothing was written` }, headers: e.headers });
  }

  private finish(p: Pending, o: Outcome) {
    if (p.state === 'done') return;
    p.state = 'done';
    this.handed.delete(p);
    if (p.idemKey) {
      const entry = this.idem.get(p.idemKey);
      if (entry && entry.pending === p) {
        if (o.status < 300) {
          entry.pending = null;
          entry.outcome = o;
          entry.expiresAt = Date.now() + this.c[`${L}idempotency.window.ms`];
          this.idem.delete(p.idemKey); // re-insert: keeps the map in expiry order
          this.idem.set(p.idemKey, entry);
        } else this.idem.delete(p.idemKey);
      }
    }
    p.settle(o);
  }

  private async handle(route: RouteConfig, req: FastifyRequest, reply: FastifyReply) {
    try {
      const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
      const type = mediaType(req.headers['content-type']);
      const kind = this.kindOf(route, type);
      const a = checkHmac(route.auth, req.headers, body);
      if (!a.ok) throw new HttpError(401, a.message);
      const elements = this.parse(kind, body);
      const idemHeader = req.headers['idempotency-key'];
      const idemValue = Array.isArray(idemHeader) ? idemHeader[0] : idemHeader;
      let idemKey: string | null = null;
      if (idemValue && this.c[`${L}idempotency.window.ms`] > 0) {
        idemKey = `${route.name}\u0000${idemValue}`;
        const hash = createHash('sha256').update(body).digest('base64');
        const entry = this.idem.get(idemKey);
        if (entry && (entry.pending || (entry.outcome && entry.expiresAt >= Date.now()))) {
          if (entry.hash !== hash) throw new HttpError(422, 'Idempotency-Key was already used with a different body');
          const o = entry.outcome ?? (await this.awaitOutcome(entry.pending!));
          return this.send(reply, route, { ...o, headers: { ...o.headers, 'idempotent-replayed': 'true' } });
        }
        this.idem.set(idemKey, { hash, pending: null, outcome: null, expiresAt: 0 });
        while (this.idem.size > this.c[`${L}idempotency.max.keys`]) this.idem.delete(this.idem.keys().next().value!);
      }
      const forget = () => {
        if (idemKey && this.idem.get(idemKey)?.pending === null && this.idem.get(idemKey)?.outcome === null) this.idem.delete(idemKey);
      };
      if (elements.length === 0) {
        forget();
        return this.send(reply, route, { status: route.successStatus, body: { records: 0 } });
      }
      if (this.stopping) {
        forget();
        throw new HttpError(503, 'the connector is stopping', this.retryAfter());
      }
      if (this.stalled()) {
        forget();
        throw new HttpError(503, 'the connector is not accepting records right now (paused or back-pressure)', this.retryAfter());
      }
      if (this.outstanding + elements.length > this.c[`${L}queue.max.records`] && this.outstanding > 0) {
        forget();
        throw new HttpError(429, 'too many records waiting for Kafka', this.retryAfter());
      }
      const p = this.enqueue(route, req, kind, elements, idemKey);
      return this.send(reply, route, await this.awaitOutcome(p));
    } catch (e) {
      if (e instanceof HttpError) return this.reject(reply, route, e);
      throw e;
    }
  }

  private send(reply: FastifyReply, route: RouteConfig, o: Outcome) {
    this.count(route.name, o.status);
    if (this.stopping) reply.header('connection', 'close');
    return reply
      .code(o.status)
      .headers(o.headers ?? {})
      .send(o.body);
  }

  private awaitOutcome(p: Pending): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        if (p.state === 'queued') {
          this.queue.splice(this.queue.indexOf(p), 1);
          this.unqueue(p, new HttpError(503, `not handed to Kafka within ${this.c[`${L}ack.timeout.ms`]} ms`, this.retryAfter()));
        }
        resolve({
          status: 503,
          headers: this.retryAfter(),
          body: {
            error_code: 503,
            message: `Kafka did not acknowledge the records within ${this.c[`${L}ack.timeout.ms`]} ms; they may still be written (retry: at-least-once; an Idempotency-Key retry waits for this attempt)`,
          },
        });
      }, this.c[`${L}ack.timeout.ms`]);
    });
    return Promise.race([p.final, timeout]).finally(() => clearTimeout(timer));
  }

  private kindOf(route: RouteConfig, type: string): 'json' | 'ndjson' | 'raw' {
    const isJson = JSON_TYPES.test(type);
    const isNd = NDJSON_TYPES.has(type);
    const rawOk = route.contentTypes.some((p) => typeMatches(p, type));
    switch (route.format) {
      case 'json':
        if (isJson) return 'json';
        break;
      case 'ndjson':
        if (isNd || isJson || type === 'text/plain') return 'ndjson';
        break;
      case 'raw':
        if (rawOk) return 'raw';
        break;
      case 'auto':
        if (isJson) return 'json';
        if (isNd) return 'ndjson';
        if (rawOk) return 'raw';
        break;
    }
    const accepted =
      route.format === 'raw'
        ? route.contentTypes
        : route.format === 'json'
          ? ['application/json']
          : route.format === 'ndjson'
            ? ['application/x-ndjson']
            : ['application/json', 'application/x-ndjson', ...route.contentTypes];
    throw new HttpError(415, `unsupported content type ${type || '(none)'}; this route accepts ${accepted.join(', ')}`, { accept: accepted.join(', ') });
  }

  /** Elements: [text, parsed] per record; everything is validated before anything is queued. */
  private parse(kind: 'json' | 'ndjson' | 'raw', body: Buffer): Array<{ text: string | null; value: unknown; raw?: Buffer }> {
    if (kind === 'raw') {
      if (body.length === 0) throw new HttpError(400, 'empty body');
      return [{ text: null, value: null, raw: body }];
    }
    const text = body.toString('utf8');
    if (kind === 'json') {
      if (text.trim() === '') throw new HttpError(400, 'empty body: expected a JSON object or array');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new HttpError(400, `malformed JSON: ${(e as Error).message}`);
      }
      if (Array.isArray(doc)) return doc.map((v) => ({ text: null, value: v }));
      return [{ text: text.trim(), value: doc }];
    }
    const out: Array<{ text: string | null; value: unknown }> = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/^\u001e/, '').trim();
      if (line === '') continue;
      try {
        out.push({ text: line, value: JSON.parse(line) });
      } catch (e) {
        throw new HttpError(400, `malformed JSON on line ${i + 1}: ${(e as Error).message}`);
      }
    }
    if (out.length === 0) throw new HttpError(400, 'empty body: expected one JSON value per line');
    return out;
  }

  private enqueue(
    route: RouteConfig,
    req: FastifyRequest,
    kind: string,
    elements: Array<{ text: string | null; value: unknown; raw?: Buffer }>,
    idemKey: string | null,
  ): Pending {
    const now = Date.now();
    const headers = new Headers();
    headers.add('http.route', route.name, Schemas.STRING_SCHEMA);
    headers.add('http.received.at', String(now), Schemas.STRING_SCHEMA);
    const params = (req.params ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(params)) headers.add(`http.param.${k}`, v, Schemas.STRING_SCHEMA);
    if (kind === 'raw') headers.add('http.content.type', req.headers['content-type'] ?? '', Schemas.STRING_SCHEMA);
    for (const h of route.copyHeaders) {
      const v = req.headers[h];
      if (v !== undefined) for (const one of Array.isArray(v) ? v : [v]) headers.add(route.headerPrefix + h, one, Schemas.STRING_SCHEMA);
    }
    const fixedKey =
      route.key.from === 'header' ? (scalarString(req.headers[route.key.name]) ?? null) : route.key.from === 'param' ? (params[route.key.name] ?? null) : null;
    const keyAt = route.key.from === 'pointer' ? pointer(route.key.pointer) : null;
    const asJson = this.c[`${L}value.format`] === 'json';
    const records = elements.map((e) => {
      const key = keyAt ? (kind === 'raw' ? null : scalarString(keyAt(e.value))) : fixedKey;
      let value: unknown;
      let valueSchema = null;
      if (e.raw) {
        value = new Uint8Array(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength);
        valueSchema = Schemas.BYTES_SCHEMA;
      } else if (asJson) value = e.value;
      else {
        value = e.text ?? JSON.stringify(e.value);
        valueSchema = Schemas.STRING_SCHEMA;
      }
      return sourceRecord({
        topic: route.topic,
        key,
        keySchema: key === null ? null : Schemas.OPTIONAL_STRING_SCHEMA,
        value,
        valueSchema,
        timestamp: now,
        headers: headers.duplicate(),
      });
    });
    let settle!: (o: Outcome) => void;
    const final = new Promise<Outcome>((r) => (settle = r));
    const p: Pending = {
      route,
      records,
      remaining: records.length,
      dropped: 0,
      state: 'queued',
      received: process.hrtime.bigint(),
      first: null,
      last: null,
      final,
      settle,
      idemKey,
    };
    if (idemKey) this.idem.get(idemKey)!.pending = p;
    this.queue.push(p);
    this.queuedRecords += records.length;
    this.outstanding += records.length;
    this.m.queue.set(undefined, this.outstanding);
    this.wake?.();
    return p;
  }

  /** The next whole requests, at most `batch.max.records` records (a bigger request alone). */
  async poll(): Promise<SourceRecord[] | null> {
    this.polling = true;
    try {
      if (this.queue.length === 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.wake = null;
            resolve();
          }, 500);
          this.wake = () => {
            clearTimeout(t);
            this.wake = null;
            resolve();
          };
        });
      }
      if (this.stopping || this.queue.length === 0) return null;
      const max = this.c[`${L}batch.max.records`];
      const out: SourceRecord[] = [];
      while (this.queue.length && (out.length === 0 || out.length + this.queue[0]!.records.length <= max)) {
        const p = this.queue.shift()!;
        this.queuedRecords -= p.records.length;
        p.state = 'handed';
        this.handed.add(p);
        for (const r of p.records) {
          this.byRecord.set(r, p);
          out.push(r);
        }
      }
      return out;
    } finally {
      this.polling = false;
      this.lastPollEnd = Date.now();
    }
  }

  commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    const p = this.byRecord.get(record);
    if (!p) return;
    this.byRecord.delete(record);
    this.outstanding--;
    this.m.queue.set(undefined, this.outstanding);
    p.remaining--;
    if (metadata === null) p.dropped++;
    else {
      p.first ??= metadata;
      p.last = metadata;
    }
    if (p.remaining > 0) return;
    const n = p.records.length;
    const ok = n - p.dropped;
    this.m.records.inc({ route: p.route.name }, ok);
    this.m.latency.observe({ route: p.route.name }, Number(process.hrtime.bigint() - p.received) / 1e9);
    if (p.dropped > 0) {
      this.finish(p, {
        status: 500,
        body: {
          error_code: 500,
          message: `${p.dropped} of ${n} records were not written (dropped by a transformation or a tolerated conversion error); the other ${ok} were written`,
          records: ok,
          dropped: p.dropped,
        },
      });
      return;
    }
    const body: Record<string, unknown> = { records: n };
    if (p.first && p.last && p.first.partition === p.last.partition) {
      body.topic = p.first.topic;
      body.partition = p.first.partition;
      body.offset = p.first.offset;
    }
    this.finish(p, { status: p.route.successStatus, body });
  }

  /** Stops accepting, answers queued requests with 503 and gives handed ones `drainMs` to be acknowledged. */
  async stop(drainMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.wake?.();
    for (const p of this.queue.splice(0)) this.unqueue(p, new HttpError(503, 'the connector is stopping', this.retryAfter()));
    const app = this.app;
    if (!app) return;
    const closing = app.close();
    const drained = Promise.all([...this.handed].map((p) => p.final));
    await Promise.race([drained, new Promise((r) => setTimeout(r, drainMs).unref())]);
    for (const p of [...this.handed]) {
      this.finish(p, {
        status: 503,
        headers: this.retryAfter(),
        body: { error_code: 503, message: 'the connector stopped before Kafka acknowledged the records; they may or may not have been written' },
      });
    }
    // Keep-alive connections that answered after close() began are idle now: close them, then anything left.
    await new Promise((r) => setTimeout(r, 20));
    app.server.closeIdleConnections();
    const grace = new Promise((r) => setTimeout(r, 1000).unref());
    if ((await Promise.race([closing.then(() => true), grace])) !== true) {
      app.server.closeAllConnections();
      await closing;
    }
  }
}
