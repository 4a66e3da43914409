/**
 * Wires a worker together (standalone or distributed): worker config → loggers, metrics, plugins, Kafka client, offset store,
 * worker, herder and REST server. Used by the CLI and by tests that need a real worker in-process.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PluginDescriptor } from '@kconnect/api';
import { ConfigError } from '@kconnect/api';
import { plugins as converterPlugins } from '@kconnect/converters';
import { plugins as transformPlugins } from '@kconnect/transforms';
import type { FastifyInstance } from 'fastify';
import { parseProperties } from './config/properties';
import { parseDistributedConfig } from './config/distributed-config';
import { parseWorkerConfig, type WorkerConfig } from './config/worker-config';
import { PROTOCOL_TYPE } from './distributed/connect-protocol';
import { DistributedHerder } from './herder/distributed-herder';
import { SecretMasker } from './herder/secrets';
import { StandaloneHerder } from './herder/standalone-herder';
import type { KafkaClient } from './kafka/client';
import { createKafkaClient } from './kafka';
import { LoggerRegistry, type LogLevel } from './logging';
import { WorkerMetrics } from './metrics/metrics';
import { PluginRegistry } from './plugins/registry';
import { RestAuthenticator } from './rest/auth';
import { leaderForwarder } from './rest/forwarding';
import { createRestServer } from './rest/server';
import { listenerTls, refuseUnverifiedClientCertificates, restClient } from './rest/tls';
import { KafkaConfigStore } from './storage/kafka-config-store';
import { KafkaOffsetStore } from './storage/kafka-offset-store';
import { KafkaStatusStore } from './storage/kafka-status-store';
import { FileOffsetStore, MemoryOffsetStore } from './storage/offset-store';
import { Worker } from './worker/worker';

export const VERSION: string = (require('../package.json') as { version: string }).version;

/** The git commit the worker was built from (scripts/build-info.sh), or "unknown". */
export const COMMIT: string = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'dist', 'build-info.json'), 'utf8')) as { commit: string }).commit;
  } catch {
    return 'unknown';
  }
})();

export interface StandaloneOptions {
  /** Worker properties (already parsed). */
  workerProps: Record<string, string>;
  /** Connector configs to create at start (from files on the command line). */
  connectors?: Array<{ name: string; config: Record<string, string> }>;
  /** Plugins besides the built-in converters (the CLI passes the bundled connectors). */
  plugins?: readonly PluginDescriptor[];
  logLevel?: LogLevel;
  /** Replace the Kafka client (tests). */
  kafka?: KafkaClient;
  loggers?: LoggerRegistry;
}

interface RunningWorker<H> {
  readonly url: string;
  readonly config: WorkerConfig;
  readonly herder: H;
  readonly rest: FastifyInstance;
  stop(): Promise<void>;
}
export type StandaloneWorker = RunningWorker<StandaloneHerder>;
export type DistributedWorker = RunningWorker<DistributedHerder>;

function parseListener(l: string): { protocol: string; host: string; port: number } {
  const m = /^(https?):\/\/([^:/]*|\[[^\]]*\]):(\d+)\/?$/i.exec(l.trim());
  if (!m)
    throw new ConfigError(`Invalid value ${l} for configuration listeners: expected protocol://host:port, e.g. http://127.0.0.1:8083`, { name: 'listeners' });
  return { protocol: m[1]!.toLowerCase(), host: m[2]!, port: Number(m[3]) };
}

export function startStandalone(options: StandaloneOptions): Promise<StandaloneWorker> {
  return startWorker(options, 'standalone') as Promise<StandaloneWorker>;
}

/** A worker of a distributed cluster (`kconnect distributed`): configs, offsets and statuses in Kafka's topics. */
export function startDistributed(options: Omit<StandaloneOptions, 'connectors'>): Promise<DistributedWorker> {
  return startWorker(options, 'distributed') as Promise<DistributedWorker>;
}

