/**
 * Java-named Kafka client settings (`producer.*`, `consumer.*`, `admin.*` worker keys and the connectors'
 * `producer.override.*` / `consumer.override.*` / `admin.override.*` keys, prefix removed), parsed once into
 * typed values with the Java client's defaults (and Kafka Connect's overrides of them) for the backends to map.
 *
 * Parsing follows Java's `ConfigDef`: values are trimmed, numbers must be whole numbers in the type's range, and
 * the validators and their messages are the Java clients' (`Invalid value x for configuration linger.ms: Not a
 * number of type LONG`), as are the producer's idempotence and delivery-timeout cross-checks. Keys not listed here
 * are not read (a backend warns about them, see {@link PRODUCER_SETTING_KEYS}). The table of keys and defaults is
 * in docs/kafka-client.md, "Client settings".
 */
import { ConfigError } from '@kconnect/api';

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerSettings {
  /** -1 (all), 0 or 1. Connect's default: all. */
  acks: -1 | 0 | 1;
  compressionType: CompressionType;
  lingerMs: number;
  batchSize: number;
  maxInFlightRequestsPerConnection: number;
  /**
   * After Java's cross-checks: true by default, false when set so or when it was only the default and acks is
   * not all or more than 5 requests may be in flight (Java then disables idempotence silently).
   */
  enableIdempotence: boolean;
  requestTimeoutMs: number;
  /** At least linger.ms + request.timeout.ms (raised to that when only the default, as Java's producer does). */
  deliveryTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
}

export interface ConsumerSettings {
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  maxPollRecords: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  isolationLevel: 'read_uncommitted' | 'read_committed';
  /** Connect's sink default: earliest. */
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  allowAutoCreateTopics: boolean;
  /** Connect's sink default: false (the worker commits the offsets of what its tasks processed). */
  enableAutoCommit: boolean;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
}

/** How an error message names a key: e.g. `(k) => 'producer.' + k` for a worker setting. */
export type KeyNamer = (key: string) => string;

const sameName: KeyNamer = (k) => k;

/**
 * A Kafka client setting with a bad value, or settings that contradict each other (Java's `ConfigException`).
 * `key` is the key at fault (for a contradiction, the one the message asks to change); `keys` lists every key
 * involved, `key` first. The message names the keys as `key`/`keys` do.
 */
export class KafkaSettingError extends ConfigError {
  readonly key: string;
  readonly keys: readonly string[];

  constructor(
    private readonly baseKeys: readonly [string, ...string[]],
    private readonly render: (name: KeyNamer) => string,
    name: KeyNamer = sameName,
  ) {
    super(render(name), { name: name(baseKeys[0]) });
    this.key = name(baseKeys[0]);
    this.keys = baseKeys.map(name);
  }

  /**
   * The same error with every key named by `name` (in `key`, `keys` and the message), e.g. a worker setting as
   * `producer.linger.ms`, a connector's as `producer.override.linger.ms`. `name` gets the keys without prefix.
   */
  renamed(name: KeyNamer): KafkaSettingError {
    return new KafkaSettingError(this.baseKeys, this.render, name);
  }

  /** {@link renamed} with `prefix` before every key. */
  prefixed(prefix: string): KafkaSettingError {
    return this.renamed((k) => prefix + k);
  }

  /** The keys as the settings map names them (without any prefix from {@link renamed}). */
  get settingKeys(): readonly string[] {
    return this.baseKeys;
  }
}

/** Java's `ConfigException(name, value, message)`: `Invalid value <value> for configuration <name>: <why>`. */
function invalid(key: string, value: unknown, why: string | ((name: KeyNamer) => string)): KafkaSettingError {
  return new KafkaSettingError([key], (n) => `Invalid value ${String(value)} for configuration ${n(key)}: ${typeof why === 'string' ? why : why(n)}`);
}

type SettingType = 'INT' | 'LONG' | 'BOOLEAN' | 'STRING' | 'PASSWORD';

/** One client key: its type, default, Java's validator and documentation. */
export interface KafkaSettingDef {
  readonly key: string;
  readonly type: SettingType;
  /** The default here: the Java client's, or Kafka Connect's where it sets its own (or where noted in the docs). */
  readonly default: string;
  /** The Java client's default (Kafka 4.x). */
  readonly javaDefault: string;
  /** What Java's Kafka Connect worker sets, when it overrides the client's default. */
  readonly connectDefault?: string;
  /** Java's `atLeast` validator. */
  readonly atLeast?: number;
  /** Java's `ValidString.in` validator (case-sensitive), or `CaseInsensitiveValidString.in` with {@link caseInsensitive}. */
  readonly validValues?: readonly string[];
  /** {@link validValues} ignore case (the values are listed in upper case). */
  readonly caseInsensitive?: boolean;
  /** A check beyond the above: returns the error (a message without the key, or a whole error) or undefined. */
  readonly check?: (value: string) => ((name: KeyNamer) => string) | string | undefined;
  readonly documentation: string;
}

