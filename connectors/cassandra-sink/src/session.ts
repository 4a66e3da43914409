/** cassandra-driver Client options from the sink config: contact points, local DC, pool, timeouts, auth, TLS. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { Client, auth, policies, types, type ClientOptions } from 'cassandra-driver';
import type { SinkConfig } from './config';

/** A setting that cannot work, with the key to fix: validate() reports it on that key, a task fails with it. */
export class SettingError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export function clientOptions(cfg: SinkConfig): ClientOptions {
  const g = cfg.global;
  const port = g.port;
  const contactPoints = g.contactPoints.filter(Boolean); // host or host:port
  const localDc = g['loadBalancing.localDc'].trim();
  const opts: ClientOptions = {
    contactPoints,
    // Protocol v4 at most: v4 is the highest this driver speaks with Apache Cassandra anyway, and letting it start
    // higher makes it renegotiate on the same connection — which, seen against Cassandra 5 over TLS, leaves one
    // stream id in the free list twice: two concurrent requests then share it and one response is lost (the
    // request only ends at its read timeout). See docs/connectors/cassandra-sink.md.
    protocolOptions: { port, maxVersion: 4 },
    pooling: { coreConnectionsPerHost: { [types.distance.local]: g.connectionPoolLocalSize, [types.distance.remote]: 1 } },
    socketOptions: { readTimeout: g.queryExecutionTimeout * 1000, connectTimeout: g.connectionTimeout * 1000 },
    policies: {
      loadBalancing: new policies.loadBalancing.TokenAwarePolicy(
        localDc
          ? new policies.loadBalancing.DCAwareRoundRobinPolicy(localDc)
          : new policies.loadBalancing.DCAwareRoundRobinPolicy(undefined as unknown as string),
      ),
      reconnection: new policies.reconnection.ExponentialReconnectionPolicy(200, 5000, false),
    },
    queryOptions: { prepare: true },
    // Maps are converted to ES Maps (typed keys); the driver iterates them only when told.
    encoding: { map: Map },
  };
  if (localDc) opts.localDataCenter = localDc;
  if (g['auth.provider'].toUpperCase() !== 'NONE') opts.authProvider = new auth.PlainTextAuthProvider(g['auth.username'], cfg.password);
  if (g['ssl.provider'].toUpperCase() !== 'NONE') opts.sslOptions = tlsOptions(cfg);
  return opts;
}

const isJks = (data: Buffer) => data.length >= 4 && data.readUInt32BE(0) === 0xfeedfeed; // JKS magic number
const isPem = (data: Buffer) => data.toString('latin1').includes('-----BEGIN');
const isDer = (data: Buffer) => data[0] === 0x30; // an ASN.1 SEQUENCE: a PKCS12 store, if anything

type StoreKey = 'ssl.truststore.path' | 'ssl.keystore.path';
const PASSWORD_KEY = { 'ssl.truststore.path': 'ssl.truststore.password', 'ssl.keystore.path': 'ssl.keystore.password' } as const;

// jks-js and node-forge take ~100 ms to load: they are loaded when a JKS/PKCS12 store is read, not before.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jks = (): typeof import('jks-js') => require('jks-js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = (): typeof import('node-forge') => require('node-forge');

/**
 * The entries of a store as PEM: a JKS store's per alias (jks-js: trusted certificates, or a chain and its key);
 * a PKCS12 store's certificates that belong to no key (node-forge: jks-js needs aliases, which openssl-made trust
 * stores lack), as trusted certificates.
 */
function storeEntries(cfg: SinkConfig, key: StoreKey, data: Buffer): { ca?: string; cert?: string; key?: string }[] {
  const password = key === 'ssl.truststore.path' ? cfg.truststorePassword : cfg.keystorePassword;
  try {
    if (isJks(data)) return Object.values(jks().toPem(data, password));
    const f = forge();
    const p12 = f.pkcs12.pkcs12FromAsn1(f.asn1.fromDer(data.toString('binary')), password);
    const bags = p12.getBags({ bagType: f.pki.oids.certBag })[f.pki.oids.certBag!] ?? [];
    // forge parses RSA certificates only; others (EC…) come as ASN.1, which Node reads
    const pem = (b: (typeof bags)[number]) =>
      b.cert ? f.pki.certificateToPem(b.cert) : new X509Certificate(Buffer.from(f.asn1.toDer(b.asn1!).getBytes(), 'binary')).toString();
    return bags.filter((b) => (b.cert || b.asn1) && !b.attributes.localKeyId).map((b) => ({ ca: pem(b) }));
  } catch (e) {
    const m = (e as Error).message;
    if (/password|MAC could not be verified|Cannot recover key/i.test(m))
      throw new SettingError(PASSWORD_KEY[key], `Cannot open ${key} ${cfg.global[key]}: wrong ${PASSWORD_KEY[key]} (${m})`);
    throw new SettingError(key, `Cannot read ${key} ${cfg.global[key]} as a ${isJks(data) ? 'JKS' : 'PKCS12'} store: ${m}`);
  }
}

