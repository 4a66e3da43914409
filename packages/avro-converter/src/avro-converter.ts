/**
 * `io.confluent.connect.avro.AvroConverter`: Connect data as Avro in Confluent's wire format — magic byte 0, the
 * schema's registry id (4 bytes, big-endian), then the Avro binary encoding — with the schemas kept in a
 * Confluent-compatible schema registry. Configs are Confluent's (`AvroConverterConfig`: the serializer's
 * `AbstractKafkaSchemaSerDeConfig` keys used here plus `AvroDataConfig`).
 *
 * Writing is synchronous once a schema's id is known for the subject (cached); the first record of a schema waits
 * for the registry. Registry faults: unreachable (connection refused/reset, timeouts, 5xx) → {@link RetriableError}
 * (the runtime retries the record per `errors.retry.timeout`; nothing is skipped); anything the registry refuses,
 * e.g. an incompatible schema (HTTP 409) → {@link DataError} (subject to `errors.tolerance` and the DLQ).
 */
import { execFileSync } from 'node:child_process';
import type * as avro from 'avsc';
import {
  ConfigDef,
  ConfigError,
  ConfigType,
  type Converter,
  DataError,
  type HeaderConverter,
  Importance,
  NULL_SCHEMA_AND_VALUE,
  Password,
  RetriableError,
  type Schema,
  type SchemaAndValue,
  type Validator,
  Validators,
  Width,
} from '@kconnect/api';
import { AvroData, type AvroJson, type ReadPlan, type WritePlan, avscType } from './avro-data';
import { RegistryClient, RegistryError, type RegistryClientOptions, tlsAgent } from './registry-client';

export const MAGIC_BYTE = 0;
export const TOPIC_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.TopicNameStrategy';
export const RECORD_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.RecordNameStrategy';
export const TOPIC_RECORD_NAME_STRATEGY = 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy';
const STRATEGIES = [TOPIC_NAME_STRATEGY, RECORD_NAME_STRATEGY, TOPIC_RECORD_NAME_STRATEGY];
const strategyValidator: Validator = Object.assign(
  (name: string, value: unknown) => {
    const v = String(value);
    if (!STRATEGIES.includes(v) && !STRATEGIES.some((s) => s.endsWith(`.${v}`))) {
      throw new ConfigError(`Invalid value ${v} for configuration ${name}: one of ${STRATEGIES.join(', ')} (or its simple name)`, { name });
    }
  },
  { description: `[${STRATEGIES.join(', ')}]` },
);

const SR = 'Schema Registry';
const SSL = 'Schema Registry TLS';
const SERDE = 'Serialization';
const DATA = 'Avro Data';
let order = 0;
const at = (group: string) => ({ group, orderInGroup: order++, width: Width.LONG });

