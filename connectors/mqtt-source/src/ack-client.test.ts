/**
 * The acking client against the real Mosquitto: PUBACK/PUBREC are withheld until ack(), so a client that goes away
 * without acking gets the messages again (dup) from its persistent session, and acked ones never come back.
 */
import { eventually, sleep, unique } from '@kconnect/testkit';
import { AckingMqttClient, type ReceivedMessage } from './ack-client';
import { MQTT_URL, publisher } from './test-helpers';

const opts = (clientId: string, version: 4 | 5) => ({
  host: '127.0.0.1',
  port: Number(new URL(MQTT_URL).port),
  protocolVersion: version,
  clientId,
  clean: false,
  reconnectPeriod: 200,
  properties: version === 5 ? { sessionExpiryInterval: 60 } : undefined,
});

async function open(clientId: string, version: 4 | 5, max = 100, keepalive?: number) {
  const got: ReceivedMessage[] = [];
  let connected = false;
  const state = { connects: 0 };
  const c = new AckingMqttClient({ ...opts(clientId, version), ...(keepalive ? { keepalive } : {}) }, max, {
    onMessage: (m) => got.push(m),
    onConnect: () => {
      connected = true;
      state.connects++;
    },
    onClose: () => undefined,
    onError: () => undefined,
  });
  c.connect();
  await eventually(() => connected, 10_000, 'connect');
  return { c, got, state };
}

/**
 * A request/response round trip on the client's connection: the broker handles a connection's packets in order, so
 * when the SUBACK is back, every ack written before the SUBSCRIBE has reached the broker.
 */
async function roundTrip(c: AckingMqttClient): Promise<void> {
  await c.subscribe({ 'kconnect-test/round-trip': { qos: 0 } });
}

describe.each([5, 4] as const)('AckingMqttClient (protocol level %d)', (version) => {
  it('stays connected while its queue is full for longer than the keepalive (it cannot read PINGRESP then)', async () => {
    const topic = unique('acktest') + '/ka';
    const clientId = unique('ackka');
    const held = await open(clientId, version, 1, 1); // one message at a time, keepalive 1 s
    const pub = await publisher();
    try {
      await held.c.subscribe({ [topic]: { qos: 1 } });
      for (let i = 0; i < 3; i++) await pub.publishAsync(topic, `k${i}`, { qos: 1 });
      await eventually(() => held.got.length === 1, 10_000, 'the first message');
      await sleep(4_000); // > 1.5 × keepalive, twice over, with reading held back
      expect(held.state.connects).toBe(1);
      for (let i = 0; i < 3; i++) {
        await eventually(() => held.got.length > i, 10_000, `message ${i}`);
        expect(held.c.ack(held.got[i]!.token)).toBe('sent');
      }
      expect(held.got.map((m) => [m.payload.toString(), Boolean(m.packet.dup)])).toEqual([
        ['k0', false],
        ['k1', false],
        ['k2', false],
      ]);
      await roundTrip(held.c);
    } finally {
      await held.c.end();
      await pub.endAsync();
    }
  }, 30_000);

  it.each([1, 2] as const)('withholds the QoS %d ack until ack(); unacked messages are redelivered with dup', async (qos) => {
    const topic = unique('acktest') + '/x';
    const clientId = unique('ackc');
    const first = await open(clientId, version);
    await first.c.subscribe({ [topic]: { qos } });
    const pub = await publisher();
    for (let i = 0; i < 10; i++) await pub.publishAsync(topic, `m${i}`, { qos });
    await eventually(() => first.got.length === 10, 10_000, '10 messages');
    for (const m of first.got.slice(0, 4)) expect(first.c.ack(m.token)).toBe('sent');
    await roundTrip(first.c); // the acks reached the broker
    expect(first.c.outstanding).toBe(6);
    await first.c.end();

    const second = await open(clientId, version);
    await eventually(() => second.got.length === 6, 10_000, 'the 6 unacked messages again');
    expect(second.got.map((m) => m.payload.toString())).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(second.got.every((m) => m.packet.dup)).toBe(true);
    // A late ack from the first connection must not be sent on the second one.
    expect(first.c.ack(first.got[5]!.token)).toBe('stale');
    for (const m of second.got) expect(second.c.ack(m.token)).toBe('sent');
    await roundTrip(second.c);
    await second.c.end();

    // Nothing comes back: the broker resends unacknowledged messages right after the CONNACK, before it answers a
    // request made after the connect; the short wait after that round trip only gives a wrong redelivery a chance.
    const third = await open(clientId, version);
    await roundTrip(third.c);
    await sleep(300);
    expect(third.got).toHaveLength(0);
    // clean up the session
    await third.c.client.endAsync();
    const cleaner = await publisher({ clientId, clean: true, protocolVersion: version, properties: undefined });
    await cleaner.endAsync();
    await pub.endAsync();
  });

  it('stops reading when maxUnacked messages are unacknowledged (back-pressure), resumes on ack', async () => {
    const topic = unique('bp') + '/x';
    const clientId = unique('bpc');
    const r = await open(clientId, version, 5);
    await r.c.subscribe({ [topic]: { qos: 1 } });
    const pub = await publisher();
    for (let i = 0; i < 12; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
    await eventually(() => r.got.length === 5, 5000, 'the first 5');
    await sleep(300); // and no more while none is acknowledged
    expect(r.got).toHaveLength(5);
    for (const m of r.got.slice(0, 5)) r.c.ack(m.token);
    await eventually(() => r.got.length === 10, 5000, '5 more');
    for (const m of r.got.slice(5)) r.c.ack(m.token);
    await eventually(() => r.got.length === 12, 5000, 'the rest');
    for (const m of r.got.slice(10)) r.c.ack(m.token);
    await roundTrip(r.c);
    await r.c.client.endAsync();
    const cleaner = await publisher({ clientId, clean: true, protocolVersion: version, properties: undefined });
    await cleaner.endAsync();
    await pub.endAsync();
  });

  it('drops a message still waiting for space when its connection is lost (the broker redelivers it)', async () => {
    const topic = unique('lost') + '/x';
    const clientId = unique('lostc');
    const r = await open(clientId, version, 1);
    await r.c.subscribe({ [topic]: { qos: 1 } });
    const pub = await publisher();
    for (let i = 0; i < 2; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
    await eventually(() => r.got.length === 1, 5000, 'm0');
    await sleep(300); // m1 arrived and waits for space
    // The connection breaks; the client reconnects to its session, and the broker resends m0 and m1 (dup).
    r.c.client.stream.destroy();
    await eventually(() => r.state.connects === 2, 10_000, 'reconnect');
    await sleep(300);
    // Space again: what comes next is from the new connection, not the m1 read on the lost one (whose held
    // PUBACK would otherwise go out on the new connection, for a message id the broker may have reused).
    expect(r.c.ack(r.got[0]!.token)).toBe('stale');
    await eventually(() => r.got.length === 2, 5000, 'the next message');
    for (let i = 1; ; i++) {
      expect(r.c.ack(r.got[i]!.token)).toBe('sent');
      await sleep(300); // a message still waiting would come now
      if (r.got.length === i + 1) break;
    }
    expect(r.got.map((m) => `${m.payload.toString()}${m.packet.dup ? ' (dup)' : ''}`)).toEqual(['m0', 'm0 (dup)', 'm1 (dup)']);
    expect(r.c.outstanding).toBe(0);
    await roundTrip(r.c);
    await r.c.client.endAsync();
    const cleaner = await publisher({ clientId, clean: true, protocolVersion: version, properties: undefined });
    await cleaner.endAsync();
    await pub.endAsync();
  });
});
