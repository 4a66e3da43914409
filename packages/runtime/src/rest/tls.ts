/**
 * HTTPS for the REST listeners with Java Connect's keys: `listeners=https://host:port` and
 * `listeners.https.ssl.*` (`admin.listeners.https.ssl.*` for `admin.listeners`) — or, as Java's
 * `valuesWithPrefixAllOrNothing`, the worker's top-level `ssl.*` keys when no key has the prefix. Key stores: JKS,
 * PKCS12 or PEM (a file, or Java's inline `ssl.keystore.key` / `ssl.keystore.certificate.chain`); trust stores the
 * same. `ssl.client.auth=none|requested|required` asks the clients for certificates (mTLS). The worker's own
 * requests to other workers (forwarding to the leader, task configs, task restarts) use the same stores: the trust
 * store to check the other worker, the key store as client certificate. See docs/security.md.
 */
import { readFileSync } from 'node:fs';
import type * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { ConfigError } from '@kconnect/api';
import { KeyStoreError, pemBlocks, privateKeyEntry, trustedCertificates } from '../tls/key-stores';

export type ClientAuth = 'none' | 'requested' | 'required';

/** What a TLS context needs from the key store and the trust store. */
interface Material {
  key?: string;
  cert?: string;
  pfx?: Buffer;
  passphrase?: string;
  ca?: string[];
}