const INT_MAX = 2147483647;
const INT_RANGE = [-2147483648n, 2147483647n] as const;
const LONG_RANGE = [-9223372036854775808n, 9223372036854775807n] as const;

/** Parses one raw value as Java's `ConfigDef.parseType` and applies the key's validators. */
function parseSetting(def: KafkaSettingDef, raw: string): { value: number | boolean | string } | { error: KafkaSettingError } {
  const trimmed = raw.trim();
  let value: number | boolean | string;
  switch (def.type) {
    case 'INT':
    case 'LONG': {
      const [min, max] = def.type === 'INT' ? INT_RANGE : LONG_RANGE;
      const ok = /^[+-]?\d+$/.test(trimmed) && BigInt(trimmed) >= min && BigInt(trimmed) <= max;
      if (!ok) return { error: invalid(def.key, raw, `Not a number of type ${def.type}`) };
      value = Number(trimmed);
      break;
    }
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(trimmed)) return { error: invalid(def.key, raw, 'Expected value to be either true or false') };
      value = trimmed.toLowerCase() === 'true';
      break;
    case 'STRING':
      value = trimmed;
      break;
    case 'PASSWORD':
      // As Java's ConfigDef: a password is trimmed too, and never shown in a message.
      value = trimmed;
      break;
  }
  if (def.type === 'PASSWORD') {
    const why = def.check?.(value as string);
    return why === undefined ? { value } : { error: invalid(def.key, '[hidden]', why) };
  }
  if (def.atLeast !== undefined && (value as number) < def.atLeast) return { error: invalid(def.key, value, `Value must be at least ${def.atLeast}`) };
  if (def.validValues && !(def.caseInsensitive ? def.validValues.includes((value as string).toUpperCase()) : def.validValues.includes(value as string)))
    return {
      error: invalid(def.key, value, `String must be one of${def.caseInsensitive ? ' (case insensitive)' : ''}: ${def.validValues.join(', ')}`),
    };
  const why = def.check?.(value as string);
  if (why !== undefined) return { error: invalid(def.key, value, why) };
  return { value };
}

const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The producer keys read by {@link parseProducerSettings}, in the order of the docs. */
export const PRODUCER_SETTING_DEFS: readonly KafkaSettingDef[] = [
  {
    key: 'acks',
    type: 'STRING',
    default: 'all',
    javaDefault: 'all',
    connectDefault: 'all',
    validValues: ['all', '-1', '0', '1'],
    documentation: 'Acknowledgments the leader must have received before a write counts as done: all (= -1, every in-sync replica), 1 (leader only) or 0.',
  },
  {
    key: 'compression.type',
    type: 'STRING',
    default: 'none',
    javaDefault: 'none',
    validValues: COMPRESSION_TYPES,
    documentation: 'Compression codec of record batches.',
  },
  {
    key: 'linger.ms',
    type: 'LONG',
    default: '5',
    javaDefault: '5',
    atLeast: 0,
    documentation: 'How long to wait for more records before sending a batch that is not full (Java 4.0 raised the default from 0 to 5).',
  },
  {
    key: 'batch.size',
    type: 'INT',
    default: '16384',
    javaDefault: '16384',
    atLeast: 0,
    documentation: 'Upper bound of a record batch per partition, in bytes.',
  },
  {
    key: 'max.in.flight.requests.per.connection',
    type: 'INT',
    default: '1',
    javaDefault: '5',
    connectDefault: '1',
    atLeast: 1,
    // Connect's value. More pipelines requests (+5-10 % source records/s measured), but @platformatic/kafka 2.12
    // re-sends a request that failed after later ones succeeded, so a transient error can reorder records.
    documentation: 'Produce requests in flight before waiting for answers (Connect: 1, which keeps the order whatever fails).',
  },
  {
    key: 'enable.idempotence',
    type: 'BOOLEAN',
    default: 'true',
    javaDefault: 'true',
    connectDefault: 'false',
    documentation:
      'Idempotent producer: retries do not duplicate or reorder records. Needs acks=all and at most 5 requests in flight; when only the default, it is turned off if those are set otherwise.',
  },
  {
    key: 'request.timeout.ms',
    type: 'INT',
    default: '30000',
    javaDefault: '30000',
    atLeast: 0,
    documentation: 'How long to wait for the answer to a request.',
  },
  {
    key: 'delivery.timeout.ms',
    type: 'INT',
    default: String(INT_MAX),
    javaDefault: '120000',
    connectDefault: String(INT_MAX),
    atLeast: 0,
    documentation: 'Upper bound on the time to report a record as sent or failed, retries included; at least linger.ms + request.timeout.ms.',
  },
  { key: 'retry.backoff.ms', type: 'LONG', default: '100', javaDefault: '100', atLeast: 0, documentation: 'Time to wait before retrying a failed request.' },
  {
    key: 'metadata.max.age.ms',
    type: 'LONG',
    default: '300000',
    javaDefault: '300000',
    atLeast: 0,
    documentation: 'Period after which cluster metadata is refreshed even without leadership changes.',
  },
];

