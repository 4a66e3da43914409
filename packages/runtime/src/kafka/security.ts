/**
 * How a Kafka client connects (Java's `security.protocol`, `sasl.*`, `ssl.*`): the settings parsed in `settings.ts`
 * turned into Node's TLS options and SASL credentials for the backends, the stores read here (files named by the
 * settings are read each time a client is created, as Java's clients do). Also: recognising an authentication or
 * TLS failure in a client library's error, which no retry can fix, and saying which setting to fix.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { KeyStoreError, detectKeyStoreFormat, privateKeyEntry, trustedCertificates } from '../tls/key-stores';
import { KafkaSettingError, type SaslMechanism, type SecurityProtocol, type SslSettings, parseSecuritySettings, securityKeysOf } from './settings';

/** What a backend needs to connect: TLS options (SSL, SASL_SSL) and SASL credentials (SASL_*). */
export interface KafkaConnectionSecurity {
  protocol: SecurityProtocol;
  tls?: ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

const fileError = (key: string, path: string, why: string) => new KafkaSettingError([key], (n) => `Invalid value ${path} for configuration ${n(key)}: ${why}`);

function readStoreFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError(key, path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The KafkaSettingError of a store problem: a wrong password on the password key, the rest on the location key. */
function storeProblem(e: unknown, locationKey: string, passwordKey: string, path: string): Error {
  if (!(e instanceof KeyStoreError)) return e as Error;
  if (e.reason === 'password')
    return new KafkaSettingError([passwordKey, locationKey], (n) => `Cannot open ${n(locationKey)} ${path}: wrong ${n(passwordKey)} (${e.message})`);
  return fileError(locationKey, path, e.message);
}

/** Node's TLS options from the `ssl.*` settings: trusted CAs, the client certificate (mTLS), host name check. */
export function tlsOptions(ssl: SslSettings): ConnectionOptions {
  const opts: ConnectionOptions = { rejectUnauthorized: true };
  if (!ssl.verifyHostname) opts.checkServerIdentity = () => undefined;
  // Trust: a file in the declared format (JKS and PKCS12 read either way, as Java 9+), or inline PEM; none: Node's CAs.
  if (ssl.truststoreCertificates) {
    try {
      opts.ca = trustedCertificates(Buffer.from(ssl.truststoreCertificates), '');
    } catch (e) {
      throw new KafkaSettingError(
        ['ssl.truststore.certificates'],
        (n) => `Invalid value [hidden] for configuration ${n('ssl.truststore.certificates')}: ${(e as Error).message}`,
      );
    }
  } else if (ssl.truststoreLocation) {
    const path = ssl.truststoreLocation;
    const data = readStoreFile('ssl.truststore.location', path);
    const format = detectKeyStoreFormat(data);
    if ((format === 'PEM') !== (ssl.truststoreType === 'PEM') && format)
      throw new KafkaSettingError(
        ['ssl.truststore.type', 'ssl.truststore.location'],
        (n) =>
          `${n('ssl.truststore.location')} ${path} is a ${format} file but ${n('ssl.truststore.type')} is ${ssl.truststoreType}: set ${n('ssl.truststore.type')}=${format}`,
      );
    try {
      opts.ca = trustedCertificates(data, ssl.truststorePassword);
    } catch (e) {
      throw storeProblem(e, 'ssl.truststore.location', 'ssl.truststore.password', path);
    }
  }
  // The client certificate, for brokers with ssl.client.auth=required.
  if (ssl.keystoreKey) {
    try {
      Object.assign(opts, privateKeyEntry(Buffer.from(`${ssl.keystoreKey}\n${ssl.keystoreCertificateChain}`), '', ssl.keyPassword));
    } catch (e) {
      const reason = e instanceof KeyStoreError ? e.reason : 'key';
      const key = reason === 'password' ? 'ssl.key.password' : 'ssl.keystore.key';
      throw new KafkaSettingError([key], (n) => `Invalid value [hidden] for configuration ${n(key)}: ${(e as Error).message}`);
    }
  } else if (ssl.keystoreLocation) {
    const path = ssl.keystoreLocation;
    const data = readStoreFile('ssl.keystore.location', path);
    const format = detectKeyStoreFormat(data);
    if ((format === 'PEM') !== (ssl.keystoreType === 'PEM') && format)
      throw new KafkaSettingError(
        ['ssl.keystore.type', 'ssl.keystore.location'],
        (n) =>
          `${n('ssl.keystore.location')} ${path} is a ${format} file but ${n('ssl.keystore.type')} is ${ssl.keystoreType}: set ${n('ssl.keystore.type')}=${format}`,
      );
    try {
      Object.assign(opts, privateKeyEntry(data, ssl.keystorePassword, ssl.keyPassword || undefined));
    } catch (e) {
      throw storeProblem(e, 'ssl.keystore.location', format === 'PEM' ? 'ssl.key.password' : 'ssl.keystore.password', path);
    }
  }
  return opts;
}

/** The connection security of a client from its settings (keys without prefix; other keys are ignored). */
export function connectionSecurity(raw: Record<string, string>): KafkaConnectionSecurity {
  const s = parseSecuritySettings(securityKeysOf(raw));
  return { protocol: s.securityProtocol, ...(s.sasl ? { sasl: s.sasl } : {}), ...(s.ssl ? { tls: tlsOptions(s.ssl) } : {}) };
}

// ---- failures no retry fixes ---------------------------------------------------------------------------------

type Failure = { kind: 'sasl' | 'handshake' | 'untrusted' | 'hostname' | 'tls-required' | 'not-tls' | 'tls'; detail: string };

const TLS_UNTRUSTED = /SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|CERT_(UNTRUSTED|HAS_EXPIRED|NOT_YET_VALID|REJECTED|SIGNATURE_FAILURE)/;

/** The authentication or TLS failure somewhere in an error's causes (library errors nest them), if any. */
export function securityFailure(e: unknown, depth = 0): Failure | undefined {
  const err = e as (Error & { code?: string; cause?: unknown; errors?: unknown[]; type?: string }) | undefined;
  if (!err || typeof err !== 'object' || depth > 8) return undefined;
  const code = String(err.code ?? '');
  const m = String(err.message ?? '');
  // The broker answered no SaslHandshake: it does not offer the mechanism, or the listener is another protocol.
  if (code === 'PLT_KFK_AUTHENTICATION' && /suitable SASL mechanism/i.test(m)) return { kind: 'handshake', detail: m };
  if (code === 'PLT_KFK_AUTHENTICATION' || err.name === 'KafkaJSSASLAuthenticationError' || err.type === 'SASL_AUTHENTICATION_FAILED')
    return { kind: 'sasl', detail: m };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'hostname', detail: m };
  if (TLS_UNTRUSTED.test(code)) return { kind: 'untrusted', detail: m };
  if (code === 'PLT_KFK_USER' && /Broker requires TLS/i.test(m)) return { kind: 'tls-required', detail: m };
  if (code === 'PLT_KFK_USER' && /TLS handshake failed/i.test(m)) return { kind: 'not-tls', detail: m };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(m)) return { kind: 'not-tls', detail: m };
  if (/^ERR_SSL_/.test(code) || /ssl\/tls alert|alert (certificate required|handshake failure|bad certificate|unknown ca)/i.test(m))
    return { kind: 'tls', detail: m };
  for (const c of [err.cause, ...(Array.isArray(err.errors) ? err.errors : [])]) {
    const f = securityFailure(c, depth + 1);
    if (f) return f;
  }
  return undefined;
}

