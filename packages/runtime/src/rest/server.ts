/**
 * The Kafka Connect REST API on fastify: every path, status code and body of the Java worker
 * (`docs/openapi.yaml`), plus `/metrics`. Errors of any kind leave as Connect's `{error_code, message}`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger, LoggerRegistry, LogLevel } from '../logging';
import { LEVELS } from '../logging';
import type { WorkerMetrics } from '../metrics/metrics';
import type { SecretMasker } from '../herder/secrets';
import type { ConnectorInfo, ConnectorOffset, ConnectorStateInfo, Herder } from '../herder/types';
import { invalidConfigMessage, withNullValues } from '../herder/validation';
import { INTERNAL_ROUTES, type RestAuthenticator } from './auth';
import { badRequest, HttpError, notFound, toErrorResponse } from './errors';
import { registerUi } from './ui';

export interface RestOptions {
  herder: Herder;
  loggers: LoggerRegistry;
  metrics: WorkerMetrics;
  log: Logger;
  version: string;
  commit: string;
  allowOrigin?: string;
  allowMethods?: string;
  /** Serve `/admin/*` on this server (false when `admin.listeners` moves or disables them). */
  admin?: boolean;
  /** Only `/admin/*` (for a separate admin listener). */
  adminOnly?: boolean;
  /** Distributed mode: answers the requests only the leader serves by forwarding them (see rest/forwarding.ts). */
  forwarder?: (req: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
  /** REST authentication and roles (rest/auth.ts); none: every request is allowed, as Java. */
  auth?: RestAuthenticator;
  /** TLS options of an `https://` listener (rest/tls.ts). */
  https?: import('node:https').ServerOptions;
  /** Hides secrets in the answers and keeps stored ones on `[hidden]` round trips (herder/secrets.ts); none: shown in clear. */
  secrets?: SecretMasker;
}

/** The secret values of the config a request carries, scrubbed from its error answer and log (herder/secrets.ts). */
interface WithSecrets {
  secretValues?: string[];
}

const HEALTH_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 90_000;
const TARGET_STATES: Record<string, 'STARTED' | 'PAUSED' | 'STOPPED'> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

/** Connect config maps are string → string; Jackson coerces JSON scalars to strings, so do we. */
function stringMap(body: unknown, what: string, allowNull = false): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${what} must be a JSON object of string keys and string values`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (v === null && allowNull) out[k] = null as unknown as string;
    else if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw badRequest(`Invalid value for config '${k}': expected a string, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return out;
}

/** A config map sent with null values: the keys sent as null apart (Java reports each as a validation error). */
function withoutNulls(sent: Record<string, string | null>): { config: Record<string, string>; nulls: string[] } {
  const config: Record<string, string> = {};
  const nulls: string[] = [];
  for (const [k, v] of Object.entries(sent)) {
    if (v === null) nulls.push(k);
    else config[k] = v;
  }
  return { config, nulls };
}

/** A status without kconnect's `failure` objects (for Java workers). */
function withoutFailures(s: ConnectorStateInfo): ConnectorStateInfo {
  const strip = <T extends { failure?: unknown }>({ failure: _, ...rest }: T) => rest;
  return { ...s, connector: strip(s.connector), tasks: s.tasks.map(strip) };
}

/**
 * Java's `Response.created(UriBuilder.fromUri("/connectors").path(name).build())`: each segment encoded, a `/` in
 * the name kept, made absolute against the request's base URI as JAX-RS does.
 */
