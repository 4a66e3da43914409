/**
 * Configuration of the HTTP source. Static keys live in {@link CONFIG}; routes (listen mode) and endpoints (poll
 * mode) are named in a list and configured with prefixed keys, `http.listen.route.<name>.<key>` and
 * `http.poll.endpoint.<name>.<key>`, which fall back to `http.listen.<key>` / `http.poll.<key>` so that settings
 * shared by every route (auth, limits) are written once.
 */
import { ConfigDef, ConfigError, ConfigType, Importance, Validators } from '@kconnect/api';
import { parsePointer } from './json-pointer';

export const MODE = 'http.mode';
export const L = 'http.listen.';
export const P = 'http.poll.';

export const CONFIG = new ConfigDef()
  .define({
    name: MODE,
    type: ConfigType.STRING,
    default: 'listen',
    importance: Importance.HIGH,
    group: 'HTTP',
    validator: Validators.in(['listen', 'poll']),
    documentation: 'listen: receive webhooks from devices (one listener, tasks.max=1); poll: call HTTP APIs on a schedule.',
  })
  // ---- listen mode
  .define({
    name: `${L}port`,
    type: ConfigType.INT,
    default: 8080,
    importance: Importance.HIGH,
    group: 'Listen',
    documentation: 'Port of the listener (0: any free port, logged).',
  })
  .define({ name: `${L}host`, type: ConfigType.STRING, default: '0.0.0.0', importance: Importance.MEDIUM, group: 'Listen', documentation: 'Address to bind.' })
  .define({
    name: `${L}routes`,
    type: ConfigType.LIST,
    default: '',
    importance: Importance.HIGH,
    group: 'Listen',
    documentation: 'Route names; each is configured with http.listen.route.<name>.* keys (path, topic, ...).',
  })
  .define({
    name: `${L}tls.cert.file`,
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: 'Listen',
    documentation: 'PEM certificate chain: serve HTTPS.',
  })
  .define({
    name: `${L}tls.key.file`,
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: 'Listen',
    documentation: 'PEM private key for HTTPS.',
  })
  .define({
    name: `${L}max.body.bytes`,
    type: ConfigType.INT,
    default: 1048576,
    importance: Importance.MEDIUM,
    group: 'Listen',
    validator: Validators.atLeast(1),
    documentation: 'Largest accepted body; larger requests get 413.',
  })
  .define({
    name: `${L}queue.max.records`,
    type: ConfigType.INT,
    default: 20000,
    importance: Importance.MEDIUM,
    group: 'Listen',
    validator: Validators.atLeast(1),
    documentation: 'Records received and not yet acknowledged by Kafka, at most; beyond it requests get 429 with Retry-After.',
  })
  .define({
    name: `${L}batch.max.records`,
    type: ConfigType.INT,
    default: 2000,
    importance: Importance.LOW,
    group: 'Listen',
    validator: Validators.atLeast(1),
    documentation: 'Records handed to the runtime per poll (a request is never split).',
  })
  .define({
    name: `${L}ack.timeout.ms`,
    type: ConfigType.LONG,
    default: 30000,
    importance: Importance.MEDIUM,
    group: 'Listen',
    validator: Validators.atLeast(1),
    documentation: 'How long a request waits for Kafka acknowledgements before it gets 503 (its records may still be written later: at-least-once).',
  })
  .define({
    name: `${L}stall.ms`,
    type: ConfigType.LONG,
    default: 3000,
    importance: Importance.LOW,
    group: 'Listen',
    validator: Validators.atLeast(100),
    documentation: 'When the runtime has not asked for records for this long (task paused, Kafka slow), new and queued requests get 503 with Retry-After.',
  })
  .define({
    name: `${L}retry.after.seconds`,
    type: ConfigType.INT,
    default: 1,
    importance: Importance.LOW,
    group: 'Listen',
    validator: Validators.atLeast(0),
    documentation: 'Retry-After of 429 and 503 responses.',
  })
  .define({
    name: `${L}idempotency.window.ms`,
    type: ConfigType.LONG,
    default: 600000,
    importance: Importance.MEDIUM,
    group: 'Listen',
    validator: Validators.atLeast(0),
    documentation: 'How long an Idempotency-Key is remembered (0: off). A retry within the window gets the first answer and writes nothing.',
  })
  .define({
    name: `${L}idempotency.max.keys`,
    type: ConfigType.INT,
    default: 100000,
    importance: Importance.LOW,
    group: 'Listen',
    validator: Validators.atLeast(1),
    documentation: 'Idempotency keys remembered at most (oldest forgotten first).',
  })
  .define({
    name: `${L}value.format`,
    type: ConfigType.STRING,
    default: 'string',
    importance: Importance.MEDIUM,
    group: 'Listen',
    validator: Validators.in(['string', 'json']),
    documentation:
      'string: the JSON text of each element (StringConverter); json: the parsed value, schemaless (JsonConverter with schemas.enable=false). Raw bodies are always bytes.',
  })
  // ---- poll mode
  .define({
    name: `${P}endpoints`,
    type: ConfigType.LIST,
    default: '',
    importance: Importance.HIGH,
    group: 'Poll',
    documentation: 'Endpoint names; each is configured with http.poll.endpoint.<name>.* keys (url, topic, ...), spread over the tasks.',
  })
  .define({
    name: 'http.allow.private.addresses',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    group: 'Poll',
    documentation: 'Allow polling loopback, private, link-local and unique-local addresses (SSRF guard off).',
  })
  // The credentials of routes and endpoints (shared or per name): shown as [hidden] by the worker's REST answers.
  .sensitive(/^http\.(listen|poll)\.(.+\.)?auth\.(password|token|key|hmac\.secret|oauth2\.client\.secret)$/);