const OFFSET_RESET_WHY = (n: KeyNamer, v: string) =>
  `Invalid value \`${v}\` for configuration ${n('auto.offset.reset')}. The value must be either 'earliest', 'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.`;

/** The consumer keys read by {@link parseConsumerSettings}, in the order of the docs. */
export const CONSUMER_SETTING_DEFS: readonly KafkaSettingDef[] = [
  {
    key: 'auto.offset.reset',
    type: 'STRING',
    default: 'earliest',
    javaDefault: 'latest',
    connectDefault: 'earliest',
    check: (v) => {
      if (v === 'earliest' || v === 'latest' || v === 'none') return undefined;
      if (/^by_duration:P/.test(v)) return 'the by_duration strategy (Kafka 4.0) is not supported here; use earliest, latest or none';
      return (n) => OFFSET_RESET_WHY(n, v);
    },
    documentation: 'Where a group without a committed offset starts reading a partition: earliest, latest or none (fail).',
  },
  {
    key: 'enable.auto.commit',
    type: 'BOOLEAN',
    default: 'false',
    javaDefault: 'true',
    connectDefault: 'false',
    documentation: 'Commit offsets in the background. Connect commits the offsets of the records its tasks processed instead.',
  },
  {
    key: 'isolation.level',
    type: 'STRING',
    default: 'read_uncommitted',
    javaDefault: 'read_uncommitted',
    validValues: ['read_committed', 'read_uncommitted'],
    documentation: 'read_committed skips records of aborted transactions and stops at the first open transaction.',
  },
  { key: 'fetch.min.bytes', type: 'INT', default: '1', javaDefault: '1', atLeast: 0, documentation: 'Data a fetch waits for before the broker answers.' },
  {
    key: 'fetch.max.bytes',
    type: 'INT',
    default: '52428800',
    javaDefault: '52428800',
    atLeast: 0,
    documentation: 'Data a fetch returns at most (not a hard limit: a first batch larger than this is still returned).',
  },
  {
    key: 'fetch.max.wait.ms',
    type: 'INT',
    default: '500',
    javaDefault: '500',
    atLeast: 0,
    documentation: 'How long the broker may wait for fetch.min.bytes before answering.',
  },
  {
    key: 'max.partition.fetch.bytes',
    type: 'INT',
    default: '1048576',
    javaDefault: '1048576',
    atLeast: 0,
    documentation: 'Data a fetch returns at most per partition.',
  },
  {
    key: 'max.poll.records',
    type: 'INT',
    // Java hands put() up to 500 records per poll, from all partitions; kconnect hands it a partition's whole fetch
    // (at most max.partition.fetch.bytes): fewer, larger puts, which batching sinks (Cassandra) need.
    default: '2147483647',
    javaDefault: '500',
    atLeast: 1,
    documentation: "Records handed to the task's put() in one batch at most (default: a partition's whole fetch).",
  },
  {
    key: 'max.poll.interval.ms',
    type: 'INT',
    default: '300000',
    javaDefault: '300000',
    atLeast: 1,
    documentation: 'Longest time between two polls before the consumer is considered failed and leaves the group.',
  },
  {
    key: 'session.timeout.ms',
    type: 'INT',
    // kconnect's default (the Java client's before Kafka 3.0): a sink task whose worker died is taken over by another
    // worker's consumer once the group drops the dead one, so this bounds a sink's failover. Heartbeats run on
    // their own timer, whatever the task is doing.
    default: '10000',
    javaDefault: '45000',
    documentation:
      "Time without heartbeats after which the group coordinator removes the consumer. Must be within the broker's group.min/max.session.timeout.ms. kconnect's default is 10000 (the Java client's: 45000), so that a sink task of a worker that died runs again elsewhere within seconds.",
  },
  {
    key: 'heartbeat.interval.ms',
    type: 'INT',
    default: '3000',
    javaDefault: '3000',
    documentation: 'Interval of heartbeats to the group coordinator; must be lower than session.timeout.ms.',
  },
  {
    key: 'allow.auto.create.topics',
    type: 'BOOLEAN',
    default: 'true',
    javaDefault: 'true',
    documentation: 'Let the broker create a subscribed topic that does not exist (if the broker allows it too).',
  },
  {
    key: 'request.timeout.ms',
    type: 'INT',
    default: '30000',
    javaDefault: '30000',
    atLeast: 0,
    documentation: 'How long to wait for the answer to a request.',
  },
  { key: 'retry.backoff.ms', type: 'LONG', default: '100', javaDefault: '100', atLeast: 0, documentation: 'Time to wait before retrying a failed request.' },
  {
    key: 'metadata.max.age.ms',
    type: 'LONG',
    default: '300000',
    javaDefault: '300000',
    atLeast: 0,
    documentation: 'Period after which cluster metadata is refreshed even without leadership changes.',
  },
];