function connectorLocation(req: FastifyRequest, name: string): string {
  return `${req.protocol}://${req.headers.host ?? req.host}/connectors/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** Boolean query parameters as JAX-RS reads them (`Boolean.valueOf`): "true" in any case is true, anything else false. */
function bool(v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return String(Array.isArray(v) ? v[0] : v).toLowerCase() === 'true';
}

/** A task id path parameter as JAX-RS converts an `int` (`Integer.valueOf`): anything else is Jersey's 404. */
function taskNumber(v: string): number {
  const n = /^[+-]?\d{1,10}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) throw notFound('HTTP 404 Not Found');
  return n;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | string[] | undefined> }>;

export function createRestServer(o: RestOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Java reads bodies up to Jackson's 20 MB string limit; names of any length are reachable.
    bodyLimit: 32 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1_000_000 },
    ...(o.https ? { https: o.https } : {}),
  }) as unknown as FastifyInstance;
  const { herder } = o;

  // Parse JSON ourselves so that every failure becomes a Connect error, and an empty body is "no body".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    // Kept for forwarding and for the signatures of requests between workers (made over the exact bytes).
    (req as { rawBody?: string }).rawBody = body as string;
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(badRequest(`Unable to parse the request body as JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toErrorResponse(err);
    const secretValues = (req as WithSecrets).secretValues;
    if (o.secrets && secretValues?.length) {
      body.message = o.secrets.scrub(body.message, secretValues);
      if (err instanceof Error) {
        const scrubbed = { type: err.name, message: o.secrets.scrub(err.message, secretValues), stack: o.secrets.scrub(err.stack ?? '', secretValues) };
        if (status >= 500) o.log.error({ err: scrubbed, url: req.url, method: req.method }, 'REST request failed');
        else o.log.debug({ url: req.url, method: req.method, status, message: body.message }, 'REST request rejected');
        void reply.code(status).type('application/json').send(body);
        return;
      }
    }
    if (status >= 500) o.log.error({ err, url: req.url, method: req.method }, 'REST request failed');
    else o.log.debug({ url: req.url, method: req.method, status, message: body.message }, 'REST request rejected');
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
  });
  app.addHook('onRequest', async (req, reply) => {
    if (o.allowOrigin) {
      void reply.header('Access-Control-Allow-Origin', o.allowOrigin);
      if (o.allowMethods) void reply.header('Access-Control-Allow-Methods', o.allowMethods);
    }
    (req as unknown as { t0: bigint }).t0 = process.hrtime.bigint();
    // As Java: a request that takes longer than 90 s is answered with a 500 (the operation may still complete).
    const timer = setTimeout(() => {
      if (!reply.sent)
        void reply
          .code(500)
          .send({ error_code: 500, message: 'Request timed out. The worker is busy with an earlier request (e.g. stopping a task); try again later.' });
    }, REQUEST_TIMEOUT_MS);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
  });
  // Authentication and roles (after the CORS headers, so that a browser sees its 401 / 403).
  if (o.auth) app.addHook('onRequest', o.auth.onRequest);
  app.addHook('onResponse', async (req, reply) => {
    const ms = Number(process.hrtime.bigint() - (req as unknown as { t0: bigint }).t0) / 1e6;
    o.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms }, 'REST request');
  });

  // As Jersey: the resources under /connectors, /connector-plugins and /admin consume only JSON, so any request
  // to them with another Content-Type (whatever its method, with or without a body) is a 415, and so is a body
  // without a Content-Type (Jersey takes it as application/octet-stream); they produce only JSON, so an Accept
  // header that admits no JSON is a 406 (`/` too). Checked before the body is read.
  app.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url;
    if (!url || req.method === 'OPTIONS' || (req.routeOptions.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    if (CONSUMES_JSON.test(url)) {
      const ct = req.headers['content-type'];
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
      if (ct === undefined || ct.trim() === '' ? hasBody : !jsonCompatible(ct)) throw new HttpError(415, 'HTTP 415 Unsupported Media Type');
    }
    if ((url === '/' || CONSUMES_JSON.test(url)) && !accepts(req.headers.accept, 'application', 'json')) throw new HttpError(406, 'HTTP 406 Not Acceptable');
  });

  // As Java's herder queues requests until it has read its configs: the Connect routes wait for the start (a
  // GET /connectors answered before would list nothing). `/`, `/health`, `/metrics`, `/admin`, `/ui` answer at once.
  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url ?? '';
    if (url.startsWith('/connectors') || url.startsWith('/connector-plugins')) await herder.whenReady(REQUEST_TIMEOUT_MS);
  });
  // As Java: an internal request's signature is checked by the worker it reaches, before any forwarding.
  const verify = herder.verifyInternalRequest?.bind(herder);
  if (verify) {
    app.addHook('preHandler', async (req) => {
      if (INTERNAL_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) verify(req.headers, (req as { rawBody?: string }).rawBody ?? '');
    });
  }
  const forwarder = o.forwarder;
  if (forwarder) {
    app.addHook('preHandler', async (req, reply) => {
      if (await forwarder(req, reply)) return reply;
    });
  }
  // Every path's methods, for 405 and OPTIONS on the other methods (Jersey's answers).
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (r) => {
    if ((r.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    let set = methodsByUrl.get(r.url);
    if (!set) methodsByUrl.set(r.url, (set = new Set()));
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) set.add(m);
  });

  if (!o.adminOnly) registerConnectRoutes(app, herder, o);
  // The web console (rest/ui.ts): static files that call this API as the user who opens them.
  if (!o.adminOnly) registerUi(app);
  if (o.admin !== false || o.adminOnly) registerAdminRoutes(app, o.loggers, herder);

  for (const [url, methods] of methodsByUrl) {
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    const allow = [...methods].sort();
    const others = OTHER_METHODS.filter((m) => !methods.has(m));
    app.route({
      method: 'OPTIONS',
      url,
      config: { methodNotAllowed: true },
      handler: async (req, reply) => {
        // Jersey (WADL disabled): 200, `Allow`, and the methods as text unless the client accepts no text/plain.
        void reply.code(200).header('Allow', allow.join(','));
        if (accepts(req.headers.accept, 'text', 'plain')) return reply.type('text/plain').send(allow.join(', '));
        return reply.type('application/json').send();
      },
    });
    if (others.length)
      app.route({
        method: others,
        url,
        config: { methodNotAllowed: true },
        handler: async (_req, reply) => {
          void reply.header('Allow', allow.join(','));
          throw new HttpError(405, 'HTTP 405 Method Not Allowed');
        },
      });
  }
  return app;
}