/** A per-route or per-endpoint setting: `<prefix><name>.<key>`, falling back to `<fallbackPrefix><key>`. */
export class Scoped {
  constructor(
    private readonly props: Record<string, string>,
    readonly prefix: string,
    readonly fallback: string,
    readonly errors: Map<string, string[]>,
  ) {}
  keyOf(k: string): string {
    return this.props[this.prefix + k] !== undefined ? this.prefix + k : this.fallback + k;
  }
  raw(k: string): string | undefined {
    return this.props[this.prefix + k] ?? this.props[this.fallback + k];
  }
  str(k: string, def?: string): string {
    const v = this.raw(k);
    if (v !== undefined && v !== '') return v;
    if (def === undefined) {
      this.error(this.prefix + k, `Missing required configuration "${this.prefix + k}" which has no default value.`);
      return '';
    }
    return def;
  }
  opt(k: string): string | null {
    const v = this.raw(k);
    return v === undefined || v === '' ? null : v;
  }
  int(k: string, def: number, min = 0): number {
    const v = this.raw(k);
    if (v === undefined || v.trim() === '') return def;
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < min) {
      this.error(this.keyOf(k), `Invalid value ${v} for configuration ${this.keyOf(k)}: Value must be an integer of at least ${min}`);
      return def;
    }
    return n;
  }
  bool(k: string, def: boolean): boolean {
    const v = this.raw(k)?.trim().toLowerCase();
    if (v === undefined || v === '') return def;
    if (v !== 'true' && v !== 'false')
      this.error(this.keyOf(k), `Invalid value ${v} for configuration ${this.keyOf(k)}: Expected value to be either true or false`);
    return v === 'true';
  }
  list(k: string, def: string[] = []): string[] {
    const v = this.raw(k);
    if (v === undefined) return def;
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  oneOf<T extends string>(k: string, values: readonly T[], def: T): T {
    const v = (this.raw(k) ?? def).trim() as T;
    if (!values.includes(v)) {
      this.error(this.keyOf(k), `Invalid value ${v} for configuration ${this.keyOf(k)}: String must be one of: ${values.join(', ')}`);
      return def;
    }
    return v;
  }
  pointer(k: string, def: string | null): string | null {
    const v = this.raw(k) ?? def;
    if (v === null) return null;
    try {
      parsePointer(v);
    } catch (e) {
      this.error(this.keyOf(k), `Invalid value ${v} for configuration ${this.keyOf(k)}: ${(e as Error).message}`);
      return null;
    }
    return v;
  }
  error(key: string, message: string): void {
    const list = this.errors.get(key) ?? [];
    list.push(message);
    this.errors.set(key, list);
  }
}

// ---- auth (listen routes and poll endpoints)

export type ListenAuth =
  | { type: 'none' }
  | { type: 'bearer'; tokens: string[] }
  | { type: 'basic'; username: string; password: string }
  | { type: 'apikey'; header: string; keys: string[] }
  | { type: 'hmac'; secret: string; algorithm: string; header: string; prefix: string; timestampHeader: string | null; toleranceMs: number };

