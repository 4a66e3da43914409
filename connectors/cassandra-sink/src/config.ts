/**
 * Configuration of the Cassandra sink: DataStax Apache Kafka Connector keys and defaults. The fixed (global) keys
 * are one ConfigDef; the per-topic keys `topic.<topic>.<keyspace>.<table>.*` and `topic.<topic>.codec.*` are
 * dynamic and parsed by {@link parseTopicConfigs}, with per-key errors for `validate()`.
 */
import { ConfigDef, ConfigType, Importance, type Password, Validators } from '@kconnect/api';
import { type Mapping, parseMapping } from './mapping';
import { checkFormat, checkLocale } from './convert';

export const IGNORE_ERRORS = ['None', 'All', 'Driver'] as const;
export type IgnoreErrors = (typeof IGNORE_ERRORS)[number];
export const CONSISTENCY_LEVELS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'LOCAL_ONE'] as const;
export const TIME_UNITS = ['NANOSECONDS', 'MICROSECONDS', 'MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const ci = (values: readonly string[]) => Validators.in(values, true);

export const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'contactPoints',
    type: ConfigType.LIST,
    default: '127.0.0.1',
    importance: Importance.HIGH,
    group: 'Connection',
    documentation: 'Cassandra hosts to connect to first (host or host:port), comma separated.',
  })
  .define({
    name: 'port',
    type: ConfigType.INT,
    default: 9042,
    importance: Importance.HIGH,
    group: 'Connection',
    validator: Validators.between(1, 65535),
    documentation: 'Native transport port of the contact points that give no port.',
  })
  .define({
    name: 'loadBalancing.localDc',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.HIGH,
    group: 'Connection',
    documentation:
      'The local datacenter: requests go to its nodes, token-aware. Empty: detected when the cluster has a single datacenter (with several, the task fails asking for it).',
  })
  .define({
    name: 'maxConcurrentRequests',
    type: ConfigType.INT,
    default: 500,
    importance: Importance.MEDIUM,
    group: 'Throughput',
    validator: Validators.atLeast(1),
    documentation: 'Most CQL requests (statements or batches) in flight per task.',
  })
  .define({
    name: 'maxNumberOfRecordsInBatch',
    type: ConfigType.INT,
    default: 32,
    importance: Importance.MEDIUM,
    group: 'Throughput',
    validator: Validators.atLeast(1),
    documentation: 'Most records in one unlogged batch (records of one table and partition key are batched together; 1 disables batching).',
  })
  .define({
    name: 'maxBatchSizeInBytes',
    type: ConfigType.INT,
    default: 40960,
    importance: Importance.LOW,
    group: 'Throughput',
    validator: Validators.atLeast(1),
    documentation:
      'Extension: most (estimated) bytes of bound values in one batch; keep it below the server batch_size_fail_threshold (50 KiB by default). A single larger record is sent alone.',
  })
  .define({
    name: 'connectionPoolLocalSize',
    type: ConfigType.INT,
    default: 4,
    importance: Importance.LOW,
    group: 'Connection',
    validator: Validators.atLeast(1),
    documentation: 'Connections per node of the local datacenter.',
  })
  .define({
    name: 'queryExecutionTimeout',
    type: ConfigType.INT,
    default: 30,
    importance: Importance.MEDIUM,
    group: 'Connection',
    validator: Validators.atLeast(1),
    documentation: 'Seconds a CQL request may take before it fails (then retried).',
  })
  .define({
    name: 'connectionTimeout',
    type: ConfigType.INT,
    default: 10,
    importance: Importance.LOW,
    group: 'Connection',
    validator: Validators.atLeast(1),
    documentation: 'Extension: seconds to wait for the initial connection (and for validate() to reach Cassandra).',
  })
  .define({
    name: 'compression',
    type: ConfigType.STRING,
    default: 'None',
    importance: Importance.LOW,
    group: 'Connection',
    validator: ci(['None', 'Snappy', 'LZ4']),
    documentation:
      'Wire compression: None, Snappy or LZ4. Accepted for compatibility, but the Node.js cassandra-driver has no protocol compression: Snappy/LZ4 are logged as ignored and the connection is uncompressed.',
  })
  .define({
    name: 'ignoreErrors',
    type: ConfigType.STRING,
    default: 'None',
    importance: Importance.HIGH,
    group: 'Errors',
    validator: ci(['None', 'All', 'Driver', 'true', 'false']),
    documentation:
      'Errors to skip (after reporting them to the errant record reporter / DLQ when configured, else to the log): None (fail the task), All (mapping and write errors), Driver (write errors only). Legacy true = All, false = None.',
  })
  .define({
    name: 'auth.provider',
    type: ConfigType.STRING,
    default: 'None',
    importance: Importance.MEDIUM,
    group: 'Authentication',
    validator: ci(['None', 'PLAIN', 'DSE']),
    documentation: 'None or PLAIN (username/password; DSE is accepted as PLAIN). GSSAPI is not supported.',
  })
  .define({
    name: 'auth.username',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    group: 'Authentication',
    documentation: 'Username for PLAIN authentication.',
  })
  .define({
    name: 'auth.password',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    group: 'Authentication',
    documentation: 'Password for PLAIN authentication.',
  })
  .define({
    name: 'ssl.provider',
    type: ConfigType.STRING,
    default: 'None',
    importance: Importance.MEDIUM,
    group: 'SSL',
    validator: ci(['None', 'JDK', 'OpenSSL']),
    documentation:
      'None, or JDK/OpenSSL (both mean TLS through Node): trusted CAs from ssl.truststore.path (PEM, JKS or PKCS12); a client certificate for mTLS from ssl.keystore.path (JKS or PKCS12) or ssl.openssl.keyCertChain + ssl.openssl.privateKey (PEM).',
  })
  .define({
    name: 'ssl.hostnameValidation',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'Check that the server certificate matches the host name.',
  })
  .define({
    name: 'ssl.truststore.path',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'Trusted CA certificates: a PEM file, or a JKS or PKCS12 trust store (its trusted certificate entries); empty for the system CAs.',
  })
  .define({
    name: 'ssl.truststore.password',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'Password of a JKS or PKCS12 ssl.truststore.path (a JKS trust store can be read without one, as in Java).',
  })
  .define({
    name: 'ssl.keystore.path',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation:
      'JKS or PKCS12 key store (.jks, .p12/.pfx) with the client certificate and key, for mTLS (alternative to the ssl.openssl.* PEM files). A JKS store: the first private key entry, whose key password must be ssl.keystore.password.',
  })
  .define({
    name: 'ssl.keystore.password',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'Password of ssl.keystore.path.',
  })
  .define({
    name: 'ssl.openssl.keyCertChain',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'PEM client certificate chain, for mTLS.',
  })
  .define({
    name: 'ssl.openssl.privateKey',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'PEM client private key, for mTLS.',
  })
  .define({
    name: 'ssl.cipherSuites',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.LOW,
    group: 'SSL',
    documentation: 'Allowed cipher suites (OpenSSL names); empty for Node defaults.',
  });