/** A failure to authenticate to Kafka or to set up TLS with it: the client's settings must change. */
export class KafkaSecurityError extends Error {
  constructor(message: string, options: { cause: unknown; sasl: boolean }) {
    super(message, { cause: options.cause });
    // Java's exception classes, for people who grep logs for them.
    this.name = options.sasl ? 'SaslAuthenticationException' : 'SslAuthenticationException';
  }
}

/**
 * The error a caller should see for `e`: a {@link KafkaSecurityError} saying which setting to fix when `e` is an
 * authentication or TLS failure, else `e` itself.
 */
export function explainSecurityError(e: unknown, sec: KafkaConnectionSecurity, brokers: readonly string[]): unknown {
  if (e instanceof KafkaSecurityError) return e;
  const f = securityFailure(e);
  if (!f) return e;
  const at = brokers.join(',');
  switch (f.kind) {
    case 'sasl':
      return new KafkaSecurityError(
        sec.sasl
          ? `Authentication failed during authentication due to invalid credentials with SASL mechanism ${sec.sasl.mechanism} (user '${sec.sasl.username}' at ${at}): check the username and password in sasl.jaas.config, and that the broker has ${sec.sasl.mechanism} credentials for this user`
          : `SASL authentication failed at ${at}: ${f.detail}`,
        { cause: e, sasl: true },
      );
    case 'handshake':
      return new KafkaSecurityError(
        `SASL handshake with ${at} failed (${f.detail.replace(/\.$/, '')}): check that the broker's listener enables sasl.mechanism=${sec.sasl?.mechanism ?? '?'} and speaks security.protocol=${sec.protocol}${sec.protocol === 'SASL_PLAINTEXT' ? ' (a TLS listener needs SASL_SSL)' : ''}`,
        { cause: e, sasl: true },
      );
    case 'untrusted':
      return new KafkaSecurityError(
        `SSL handshake failed with ${at}: the broker's certificate is not trusted (${f.detail}); set ssl.truststore.location (or ssl.truststore.certificates) to the CA that signed it`,
        { cause: e, sasl: false },
      );
    case 'hostname':
      return new KafkaSecurityError(
        `SSL handshake failed with ${at}: the broker's certificate does not name the host connected to (${f.detail}); fix the certificate or bootstrap.servers, or set ssl.endpoint.identification.algorithm= (empty) to skip the check`,
        { cause: e, sasl: false },
      );
    case 'tls-required':
      return new KafkaSecurityError(
        `${at} speaks TLS but security.protocol is ${sec.protocol}: set security.protocol=${sec.sasl ? 'SASL_SSL' : 'SSL'} (or use the broker's ${sec.protocol} listener)`,
        { cause: e, sasl: false },
      );
    case 'not-tls':
      return new KafkaSecurityError(
        `SSL handshake failed with ${at}: the listener does not speak TLS (${f.detail}); check security.protocol=${sec.protocol} against the broker's listener`,
        { cause: e, sasl: false },
      );
    default:
      return new KafkaSecurityError(
        `SSL handshake failed with ${at} (${f.detail})${sec.tls && !sec.tls.cert && !sec.tls.pfx ? '; if the broker requires client certificates (ssl.client.auth=required), set ssl.keystore.location' : ''}`,
        { cause: e, sasl: false },
      );
  }
}

/**
 * `target` with every method's rejection passed through {@link explainSecurityError} (methods that return no
 * promise are left alone).
 */
export function withSecurityErrors<T extends object>(target: T, sec: KafkaConnectionSecurity, brokers: readonly string[]): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const r = v.apply(t, args);
        return r instanceof Promise
          ? r.catch((e: unknown) => {
              throw explainSecurityError(e, sec, brokers);
            })
          : r;
      };
    },
  });
}