async function startWorker(options: StandaloneOptions, mode: 'standalone' | 'distributed'): Promise<StandaloneWorker | DistributedWorker> {
  const config = parseWorkerConfig(options.workerProps);
  const dc = mode === 'distributed' ? parseDistributedConfig(config.props) : null;
  const loggers = options.loggers ?? new LoggerRegistry({ level: options.logLevel ?? 'INFO' });
  const log = loggers.get('kconnect.worker');
  const listener = parseListener(config.listeners[0] ?? 'http://:8083');
  // REST authentication and HTTPS (docs/security.md), checked before anything connects.
  const restLog = loggers.get('kconnect.rest');
  const auth = RestAuthenticator.fromWorkerProps(config.props, restLog);
  const tls = listener.protocol === 'https' ? listenerTls(config.props) : undefined;
  if (tls?.ignored.length) restLog.warn({ settings: tls.ignored }, 'these TLS settings of the REST listener are not supported and are ignored');
  const restFetch = restClient(tls?.client);
  const adminListener = config.adminListeners?.length ? parseListener(config.adminListeners[0]!) : undefined;
  const adminTls = adminListener?.protocol === 'https' ? listenerTls(config.props, 'admin.listeners.https.') : undefined;
  const metrics = new WorkerMetrics();
  const registry = new PluginRegistry()
    .register(converterPlugins)
    .register(transformPlugins)
    .register(options.plugins ?? []);
  const loaded = registry.loadPluginPath(config.pluginPath);
  if (loaded.length) log.info({ loaded }, 'loaded plugins from plugin.path');
  const kafka =
    options.kafka ??
    // The worker's top-level security.protocol / sasl.* / ssl.* keys: every client's (its own and its tasks').
    createKafkaClient({ backend: config.kafkaClient, bootstrapServers: config.bootstrapServers, log: loggers.get('kconnect.kafka'), security: config.props });

  const rest0 = { host: listener.host === '' ? '0.0.0.0' : listener.host, port: listener.port };
  const admin = await kafka.admin();
  let herder: StandaloneHerder | DistributedHerder | undefined;
  const onTopic = (c: string, t: string) => herder?.recordTopic(c, t);
  let worker: Worker;
  if (dc) {
    const clientId = `connect-${dc.groupId}`;
    const herderLog = loggers.get('kconnect.herder');
    const stores = {
      config: new KafkaConfigStore(kafka, admin, dc.configTopic, dc.configReplicationFactor, clientId, herderLog, config.producer),
      offsets: new KafkaOffsetStore(kafka, admin, dc.offsetTopic, dc.offsetPartitions, dc.offsetReplicationFactor, clientId, herderLog, config.producer),
      offsetsOn: (topic: string) =>
        new KafkaOffsetStore(kafka, admin, topic, dc.offsetPartitions, dc.offsetReplicationFactor, `${clientId}-${topic}`, herderLog, config.producer),
      status: new KafkaStatusStore(kafka, admin, dc.statusTopic, dc.statusPartitions, dc.statusReplicationFactor, clientId, herderLog, config.producer),
    };
    worker = new Worker('pending', config, registry, kafka, stores.offsets, loggers, metrics, onTopic);
    const member = await kafka.groupMember({
      clientId,
      groupId: dc.groupId,
      protocolType: PROTOCOL_TYPE,
      sessionTimeoutMs: dc.sessionTimeoutMs,
      rebalanceTimeoutMs: dc.rebalanceTimeoutMs,
    });
    herder = new DistributedHerder(worker, admin, stores, member, dc, 'pending', herderLog);
  } else {
    const offsetStore = config.offsetFile ? new FileOffsetStore(path.resolve(config.offsetFile)) : new MemoryOffsetStore();
    worker = new Worker('pending', config, registry, kafka, offsetStore, loggers, metrics, onTopic);
    herder = new StandaloneHerder(worker, admin, loggers.get('kconnect.herder'));
  }
  const h = herder;

  const adminSeparate = config.adminListeners !== null;
  const rest = createRestServer({
    herder: h,
    loggers,
    metrics,
    log: loggers.get('kconnect.rest'),
    version: VERSION,
    commit: COMMIT,
    allowOrigin: config.allowOrigin,
    allowMethods: config.allowMethods,
    admin: !adminSeparate,
    forwarder: h instanceof DistributedHerder ? leaderForwarder(h, restFetch) : undefined,
    auth,
    https: tls?.server,
    secrets: new SecretMasker(worker, config.restSecretsVisible),
  });
  await rest.listen(rest0);
  if (tls?.clientAuth === 'requested') refuseUnverifiedClientCertificates(rest.server as unknown as import('node:https').Server);
  if (h instanceof DistributedHerder) h.restFetch = restFetch;
  const port = (rest.server.address() as { port: number }).port;
  const advertisedHost = config.advertisedHost ?? (listener.host && listener.host !== '0.0.0.0' ? listener.host : '127.0.0.1');
  const workerId = `${advertisedHost}:${config.advertisedPort ?? port}`;
  (worker as { workerId: string }).workerId = workerId;
  const scheme = (config.advertisedListener ?? listener.protocol).toLowerCase();
  const url = `${scheme}://${advertisedHost}:${config.advertisedPort ?? port}`;
  let adminRest: FastifyInstance | undefined;
  if (adminSeparate && config.adminListeners!.length) {
    const al = adminListener!;
    adminRest = createRestServer({
      herder: h,
      loggers,
      metrics,
      log: loggers.get('kconnect.rest'),
      version: VERSION,
      commit: COMMIT,
      adminOnly: true,
      auth,
      https: adminTls?.server,
    });
    await adminRest.listen({ host: al.host || '0.0.0.0', port: al.port });
  }

  try {
    if (h instanceof DistributedHerder) {
      h.url = `${url}/`;
      await h.start();
    } else await h.start(options.connectors ?? []);
  } catch (e) {
    // Leave nothing running: REST, tasks already started, Kafka clients.
    await rest.close();
    await adminRest?.close();
    await h.stop().catch(() => undefined);
    throw e;
  }
  log.info({ url, workerId, groupId: dc?.groupId }, `Kafka Connect ${mode} worker started`);
  const running = {
    url: mode === 'standalone' ? `${listener.protocol}://${advertisedHost}:${port}` : url,
    config,
    herder: h,
    rest,
    async stop() {
      log.info('Kafka Connect stopping');
      await rest.close();
      await adminRest?.close();
      await h.stop();
      log.info('Kafka Connect stopped');
      loggers.flush();
    },
  } as StandaloneWorker | DistributedWorker;
  if (h instanceof DistributedHerder) {
    // A worker that cannot go on (its topics belong to another live cluster, its group to other workers) stops.
    h.onFatal = (e) => {
      log.error({ err: e }, 'Kafka Connect cannot go on; stopping');
      process.exitCode = 1;
      void running.stop();
    };
  }
  return running;
}

/** Reads a worker `.properties` file. */
export function readWorkerProperties(file: string): Record<string, string> {
  return parseProperties(readFileSync(file, 'utf8'));
}

/** Reads a connector config file: `.properties`, or `.json` as a flat map or `{"name","config"}`. */
export function readConnectorFile(file: string): { name: string; config: Record<string, string> } {
  const text = readFileSync(file, 'utf8');
  let config: Record<string, string>;
  let name: string | undefined;
  if (file.endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file} must hold a JSON object`);
    const o = doc as Record<string, unknown>;
    const raw = o.config && typeof o.config === 'object' ? (o.config as Record<string, unknown>) : o;
    name = typeof o.name === 'string' && o.config ? o.name : undefined;
    config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } else {
    config = parseProperties(text);
  }
  name ??= config.name;
  if (!name) throw new ConfigError(`${file} has no connector name (set "name")`);
  return { name, config: { ...config, name } };
}