/** Every setting, with Confluent's names, defaults and documentation. */
export const AVRO_CONVERTER_CONFIG_DEF = new ConfigDef()
  .define({
    name: 'schema.registry.url',
    type: ConfigType.LIST,
    importance: Importance.HIGH,
    documentation: 'Comma-separated list of URLs for schema registry instances that can be used to register or look up schemas.',
    ...at(SR),
  })
  .define({
    name: 'basic.auth.credentials.source',
    type: ConfigType.STRING,
    default: 'URL',
    importance: Importance.MEDIUM,
    documentation: 'Specify how to pick the credentials for Basic Auth header. The supported values are URL and USER_INFO (SASL_INHERIT is not).',
    validator: Validators.in(['URL', 'USER_INFO', 'SASL_INHERIT']),
    ...at(SR),
  })
  .define({
    name: 'basic.auth.user.info',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Specify the user info for Basic Auth in the form of {username}:{password}',
    ...at(SR),
  })
  .define({
    name: 'schema.registry.basic.auth.user.info',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Specify the user info for Basic Auth in the form of {username}:{password} (deprecated: use basic.auth.user.info)',
    ...at(SR),
  })
  .define({
    name: 'bearer.auth.credentials.source',
    type: ConfigType.STRING,
    default: 'STATIC_TOKEN',
    importance: Importance.MEDIUM,
    documentation: 'Specify how to pick the credentials for Bearer Auth header. Only STATIC_TOKEN (bearer.auth.token) is supported.',
    validator: Validators.in(['STATIC_TOKEN']),
    ...at(SR),
  })
  .define({
    name: 'bearer.auth.token',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Specify the Bearer token to be used for authentication',
    ...at(SR),
  })
  .define({
    name: 'max.schemas.per.subject',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.LOW,
    documentation: 'Maximum number of schemas to create or cache locally.',
    validator: Validators.atLeast(1),
    ...at(SR),
  })
  .define({
    name: 'schema.registry.ssl.truststore.location',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'The location of the trust store file (PEM certificates) for HTTPS registry URLs.',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.truststore.type',
    type: ConfigType.STRING,
    default: 'PEM',
    importance: Importance.MEDIUM,
    documentation: 'The file format of the trust store file. Only PEM is supported.',
    validator: Validators.in(['PEM'], true),
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.truststore.certificates',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Trusted certificates in PEM format (instead of a trust store file).',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.keystore.location',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'The location of the key store file (PEM: client certificate chain and private key) for mutual TLS.',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.keystore.type',
    type: ConfigType.STRING,
    default: 'PEM',
    importance: Importance.MEDIUM,
    documentation: 'The file format of the key store file. Only PEM is supported.',
    validator: Validators.in(['PEM'], true),
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.keystore.certificate.chain',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Client certificate chain in PEM format (instead of a key store file).',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.keystore.key',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'Client private key in PEM format (instead of a key store file).',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.key.password',
    type: ConfigType.PASSWORD,
    default: '',
    importance: Importance.MEDIUM,
    documentation: 'The password of the private key, when it is encrypted.',
    ...at(SSL),
  })
  .define({
    name: 'schema.registry.ssl.endpoint.identification.algorithm',
    type: ConfigType.STRING,
    default: 'https',
    importance: Importance.LOW,
    documentation: 'The endpoint identification algorithm to validate the server hostname; empty disables the check.',
    ...at(SSL),
  })
  .define({
    name: 'auto.register.schemas',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.MEDIUM,
    documentation: 'Specify if the Serializer should attempt to register the Schema with Schema Registry',
    ...at(SERDE),
  })
  .define({
    name: 'use.latest.version',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.LOW,
    documentation: 'Specify if the Serializer should use the latest subject version for serialization',
    ...at(SERDE),
  })
  .define({
    name: 'latest.compatibility.strict',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: 'Whether to check for backward compatibility between the latest subject version and the Schema of the object to be serialized',
    ...at(SERDE),
  })
  .define({
    name: 'key.subject.name.strategy',
    type: ConfigType.STRING,
    default: TOPIC_NAME_STRATEGY,
    importance: Importance.MEDIUM,
    documentation:
      'Determines how to construct the subject name under which the key schema is registered with the schema registry. By default, <topic>-key is used as subject.',
    validator: strategyValidator,
    recommendedValues: STRATEGIES,
    ...at(SERDE),
  })
  .define({
    name: 'value.subject.name.strategy',
    type: ConfigType.STRING,
    default: TOPIC_NAME_STRATEGY,
    importance: Importance.MEDIUM,
    documentation:
      'Determines how to construct the subject name under which the value schema is registered with the schema registry. By default, <topic>-value is used as subject.',
    validator: strategyValidator,
    recommendedValues: STRATEGIES,
    ...at(SERDE),
  })
  .define({
    name: 'connect.meta.data',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: 'Toggle for enabling/disabling connect converter to add its meta data to the output schema or not',
    ...at(DATA),
  })
  .define({
    name: 'enhanced.avro.schema.support',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation: 'Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness',
    ...at(DATA),
  })
  .define({
    name: 'schemas.cache.config',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.LOW,
    documentation: 'Size of the converted schemas cache',
    validator: Validators.atLeast(0),
    ...at(DATA),
  });

const secret = (v: unknown): string => (v instanceof Password ? v.value : String(v ?? ''));

/** What the converter needs from a registry (the real client, or a fake in unit tests). */
export interface Registry {
  schemaById(id: number): Promise<string>;
  register(subject: string, schema: string): Promise<number>;
  lookup(subject: string, schema: string): Promise<{ id: number; version: number; schema: string }>;
  latest(subject: string): Promise<{ id: number; version: number; schema: string }>;
}

