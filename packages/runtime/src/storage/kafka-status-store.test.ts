import type { ConsumedRecord, KafkaAdmin, KafkaClient, ProducerRecord } from '../kafka/client';
import { LoggerRegistry } from '../logging';
import { KafkaStatusStore } from './kafka-status-store';

const log = new LoggerRegistry({ level: 'OFF' }).get('test');

/** One status topic in memory; its producer fails while `down` is set (as after delivery.timeout.ms). */
function fakeKafka() {
  const topic: ConsumedRecord[] = [];
  let read = 0;
  const state = { down: false, attempts: 0 };
  const client = {
    logReader: async () => ({
      poll: async (wait: number) => {
        if (read === topic.length) await new Promise((r) => setTimeout(r, Math.min(wait, 20)));
        const out = topic.slice(read);
        read = topic.length;
        return out;
      },
      endOffsets: async () => new Map([[0, topic.length]]),
      positions: () => new Map([[0, read]]),
      close: async () => undefined,
    }),
    producer: async () => ({
      maxInFlight: 1,
      send: async (records: ProducerRecord[]) => {
        state.attempts++;
        if (state.down) throw new Error('Timed out (delivery.timeout.ms)');
        return records.map((r) => {
          const offset = topic.length;
          topic.push({ ...r, partition: 0, offset, timestamp: 0, timestampType: 'CreateTime', headers: [] } as unknown as ConsumedRecord);
          return { topic: 'status', partition: 0, offset, timestamp: 0 };
        });
      },
      close: async () => undefined,
    }),
  } as unknown as KafkaClient;
  const admin = { createTopics: async () => undefined } as unknown as KafkaAdmin;
  const written = () => topic.map((r) => `${Buffer.from(r.key!).toString()}=${JSON.parse(Buffer.from(r.value!).toString()).state}`);
  return { client, admin, state, written };
}

const status = (state: string, generation = 1) => ({ state, trace: null, worker_id: 'w1:8083', generation });

describe('KafkaStatusStore', () => {
  it('writes a status again after a failed write, until Kafka takes it', async () => {
    const k = fakeKafka();
    const store = new KafkaStatusStore(k.client, k.admin, 'status', 1, 1, 'w1', log);
    await store.start();
    k.state.down = true;
    const put = store.putTask('c', 0, status('RUNNING'));
    await new Promise((r) => setTimeout(r, 50));
    expect(k.written()).toEqual([]);
    k.state.down = false;
    await put;
    expect(k.written()).toEqual(['status-task-c-0=RUNNING']);
    expect(k.state.attempts).toBe(2);
    await store.stop();
  });

  it('drops a failed write once a newer status of the item was written', async () => {
    const k = fakeKafka();
    const store = new KafkaStatusStore(k.client, k.admin, 'status', 1, 1, 'w1', log);
    await store.start();
    k.state.down = true;
    const first = store.putConnector('c', status('RUNNING'));
    await new Promise((r) => setTimeout(r, 50));
    k.state.down = false;
    await store.putConnector('c', status('PAUSED'));
    await first;
    expect(k.written()).toEqual(['status-connector-c=PAUSED']);
    expect(store.connector('c')?.state).toBe('PAUSED');
    await store.stop();
  });

  it('stops retrying when the store stops', async () => {
    const k = fakeKafka();
    const store = new KafkaStatusStore(k.client, k.admin, 'status', 1, 1, 'w1', log);
    await store.start();
    k.state.down = true;
    const put = store.putTask('c', 1, status('FAILED'));
    await new Promise((r) => setTimeout(r, 50));
    await store.stop();
    await put;
    expect(k.written()).toEqual([]);
    expect(k.state.attempts).toBe(1);
  });
});