/** The paths whose Java resources are `@Consumes(MediaType.APPLICATION_JSON)` (not `/`, `/health`, `/metrics`). */
const CONSUMES_JSON = /^\/(connectors|connector-plugins|admin)(\/|$)/;
/** Methods answered with 405 on a known path that does not serve them. */
const OTHER_METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'TRACE'];

/** Whether a media type or range (`text/*`, parameters ignored) is compatible with `type/subtype`, as JAX-RS matches them. */
function compatible(mediaType: string, type: string, subtype: string): boolean {
  const [t = '', st = ''] = mediaType.split(';')[0]!.trim().toLowerCase().split('/');
  return (t === '*' || t === type) && (st === '*' || st === subtype);
}
const jsonCompatible = (contentType: string) => compatible(contentType, 'application', 'json');

/** Whether an Accept header admits `type/subtype` (no header admits anything; quality values are ignored, as Jersey does). */
function accepts(accept: string | undefined, type: string, subtype: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => compatible(range, type, subtype));
}

function registerConnectRoutes(app: FastifyInstance, herder: Herder, o: RestOptions): void {
  const secrets = o.secrets;
  /** A create or update with null values is refused as Java refuses it: the config's validation errors, with them. */
  const refuseNulls = async (config: Record<string, string>, nulls: string[]) => {
    if (nulls.length) throw badRequest(invalidConfigMessage(withNullValues(await herder.validateConnectorConfig(config), nulls)));
  };
  const stored = (name: string): Record<string, string> | undefined => {
    try {
      return herder.connectorConfig(name);
    } catch {
      return undefined;
    }
  };
  const shownInfo = (info: ConnectorInfo): ConnectorInfo => (secrets ? secrets.info(info) : info);
  const shownUnknown = (config: Record<string, string>) => (secrets ? secrets.unknownConfig(config) : config);
  /** Marks the request's secrets for scrubbing from its error answer (and the log). */
  const carrying = (req: Req, config: Record<string, string>) => {
    if (secrets) (req as WithSecrets).secretValues = secrets.scrubbable(config);
  };
  app.get('/', async () => ({ version: o.version, commit: o.commit, kafka_cluster_id: herder.kafkaClusterId() }));

  app.get('/health', async (_req, reply) => {
    if (!herder.ready()) return reply.code(503).send({ status: 'starting', message: 'Worker is still starting up.' });
    // As Java: unhealthy when the herder cannot take a request within 10 s (e.g. stuck stopping a task).
    if (!(await herder.responsive(HEALTH_TIMEOUT_MS))) {
      return reply.code(500).send({ status: 'unhealthy', message: 'Worker was unable to handle this request and may be unable to handle other requests.' });
    }
    return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
  });

  app.get('/metrics', async (_req, reply) => {
    void reply.type(o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  app.get('/connectors', async (req: Req) => {
    // As Java: any `expand` parameter (even an unknown or empty one) answers the map form; the values are
    // case-sensitive and unknown ones are ignored, so `?expand=bogus` gives `{"<name>":{}}`.
    const raw = req.query.expand;
    const names = herder.connectors();
    if (raw === undefined) return names;
    const expand = new Set(Array.isArray(raw) ? raw : [raw]);
    const out: Record<string, Record<string, unknown>> = {};
    for (const n of names) {
      const e: Record<string, unknown> = {};
      try {
        if (expand.has('status')) e.status = secrets ? secrets.status(stored(n), herder.connectorStatus(n)) : herder.connectorStatus(n);
        if (expand.has('info')) e.info = shownInfo(herder.connectorInfo(n));
      } catch {
        continue; // deleted meanwhile
      }
      out[n] = e;
    }
    return out;
  });

  app.post('/connectors', async (req: Req, reply: FastifyReply) => {
    const body = req.body as { name?: unknown; config?: unknown; initial_state?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object with "name" and "config"');
    const { config, nulls } = withoutNulls(body.config === undefined || body.config === null ? {} : stringMap(body.config, '"config"', true));
    // As Java: the name is trimmed, and a missing one is the empty string, which the config validation rejects
    // ("Invalid value  for configuration name: String may not be empty"); `config.name` never stands in for it.
    if (body.name !== undefined && body.name !== null && typeof body.name === 'object')
      throw badRequest('Connector name must be a string, e.g. {"name": "my-connector", "config": {…}}');
    const name = body.name === undefined || body.name === null ? '' : String(body.name).trim();
    if (config.name !== undefined && config.name !== name)
      throw badRequest('Connector name configuration (' + config.name + ") doesn't match connector name in the URL (" + name + ')');
    if (!config['connector.class']) throw badRequest(`Connector config ${JSON.stringify(shownUnknown({ ...config, name }))} contains no connector type`);
    carrying(req, config);
    await refuseNulls(config, nulls);
    let initialState: 'STARTED' | 'PAUSED' | 'STOPPED' | undefined;
    if (body.initial_state !== undefined && body.initial_state !== null) {
      initialState = TARGET_STATES[String(body.initial_state).toUpperCase()];
      if (!initialState) throw badRequest(`Invalid initial state ${String(body.initial_state)}; must be one of RUNNING, PAUSED, STOPPED`);
    }
    const { info } = await herder.putConnectorConfig(name, config, { allowReplace: false, initialState });
    return reply.code(201).header('Location', connectorLocation(req, name)).send(shownInfo(info));
  });

  app.get('/connectors/:c', async (req: Req) => shownInfo(herder.connectorInfo(req.params.c!)));
  app.get('/connectors/:c/config', async (req: Req) => {
    const config = herder.connectorConfig(req.params.c!);
    return secrets ? secrets.config(config) : config;
  });

  app.put('/connectors/:c/config', async (req: Req, reply: FastifyReply) => {
    const name = req.params.c!;
    // A `[hidden]` sent back for a secret keeps the stored value (a get-edit-put round trip).
    const { config: sent, nulls } = withoutNulls(stringMap(req.body, 'The connector configuration', true));
    const config = secrets ? secrets.restore(sent, stored(name)) : sent;
    if (config.name !== undefined && config.name !== name)
      throw badRequest(`Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`);
    if (!config['connector.class']) throw badRequest(`Connector config ${JSON.stringify(shownUnknown({ ...config, name }))} contains no connector type`);
    carrying(req, config);
    await refuseNulls(config, nulls);
    const { created, info } = await herder.putConnectorConfig(name, config, { allowReplace: true });
    if (created) return reply.code(201).header('Location', connectorLocation(req, name)).send(shownInfo(info));
    return shownInfo(info);
  });

  app.patch('/connectors/:c/config', async (req: Req) => {
    const name = req.params.c!;
    const sent = stringMap(req.body, 'The config patch', true);
    const before = stored(name);
    const patch = secrets ? secrets.restorePatch(sent, before) : sent;
    if (before) carrying(req, { ...before, ...(Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null)) as Record<string, string>) });
    return shownInfo(await herder.patchConnectorConfig(name, patch));
  });

  app.delete('/connectors/:c', async (req: Req, reply: FastifyReply) => {
    await herder.deleteConnector(req.params.c!);
    return reply.code(204).send();
  });

  app.get('/connectors/:c/status', async (req: Req) => {
    const status = herder.connectorStatus(req.params.c!);
    return secrets ? secrets.status(stored(req.params.c!), status) : status;
  });

  app.post('/connectors/:c/restart', async (req: Req, reply: FastifyReply) => {
    const includeTasks = bool(req.query.includeTasks, false);
    const onlyFailed = bool(req.query.onlyFailed, false);
    const forward = req.query.forward === undefined ? undefined : bool(req.query.forward, true);
    const status = await herder.restartConnector(req.params.c!, includeTasks, onlyFailed, forward, req.headers.authorization);
    if (!status) return reply.code(204).send();
    // A request forwarded by another worker (Java's `forward` parameter) gets Java's shape: a Java worker reads it
    // with a Jackson mapper that refuses unknown fields, so no kconnect `failure` objects.
    const shown = req.query.forward === undefined ? status : withoutFailures(status);
    return reply.code(202).send(secrets ? secrets.status(stored(req.params.c!), shown) : shown);
  });

  app.put('/connectors/:c/pause', async (req: Req, reply: FastifyReply) => {
    await herder.pauseConnector(req.params.c!);
    return reply.code(202).send();
  });
  app.put('/connectors/:c/resume', async (req: Req, reply: FastifyReply) => {
    await herder.resumeConnector(req.params.c!);
    return reply.code(202).send();
  });
  app.put('/connectors/:c/stop', async (req: Req, reply: FastifyReply) => {
    await herder.stopConnector(req.params.c!);
    return reply.code(204).send();
  });

  app.get('/connectors/:c/tasks', async (req: Req) => {
    const tasks = herder.taskConfigs(req.params.c!);
    if (!secrets) return tasks;
    const connector = stored(req.params.c!);
    return tasks.map((t) => ({ ...t, config: secrets.taskConfig(connector, t.config) }));
  });
  // Internal (between the workers of a cluster): the task configs of a connector, signed with the session key.
  app.post('/connectors/:c/tasks', async (req: Req, reply: FastifyReply) => {
    if (!herder.putTaskConfigs) throw new Error('Kafka Connect in standalone mode does not support externally setting task configurations.');
    await herder.putTaskConfigs(req.params.c!, req.body as Array<Record<string, string>>, req.headers, (req as { rawBody?: string }).rawBody ?? '');
    return reply.code(204).send();
  });
  // Internal (exactly-once source support): fence the previous generation of a connector's task producers.
  app.put('/connectors/:c/fence', async (req: Req, reply: FastifyReply) => {
    if (!herder.fenceZombieSourceTasks) throw new Error('Kafka Connect in standalone mode does not support exactly-once source connectors.');
    await herder.fenceZombieSourceTasks(req.params.c!, req.headers, (req as { rawBody?: string }).rawBody ?? '');
    return reply.code(204).send();
  });
  app.get('/connectors/:c/tasks/:t/status', async (req: Req) => {
    const status = herder.taskStatus(req.params.c!, taskNumber(req.params.t!));
    return secrets ? secrets.statusEntry(stored(req.params.c!), status) : status;
  });
  app.post('/connectors/:c/tasks/:t/restart', async (req: Req, reply: FastifyReply) => {
    const forward = req.query.forward === undefined ? undefined : bool(req.query.forward, true);
    await herder.restartTask(req.params.c!, taskNumber(req.params.t!), forward, req.headers.authorization);
    return reply.code(204).send();
  });

  app.get('/connectors/:c/topics', async (req: Req) => ({ [req.params.c!]: { topics: herder.connectorTopics(req.params.c!) } }));
  app.put('/connectors/:c/topics/reset', async (req: Req, reply: FastifyReply) => {
    herder.resetConnectorTopics(req.params.c!);
    return reply.code(202).send();
  });

  app.get('/connectors/:c/offsets', async (req: Req) => ({ offsets: await herder.connectorOffsets(req.params.c!) }));
  app.patch('/connectors/:c/offsets', async (req: Req) => {
    const body = req.body as { offsets?: unknown } | undefined;
    if (!body || typeof body !== 'object') throw badRequest('Request body must be a JSON object with an "offsets" list');
    if (!Array.isArray(body.offsets) || body.offsets.length === 0) throw badRequest('Partitions / offsets need to be provided for an alter offsets request');
    const isMap = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
    const offsets = (body.offsets as unknown[]).map((e) => {
      if (!e || typeof e !== 'object' || Array.isArray(e)) throw badRequest('Each entry of "offsets" must be an object with "partition" and "offset"');
      const { partition, offset } = e as ConnectorOffset;
      if (!isMap(partition)) throw badRequest('The "partition" of each entry must be an object');
      if (!isMap(offset)) throw badRequest('The "offset" of each entry must be an object or null');
      // As Jackson binds them: a missing partition or offset is null (a null offset resets the partition).
      return { partition: partition ?? null, offset: offset ?? null } as ConnectorOffset;
    });
    herder.connectorInfo(req.params.c!);
    await herder.alterConnectorOffsets(req.params.c!, offsets);
    return { message: 'The offsets for this connector have been altered successfully' };
  });
  app.delete('/connectors/:c/offsets', async (req: Req) => {
    await herder.resetConnectorOffsets(req.params.c!);
    return { message: 'The offsets for this connector have been reset successfully' };
  });

  app.get('/connector-plugins', async (req: Req) => herder.plugins(bool(req.query.connectorsOnly, true)));
  app.get('/connector-plugins/:p/config', async (req: Req) => {
    // KIP-891: ?version= (a version or range) picks one installed version; one that is not installed is a 400.
    const v = req.query.version;
    return herder.pluginConfig(req.params.p!, Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v));
  });
  app.put('/connector-plugins/:p/config/validate', async (req: Req) => {
    const { config: sent, nulls } = withoutNulls(stringMap(req.body, 'The connector configuration', true));
    // As a PUT: a `[hidden]` for a secret of the connector named in the config stands for its stored value.
    const config = secrets && sent.name ? secrets.restore(sent, stored(sent.name)) : sent;
    const cls = config['connector.class'];
    const plugin = req.params.p!;
    // Java's check: the class sent must end with the plugin named in the path, both without a `Connector` suffix.
    const normalized = (n: string) => (n.endsWith('Connector') && n.length > 'Connector'.length ? n.slice(0, -'Connector'.length) : n);
    if (cls !== undefined && !normalized(cls).endsWith(normalized(plugin)))
      throw badRequest(`Included connector type ${cls} does not match request type ${plugin}`);
    if (!cls) throw badRequest('Connector config ' + JSON.stringify(shownUnknown(config)) + ' contains no connector type');
    carrying(req, config);
    const validated = withNullValues(await herder.validateConnectorConfig(config), nulls);
    return secrets ? secrets.validation(config, validated) : validated;
  });
}

function registerAdminRoutes(app: FastifyInstance, loggers: LoggerRegistry, herder: Herder): void {
  app.get('/admin/loggers', async () => loggers.levels());
  app.get('/admin/loggers/:name', async (req: Req) => {
    const l = loggers.level(req.params.name!);
    if (!l) throw notFound(`Logger ${req.params.name} not found.`);
    return l;
  });
  app.put('/admin/loggers/:name', async (req: Req, reply: FastifyReply) => {
    const body = req.body as { level?: unknown } | undefined;
    const sent = body && typeof body === 'object' && !Array.isArray(body) ? body.level : undefined;
    // Jackson reads a number or boolean as its text.
    if (sent === undefined || sent === null || typeof sent === 'object') throw badRequest("Desired 'level' parameter was not specified in request.");
    const level = String(sent).toUpperCase() as LogLevel;
    if (!LEVELS.includes(level)) throw notFound(`invalid log level '${String(sent)}'.`);
    // As Java: `cluster` in any case is the cluster; anything else (with a warning) this worker.
    const scope = String(req.query.scope ?? 'worker').toLowerCase();
    if (scope !== 'worker' && scope !== 'cluster')
      loggers.get('kconnect.rest').warn(`Ignoring the unknown logging level scope ${String(req.query.scope)}; using the worker scope`);
    if (scope === 'cluster') {
      // KIP-976: every worker of a cluster applies it (through the config topic); a standalone worker is the cluster.
      if (herder.setClusterLoggerLevel) await herder.setClusterLoggerLevel(req.params.name!, level);
      else loggers.setLevel(req.params.name!, level);
      return reply.code(204).send();
    }
    return loggers.setLevel(req.params.name!, level);
  });
}