export interface ListenerTls {
  /** Options for `https.createServer` (fastify's `https`). */
  server: https.ServerOptions;
  /** Options for this worker's requests to other workers. */
  client: https.AgentOptions;
  clientAuth: ClientAuth;
  /** Settings read but not applied (logged as warnings). */
  ignored: string[];
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/**
 * The SSL settings of a listener: the keys under `prefix` (without it) when there is any, else the top-level
 * `ssl.*` keys (Java's all-or-nothing rule).
 */
export function sslSettings(props: Record<string, string>, prefix: string): { settings: Record<string, string>; keyPrefix: string } {
  const prefixed = Object.entries(props).filter(([k]) => k.startsWith(prefix));
  if (prefixed.length) return { settings: Object.fromEntries(prefixed.map(([k, v]) => [k.slice(prefix.length), v])), keyPrefix: prefix };
  return { settings: Object.fromEntries(Object.entries(props).filter(([k]) => k.startsWith('ssl.'))), keyPrefix: '' };
}

/** The TLS options of an `https://` listener; throws a ConfigError naming the setting at fault. */
export function listenerTls(props: Record<string, string>, prefix = 'listeners.https.'): ListenerTls {
  const { settings: s, keyPrefix } = sslSettings(props, prefix);
  const name = (k: string) => `${keyPrefix}${k}`;
  const fail = (k: string, m: string): never => {
    throw new ConfigError(`Invalid value for configuration ${name(k)}: ${m}`, { name: name(k) });
  };
  const get = (k: string) => {
    const v = s[k]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const readFile = (k: string): Buffer => {
    try {
      return readFileSync(get(k)!);
    } catch (e) {
      return fail(k, `cannot read ${get(k)}: ${(e as Error).message}`);
    }
  };
  const ignored: string[] = [];

  // The key store (the listener's certificate and key).
  const keyStore: Material = {};
  const keyPassword = get('ssl.key.password') ?? get('ssl.keystore.password') ?? '';
  if (get('ssl.keystore.key') || get('ssl.keystore.certificate.chain')) {
    if (!get('ssl.keystore.key') || !get('ssl.keystore.certificate.chain'))
      fail('ssl.keystore.key', 'set both ssl.keystore.key and ssl.keystore.certificate.chain (PEM), or neither');
    if (get('ssl.keystore.location')) fail('ssl.keystore.location', 'set either ssl.keystore.location or the inline PEM ssl.keystore.key, not both');
    keyStore.key = pemText(get('ssl.keystore.key')!);
    keyStore.cert = pemText(get('ssl.keystore.certificate.chain')!);
    keyStore.passphrase = get('ssl.key.password');
  } else if (get('ssl.keystore.location')) {
    const data = readFile('ssl.keystore.location');
    try {
      // JKS, PKCS12 or PEM (a private key and its certificate chain), whatever ssl.keystore.type says.
      Object.assign(keyStore, privateKeyEntry(data, get('ssl.keystore.password') ?? '', keyPassword));
    } catch (e) {
      if (!(e instanceof KeyStoreError)) throw e;
      fail('ssl.keystore.location', `cannot read the key store ${get('ssl.keystore.location')}: ${e.message}`);
    }
  }
  if (!keyStore.cert && !keyStore.pfx)
    fail(
      'ssl.keystore.location',
      'an https listener needs a key store: ssl.keystore.location (JKS, PKCS12 or PEM) or ssl.keystore.key + ssl.keystore.certificate.chain',
    );

  // The trust store (the CAs the client certificates, and the other workers' certificates, must chain to).
  let ca: string[] | undefined;
  if (get('ssl.truststore.certificates')) ca = pemBlocks(pemText(get('ssl.truststore.certificates')!), 'CERTIFICATE');
  else if (get('ssl.truststore.location')) {
    const data = readFile('ssl.truststore.location');
    try {
      ca = trustedCertificates(data, get('ssl.truststore.password') ?? '');
    } catch (e) {
      if (!(e instanceof KeyStoreError)) throw e;
      fail('ssl.truststore.location', `cannot read the trust store ${get('ssl.truststore.location')}: ${e.message}`);
    }
    if (!ca?.length) fail('ssl.truststore.location', `${get('ssl.truststore.location')} holds no trusted certificate`);
  }

  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase() as ClientAuth;
  if (!['none', 'requested', 'required'].includes(clientAuth)) fail('ssl.client.auth', `${s['ssl.client.auth']} is not one of none, requested, required`);

  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of protocols) if (!(TLS_VERSIONS as readonly string[]).includes(p)) fail('ssl.enabled.protocols', `unknown protocol ${p}`);
  const idx = protocols.map((p) => TLS_VERSIONS.indexOf(p as (typeof TLS_VERSIONS)[number]));
  const versions = { minVersion: TLS_VERSIONS[Math.min(...idx)], maxVersion: TLS_VERSIONS[Math.max(...idx)] } as const;
  for (const k of ['ssl.cipher.suites', 'ssl.provider', 'ssl.secure.random.implementation', 'ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm'])
    if (get(k)) ignored.push(name(k));

  const material: Material = { ...keyStore, ...(ca ? { ca } : {}) };
  const server: https.ServerOptions = { ...material, ...versions, requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required' };
  try {
    createSecureContext(server);
  } catch (e) {
    fail(keyStore.pfx || !get('ssl.keystore.key') ? 'ssl.keystore.location' : 'ssl.keystore.key', `cannot use the key store: ${(e as Error).message}`);
  }
  const client: https.AgentOptions = { ...material, ...versions };
  if ((s['ssl.endpoint.identification.algorithm'] ?? 'https').trim() === '') client.checkServerIdentity = () => undefined;
  return { server, client, clientAuth, ignored };
}

/**
 * Java's inline PEM values (`ssl.keystore.key` …) often come as one line (a `.properties` value continued with `\\`):
 * each block's base64 is re-wrapped, as Java's PEM parser ignores the white space.
 */
function pemText(v: string): string {
  const blocks = [...v.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  return blocks
    .map(
      ([, label, body]) =>
        `-----BEGIN ${label}-----\n${
          body!
            .replace(/\s+/g, '')
            .match(/.{1,64}/g)
            ?.join('\n') ?? ''
        }\n-----END ${label}-----`,
    )
    .join('\n');
}

/**
 * With `ssl.client.auth=requested`, node accepts any client certificate (`rejectUnauthorized: false`); Java refuses
 * the handshake of a client whose certificate does not verify. Do the same: close such connections.
 */
export function refuseUnverifiedClientCertificates(server: https.Server): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized) return;
    const peer = socket.getPeerCertificate();
    if (peer && Object.keys(peer).length) socket.destroy();
  });
}

/** A `fetch` for the worker's requests to other workers: https with the listener's stores, plain fetch for http. */
export type RestFetch = (url: URL, init: { method: string; headers?: Record<string, string>; body?: string }) => Promise<Response>;

export function restClient(tls?: https.AgentOptions): RestFetch {
  const agent = new https.Agent({ keepAlive: true, ...(tls ?? {}) });
  return (url, init) => {
    if (url.protocol !== 'https:') return fetch(url, init);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method: init.method, headers: init.headers, agent }, (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, one);
          const status = res.statusCode ?? 500;
          const body = [101, 204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage, headers }));
        });
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`request to ${url.origin} timed out`)));
      req.on('error', reject);
      req.end(init.body);
    });
  };
}
