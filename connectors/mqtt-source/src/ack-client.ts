/**
 * An mqtt.js client whose QoS 1/2 acknowledgements (PUBACK / PUBREC) are sent only when we say so: after Kafka
 * acknowledged the record made from the message.
 *
 * mqtt.js processes incoming packets one at a time and `customHandleAcks` (honoured only for MQTT 5) blocks that
 * loop until its callback runs, so deferring the callback until the Kafka ack would process one message per Kafka
 * round trip. Instead we complete `customHandleAcks` at once (installed for 3.1.1 too) and hold back the PUBACK or
 * PUBREC packet mqtt.js then sends, per message id, until {@link AckingMqttClient.ack}. Acks are bound to the
 * connection they belong to: after a reconnect, message ids are reused by the broker, so an ack for a message of
 * an earlier connection is dropped (the broker redelivers that message with the dup flag instead).
 *
 * Back-pressure: at most `maxUnacked` messages are received and not yet acknowledged; beyond that the handler
 * waits before completing, which stops mqtt.js from reading further packets. With MQTT 5 the same number is
 * announced to the broker as Receive Maximum.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly packet: IPublishPacket;
  readonly receivedAt: number;
  /** The handle to acknowledge the message with (QoS 0 messages have one too; acking them only frees space). */
  readonly token: AckToken;
}

export interface AckToken {
  readonly generation: number;
  readonly messageId: number | undefined;
  readonly qos: number;
  /** The PUBACK/PUBREC mqtt.js wanted to send, held until ack. */
  held: Packet | null;
  acked: boolean;
}

export type AckOutcome = 'sent' | 'stale' | 'qos0' | 'duplicate';

export interface AckingClientEvents {
  onMessage(m: ReceivedMessage): void;
  onConnect(sessionPresent: boolean, reconnect: boolean): void;
  onClose(): void;
  onError(err: Error): void;
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;
type CustomHandleAcks = (topic: string, message: Buffer, packet: IPublishPacket, done: (error: Error | number | null, code?: number) => void) => void;

export class AckingMqttClient {
  readonly client: MqttClient;
  private generation = 0;
  private readonly deferred = new Map<number, AckToken>();
  private readonly origSend: SendPacket;
  private unacked = 0;
  private readonly waiters: Array<() => void> = [];
  private connectedOnce = false;

  constructor(
    options: IClientOptions,
    private readonly maxUnacked: number,
    private readonly events: AckingClientEvents,
  ) {
    this.client = mqtt.connect({ ...options, manualConnect: true, resubscribe: true });
    const c = this.client as unknown as {
      options: { customHandleAcks: CustomHandleAcks };
      _sendPacket: SendPacket;
      handleMessage: (packet: IPublishPacket, cb: (err?: Error) => void) => void;
    };
    // For MQTT 3.1.1 mqtt.js ignores the option given to the constructor; it reads it per packet from `options`.
    c.options.customHandleAcks = (topic, payload, packet, done) => this.onPublish(topic, payload, packet, done);
    this.origSend = c._sendPacket.bind(this.client);
    c._sendPacket = (packet, cb, cbStorePut, noStore) => {
      if ((packet.cmd === 'puback' || packet.cmd === 'pubrec') && packet.messageId !== undefined) {
        const token = this.deferred.get(packet.messageId);
        if (token && token.generation === this.generation && !token.acked) {
          this.deferred.delete(packet.messageId);
          token.held = packet;
          cb?.(); // let mqtt.js read the next packet; the ack goes out from ack()
          return;
        }
      }
      this.origSend(packet, cb, cbStorePut, noStore);
    };
    // While this client holds back reading (queue full: Kafka slow or down, task paused), a PINGRESP cannot be read,
    // so mqtt.js would take the connection for dead after 1.5 × keepalive and reconnect, and the broker would
    // redeliver everything unacknowledged. The silence is ours: stay, and ping at once (the broker drops a client
    // silent for 1.5 × keepalive; with this ping and mqtt.js's own, one goes out at least every keepalive).
    const k = this.client as unknown as { onKeepaliveTimeout: () => void; sendPing(): void; keepaliveManager?: { reschedule(): void } };
    const keepaliveTimeout = k.onKeepaliveTimeout.bind(this.client);
    k.onKeepaliveTimeout = () => {
      if (this.waiters.length > 0 && k.keepaliveManager) {
        k.sendPing();
        k.keepaliveManager.reschedule();
      } else keepaliveTimeout();
    };
    // QoS 0 messages (and QoS 2 ones again at PUBREL time, ignored: we took them at PUBLISH time).
    c.handleMessage = (packet, cb) => {
      if (packet.qos !== 0) return cb();
      this.admit(() => {
        this.deliver(packet.topic, packet.payload as Buffer, packet, undefined);
        cb();
      });
    };
    this.client.on('connect', (connack) => {
      const reconnect = this.connectedOnce;
      this.connectedOnce = true;
      this.events.onConnect(Boolean(connack.sessionPresent), reconnect);
    });
    this.client.on('close', () => {
      // Everything not yet acknowledged on that connection will be redelivered (persistent session) by the broker.
      this.generation++;
      this.deferred.clear();
      // So are the messages read on it that still wait for space: delivered later, they would look like messages of
      // the new connection, and their held PUBACKs would go out on it for message ids the broker may have reused.
      // (mqtt.js has moved on to the new connection's packets: the old one's packet loop needs no completion.)
      this.waiters.length = 0;
      this.events.onClose();
    });
    this.client.on('error', (err) => this.events.onError(err));
  }