interface Settings {
  autoRegister: boolean;
  useLatest: boolean;
  latestStrict: boolean;
  strategy: string;
  registryOptions: RegistryClientOptions;
}

/** The strategy's subject for a topic and an Avro schema. */
export function subjectName(strategy: string, topic: string, isKey: boolean, avroSchema: AvroJson): string {
  if (strategy.endsWith('.TopicNameStrategy') || strategy === 'TopicNameStrategy') return `${topic}-${isKey ? 'key' : 'value'}`;
  const record = recordName(avroSchema);
  if (strategy.endsWith('TopicRecordNameStrategy')) return `${topic}-${record}`;
  return record;
}

/** The full name of a named Avro schema, or its type name (Confluent's `AvroSchema.name()`). */
export function recordName(json: AvroJson): string {
  if (typeof json === 'string') return json;
  if (Array.isArray(json)) return 'union';
  const t = json.type;
  if ((t === 'record' || t === 'enum' || t === 'fixed') && typeof json.name === 'string') {
    const ns = json.namespace as string | undefined;
    return json.name.includes('.') || !ns ? json.name : `${ns}.${json.name}`;
  }
  return typeof t === 'string' ? t : 'union';
}

const SCRATCH_SIZE = 64 * 1024;

export class AvroConverter implements Converter, HeaderConverter {
  private isKey = false;
  private data = new AvroData();
  private registry: Registry | undefined;
  private settings: Settings | undefined;
  /** Registry ids by write plan and subject. */
  private ids = new WeakMap<WritePlan, Map<string, { id: number; type: avro.Type }>>();
  /** Schema text and registry version by id (version per subject). */
  private readonly byId = new Map<number, string>();
  private readonly versions = new Map<string, number | null>();
  private scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

  /** @param registry a registry to use instead of the one `schema.registry.url` names (tests). */
  constructor(registry?: Registry) {
    this.registry = registry;
  }

  config(): ConfigDef {
    return AVRO_CONVERTER_CONFIG_DEF;
  }

