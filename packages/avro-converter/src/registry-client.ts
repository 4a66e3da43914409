/**
 * The schema registry calls the converter needs, made with the HTTP client of `@kafkajs/confluent-schema-registry`
 * (its mappersmith API client: the `/schemas/ids/{id}`, `/subjects/{subject}…` resources, Confluent's content
 * type, basic auth, an HTTP agent for TLS). What that library lacks is added here:
 *
 * - several registry URLs (`schema.registry.url` is a comma-separated list): the next URL is tried when one does
 *   not answer;
 * - bearer tokens (`bearer.auth.token`), as a request middleware;
 * - telling "the registry is unreachable" (mappersmith reports connection failures as HTTP 400 with the socket
 *   error as text) from the registry's own answers: {@link RegistryError.unreachable};
 * - the library's `SchemaRegistry.register()` also reads and sets each subject's compatibility level, which a
 *   serializer must not do, so registration calls the API resource directly;
 * - the raw schema text (the library keeps only the avsc type, which drops `connect.*` properties).
 */
import type { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@kconnect/api';

// The library's API client is not re-exported by its index; its dist layout is stable across 3.x and 4.x.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createApiClient = require('@kafkajs/confluent-schema-registry/dist/api').default as (args: {
  host: string;
  auth?: { username: string; password: string };
  clientId?: string;
  retry?: Record<string, number>;
  agent?: Agent;
  middlewares?: unknown[];
}) => ApiClient;

interface ApiResponse {
  data(): unknown;
  status(): number;
}
type Call = (params: Record<string, unknown>) => Promise<ApiResponse>;
interface ApiClient {
  Schema: { find: Call };
  Subject: { latestVersion: Call; version: Call; registered: Call; register: Call; compatible: Call };
}

/** A failed registry call: the HTTP status and Confluent error code when the registry answered. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** True when no registry URL answered (connection refused, reset, timeout) or it answered 5xx/408/429. */
    readonly unreachable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

export interface RegistryClientOptions {
  urls: string[];
  /** Basic auth `user:password`, or undefined. */
  userInfo?: string;
  bearerToken?: string;
  agent?: Agent;
  /** Per-request retries on connection failures before trying the next URL (the library's retry middleware). */
  retries?: number;
}

export interface SubjectVersion {
  id: number;
  version: number;
  schema: string;
}

/** Socket-level failures, as mappersmith's text for its HTTP-400 "client error" responses. */
const NETWORK_FAILURE = /\b(E[A-Z]{4,}|socket hang up|timeout|Timeout|network|getaddrinfo|fetch failed)\b/;

export class RegistryClient {
  private readonly clients: ApiClient[];
  /** The URL that answered last (tried first). */
  private current = 0;

  constructor(readonly options: RegistryClientOptions) {
    if (options.urls.length === 0)
      throw new ConfigError('Missing required configuration "schema.registry.url" which has no default value.', { name: 'schema.registry.url' });
    const middlewares: unknown[] = [];
    if (options.bearerToken) {
      const header = `Bearer ${options.bearerToken}`;
      middlewares.push(() => ({ request: (req: { enhance(x: unknown): unknown }) => req.enhance({ headers: { Authorization: header } }) }));
    }
    this.clients = options.urls.map((url) => {
      const parsed = new URL(url);
      let auth: { username: string; password: string } | undefined;
      const info = options.userInfo;
      if (info) {
        const i = info.indexOf(':');
        auth = { username: info.slice(0, i < 0 ? info.length : i), password: i < 0 ? '' : info.slice(i + 1) };
      }
      parsed.username = '';
      parsed.password = '';
      const host = parsed.toString().replace(/\/$/, '');
      return createApiClient({
        host,
        auth,
        clientId: 'kconnect-avro-converter',
        retry: { retries: options.retries ?? 1, initialRetryTimeInSecs: 0.05, maxRetryTimeInSecs: 1 },
        agent: parsed.protocol === 'https:' ? options.agent : undefined,
        middlewares,
      });
    });
  }

