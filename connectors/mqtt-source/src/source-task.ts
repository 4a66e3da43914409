/**
 * MqttSourceTask: one MQTT client per task; messages → records; the broker gets the PUBACK/PUBREC of a QoS 1/2
 * message from {@link MqttSourceTask.commitRecord}, i.e. only once Kafka acknowledged the record (or the runtime
 * dropped it on purpose: a transformation filter or a tolerated conversion error).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  ConnectError,
  DataError,
  Headers,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type RecordMetadata,
  Schemas,
  SourceTask,
  sourceRecord,
  type ConnectorProps,
  type SourceRecord,
} from '@kconnect/api';
import type { IClientOptions } from 'mqtt';
import { AckingMqttClient, type ReceivedMessage } from './ack-client';
import { type MqttSourceConfig, TASK_INDEX, parseConfig, passwordValue } from './config';
import { jsonPath, renderClientId, route, sanitizeTopic, type Route } from './routing';
import { VERSION } from './version';

interface Metrics {
  received: MetricCounter;
  acked: MetricCounter;
  stale: MetricCounter;
  errors: MetricCounter;
  reconnects: MetricCounter;
  queueDepth: MetricGauge;
  unacked: MetricGauge;
  ackLatency: MetricHistogram;
}

/** Parses a broker URI into an mqtt.js server entry. */
export function toServer(uri: string): { host: string; port: number; protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss' } {
  const u = new URL(uri);
  const scheme = u.protocol.replace(':', '');
  const protocol = scheme === 'tcp' || scheme === 'mqtt' ? 'mqtt' : scheme === 'ssl' || scheme === 'mqtts' ? 'mqtts' : (scheme as 'ws' | 'wss');
  const port = u.port ? Number(u.port) : protocol === 'mqtts' ? 8883 : protocol === 'ws' ? 80 : protocol === 'wss' ? 443 : 1883;
  return { host: u.hostname, port, protocol };
}