  configure(configs: Record<string, string>, isKey?: boolean): void {
    const injected = this.registry !== undefined && this.settings === undefined;
    const c = AVRO_CONVERTER_CONFIG_DEF.parse(
      injected && configs['schema.registry.url'] === undefined ? { 'schema.registry.url': 'http://injected', ...configs } : configs,
    );
    this.isKey = isKey ?? false;
    const urls = (c['schema.registry.url'] as string[]).map((u) => u.trim()).filter((u) => u);
    let userInfo: string | undefined;
    const source = c['basic.auth.credentials.source'] as string;
    if (source === 'USER_INFO') userInfo = secret(c['basic.auth.user.info']) || secret(c['schema.registry.basic.auth.user.info']) || undefined;
    else if (source === 'URL') {
      const withCreds = urls.map((u) => new URL(u)).find((u) => u.username);
      if (withCreds) userInfo = `${decodeURIComponent(withCreds.username)}:${decodeURIComponent(withCreds.password)}`;
    } else throw new ConfigError('basic.auth.credentials.source SASL_INHERIT is not supported', { name: 'basic.auth.credentials.source' });
    const sslRaw: Record<string, string | undefined> = {};
    for (const k of AVRO_CONVERTER_CONFIG_DEF.configKeys()) {
      if (k.name.startsWith('schema.registry.ssl.')) {
        const v = c[k.name];
        const s = secret(v);
        if (k.name.endsWith('.type') || k.name.endsWith('identification.algorithm')) sslRaw[k.name] = s;
        else sslRaw[k.name] = s === '' ? undefined : s;
      }
    }
    if (sslRaw['schema.registry.ssl.endpoint.identification.algorithm'] === 'https') delete sslRaw['schema.registry.ssl.endpoint.identification.algorithm'];
    const registryOptions: RegistryClientOptions = {
      urls,
      userInfo,
      bearerToken: secret(c['bearer.auth.token']) || undefined,
      agent: tlsAgent(sslRaw),
    };
    const strategy = c[this.isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy'] as string;
    this.settings = {
      autoRegister: c['auto.register.schemas'] as boolean,
      useLatest: c['use.latest.version'] as boolean,
      latestStrict: c['latest.compatibility.strict'] as boolean,
      strategy: STRATEGIES.find((s) => s === strategy || s.endsWith(`.${strategy}`))!,
      registryOptions,
    };
    if (!injected) this.registry = new RegistryClient(registryOptions);
    this.data = new AvroData({
      connectMetaData: c['connect.meta.data'] as boolean,
      enhancedSchemaSupport: c['enhanced.avro.schema.support'] as boolean,
      cacheSize: c['schemas.cache.config'] as number,
    });
    this.ids = new WeakMap();
    this.byId.clear();
    this.versions.clear();
  }

  /** The Avro data mapping in use (its caches and settings). */
  get avroData(): AvroData {
    return this.data;
  }

  // ------------------------------------------------------------------------------------------------ writing

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Uint8Array | null | Promise<Uint8Array | null> {
    const s = this.requireSettings();
    if (schema == null && value == null) return null;
    const plan = this.data.writePlan(schema);
    const avroValue = plan.toAvro(value);
    if (avroValue == null) return null;
    const subject = subjectName(s.strategy, topic, this.isKey, plan.avro);
    const known = this.ids.get(plan)?.get(subject);
    if (known !== undefined) return this.encode(topic, known.id, known.type, avroValue);
    return this.resolveId(topic, subject, plan).then((k) => this.encode(topic, k.id, k.type, avroValue));
  }

  private encode(topic: string, id: number, type: avro.Type, value: unknown): Uint8Array {
    let buf = this.scratch;
    buf[0] = MAGIC_BYTE;
    buf.writeInt32BE(id, 1);
    let end: number;
    try {
      end = type.encode(value, buf, 5);
      while (end < 0) {
        buf = Buffer.allocUnsafe(Math.max(buf.length * 2, 5 - end));
        buf[0] = MAGIC_BYTE;
        buf.writeInt32BE(id, 1);
        end = type.encode(value, buf, 5);
      }
    } catch (e) {
      throw new DataError(`Failed to serialize Avro data from topic ${topic}: ${(e as Error).message}`, { cause: e });
    }
    if (buf.length > this.scratch.length && buf.length <= 16 * SCRATCH_SIZE) this.scratch = buf;
    return Buffer.from(buf.subarray(0, end));
  }

  private async resolveId(topic: string, subject: string, plan: WritePlan): Promise<{ id: number; type: avro.Type }> {
    const s = this.requireSettings();
    const registry = this.registry!;
    let resolved: { id: number; type: avro.Type };
    try {
      if (s.useLatest) {
        const latest = await registry.latest(subject);
        const latestType = avscType(JSON.parse(latest.schema) as AvroJson);
        if (s.latestStrict) {
          try {
            latestType.createResolver(plan.type);
          } catch (e) {
            throw new DataError(
              `Failed to serialize Avro data from topic ${topic}: Incompatible schema ${plan.text} with refs [] of type AVRO for schema ${latest.schema}. Set latest.compatibility.strict=false to disable this check (${(e as Error).message})`,
            );
          }
        }
        resolved = { id: latest.id, type: latestType };
        this.byId.set(latest.id, latest.schema);
      } else if (s.autoRegister) {
        resolved = { id: await registry.register(subject, plan.text), type: plan.type };
      } else {
        const found = await registry.lookup(subject, plan.text);
        resolved = { id: found.id, type: plan.type };
        this.versions.set(`${subject}|${found.id}`, found.version);
      }
    } catch (e) {
      throw registryFault(e, `Failed to serialize Avro data from topic ${topic}`, subject);
    }
    let bySubject = this.ids.get(plan);
    if (!bySubject) this.ids.set(plan, (bySubject = new Map()));
    bySubject.set(subject, resolved);
    if (!s.useLatest) this.byId.set(resolved.id, plan.text);
    return resolved;
  }

  // ------------------------------------------------------------------------------------------------ reading

  toConnectData(topic: string, value: Uint8Array | null): SchemaAndValue | Promise<SchemaAndValue> {
    this.requireSettings();
    if (value == null) return NULL_SCHEMA_AND_VALUE;
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (buf.length < 5 || buf[0] !== MAGIC_BYTE) {
      throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: Unknown magic byte!`);
    }
    const id = buf.readInt32BE(1);
    const text = this.byId.get(id);
    if (text !== undefined) {
      const subject = this.readSubject(topic, text);
      const version = this.versions.get(`${subject}|${id}`);
      if (version !== undefined) return this.decode(topic, this.data.readPlan(text, version ?? undefined), buf);
    }
    return this.fetchForRead(topic, id).then((plan) => this.decode(topic, plan, buf));
  }

  private readSubject(topic: string, text: string): string {
    const s = this.requireSettings();
    return s.strategy === TOPIC_NAME_STRATEGY
      ? `${topic}-${this.isKey ? 'key' : 'value'}`
      : subjectName(s.strategy, topic, this.isKey, JSON.parse(text) as AvroJson);
  }

  private async fetchForRead(topic: string, id: number): Promise<ReadPlan> {
    const registry = this.registry!;
    let text = this.byId.get(id);
    let subject = '';
    try {
      if (text === undefined) {
        text = await registry.schemaById(id);
        this.byId.set(id, text);
      }
      subject = this.readSubject(topic, text);
      const key = `${subject}|${id}`;
      if (!this.versions.has(key)) {
        // the Connect schema's version is the subject's version of the writer schema (Java looks it up too)
        try {
          this.versions.set(key, (await registry.lookup(subject, text)).version);
        } catch (e) {
          if (e instanceof RegistryError && !e.unreachable && e.status === 404) this.versions.set(key, null);
          else throw e;
        }
      }
      return this.data.readPlan(text, this.versions.get(key) ?? undefined);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw registryFault(
        e,
        `Failed to deserialize data for topic ${topic} to Avro: Error retrieving Avro ${this.isKey ? 'key' : 'value'} schema${subject ? ` version` : ''} for id ${id}`,
        subject,
      );
    }
  }

  private decode(topic: string, plan: ReadPlan, buf: Buffer): SchemaAndValue {
    let value: unknown;
    try {
      const r = plan.type.decode(buf, 5);
      if (r.offset < 0) throw new Error('truncated Avro data');
      value = r.value;
    } catch (e) {
      throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: ${(e as Error).message}`, { cause: e });
    }
    return { schema: plan.schema, value: plan.toConnect(value) };
  }