/**
 * TLS options from the `ssl.*` files, each checked so that a wrong file is reported on its key: trusted CAs from a
 * PEM file or a JKS/PKCS12 trust store; the client certificate for mTLS as PEM chain + key or as a JKS/PKCS12 key
 * store (as in the DataStax connector's JDK provider: its configs keep working unchanged).
 */
export function tlsOptions(cfg: SinkConfig): ConnectionOptions {
  const g = cfg.global;
  const read = (key: 'ssl.truststore.path' | 'ssl.keystore.path' | 'ssl.openssl.keyCertChain' | 'ssl.openssl.privateKey'): Buffer | undefined => {
    const path = String(g[key]).trim();
    if (!path) return undefined;
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new SettingError(key, `Cannot read ${key} ${path}: ${(e as Error).message}`);
    }
    const store = key === 'ssl.truststore.path' || key === 'ssl.keystore.path';
    // PEM for the ssl.openssl.* files and a trust store; JKS or PKCS12 (DER) for either store
    const readable = isPem(data) ? key !== 'ssl.keystore.path' : store && (isJks(data) || isDer(data));
    if (!readable)
      throw new SettingError(
        key,
        store
          ? `${key} ${path} is not a ${key === 'ssl.keystore.path' ? '' : 'PEM, '}JKS or PKCS12 file`
          : `${key} ${path} is not a PEM file${isJks(data) ? ' (it is a JKS key store: set ssl.keystore.path to it instead)' : ''}`,
      );
    return data;
  };
  const trust = read('ssl.truststore.path');
  let ca: string | Buffer | string[] | undefined = trust;
  if (trust && !isPem(trust)) {
    ca = storeEntries(cfg, 'ssl.truststore.path', trust).flatMap((e) => (e.ca ? [e.ca] : []));
    if (!ca.length) throw new SettingError('ssl.truststore.path', `${g['ssl.truststore.path']} has no trusted certificate entry`);
  }
  const opts: ConnectionOptions = {
    ca,
    rejectUnauthorized: true,
    ciphers: g['ssl.cipherSuites'].length ? g['ssl.cipherSuites'].join(':') : undefined,
    ...(g['ssl.hostnameValidation'] ? {} : { checkServerIdentity: () => undefined }),
  };
  const cert = read('ssl.openssl.keyCertChain');
  const key = read('ssl.openssl.privateKey');
  const store = read('ssl.keystore.path');
  if (!cert !== !key)
    throw new SettingError(
      cert ? 'ssl.openssl.privateKey' : 'ssl.openssl.keyCertChain',
      'Set both ssl.openssl.keyCertChain and ssl.openssl.privateKey (mTLS), or neither',
    );
  if (cert && store) throw new SettingError('ssl.keystore.path', 'Set either ssl.keystore.path or ssl.openssl.keyCertChain/privateKey, not both');
  try {
    if (cert) createSecureContext({ cert, key });
  } catch (e) {
    throw new SettingError('ssl.openssl.privateKey', `The client certificate and key do not load together: ${(e as Error).message}`);
  }
  if (store && isJks(store)) {
    const entry = storeEntries(cfg, 'ssl.keystore.path', store).find((e) => e.cert && e.key);
    if (!entry) throw new SettingError('ssl.keystore.path', `${g['ssl.keystore.path']} has no private key entry (a client certificate and its key)`);
    return { ...opts, cert: entry.cert, key: entry.key };
  }
  try {
    if (store) createSecureContext({ pfx: store, passphrase: cfg.keystorePassword });
  } catch (e) {
    const m = (e as Error).message;
    if (/mac verify/i.test(m))
      throw new SettingError('ssl.keystore.password', `Cannot open ssl.keystore.path ${g['ssl.keystore.path']}: wrong ssl.keystore.password (${m})`);
    throw new SettingError('ssl.keystore.path', `Cannot read ssl.keystore.path ${g['ssl.keystore.path']} as a PKCS12 store: ${m}`);
  }
  return { ...opts, ...(cert ? { cert, key } : {}), ...(store ? { pfx: store, passphrase: cfg.keystorePassword } : {}) };
}