function listenAuth(s: Scoped): ListenAuth {
  const type = s.oneOf('auth.type', ['none', 'bearer', 'basic', 'apikey', 'hmac'] as const, 'none');
  switch (type) {
    case 'none':
      return { type };
    case 'bearer':
      return { type, tokens: s.list('auth.token') };
    case 'basic':
      return { type, username: s.str('auth.username'), password: s.str('auth.password') };
    case 'apikey':
      return { type, header: s.str('auth.header', 'x-api-key').toLowerCase(), keys: s.list('auth.key') };
    case 'hmac': {
      const algorithm = s.oneOf('auth.hmac.algorithm', ['sha256', 'sha1', 'sha512'] as const, 'sha256');
      const ts = s.str('auth.hmac.timestamp.header', 'x-signature-timestamp');
      return {
        type,
        secret: s.str('auth.hmac.secret'),
        algorithm,
        header: s.str('auth.hmac.header', 'x-signature').toLowerCase(),
        prefix: s.str('auth.hmac.prefix', `${algorithm}=`),
        timestampHeader: ts === 'none' ? null : ts.toLowerCase(),
        toleranceMs: s.int('auth.hmac.timestamp.tolerance.ms', 300000, 1),
      };
    }
  }
}

// ---- listen routes

export type KeySource = { from: 'none' } | { from: 'header'; name: string } | { from: 'pointer'; pointer: string } | { from: 'param'; name: string };

export interface RouteConfig {
  name: string;
  path: string;
  methods: string[];
  topic: string;
  /** auto: by content type; json: JSON only; ndjson; raw: bytes of the allowed content types. */
  format: 'auto' | 'json' | 'ndjson' | 'raw';
  contentTypes: string[];
  key: KeySource;
  copyHeaders: string[];
  headerPrefix: string;
  auth: ListenAuth;
  successStatus: number;
  maxBodyBytes: number;
}

function keySource(s: Scoped): KeySource {
  const v = s.opt('key');
  if (!v || v === 'none') return { from: 'none' };
  const i = v.indexOf(':');
  const kind = i < 0 ? '' : v.slice(0, i);
  const arg = v.slice(i + 1);
  if (kind === 'header' && arg) return { from: 'header', name: arg.toLowerCase() };
  if (kind === 'param' && arg) return { from: 'param', name: arg };
  if (kind === 'pointer') {
    try {
      parsePointer(arg);
      return { from: 'pointer', pointer: arg };
    } catch {
      /* reported below */
    }
  }
  s.error(s.keyOf('key'), `Invalid value ${v} for configuration ${s.keyOf('key')}: expected none, header:<name>, pointer:</json/pointer> or param:<name>`);
  return { from: 'none' };
}

export function listenRoutes(props: Record<string, string>, errors: Map<string, string[]>): RouteConfig[] {
  const parsed = CONFIG.parse({ ...props, [MODE]: 'listen' });
  const names = parsed[`${L}routes`];
  if (names.length === 0) {
    const list = errors.get(`${L}routes`) ?? [];
    list.push(`Invalid value for configuration ${L}routes: listen mode needs at least one route`);
    errors.set(`${L}routes`, list);
  }
  const seen = new Set<string>();
  return names.map((name) => {
    const s = new Scoped(props, `${L}route.${name}.`, L, errors);
    const path = s.str('path');
    if (path && !path.startsWith('/')) s.error(s.keyOf('path'), `Invalid value ${path} for configuration ${s.keyOf('path')}: must start with '/'`);
    const methods = s.list('methods', ['POST']).map((m) => m.toUpperCase());
    for (const m of methods) {
      if (!['POST', 'PUT', 'PATCH'].includes(m)) s.error(s.keyOf('methods'), `Invalid value ${m} for configuration ${s.keyOf('methods')}: POST, PUT or PATCH`);
      if (seen.has(`${m} ${path}`)) s.error(s.keyOf('path'), `Route ${name}: ${m} ${path} is already used by another route`);
      seen.add(`${m} ${path}`);
    }
    const format = s.oneOf('format', ['auto', 'json', 'ndjson', 'raw'] as const, 'auto');
    return {
      name,
      path,
      methods,
      topic: s.str('topic'),
      format,
      contentTypes: s.list('content.types', format === 'raw' ? ['application/octet-stream'] : []).map((c) => c.toLowerCase()),
      key: keySource(s),
      copyHeaders: s.list('headers').map((h) => h.toLowerCase()),
      headerPrefix: s.str('headers.prefix', ''),
      auth: listenAuth(s),
      successStatus: s.int('success.status', 200, 200),
      maxBodyBytes: s.int('max.body.bytes', parsed[`${L}max.body.bytes`], 1),
    };
  });
}

export { ConfigError };