export type GlobalConfig = ReturnType<typeof CONFIG_DEF.parse>;

/** Per-table settings: `topic.<topic>.<keyspace>.<table>.*`. */
export interface TableConfig {
  topic: string;
  keyspace: string;
  table: string;
  /** The config key prefix, `topic.<topic>.<keyspace>.<table>.` */
  prefix: string;
  mapping: Mapping;
  query: string | null;
  ttl: number;
  ttlTimeUnit: TimeUnit;
  timestampTimeUnit: TimeUnit;
  consistencyLevel: (typeof CONSISTENCY_LEVELS)[number];
  nullToUnset: boolean;
  deletesEnabled: boolean;
}

/** Per-topic codec settings: `topic.<topic>.codec.*`. */
export interface CodecConfig {
  locale: string;
  timeZone: string;
  timestamp: string;
  date: string;
  time: string;
  unit: TimeUnit;
}

export const DEFAULT_CODEC: CodecConfig = {
  locale: 'en_US',
  timeZone: 'UTC',
  timestamp: 'CQL_TIMESTAMP',
  date: 'ISO_LOCAL_DATE',
  time: 'ISO_LOCAL_TIME',
  unit: 'MILLISECONDS',
};

export interface TopicConfigs {
  tables: TableConfig[];
  codecs: Map<string, CodecConfig>;
  /** Errors by config key. */
  errors: Map<string, string[]>;
  /** Every topic named by a table key (also those whose settings have errors). */
  topics: Set<string>;
}

