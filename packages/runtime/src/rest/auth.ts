/**
 * REST authentication and roles (kconnect extension; off by default, as Java without a REST extension).
 * `rest.authentication.type=basic` checks HTTP Basic credentials against a file of scrypt-hashed passwords,
 * `bearer` checks `Authorization: Bearer` tokens against a file of SHA-256-hashed tokens, `basic,bearer` both.
 * Every user or token has one role: `read` (GET), `operate` (read + pause / resume / restart / stop) or `admin`
 * (everything). `GET /`, `/health` and `OPTIONS` (CORS pre-flight) stay open; the internal, session-key-signed
 * requests between the workers of a cluster pass (their signature is their authentication, checked by the herder).
 * See docs/security.md.
 */
import { createHash, randomBytes, scrypt as scryptCb, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigDef, ConfigError, ConfigType, Importance } from '@kconnect/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging';

export const ROLES = ['read', 'operate', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { read: 1, operate: 2, admin: 3 };

export interface Identity {
  name: string;
  role: Role;
  scheme: 'basic' | 'bearer';
}

export const REST_AUTH_CONFIG = new ConfigDef()
  .define({
    name: 'rest.authentication.type',
    type: ConfigType.LIST,
    default: 'none',
    importance: Importance.MEDIUM,
    documentation:
      'kconnect extension: how REST requests are authenticated: none (the default, as Java), basic (HTTP Basic against rest.authentication.basic.users.file), bearer (tokens of rest.authentication.bearer.tokens.file) or basic,bearer.',
  })
  .define({
    name: 'rest.authentication.basic.users.file',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Users for basic authentication, one `user:role:scrypt$…` line each (kconnect hash-password makes the lines).',
  })
  .define({
    name: 'rest.authentication.bearer.tokens.file',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Bearer tokens, one `name:role:sha256$…` line each (kconnect generate-token makes a token and its line).',
  })
  .define({
    name: 'rest.authentication.realm',
    type: ConfigType.STRING,
    default: 'kconnect',
    importance: Importance.LOW,
    documentation: 'The realm of the WWW-Authenticate challenges.',
  });

// --- credentials ---------------------------------------------------------------------------------------------

/** scrypt cost of new hashes: N=2^15, r=8, p=1 (32 MiB, ~0.1 s); a stored hash carries its own parameters. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 };
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password, salt, KEY_LEN, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const SCRYPT_RE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = SCRYPT_RE.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const got = await scrypt(password, Buffer.from(m[4]!, 'base64'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A new random bearer token (256 bits): `kct_` and base64url. */
export function generateToken(): string {
  return `kct_${randomBytes(32).toString('base64url')}`;
}

/** `sha256$hex`: tokens are random and long, so a fast hash suffices (and lets a request find its token at once). */
export function hashToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

interface Entry {
  name: string;
  role: Role;
  hash: string;
}

/** Parses a credentials file: `name:role:hash` lines; blank lines and `#` comments ignored. */
export function parseCredentials(text: string, file: string, kind: 'users' | 'tokens'): Entry[] {
  const out: Entry[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file} line ${i + 1}`;
    const parts = line.split(':');
    if (parts.length !== 3) throw new ConfigError(`${where}: expected name:role:hash`);
    const [name, role, hash] = parts as [string, string, string];
    if (!name) throw new ConfigError(`${where}: empty name`);
    if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(`${where}: role ${role} is not one of ${ROLES.join(', ')}`);
    if (kind === 'users' && !SCRYPT_RE.test(hash)) throw new ConfigError(`${where}: the password hash must be scrypt$N$r$p$salt$hash (kconnect hash-password)`);
    if (kind === 'tokens' && !/^sha256\$[0-9a-f]{64}$/.test(hash))
      throw new ConfigError(`${where}: the token hash must be sha256$<64 hex digits> (kconnect generate-token)`);
    if (names.has(name)) throw new ConfigError(`${where}: ${name} appears twice`);
    names.add(name);
    out.push({ name, role: role as Role, hash });
  });
  return out;
}

/** A credentials file, read again when it changes (checked at most once a second); a bad new version is logged and the last good one kept. */
class CredentialsFile {
  private entries: Entry[];
  private mtimeMs: number;
  private checkedAt = Date.now();
  private version = 0;

  constructor(
    readonly file: string,
    private readonly kind: 'users' | 'tokens',
    private readonly log: Logger,
  ) {
    try {
      this.mtimeMs = statSync(file).mtimeMs;
      this.entries = parseCredentials(readFileSync(file, 'utf8'), file, kind);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`Cannot read the REST ${kind} file ${file}: ${(e as Error).message}`);
    }
  }

  /** The entries (and a version number that changes when the file is read again). */
  current(): { entries: Entry[]; version: number } {
    const now = Date.now();
    if (now - this.checkedAt >= 1000) {
      this.checkedAt = now;
      try {
        const mtimeMs = statSync(this.file).mtimeMs;
        if (mtimeMs !== this.mtimeMs) {
          this.entries = parseCredentials(readFileSync(this.file, 'utf8'), this.file, this.kind);
          this.mtimeMs = mtimeMs;
          this.version++;
          this.log.info({ file: this.file, entries: this.entries.length }, `REST ${this.kind} file reloaded`);
        }
      } catch (e) {
        this.log.error({ file: this.file, err: (e as Error).message }, `cannot reload the REST ${this.kind} file; keeping the previous one`);
      }
    }
    return { entries: this.entries, version: this.version };
  }
}

// --- what each request needs -----------------------------------------------------------------------------------

/** Open to anyone (as documented): the worker's version and its health (load balancers, orchestrators). */
const OPEN = new Set(['GET /', 'HEAD /', 'GET /health', 'HEAD /health']);
/** Requests between the workers of a cluster, signed with the session key (Java exempts them the same way). */
export const INTERNAL_ROUTES: ReadonlySet<string> = new Set(['POST /connectors/:c/tasks', 'PUT /connectors/:c/fence']);
const OPERATE = new Set([
  'PUT /connectors/:c/pause',
  'PUT /connectors/:c/resume',
  'PUT /connectors/:c/stop',
  'POST /connectors/:c/restart',
  'POST /connectors/:c/tasks/:t/restart',
]);

/** The role a request needs: 'open' when none, 'internal' for the signed requests between workers. */
export function requiredRole(method: string, route: string | undefined): Role | 'open' | 'internal' {
  const key = `${method} ${route ?? ''}`;
  if (method === 'OPTIONS' || OPEN.has(key)) return 'open';
  if (INTERNAL_ROUTES.has(key)) return 'internal';
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (OPERATE.has(key)) return 'operate';
  return 'admin';
}

class Unauthorized extends Error {
  constructor(
    message: string,
    readonly error?: string,
  ) {
    super(message);
  }
}

const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

export class RestAuthenticator {
  private readonly users?: CredentialsFile;
  private readonly tokens?: CredentialsFile;
  private readonly realm: string;
  /** Basic credentials already checked (sha256 of the header → identity), so scrypt runs once per user per 5 min. */
  private readonly verified = new Map<string, { identity: Identity; at: number; version: number }>();

  /** From the worker's props; undefined when authentication is off. */
  static fromWorkerProps(props: Record<string, string>, log: Logger): RestAuthenticator | undefined {
    const p = REST_AUTH_CONFIG.parse(props) as Record<string, unknown>;
    const types = (p['rest.authentication.type'] as string[]).map((t) => t.trim().toLowerCase()).filter(Boolean);
    for (const t of types)
      if (!['none', 'basic', 'bearer'].includes(t))
        throw new ConfigError(`Invalid value ${t} for configuration rest.authentication.type: must be none, basic, bearer or basic,bearer`, {
          name: 'rest.authentication.type',
        });
    const schemes = types.filter((t) => t !== 'none') as Array<'basic' | 'bearer'>;
    if (!schemes.length) return undefined;
    const usersFile = String(p['rest.authentication.basic.users.file'] ?? '');
    const tokensFile = String(p['rest.authentication.bearer.tokens.file'] ?? '');
    if (schemes.includes('basic') && !usersFile)
      throw new ConfigError('rest.authentication.type=basic needs rest.authentication.basic.users.file', { name: 'rest.authentication.basic.users.file' });
    if (schemes.includes('bearer') && !tokensFile)
      throw new ConfigError('rest.authentication.type=bearer needs rest.authentication.bearer.tokens.file', { name: 'rest.authentication.bearer.tokens.file' });
    return new RestAuthenticator(
      schemes.includes('basic') ? new CredentialsFile(usersFile, 'users', log) : undefined,
      schemes.includes('bearer') ? new CredentialsFile(tokensFile, 'tokens', log) : undefined,
      String(p['rest.authentication.realm'] ?? 'kconnect'),
      log,
    );
  }

  private constructor(
    users: CredentialsFile | undefined,
    tokens: CredentialsFile | undefined,
    realm: string,
    private readonly log: Logger,
  ) {
    this.users = users;
    this.tokens = tokens;
    this.realm = realm.replace(/["\\]/g, '');
  }

  get schemes(): string[] {
    return [...(this.users ? ['Basic'] : []), ...(this.tokens ? ['Bearer'] : [])];
  }

  /** The identity behind an `Authorization` header; throws {@link Unauthorized}. */
  async authenticate(header: string | undefined): Promise<Identity> {
    if (!header) throw new Unauthorized(`Authentication required: send an Authorization header (${this.schemes.join(' or ')})`);
    const sp = header.indexOf(' ');
    const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
    const value = sp < 0 ? '' : header.slice(sp + 1).trim();
    if (scheme === 'basic' && this.users) return this.basic(value);
    if (scheme === 'bearer' && this.tokens) return this.bearer(value);
    throw new Unauthorized(`Unsupported authorization scheme ${scheme}; this worker accepts ${this.schemes.join(' or ')}`);
  }

  private async basic(value: string): Promise<Identity> {
    const users = this.users!.current();
    const cacheKey = createHash('sha256').update(value).digest('base64');
    const hit = this.verified.get(cacheKey);
    if (hit && hit.version === users.version && Date.now() - hit.at < CACHE_TTL_MS) return hit.identity;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Unauthorized('Malformed Basic credentials');
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const entry = users.entries.find((e) => e.name === name);
    // An unknown user costs the same scrypt as a known one (no user enumeration by timing).
    const ok = await verifyPassword(password, entry?.hash ?? DUMMY_HASH);
    if (!entry || !ok) throw new Unauthorized('Invalid username or password');
    const identity: Identity = { name, role: entry.role, scheme: 'basic' };
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(cacheKey, { identity, at: Date.now(), version: users.version });
    return identity;
  }

  private bearer(token: string): Identity {
    if (!token) throw new Unauthorized('Empty bearer token', 'invalid_request');
    const hash = Buffer.from(hashToken(token));
    const entry = this.tokens!.current().entries.find((e) => e.hash.length === hash.length && timingSafeEqual(Buffer.from(e.hash), hash));
    if (!entry) throw new Unauthorized('Invalid bearer token', 'invalid_token');
    return { name: entry.name, role: entry.role, scheme: 'bearer' };
  }

  /** The fastify `onRequest` hook: answers 401 / 403 itself, else records the identity on the request. */
  readonly onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const need = requiredRole(req.method, req.routeOptions.url);
    if (need === 'open' || need === 'internal') return;
    let identity: Identity;
    try {
      identity = await this.authenticate(req.headers.authorization);
    } catch (e) {
      if (!(e instanceof Unauthorized)) throw e;
      const challenges = [
        ...(this.users ? [`Basic realm="${this.realm}", charset="UTF-8"`] : []),
        ...(this.tokens
          ? [`Bearer realm="${this.realm}"${e.error && req.headers.authorization?.toLowerCase().startsWith('bearer') ? `, error="${e.error}"` : ''}`]
          : []),
      ];
      this.log.debug({ method: req.method, url: req.url, ip: req.ip, reason: e.message }, 'REST request not authenticated');
      return reply.code(401).header('WWW-Authenticate', challenges).type('application/json').send({ error_code: 401, message: e.message });
    }
    (req as { user?: Identity }).user = identity;
    if (RANK[identity.role] < RANK[need]) {
      this.log.debug({ method: req.method, url: req.url, user: identity.name, role: identity.role, need }, 'REST request forbidden');
      return reply
        .code(403)
        .type('application/json')
        .send({
          error_code: 403,
          message: `User ${identity.name} (role ${identity.role}) may not ${req.method} ${req.url.split('?')[0]}: it needs the ${need} role`,
        });
    }
  };
}

/** A valid hash of a random password, checked against when the user is unknown. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64')}$${randomBytes(KEY_LEN).toString('base64')}`;