  connect(): void {
    this.client.connect();
  }

  /** Messages received and not yet acknowledged. */
  get outstanding(): number {
    return this.unacked;
  }

  private onPublish(topic: string, payload: Buffer, packet: IPublishPacket, done: (error: Error | number | null, code?: number) => void): void {
    this.admit(() => {
      this.deliver(topic, payload, packet, packet.messageId);
      done(null, 0);
    });
  }

  private admit(proceed: () => void): void {
    if (this.unacked < this.maxUnacked) proceed();
    else this.waiters.push(proceed);
  }

  private deliver(topic: string, payload: Buffer, packet: IPublishPacket, messageId: number | undefined): void {
    const token: AckToken = { generation: this.generation, messageId, qos: packet.qos, held: null, acked: false };
    if (messageId !== undefined && packet.qos > 0) this.deferred.set(messageId, token);
    this.unacked++;
    this.events.onMessage({ topic, payload: Buffer.from(payload), packet, receivedAt: Date.now(), token });
  }

  /** Acknowledges a message to the broker (once; later calls are no-ops). */
  ack(token: AckToken): AckOutcome {
    if (token.acked) return 'duplicate';
    token.acked = true;
    this.unacked--;
    while (this.waiters.length && this.unacked < this.maxUnacked) this.waiters.shift()!();
    if (token.qos === 0) return 'qos0';
    if (token.generation !== this.generation || !this.client.connected) {
      if (token.messageId !== undefined && this.deferred.get(token.messageId) === token) this.deferred.delete(token.messageId);
      return 'stale';
    }
    if (token.held) {
      this.origSend(token.held, () => undefined);
      token.held = null;
    } else if (token.messageId !== undefined) {
      // mqtt.js has not produced the packet yet (QoS 2 store write pending): it passes through when it comes.
      this.deferred.delete(token.messageId);
    }
    return 'sent';
  }

  async subscribe(subs: Record<string, { qos: 0 | 1 | 2 }>): Promise<Array<{ topic: string; qos: number }>> {
    return (await this.client.subscribeAsync(subs)) as Array<{ topic: string; qos: number }>;
  }

  async end(): Promise<void> {
    // Release anything waiting for queue space so mqtt.js can wind down.
    for (const w of this.waiters.splice(0)) w();
    // With manualConnect, mqtt.js may schedule a reconnect when the socket closes after end(): turn that off first.
    this.client.options.reconnectPeriod = 0;
    await this.client.endAsync(!this.client.connected).catch(() => undefined);
  }
}