const TABLE_SETTINGS = ['mapping', 'query', 'ttl', 'ttlTimeUnit', 'timestampTimeUnit', 'consistencyLevel', 'nullToUnset', 'deletesEnabled'] as const;
const CODEC_SETTINGS = ['locale', 'timeZone', 'timestamp', 'date', 'time', 'unit'] as const;
const TABLE_KEY = new RegExp(`^topic\\.(.+)\\.([^.]+)\\.([^.]+)\\.(${TABLE_SETTINGS.join('|')})$`);
const CODEC_KEY = new RegExp(`^topic\\.(.+)\\.codec\\.(${CODEC_SETTINGS.join('|')})$`);

/** The canonical form of a case-insensitive enum value. */
export function canonical<T extends string>(values: readonly T[], v: string): T | undefined {
  return values.find((x) => x.toLowerCase() === v.trim().toLowerCase());
}

export function ignoreErrorsOf(v: string): IgnoreErrors {
  const s = v.trim().toLowerCase();
  if (s === 'true') return 'All';
  if (s === 'false') return 'None';
  return canonical(IGNORE_ERRORS, v) ?? 'None';
}

function validTimeZone(tz: string): boolean {
  if (/^(Z|UTC|GMT)$/i.test(tz) || /^(UTC|GMT)?[+-]\d{1,2}(:?\d{2})?$/i.test(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses the dynamic per-topic keys. Never throws: problems are collected per key in `errors`. */
export function parseTopicConfigs(props: Record<string, string>): TopicConfigs {
  const errors = new Map<string, string[]>();
  const err = (key: string, msg: string) => errors.set(key, [...(errors.get(key) ?? []), msg]);
  const tables = new Map<string, Record<string, string>>();
  const codecs = new Map<string, CodecConfig>();
  const topics = new Set<string>();
  for (const [key, raw] of Object.entries(props)) {
    if (!key.startsWith('topic.')) continue;
    const c = CODEC_KEY.exec(key);
    if (c) {
      const [, topic, setting] = c as unknown as [string, string, (typeof CODEC_SETTINGS)[number]];
      const codec = codecs.get(topic) ?? { ...DEFAULT_CODEC };
      const value = String(raw).trim();
      if (setting === 'unit') {
        const u = canonical(TIME_UNITS, value);
        if (!u) err(key, `Invalid value ${value} for configuration ${key}: must be one of ${TIME_UNITS.join(', ')}`);
        else codec.unit = u;
      } else if (setting === 'timeZone') {
        if (!validTimeZone(value)) err(key, `Invalid value ${value} for configuration ${key}: unknown time zone`);
        else codec.timeZone = value;
      } else codec[setting] = value;
      codecs.set(topic, codec);
      continue;
    }
    const m = TABLE_KEY.exec(key);
    if (!m) {
      err(
        key,
        `Unknown configuration ${key}: expected topic.<topic>.<keyspace>.<table>.{${TABLE_SETTINGS.join(',')}} or topic.<topic>.codec.{${CODEC_SETTINGS.join(',')}}`,
      );
      continue;
    }
    const prefix = `topic.${m[1]}.${m[2]}.${m[3]}.`;
    topics.add(m[1]!);
    const t = tables.get(prefix) ?? {};
    t[m[4]!] = String(raw);
    tables.set(prefix, t);
  }

  // Formats are read with the codec's locale (month and day names), whichever key came first.
  for (const [topic, codec] of codecs) {
    const key = (k: string) => `topic.${topic}.codec.${k}`;
    try {
      checkLocale(codec.locale);
    } catch (e) {
      err(key('locale'), `Invalid value ${codec.locale} for configuration ${key('locale')}: ${(e as Error).message}`);
      continue;
    }
    for (const k of ['timestamp', 'date', 'time'] as const) {
      try {
        checkFormat(codec[k], codec.locale);
      } catch (e) {
        err(key(k), `Invalid value ${codec[k]} for configuration ${key(k)}: ${(e as Error).message}`);
      }
    }
  }

  const out: TableConfig[] = [];
  for (const [prefix, s] of tables) {
    const m = /^topic\.(.+)\.([^.]+)\.([^.]+)\.$/.exec(prefix)!;
    const [topic, keyspace, table] = [m[1]!, m[2]!, m[3]!];
    const key = (k: string) => prefix + k;
    if (s.mapping === undefined) {
      err(key('mapping'), `Missing required configuration "${key('mapping')}": every table a topic writes to needs a mapping`);
      continue;
    }
    let mapping: Mapping;
    try {
      mapping = parseMapping(s.mapping);
    } catch (e) {
      err(key('mapping'), `Invalid value ${s.mapping} for configuration ${key('mapping')}: ${(e as Error).message}`);
      continue;
    }
    const unit = (k: 'ttlTimeUnit' | 'timestampTimeUnit', dflt: TimeUnit): TimeUnit => {
      if (s[k] === undefined) return dflt;
      const u = canonical(TIME_UNITS, s[k]);
      if (!u) err(key(k), `Invalid value ${s[k]} for configuration ${key(k)}: must be one of ${TIME_UNITS.join(', ')}`);
      return u ?? dflt;
    };
    const bool = (k: 'nullToUnset' | 'deletesEnabled'): boolean => {
      if (s[k] === undefined) return true;
      if (!/^(true|false)$/i.test(s[k].trim())) err(key(k), `Invalid value ${s[k]} for configuration ${key(k)}: Expected value to be either true or false`);
      return s[k].trim().toLowerCase() !== 'false';
    };
    let ttl = -1;
    if (s.ttl !== undefined) {
      if (!/^-?\d+$/.test(s.ttl.trim())) err(key('ttl'), `Invalid value ${s.ttl} for configuration ${key('ttl')}: Not a number of type INT`);
      else ttl = Number(s.ttl.trim());
    }
    const cl = s.consistencyLevel === undefined ? 'LOCAL_ONE' : canonical(CONSISTENCY_LEVELS, s.consistencyLevel);
    if (!cl)
      err(
        key('consistencyLevel'),
        `Invalid value ${s.consistencyLevel} for configuration ${key('consistencyLevel')}: must be one of ${CONSISTENCY_LEVELS.join(', ')}`,
      );
    const query = s.query?.trim() ? s.query.trim() : null;
    if (query && !/^\s*(insert|update|delete)\b/i.test(query))
      err(key('query'), `Invalid value ${query} for configuration ${key('query')}: must be an INSERT, UPDATE or DELETE statement`);
    out.push({
      topic,
      keyspace,
      table,
      prefix,
      mapping,
      query,
      ttl,
      ttlTimeUnit: unit('ttlTimeUnit', 'SECONDS'),
      timestampTimeUnit: unit('timestampTimeUnit', 'MICROSECONDS'),
      consistencyLevel: cl ?? 'LOCAL_ONE',
      nullToUnset: bool('nullToUnset'),
      deletesEnabled: bool('deletesEnabled'),
    });
  }
  return { tables: out, codecs, errors, topics };
}

export interface SinkConfig {
  global: GlobalConfig;
  ignoreErrors: IgnoreErrors;
  password: string;
  keystorePassword: string;
  truststorePassword: string;
  tables: TableConfig[];
  codecs: Map<string, CodecConfig>;
}

/** Parses everything; throws a ConfigError-like Error listing every problem. */
export function parseSinkConfig(props: Record<string, string>): SinkConfig {
  const global = CONFIG_DEF.parse(props);
  const t = parseTopicConfigs(props);
  if (t.errors.size) throw new Error([...t.errors.values()].flat().join('\n'));
  return {
    global,
    ignoreErrors: ignoreErrorsOf(global.ignoreErrors),
    password: (global['auth.password'] as Password).value,
    keystorePassword: (global['ssl.keystore.password'] as Password).value,
    truststorePassword: (global['ssl.truststore.password'] as Password).value,
    tables: t.tables,
    codecs: t.codecs,
  };
}

export function codecFor(cfg: SinkConfig, topic: string): CodecConfig {
  return cfg.codecs.get(topic) ?? DEFAULT_CODEC;
}