/** TLS errors that a reconnect cannot fix (the broker certificate does not verify against the configured CAs). */
const TLS_VERIFY_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export class MqttSourceTask extends SourceTask {
  private config!: MqttSourceConfig;
  private client: AckingMqttClient | null = null;
  private queue: ReceivedMessage[] = [];
  private readonly tokens = new WeakMap<SourceRecord, ReceivedMessage>();
  private wake: (() => void) | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private metrics!: Metrics;
  private clientId = '';
  private routes: Route[] = [];
  /** Handed to the runtime by poll and not yet committed. */
  private inFlight = 0;
  private inFlightDrained: (() => void) | null = null;
  private fatal: Error | null = null;

  version(): string {
    return VERSION;
  }

  async start(props: ConnectorProps): Promise<void> {
    this.config = parseConfig(props);
    this.routes = this.config.routes;
    this.stopped = false;
    this.stopping = null;
    this.queue = [];
    const c = this.config.raw;
    const m = this.context.metrics;
    this.metrics = {
      received: m.counter('mqtt_source_messages_received_total', 'MQTT messages received', ['qos']),
      acked: m.counter('mqtt_source_messages_acked_total', 'MQTT messages acknowledged to the broker after Kafka acknowledged them'),
      stale: m.counter('mqtt_source_acks_dropped_total', 'Acks not sent because the connection was lost first (the broker redelivers)'),
      errors: m.counter('mqtt_source_payload_errors_total', 'Payloads that failed conversion', ['policy']),
      reconnects: m.counter('mqtt_source_reconnects_total', 'Reconnects to the broker'),
      queueDepth: m.gauge('mqtt_source_queue_depth', 'Messages received and waiting for poll'),
      unacked: m.gauge('mqtt_source_unacked_messages', 'Messages received and not yet acknowledged to the broker'),
      ackLatency: m.histogram(
        'mqtt_source_ack_latency_seconds',
        'From MQTT receive to the MQTT ack (after the Kafka ack)',
        [],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
    };
    const taskIndex = Number(props[TASK_INDEX] ?? 0);
    this.clientId = renderClientId(c['mqtt.client.id'], { connector: props.name ?? 'mqtt-source', task: taskIndex, hostname: hostname() });
    const v5 = c['mqtt.version'] === '5';
    const uris = c['mqtt.server.uri'] as string[];
    const servers = uris.map(toServer);
    const read = (f: string | null) => (f ? readFileSync(f) : undefined);
    const options: IClientOptions = {
      servers,
      host: servers[0]!.host,
      port: servers[0]!.port,
      protocol: servers[0]!.protocol,
      protocolVersion: v5 ? 5 : 4,
      clientId: this.clientId,
      clean: c['mqtt.clean.session.enabled'],
      keepalive: c['mqtt.keepalive.interval.seconds'],
      connectTimeout: c['mqtt.connect.timeout.seconds'] * 1000,
      reconnectPeriod: c['mqtt.reconnect.backoff.ms'],
      username: c['mqtt.username'] ?? undefined,
      password: passwordValue(c['mqtt.password']),
      ca: read(c['mqtt.ssl.ca.file']),
      cert: read(c['mqtt.ssl.cert.file']),
      key: read(c['mqtt.ssl.key.file']),
      rejectUnauthorized: c['mqtt.ssl.verify.enabled'],
      properties: v5 ? { sessionExpiryInterval: c['mqtt.session.expiry.interval.seconds'], receiveMaximum: c['mqtt.queue.max.messages'] } : undefined,
    };
    const passphrase = passwordValue(c['mqtt.ssl.key.password']);
    if (passphrase) (options as Record<string, unknown>).passphrase = passphrase; // passed on to tls.connect
    const log = this.context.logger;
    let firstConnect: { resolve: () => void; reject: (e: Error) => void } | null = null;
    const connected = new Promise<void>((resolve, reject) => (firstConnect = { resolve, reject }));
    let subscribed = false;
    const client: AckingMqttClient = new AckingMqttClient(options, c['mqtt.queue.max.messages'], {
      onMessage: (msg) => {
        this.metrics.received.inc({ qos: String(msg.packet.qos) });
        this.queue.push(msg);
        this.metrics.queueDepth.set(undefined, this.queue.length);
        this.metrics.unacked.set(undefined, client.outstanding);
        this.wakeUp();
      },
      onConnect: (sessionPresent, reconnect) => {
        if (reconnect) this.metrics.reconnects.inc();
        log.info(`Connected to the MQTT broker as ${this.clientId} (session present: ${sessionPresent}${reconnect ? ', reconnect' : ''})`);
        if (subscribed) return; // mqtt.js resubscribes after a reconnect when the broker lost the session
        subscribed = true;
        // A resumed session is subscribed already, and its broker may send more unacknowledged messages before the
        // SUBACK than mqtt.queue.max.messages (3.1.1 has no Receive Maximum; some brokers exceed it, or resend all
        // that was in flight): the client stops reading at that limit, leaving the SUBACK unread until poll() takes
        // messages, which the runtime calls only after start(). So start() waits for the SUBACK of a new session only.
        const waitForSuback = !sessionPresent;
        if (!waitForSuback) firstConnect?.resolve();
        const subs = Object.fromEntries(this.routes.map((r) => [r.subscription, { qos: r.qos }]));
        client.subscribe(subs).then(
          (granted) => {
            const refused = granted.filter((g) => g.qos === 128 || g.qos > 2);
            if (refused.length) this.failWith(new ConnectError(`The broker refused the subscriptions ${refused.map((g) => g.topic).join(', ')}`));
            else log.info(`Subscribed to ${granted.map((g) => `${g.topic} (QoS ${g.qos})`).join(', ')}`);
            firstConnect?.resolve();
          },
          (e: Error) => {
            const err = new ConnectError(`Could not subscribe: ${e.message}`, { cause: e });
            if (waitForSuback && firstConnect) firstConnect.reject(err);
            else this.failWith(err);
          },
        );
      },
      onClose: () => {
        if (!this.stopped) log.warn(`Connection to the MQTT broker lost (client ${this.clientId}); reconnecting`);
      },
      onError: (err) => {
        const code = (err as { code?: number }).code;
        // CONNACK refusals: bad credentials, not authorized, bad client id — retrying will not help.
        const refused =
          (typeof code === 'number' && [2, 4, 5, 133, 134, 135, 138, 140].includes(code)) || (typeof code === 'string' && TLS_VERIFY_ERRORS.has(code));
        log.warn({ err }, `MQTT client error: ${err.message}`);
        if (refused) {
          const e = new ConnectError(`The MQTT broker refused the connection: ${err.message}`, { cause: err });
          firstConnect?.reject(e);
          this.failWith(e);
        }
      },
    });
    this.client = client;
    client.connect();
    const timeoutMs = c['mqtt.connect.timeout.seconds'] * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connected,
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            log.warn(`Not connected to ${uris.join(', ')} after ${timeoutMs} ms; still trying`);
            resolve();
          }, timeoutMs);
        }),
      ]);
    } catch (e) {
      await client.end();
      if (this.client === client) this.client = null;
      throw e;
    } finally {
      clearTimeout(timer);
      firstConnect = null;
    }
  }

  private failWith(e: Error): void {
    this.fatal ??= e;
    this.wakeUp();
  }

  /** A failed task keeps nothing: unacknowledged messages stay with the broker for the restarted task, and the
   * client id (and its session) is free for it at once. */
  private async throwFatal(): Promise<never> {
    const client = this.client;
    this.client = null;
    await client?.end();
    throw this.fatal;
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.fatal) return this.throwFatal();
    if (this.queue.length === 0 && !this.stopped) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = null;
          resolve();
        }, this.config.raw['mqtt.poll.wait.ms']);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    if (this.fatal) return this.throwFatal();
    if (this.stopped || this.queue.length === 0) return null;
    const batch = this.queue.splice(0, this.config.raw['mqtt.batch.max.messages']);
    this.metrics.queueDepth.set(undefined, this.queue.length);
    const out: SourceRecord[] = [];
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i]!;
      let rec: SourceRecord | null | undefined;
      try {
        rec = this.toRecord(msg);
      } catch (e) {
        rec = this.onPayloadError(msg, e as Error);
        if (rec === undefined) {
          // fail: the messages of this batch after the bad one go back to the queue; none of them is acked.
          this.queue.unshift(...batch.slice(i + 1));
          break;
        }
      }
      if (rec) {
        this.tokens.set(rec, msg);
        out.push(rec);
      }
    }
    this.inFlight += out.length;
    if (this.fatal && out.length === 0) return this.throwFatal();
    return out;
  }

  /** The error policy for a payload that does not convert: a DLQ record, null (skipped, acked), or undefined (fail). */
  private onPayloadError(msg: ReceivedMessage, err: Error): SourceRecord | null | undefined {
    const policy = this.config.raw['mqtt.payload.error.policy'];
    this.metrics.errors.inc({ policy });
    const where = `MQTT topic ${msg.topic} (message id ${msg.packet.messageId ?? '-'}, QoS ${msg.packet.qos})`;
    if (policy === 'skip') {
      this.context.logger.error(
        { err, mqttTopic: msg.topic, payloadBase64: msg.payload.subarray(0, 1024).toString('base64') },
        `Skipping a payload from ${where}: ${err.message}`,
      );
      this.ackMessage(msg);
      return null;
    }
    if (policy === 'dlq') {
      const headers = this.headersFor(msg);
      headers.add('mqtt.error.message', err.message, Schemas.STRING_SCHEMA);
      headers.add('mqtt.error.class', err.name, Schemas.STRING_SCHEMA);
      this.context.logger.warn(`Payload from ${where} sent to ${this.config.raw['mqtt.payload.error.topic']}: ${err.message}`);
      return sourceRecord({
        topic: this.config.raw['mqtt.payload.error.topic']!,
        keySchema: Schemas.OPTIONAL_STRING_SCHEMA,
        key: msg.topic,
        valueSchema: Schemas.OPTIONAL_BYTES_SCHEMA,
        value: msg.payload,
        timestamp: msg.receivedAt,
        headers,
      });
    }
    this.failWith(
      new DataError(`Cannot convert the payload from ${where}: ${err.message} (mqtt.payload.error.policy=fail; the message is not acknowledged)`, {
        cause: err,
      }),
    );
    return undefined;
  }

  private headersFor(msg: ReceivedMessage): Headers {
    const h = new Headers();
    if (!this.config.raw['mqtt.headers.enabled']) return h;
    const p = msg.packet;
    h.add('mqtt.topic', msg.topic, Schemas.STRING_SCHEMA);
    h.add('mqtt.qos', p.qos, Schemas.INT32_SCHEMA);
    h.add('mqtt.retain', Boolean(p.retain), Schemas.BOOLEAN_SCHEMA);
    h.add('mqtt.dup', Boolean(p.dup), Schemas.BOOLEAN_SCHEMA);
    if (p.messageId !== undefined) h.add('mqtt.message.id', p.messageId, Schemas.INT32_SCHEMA);
    const props = p.properties;
    if (props?.contentType) h.add('mqtt.content.type', props.contentType, Schemas.STRING_SCHEMA);
    if (props?.userProperties) {
      const prefix = this.config.raw['mqtt.user.property.prefix'];
      for (const [k, v] of Object.entries(props.userProperties)) {
        for (const one of Array.isArray(v) ? v : [v]) h.add(prefix + k, String(one), Schemas.STRING_SCHEMA);
      }
    }
    return h;
  }

  /** Converts a message; throws for payloads the configured format cannot read. */
  toRecord(msg: ReceivedMessage): SourceRecord | null {
    const c = this.config.raw;
    const r = route(this.routes, msg.topic);
    if (!r) throw new DataError(`No route matches the MQTT topic ${msg.topic}`);
    const format = c['mqtt.payload.format'];
    let valueSchema = null;
    let value: unknown;
    let parsed: unknown;
    const keyMode = c['mqtt.record.key'];
    if (format === 'bytes') {
      valueSchema = Schemas.OPTIONAL_BYTES_SCHEMA;
      value = msg.payload;
    } else if (format === 'string') {
      valueSchema = Schemas.OPTIONAL_STRING_SCHEMA;
      value = new TextDecoder('utf-8', { fatal: true }).decode(msg.payload);
    } else {
      value = msg.payload.length === 0 ? null : JSON.parse(msg.payload.toString('utf8'));
      parsed = value;
    }
    let key: string | null = null;
    if (keyMode === 'topic') key = msg.topic;
    else if (keyMode === 'payload.field') {
      if (parsed === undefined) parsed = JSON.parse(msg.payload.toString('utf8'));
      const k = jsonPath(parsed, c['mqtt.record.key.field']!);
      key = k === undefined || k === null ? null : typeof k === 'object' ? JSON.stringify(k) : String(k);
    }
    return sourceRecord({
      topic: r.kafkaTopic,
      keySchema: keyMode === 'none' ? null : Schemas.OPTIONAL_STRING_SCHEMA,
      key,
      valueSchema,
      value,
      timestamp: msg.receivedAt,
      headers: this.headersFor(msg),
    });
  }

  private ackMessage(msg: ReceivedMessage): void {
    const outcome = this.client?.ack(msg.token);
    if (outcome === 'sent') {
      this.metrics.acked.inc();
      this.metrics.ackLatency.observe(undefined, (Date.now() - msg.receivedAt) / 1000);
    } else if (outcome === 'stale') this.metrics.stale.inc();
    this.metrics.unacked.set(undefined, this.client?.outstanding ?? 0);
  }

  override commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    const msg = this.tokens.get(record);
    if (!msg) return;
    this.tokens.delete(record);
    if (metadata === null) this.context.logger.debug(`Record from MQTT topic ${msg.topic} was dropped by the runtime; acknowledging it`);
    this.ackMessage(msg);
    if (--this.inFlight <= 0) {
      this.inFlight = 0;
      this.inFlightDrained?.();
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    this.wakeUp();
    this.stopping = (async () => {
      const client = this.client;
      if (!client) return;
      // Give records already handed to the runtime a moment to be acknowledged, so their MQTT acks go out.
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.config.raw['mqtt.shutdown.ack.timeout.ms']);
          t.unref();
          this.inFlightDrained = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      this.inFlightDrained = null;
      await client.end();
      this.client = null;
      this.context.logger.info(`Disconnected ${this.clientId}; ${this.queue.length} received messages were not polled and will be redelivered`);
    })();
    return this.stopping;
  }
}

export { sanitizeTopic };