  // ------------------------------------------------------------------------------------------------ headers

  /**
   * Header converters are synchronous in this runtime, so a schema seen for the first time is registered (or
   * fetched) by a short-lived child process; later headers of the same schema use the cache.
   */
  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    const s = this.requireSettings();
    if (schema == null && value == null) return null;
    const plan = this.data.writePlan(schema);
    const avroValue = plan.toAvro(value);
    if (avroValue == null) return null;
    const subject = subjectName(s.strategy, topic, this.isKey, plan.avro);
    let known = this.ids.get(plan)?.get(subject);
    if (known === undefined) {
      const op = s.autoRegister ? 'register' : 'lookup';
      const r = syncRegistryCall(s.registryOptions, op, { subject, schema: plan.text }, `Failed to serialize Avro data from topic ${topic}`) as { id: number };
      known = { id: r.id, type: plan.type };
      let bySubject = this.ids.get(plan);
      if (!bySubject) this.ids.set(plan, (bySubject = new Map()));
      bySubject.set(subject, known);
      this.byId.set(r.id, plan.text);
    }
    return this.encode(topic, known.id, known.type, avroValue);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    this.requireSettings();
    if (value == null) return NULL_SCHEMA_AND_VALUE;
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (buf.length < 5 || buf[0] !== MAGIC_BYTE) throw new DataError(`Failed to deserialize data for topic ${topic} to Avro: Unknown magic byte!`);
    const id = buf.readInt32BE(1);
    let text = this.byId.get(id);
    if (text === undefined) {
      text = (
        syncRegistryCall(this.settings!.registryOptions, 'schemaById', { id }, `Failed to deserialize data for topic ${topic} to Avro`) as { schema: string }
      ).schema;
      this.byId.set(id, text);
    }
    return this.decode(topic, this.data.readPlan(text), buf);
  }

  close(): void {
    this.ids = new WeakMap();
    this.byId.clear();
    this.versions.clear();
  }

  private requireSettings(): Settings {
    if (!this.settings) throw new DataError('AvroConverter used before configure()');
    return this.settings;
  }
}