/** The keys {@link parseProducerSettings} reads; a backend warns about the other keys a user set. */
export const PRODUCER_SETTING_KEYS: ReadonlySet<string> = new Set(PRODUCER_SETTING_DEFS.map((d) => d.key));
/** The keys {@link parseConsumerSettings} reads. */
export const CONSUMER_SETTING_KEYS: ReadonlySet<string> = new Set(CONSUMER_SETTING_DEFS.map((d) => d.key));

// ---- security (common to producer, consumer and admin clients) -----------------------------------------------

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
/** The SASL mechanisms the backends speak (Java's default, GSSAPI, and OAUTHBEARER are not). */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const JAAS_FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

/** One login module entry of Java's `sasl.jaas.config`. */
export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Record<string, string>;
}

/**
 * Parses Java's JAAS line, e.g. `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice"
 * password="secret";` (Java's JaasConfig: one entry, terminated by `;`; values quoted with `"` or `'`, where `\`
 * escapes the next character, or bare words). Throws an Error whose message never contains a value.
 */
export function parseJaasConfig(text: string): JaasEntry {
  let i = 0;
  const n = text.length;
  const skip = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const word = (): string => {
    const start = i;
    while (i < n && !/[\s;="']/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  skip();
  const loginModule = word();
  if (!loginModule) throw new Error('Invalid JAAS config: the login module class is missing');
  skip();
  const flag = word();
  if (!JAAS_FLAGS.includes(flag.toLowerCase()))
    throw new Error(`Invalid JAAS config: expected the control flag (${JAAS_FLAGS.join(', ')}) after ${loginModule}, found '${flag}'`);
  const options: Record<string, string> = {};
  for (;;) {
    skip();
    if (i >= n) throw new Error('Invalid JAAS config: JAAS config entry not terminated by semi-colon');
    if (text[i] === ';') break;
    const key = word();
    if (!key) throw new Error(`Invalid JAAS config: expected an option name at character ${i + 1}`);
    skip();
    if (text[i] !== '=') throw new Error(`Invalid JAAS config: Value not specified for key '${key}' in JAAS config`);
    i++;
    skip();
    const q = text[i];
    if (q === '"' || q === "'") {
      let v = '';
      i++;
      while (i < n && text[i] !== q) {
        if (text[i] === '\\' && i + 1 < n) i++;
        v += text[i++];
      }
      if (i >= n) throw new Error(`Invalid JAAS config: unterminated quoted value of '${key}'`);
      i++;
      options[key] = v;
    } else {
      const v = word();
      if (!v) throw new Error(`Invalid JAAS config: Value not specified for key '${key}' in JAAS config`);
      options[key] = v;
    }
  }
  i++;
  skip();
  if (i < n) throw new Error('Invalid JAAS config: JAAS config property contains 2 login modules, should be 1 module');
  return { loginModule, flag: flag.toLowerCase(), options };
}

/** The security keys every client (producer, consumer, admin) reads, with Java's defaults. */
export const SECURITY_SETTING_DEFS: readonly KafkaSettingDef[] = [
  {
    key: 'security.protocol',
    type: 'STRING',
    default: 'PLAINTEXT',
    javaDefault: 'PLAINTEXT',
    validValues: SECURITY_PROTOCOLS,
    caseInsensitive: true,
    documentation: 'Protocol used to talk to the brokers: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (SASL authentication) or SASL_SSL (both).',
  },
  {
    key: 'sasl.mechanism',
    type: 'STRING',
    default: 'GSSAPI',
    javaDefault: 'GSSAPI',
    documentation: "SASL mechanism with SASL_PLAINTEXT / SASL_SSL: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (Java's default GSSAPI, Kerberos, is not supported).",
  },
  {
    key: 'sasl.jaas.config',
    type: 'PASSWORD',
    default: '',
    javaDefault: 'null',
    check: (v) => {
      if (!v) return undefined;
      try {
        parseJaasConfig(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    documentation:
      'The SASL credentials as a JAAS line: org.apache.kafka.common.security.scram.ScramLoginModule required username="…" password="…"; (or …plain.PlainLoginModule for PLAIN).',
  },
  {
    key: 'ssl.truststore.type',
    type: 'STRING',
    default: 'JKS',
    javaDefault: 'JKS',
    documentation: 'Format of the trust store: JKS, PKCS12 (either is read whatever this says, as Java 9+) or PEM.',
  },
  {
    key: 'ssl.truststore.location',
    type: 'STRING',
    default: '',
    javaDefault: 'null',
    documentation: "Trust store file: the CAs that signed the brokers' certificates.",
  },
  { key: 'ssl.truststore.password', type: 'PASSWORD', default: '', javaDefault: 'null', documentation: 'Password of a JKS or PKCS12 trust store.' },
  {
    key: 'ssl.truststore.certificates',
    type: 'PASSWORD',
    default: '',
    javaDefault: 'null',
    documentation: 'Trusted certificates as inline PEM (ssl.truststore.type=PEM), instead of a file.',
  },
  { key: 'ssl.keystore.type', type: 'STRING', default: 'JKS', javaDefault: 'JKS', documentation: 'Format of the key store: JKS, PKCS12 or PEM.' },
  {
    key: 'ssl.keystore.location',
    type: 'STRING',
    default: '',
    javaDefault: 'null',
    documentation: 'Key store file with the client certificate and its key, for brokers that require client authentication (mTLS).',
  },
  { key: 'ssl.keystore.password', type: 'PASSWORD', default: '', javaDefault: 'null', documentation: 'Password of a JKS or PKCS12 key store.' },
  {
    key: 'ssl.key.password',
    type: 'PASSWORD',
    default: '',
    javaDefault: 'null',
    documentation: 'Password of the private key: in a JKS/PKCS12 key store (default: the store password) or of an encrypted PEM key.',
  },
  {
    key: 'ssl.keystore.certificate.chain',
    type: 'PASSWORD',
    default: '',
    javaDefault: 'null',
    documentation: 'Client certificate chain as inline PEM (ssl.keystore.type=PEM), with ssl.keystore.key.',
  },
  {
    key: 'ssl.keystore.key',
    type: 'PASSWORD',
    default: '',
    javaDefault: 'null',
    documentation: 'Client private key as inline PEM (ssl.keystore.type=PEM), with ssl.keystore.certificate.chain.',
  },
  {
    key: 'ssl.endpoint.identification.algorithm',
    type: 'STRING',
    default: 'https',
    javaDefault: 'https',
    check: (v) => (v === '' || v.toLowerCase() === 'https' ? undefined : 'must be https (check the host name against the certificate) or empty (do not)'),
    documentation: "https: the broker's certificate must name the host connected to; empty: not checked (the certificate must still be trusted).",
  },
];

/** The security keys (see {@link SECURITY_SETTING_DEFS}). */
export const SECURITY_SETTING_KEYS: ReadonlySet<string> = new Set(SECURITY_SETTING_DEFS.map((d) => d.key));

/** Only the security keys of `raw`. */
export function securityKeysOf(raw: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (SECURITY_SETTING_KEYS.has(k)) out[k] = v;
  return out;
}

/** How a client connects: the protocol, SASL credentials (SASL_*) and TLS settings (SSL, SASL_SSL). Files are not read here. */
export interface SecuritySettings {
  securityProtocol: SecurityProtocol;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  ssl?: SslSettings;
}

/** The `ssl.*` settings, empty strings for the unset ones. */
export interface SslSettings {
  truststoreType: string;
  truststoreLocation: string;
  truststorePassword: string;
  truststoreCertificates: string;
  keystoreType: string;
  keystoreLocation: string;
  keystorePassword: string;
  keyPassword: string;
  keystoreCertificateChain: string;
  keystoreKey: string;
  /** ssl.endpoint.identification.algorithm=https. */
  verifyHostname: boolean;
}

/** The per-key problems of security settings (values and JAAS syntax); combinations are checked by {@link parseSecuritySettings}. */
export function securitySettingErrors(raw: Record<string, string>): KafkaSettingError[] {
  return parseAll(SECURITY_SETTING_DEFS, raw).errors;
}

const conflict = (keys: [string, ...string[]], message: (n: KeyNamer) => string) => new KafkaSettingError(keys, message);

/**
 * Parses the security settings (keys without prefix) and checks their combinations as Java's clients do when they
 * are created (SASL mechanism and JAAS login module, PEM stores). Throws the first {@link KafkaSettingError}.
 */
export function parseSecuritySettings(raw: Record<string, string>): SecuritySettings {
  const { values, errors } = parseAll(SECURITY_SETTING_DEFS, raw);
  if (errors.length) throw errors[0]!;
  const v = (k: string) => values.get(k) as string;
  const securityProtocol = v('security.protocol').toUpperCase() as SecurityProtocol;
  const out: SecuritySettings = { securityProtocol };
  if (securityProtocol.startsWith('SASL_')) {
    const mechanism = v('sasl.mechanism');
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
      throw invalid(
        'sasl.mechanism',
        mechanism,
        `${mechanism === 'GSSAPI' ? "GSSAPI (Kerberos, Java's default) is" : 'this mechanism is'} not supported; set sasl.mechanism to ${SASL_MECHANISMS.join(', ')}`,
      );
    const jaas = v('sasl.jaas.config');
    const example = mechanism === 'PLAIN' ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    if (!jaas)
      throw conflict(
        ['sasl.jaas.config', 'security.protocol'],
        (n) =>
          `${n('security.protocol')}=${securityProtocol} needs the credentials in ${n('sasl.jaas.config')}, e.g. ${example} required username="…" password="…";`,
      );
    const entry = parseJaasConfig(jaas);
    // Java's Plain and Scram login modules both put username and password in the Subject, which either
    // mechanism's client reads: either module works with either mechanism.
    if (entry.loginModule !== PLAIN_LOGIN_MODULE && entry.loginModule !== SCRAM_LOGIN_MODULE)
      throw invalid('sasl.jaas.config', '[hidden]', `the login module ${entry.loginModule} is not supported; use ${example}`);
    const { username, password } = entry.options;
    if (username === undefined || password === undefined)
      throw invalid('sasl.jaas.config', '[hidden]', `${entry.loginModule} needs the options username="…" and password="…"`);
    out.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  if (securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL') {
    const ssl: SslSettings = {
      truststoreType: v('ssl.truststore.type').toUpperCase(),
      truststoreLocation: v('ssl.truststore.location'),
      truststorePassword: v('ssl.truststore.password'),
      truststoreCertificates: v('ssl.truststore.certificates'),
      keystoreType: v('ssl.keystore.type').toUpperCase(),
      keystoreLocation: v('ssl.keystore.location'),
      keystorePassword: v('ssl.keystore.password'),
      keyPassword: v('ssl.key.password'),
      keystoreCertificateChain: v('ssl.keystore.certificate.chain'),
      keystoreKey: v('ssl.keystore.key'),
      verifyHostname: v('ssl.endpoint.identification.algorithm') !== '',
    };
    // Java's DefaultSslEngineFactory checks.
    if (ssl.truststoreCertificates && ssl.truststoreType !== 'PEM')
      throw conflict(
        ['ssl.truststore.certificates', 'ssl.truststore.type'],
        (n) => `SSL trust store certs can be specified only for PEM, but trust store type is ${ssl.truststoreType} (set ${n('ssl.truststore.type')}=PEM)`,
      );
    if (ssl.truststoreCertificates && ssl.truststoreLocation)
      throw conflict(
        ['ssl.truststore.certificates', 'ssl.truststore.location'],
        (n) => `Set either ${n('ssl.truststore.location')} or ${n('ssl.truststore.certificates')}, not both`,
      );
    if (ssl.truststoreType === 'PEM' && ssl.truststorePassword)
      throw conflict(['ssl.truststore.password', 'ssl.truststore.type'], () => 'SSL trust store password cannot be specified for PEM format.');
    if ((ssl.keystoreCertificateChain || ssl.keystoreKey) && ssl.keystoreType !== 'PEM')
      throw conflict(
        [ssl.keystoreKey ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain', 'ssl.keystore.type'],
        (n) => `SSL key store certs or key can be specified only for PEM, but key store type is ${ssl.keystoreType} (set ${n('ssl.keystore.type')}=PEM)`,
      );
    if (!ssl.keystoreCertificateChain !== !ssl.keystoreKey)
      throw conflict(
        [ssl.keystoreKey ? 'ssl.keystore.certificate.chain' : 'ssl.keystore.key', ssl.keystoreKey ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain'],
        (n) => `Set both ${n('ssl.keystore.certificate.chain')} and ${n('ssl.keystore.key')} (the client certificate and its key), or neither`,
      );
    if (ssl.keystoreKey && ssl.keystoreLocation)
      throw conflict(['ssl.keystore.key', 'ssl.keystore.location'], (n) => `Set either ${n('ssl.keystore.location')} or ${n('ssl.keystore.key')}, not both`);
    if (ssl.keystoreType === 'PEM' && ssl.keystorePassword)
      throw conflict(
        ['ssl.keystore.password', 'ssl.keystore.type'],
        (n) => `SSL key store password cannot be specified with PEM format, only key password may be specified (${n('ssl.key.password')})`,
      );
    if (ssl.keystoreLocation && ssl.keystoreType !== 'PEM' && !ssl.keystorePassword)
      throw conflict(['ssl.keystore.password', 'ssl.keystore.location'], () => 'SSL key store is specified, but key store password is not specified.');
    out.ssl = ssl;
  }
  return out;
}

/** Parses every key of `defs` (defaults for the absent ones), collecting the errors. */
function parseAll(defs: readonly KafkaSettingDef[], raw: Record<string, string>): { values: Map<string, unknown>; errors: KafkaSettingError[] } {
  const values = new Map<string, unknown>();
  const errors: KafkaSettingError[] = [];
  for (const def of defs) {
    const r = parseSetting(def, Object.hasOwn(raw, def.key) ? raw[def.key]! : def.default);
    if ('error' in r) errors.push(r.error);
    else values.set(def.key, r.value);
  }
  return { values, errors };
}

function evaluateProducer(raw: Record<string, string>): { settings?: ProducerSettings; errors: KafkaSettingError[] } {
  const { values, errors } = parseAll(PRODUCER_SETTING_DEFS, raw);
  if (errors.length) return { errors };
  const v = <T>(k: string) => values.get(k) as T;
  const acksStr = v<string>('acks');
  const settings: ProducerSettings = {
    acks: acksStr === 'all' ? -1 : (Number(acksStr) as -1 | 0 | 1),
    compressionType: v<CompressionType>('compression.type'),
    lingerMs: v('linger.ms'),
    batchSize: v('batch.size'),
    maxInFlightRequestsPerConnection: v('max.in.flight.requests.per.connection'),
    enableIdempotence: v('enable.idempotence'),
    requestTimeoutMs: v('request.timeout.ms'),
    deliveryTimeoutMs: v('delivery.timeout.ms'),
    retryBackoffMs: v('retry.backoff.ms'),
    metadataMaxAgeMs: v('metadata.max.age.ms'),
  };

  // Java's ProducerConfig.postProcessAndValidateIdempotenceConfigs: conflicts are an error when the user asked for
  // idempotence, and silently turn it off when it was only the default. (Java 4.x also fails for in-flight > 5 with
  // idempotence only by default; Connect users never see that since Java's Connect turns idempotence off.)
  if (settings.enableIdempotence) {
    const explicit = Object.hasOwn(raw, 'enable.idempotence');
    if (settings.acks !== -1) {
      if (explicit)
        return {
          errors: [
            new KafkaSettingError(
              ['acks', 'enable.idempotence'],
              (n) => `Must set ${n('acks')} to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.`,
            ),
          ],
        };
      settings.enableIdempotence = false;
    }
    if (settings.enableIdempotence && settings.maxInFlightRequestsPerConnection > 5) {
      if (explicit)
        return {
          errors: [
            new KafkaSettingError(
              ['max.in.flight.requests.per.connection', 'enable.idempotence'],
              (n) => `Must set ${n('max.in.flight.requests.per.connection')} to at most 5 to use the idempotent producer.`,
            ),
          ],
        };
      settings.enableIdempotence = false;
    }
  }

  // Java's KafkaProducer.configureDeliveryTimeout.
  const lingerAndRequest = Math.min(Math.min(settings.lingerMs, INT_MAX) + settings.requestTimeoutMs, INT_MAX);
  if (settings.deliveryTimeoutMs < lingerAndRequest) {
    if (Object.hasOwn(raw, 'delivery.timeout.ms'))
      return {
        errors: [
          new KafkaSettingError(
            ['delivery.timeout.ms', 'linger.ms', 'request.timeout.ms'],
            (n) => `${n('delivery.timeout.ms')} should be equal to or larger than ${n('linger.ms')} + ${n('request.timeout.ms')}`,
          ),
        ],
      };
    settings.deliveryTimeoutMs = lingerAndRequest;
  }
  return { settings, errors: [] };
}

function evaluateConsumer(raw: Record<string, string>): { settings?: ConsumerSettings; errors: KafkaSettingError[] } {
  const { values, errors } = parseAll(CONSUMER_SETTING_DEFS, raw);
  if (errors.length) return { errors };
  const v = <T>(k: string) => values.get(k) as T;
  const settings: ConsumerSettings = {
    fetchMinBytes: v('fetch.min.bytes'),
    fetchMaxBytes: v('fetch.max.bytes'),
    fetchMaxWaitMs: v('fetch.max.wait.ms'),
    maxPartitionFetchBytes: v('max.partition.fetch.bytes'),
    maxPollRecords: v('max.poll.records'),
    sessionTimeoutMs: v('session.timeout.ms'),
    heartbeatIntervalMs: v('heartbeat.interval.ms'),
    maxPollIntervalMs: v('max.poll.interval.ms'),
    isolationLevel: v('isolation.level'),
    autoOffsetReset: v('auto.offset.reset'),
    allowAutoCreateTopics: v('allow.auto.create.topics'),
    enableAutoCommit: v('enable.auto.commit'),
    requestTimeoutMs: v('request.timeout.ms'),
    retryBackoffMs: v('retry.backoff.ms'),
    metadataMaxAgeMs: v('metadata.max.age.ms'),
  };
  // Java's consumer refuses this when it is created (Heartbeat: "Heartbeat must be set lower than the session timeout").
  if (settings.heartbeatIntervalMs >= settings.sessionTimeoutMs)
    return {
      errors: [
        new KafkaSettingError(
          ['heartbeat.interval.ms', 'session.timeout.ms'],
          (n) =>
            `Invalid value ${settings.heartbeatIntervalMs} for configuration ${n('heartbeat.interval.ms')}: Heartbeat must be set lower than the session timeout (${n('session.timeout.ms')}=${settings.sessionTimeoutMs})`,
        ),
      ],
    };
  return { settings, errors: [] };
}

/**
 * Parses producer settings (keys without prefix; worker settings merged with the connector's overrides), with
 * Connect's defaults for the absent keys. Throws the first {@link KafkaSettingError}.
 */
export function parseProducerSettings(raw: Record<string, string>): ProducerSettings {
  const r = evaluateProducer(raw);
  if (!r.settings) throw r.errors[0]!;
  return r.settings;
}

/** Parses consumer settings as {@link parseProducerSettings} does, with Connect's sink defaults. */
export function parseConsumerSettings(raw: Record<string, string>): ConsumerSettings {
  const r = evaluateConsumer(raw);
  if (!r.settings) throw r.errors[0]!;
  return r.settings;
}

/** Every problem of producer settings: each bad value, else the first contradiction (empty when valid). */
export function producerSettingErrors(raw: Record<string, string>): KafkaSettingError[] {
  return [...evaluateProducer(raw).errors, ...securitySettingErrors(raw)];
}

/** Every problem of consumer settings, as {@link producerSettingErrors}. */
export function consumerSettingErrors(raw: Record<string, string>): KafkaSettingError[] {
  return [...evaluateConsumer(raw).errors, ...securitySettingErrors(raw)];
}

/** Keys a user set that a backend does not map: each logged once per process. */
const warnedUnsupported = new Set<string>();

/**
 * Logs once per key (per process) a warning naming each setting in `raw` that `backend` does not apply.
 * `applied` lists the keys the backend maps.
 */
export function warnUnsupportedSettings(
  log: { warn(msg: string): void },
  backend: string,
  client: 'producer' | 'consumer' | 'admin',
  raw: Record<string, string> | undefined,
  applied: ReadonlySet<string>,
): void {
  for (const k of Object.keys(raw ?? {})) {
    const id = `${backend}.${client}.${k}`;
    // Every backend applies the security keys.
    if (applied.has(k) || SECURITY_SETTING_KEYS.has(k) || warnedUnsupported.has(id)) continue;
    warnedUnsupported.add(id);
    log.warn(`The ${client} setting '${k}' is not supported by the ${backend} Kafka client and is ignored`);
  }
}