/**
 * What a failed connect says about the settings, when it is the settings' fault (credentials, certificates) and
 * not an unreachable server: the key to fix and a message that says how.
 */
export function settingAtFault(cfg: SinkConfig, e: unknown): SettingError | null {
  if (e instanceof SettingError) return e;
  const inner = Object.values((e as { innerErrors?: Record<string, unknown> }).innerErrors ?? {}) as Error[];
  const errs = [...inner, e as Error].filter(Boolean); // the hosts' own errors say it best
  const tls = cfg.global['ssl.provider'].toUpperCase() !== 'NONE';
  for (const x of errs) {
    const m = String(x.message ?? '');
    const code = (x as { code?: string }).code;
    if (x.name === 'AuthenticationError' || /requires authentication|username .* password are incorrect/i.test(m)) {
      if (cfg.global['auth.provider'].toUpperCase() === 'NONE')
        return new SettingError('auth.provider', `Cassandra requires authentication: set auth.provider=PLAIN, auth.username and auth.password (${m})`);
      return new SettingError('auth.password', `Cassandra rejected the credentials of auth.username '${cfg.global['auth.username']}': ${m}`);
    }
    if (!tls) continue;
    if (/certificate required|alert handshake failure|alert bad certificate/i.test(m))
      return new SettingError(
        'ssl.keystore.path',
        `Cassandra requires a client certificate (mTLS) it trusts: set ssl.keystore.path, or ssl.openssl.keyCertChain and ssl.openssl.privateKey (${m.trim()})`,
      );
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
      return new SettingError(
        'ssl.hostnameValidation',
        `The server certificate does not name the host connected to: ${m} (fix the certificate, or set ssl.hostnameValidation=false)`,
      );
    if (/self.signed|unable to (get local issuer|verify)|certificate has expired|CERT_/i.test(`${m} ${code ?? ''}`))
      return new SettingError(
        'ssl.truststore.path',
        `The server certificate is not trusted: ${m} (set ssl.truststore.path to a PEM file or a JKS/PKCS12 trust store with the CA that signed it)`,
      );
  }
  return null;
}

export function newClient(cfg: SinkConfig): Client {
  return closeReplacedHosts(new Client(clientOptions(cfg)));
}

/**
 * Works around a connection leak in cassandra-driver 4.10: when every node was down and the control connection
 * re-initializes from the contact points (NODEJS-632's path), it puts a new Host object in `client.hosts` for the
 * same address without shutting the old one down. The load-balancing policy goes on using the old Host (its pool
 * reconnects and serves the queries), but `client.shutdown()` only shuts down the Hosts in the map, so the old
 * pool's sockets stay open with their heartbeats for the life of the process — one pool per outage. Hosts that
 * leave the map are remembered and shut down with the client.
 */
export function closeReplacedHosts(client: Client): Client {
  const removed = new Set<{ shutdown(waitForPending: boolean): Promise<void> }>();
  client.hosts.on('remove', (h) => removed.add(h));
  const shutdown = client.shutdown.bind(client) as () => Promise<void>;
  client.shutdown = (async () => {
    await shutdown();
    await Promise.all([...removed].map((h) => h.shutdown(false).catch(() => undefined)));
  }) as Client['shutdown'];
  return client;
}

/**
 * Connects. Without `loadBalancing.localDc` the driver refuses to start but names the datacenters it found: with
 * exactly one, that one is used (with several, the error asks for the setting).
 */
export async function connectClient(cfg: SinkConfig): Promise<Client> {
  const client = newClient(cfg);
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    const m = /Available DCs are: \[([^\]]*)\]/.exec((e as Error).message);
    const dcs = m
      ? m[1]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    if (cfg.global['loadBalancing.localDc'].trim() || dcs.length !== 1) {
      if (dcs.length > 1) throw new Error(`Set loadBalancing.localDc to one of the datacenters: ${dcs.join(', ')}`, { cause: e });
      throw e;
    }
    const retry = newClient({ ...cfg, global: { ...cfg.global, 'loadBalancing.localDc': dcs[0]! } });
    try {
      await retry.connect();
    } catch (e2) {
      await retry.shutdown().catch(() => undefined);
      throw e2;
    }
    return retry;
  }
}