/** A registry failure as Connect error: retriable when the registry did not answer, else a DataError. */
export function registryFault(e: unknown, prefix: string, subject: string): Error {
  if (e instanceof DataError || e instanceof RetriableError) return e;
  if (e instanceof RegistryError) {
    if (e.unreachable) return new RetriableError(`${prefix}: ${e.message}`, { cause: e });
    if (e.status === 409) {
      return new DataError(`${prefix}: the schema is incompatible with an earlier schema registered under subject "${subject}" (HTTP 409): ${e.message}`, {
        cause: e,
      });
    }
    return new DataError(`${prefix}: schema registry answered${e.status ? ` HTTP ${e.status}` : ''} for subject "${subject}": ${e.message}`, { cause: e });
  }
  return new DataError(`${prefix}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

// The child process for synchronous registry calls (header converters): plain Node, no dependencies.
const SYNC_SCRIPT = `
const o = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const paths = { register: (a) => ['POST', '/subjects/' + encodeURIComponent(a.subject) + '/versions', { schema: a.schema }],
  lookup: (a) => ['POST', '/subjects/' + encodeURIComponent(a.subject), { schema: a.schema }],
  schemaById: (a) => ['GET', '/schemas/ids/' + a.id, undefined] };
const [method, path, body] = paths[o.op](o.args);
(async () => {
  let last;
  for (const base of o.urls) {
    const u = new URL(base.replace(/\\/$/, '') + path);
    const mod = require(u.protocol === 'https:' ? 'https' : 'http');
    const headers = { 'Content-Type': 'application/vnd.schemaregistry.v1+json', Accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (o.userInfo) headers.Authorization = 'Basic ' + Buffer.from(o.userInfo).toString('base64');
    if (o.bearer) headers.Authorization = 'Bearer ' + o.bearer;
    try {
      const res = await new Promise((resolve, reject) => {
        const req = mod.request(u, { method, headers, timeout: 10000, ...o.tls }, (r) => { let t = ''; r.on('data', (c) => (t += c)); r.on('end', () => resolve({ status: r.statusCode, text: t })); });
        req.on('error', reject); req.on('timeout', () => req.destroy(new Error('timeout')));
        if (body) req.write(JSON.stringify(body)); req.end();
      });
      process.stdout.write(JSON.stringify(res)); return;
    } catch (e) { last = e; }
  }
  process.stdout.write(JSON.stringify({ status: 0, text: String(last && last.message) }));
})();`;

function syncRegistryCall(opts: RegistryClientOptions, op: string, args: Record<string, unknown>, prefix: string): unknown {
  const agentOpts = (opts.agent as { options?: Record<string, unknown> } | undefined)?.options ?? {};
  const tls: Record<string, unknown> = {};
  for (const k of ['ca', 'cert', 'key', 'passphrase']) if (agentOpts[k] !== undefined) tls[k] = agentOpts[k];
  if (agentOpts.checkServerIdentity) tls.rejectUnauthorized = true;
  const input = JSON.stringify({ op, args, urls: opts.urls, userInfo: opts.userInfo, bearer: opts.bearerToken, tls });
  const out = execFileSync(process.execPath, ['-e', SYNC_SCRIPT], { input, encoding: 'utf8', timeout: 30_000 });
  const res = JSON.parse(out) as { status: number; text: string };
  const subject = String(args.subject ?? '');
  if (res.status === 0) throw registryFault(new RegistryError(`Schema registry is unreachable: ${res.text}`, undefined, true), prefix, subject);
  let data: { message?: string } = {};
  try {
    data = JSON.parse(res.text);
  } catch {
    data = { message: res.text };
  }
  if (res.status >= 300) throw registryFault(new RegistryError(data.message ?? `HTTP ${res.status}`, res.status, res.status >= 500), prefix, subject);
  return data;
}