  /** `GET /schemas/ids/{id}`: the schema text. */
  async schemaById(id: number): Promise<string> {
    const data = (await this.call((c) => c.Schema.find({ id }))) as { schema: string; schemaType?: string };
    if (data.schemaType && data.schemaType !== 'AVRO') throw new RegistryError(`Schema ${id} is not an Avro schema but ${data.schemaType}`, 200, false);
    return data.schema;
  }

  /** `POST /subjects/{subject}/versions`: registers (or finds) the schema; its id. */
  async register(subject: string, schema: string): Promise<number> {
    const data = (await this.call((c) => c.Subject.register({ subject, body: { schema } }))) as { id: number };
    return data.id;
  }

  /** `POST /subjects/{subject}`: the id and version of a schema already registered under the subject. */
  async lookup(subject: string, schema: string): Promise<SubjectVersion> {
    const data = (await this.call((c) => c.Subject.registered({ subject, body: { schema } }))) as SubjectVersion;
    return { id: data.id, version: data.version, schema: data.schema ?? schema };
  }

  /** `GET /subjects/{subject}/versions/latest`. */
  async latest(subject: string): Promise<SubjectVersion> {
    const data = (await this.call((c) => c.Subject.latestVersion({ subject }))) as SubjectVersion;
    return { id: data.id, version: data.version, schema: data.schema };
  }

  private async call(fn: (c: ApiClient) => Promise<ApiResponse>): Promise<unknown> {
    let last: RegistryError | undefined;
    for (let n = 0; n < this.clients.length; n++) {
      const i = (this.current + n) % this.clients.length;
      try {
        const res = await fn(this.clients[i]!);
        this.current = i;
        return res.data();
      } catch (e) {
        last = classify(e, this.options.urls[i]!);
        if (!last.unreachable) throw last;
      }
    }
    throw last!;
  }
}

function classify(e: unknown, url: string): RegistryError {
  const err = e as { status?: number; message?: string };
  const status = typeof err?.status === 'number' ? err.status : undefined;
  const message = err?.message ?? String(e);
  const network = status === undefined || (status === 400 && NETWORK_FAILURE.test(message));
  const unreachable = network || status === 408 || status === 429 || (status !== undefined && status >= 500);
  const text = message.replace(/^[\w-]+ - /, '');
  return new RegistryError(network ? `Schema registry ${url} is unreachable: ${text}` : text, network ? undefined : status, unreachable, { cause: e });
}

/** TLS settings (`schema.registry.ssl.*`, PEM) as an HTTPS agent, or undefined when none are set. */
export function tlsAgent(c: Record<string, string | undefined>): Agent | undefined {
  const get = (k: string) => {
    const v = c[`schema.registry.ssl.${k}`];
    return v === undefined || v === '' ? undefined : v;
  };
  const pemFile = (path: string | undefined, type: string | undefined, what: string) => {
    if (path === undefined) return undefined;
    if (type !== undefined && type.toUpperCase() !== 'PEM') {
      throw new ConfigError(`schema.registry.ssl.${what}.type ${type} is not supported: only PEM ${what}s can be read`, {
        name: `schema.registry.ssl.${what}.type`,
      });
    }
    return readFileSync(path, 'utf8');
  };
  const ca = get('truststore.certificates') ?? pemFile(get('truststore.location'), get('truststore.type'), 'truststore');
  const keystore = get('keystore.certificate.chain') ?? pemFile(get('keystore.location'), get('keystore.type'), 'keystore');
  const key = get('keystore.key') ?? (keystore?.includes('PRIVATE KEY') ? keystore : undefined);
  const passphrase = get('key.password') ?? get('keystore.password');
  const noHostCheck = c['schema.registry.ssl.endpoint.identification.algorithm'] === '';
  if (ca === undefined && keystore === undefined && !noHostCheck) return undefined;
  return new HttpsAgent({
    keepAlive: true,
    ca,
    cert: keystore,
    key,
    passphrase,
    ...(noHostCheck ? { checkServerIdentity: () => undefined } : {}),
  });
}
