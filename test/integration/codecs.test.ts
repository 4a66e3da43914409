/**
 * Every compression codec, both ways, checked with Kafka's own Java tools (@kconnect/testkit's kafka-tools):
 * - sink: Kafka's console producer writes with gzip/snappy/lz4/zstd, a FileStreamSink reads every record back;
 * - source: a FileStreamSource writes with `producer.override.compression.type` (connector) or
 *   `producer.compression.type` (worker), Kafka's console consumer reads every record back;
 * and in both directions the broker's log dump shows that the batches on disk really carry that codec.
 * Also: our producer's default partitioner puts every key on the partition Java's console producer chose.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createKafkaClient, type KafkaAdmin } from '@kconnect/runtime';
import { KAFKA_COMPRESSION_CODECS, type KafkaCodec, consoleConsume, consoleProduce, logBatches } from '@kconnect/testkit';
import { BOOTSTRAP, eventually, kafkaAdmin, quietLoggers, sleep, startWorker, unique, type WorkerHandle } from './harness';

const N = 400;
/** Compressible lines, unicode included; none contains the console tools' separators or line breaks. */
const linesFor = (tag: string) => Array.from({ length: N }, (_, i) => `${tag} line ${i} ✓ ключ 鍵 ${'abc'.repeat(i % 40)}`);
const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

describe('compression codecs against Kafka’s own tools', () => {
  let admin: KafkaAdmin;
  /** A worker for the connector-level tests (no compression setting of its own). */
  let w: WorkerHandle;
  // What the current test made, removed after it.
  let topics: string[] = [];
  let groups: string[] = [];
  let files: string[] = [];
  let connectors: { w: WorkerHandle; name: string }[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker();
  });
  afterAll(async () => {
    await w?.stop();
    await admin?.close();
  });
  afterEach(async () => {
    for (const c of connectors) await c.w.api('DELETE', `/connectors/${c.name}`).catch(() => undefined);
    await admin.deleteTopics(topics).catch(() => undefined);
    // A sink's group can only go once its consumer has left.
    for (const g of groups) await eventually(() => admin.deleteGroup(g).then(() => true), 10_000, `group ${g} deleted`).catch(() => undefined);
    for (const f of files) rmSync(f, { force: true });
    topics = [];
    groups = [];
    files = [];
    connectors = [];
  });

  async function newTopic(prefix: string, numPartitions = 1): Promise<string> {
    const topic = unique(prefix);
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions, replicationFactor: 1 }]);
    return topic;
  }

  async function createConnector(on: WorkerHandle, name: string, config: Record<string, string>) {
    const res = await on.api('POST', '/connectors', { name, config });
    expect(res).toMatchObject({ status: 201 });
    connectors.push({ w: on, name });
  }

  /** The partition's batches on disk: every one has `codec`, and together they hold `count` records. */
  async function expectBatches(topic: string, codec: KafkaCodec, count: number) {
    const batches = (await logBatches(topic, 0)).filter((b) => !b.isControl);
    expect({ codecs: [...new Set(batches.map((b) => b.codec))], records: batches.reduce((n, b) => n + b.count, 0) }).toEqual({
      codecs: [codec],
      records: count,
    });
  }

  /** The first failed task's trace, if any (so a test fails with the cause, not a timeout). */
  async function failedTask(on: WorkerHandle, name: string): Promise<string | undefined> {
    const status = await on.api('GET', `/connectors/${name}/status`);
    const failed = (status.body?.tasks ?? []).find((t: { state: string }) => t.state === 'FAILED');
    return failed ? `task ${name}-${failed.id} FAILED: ${failed.trace}` : undefined;
  }

  /** Waits until the sink wrote `n` lines; fails at once when its task fails. */
  async function untilLines(on: WorkerHandle, name: string, file: string, n: number) {
    const until = Date.now() + 30_000;
    while (readLines(file).length < n) {
      const failed = await failedTask(on, name);
      if (failed) throw new Error(failed);
      if (Date.now() > until) throw new Error(`Timed out: ${readLines(file).length} of ${n} lines in the sink file`);
      await sleep(200);
    }
  }

  /** A FileStreamSource on `on` writes the lines to a new topic; Kafka's console consumer must read them all, in order. */
  async function sourceWrites(on: WorkerHandle, tag: string, overrides: Record<string, string>): Promise<string> {
    const topic = await newTopic(`codec-src-${tag}`);
    const input = path.join(on.dir, `${unique(tag)}.txt`);
    files.push(input);
    const lines = linesFor(tag);
    writeFileSync(input, lines.join('\n') + '\n');
    const name = unique(`codec-src-${tag}`);
    await createConnector(on, name, { 'connector.class': 'FileStreamSource', file: input, topic, ...overrides });
    const read = await consoleConsume(topic, { maxMessages: N, timeoutMs: 15_000 });
    if (read.group) groups.push(read.group);
    if (read.records.length !== N)
      throw new Error(`the console consumer read ${read.records.length} of ${N} records; ${(await failedTask(on, name)) ?? 'no task failed'}`);
    expect(read.values).toEqual(lines);
    expect(read.records.every((r) => r.key === null && r.partition === 0)).toBe(true);
    return topic;
  }

  describe.each(KAFKA_COMPRESSION_CODECS)('%s', (codec) => {
    it(`a sink reads what Kafka's console producer wrote with ${codec}`, async () => {
      const topic = await newTopic(`codec-sink-${codec}`);
      const lines = linesFor(codec);
      await consoleProduce(topic, lines, { compression: codec });
      await expectBatches(topic, codec, N); // the console producer really compressed (else the test proves nothing)

      const name = unique(`codec-sink-${codec}`);
      const output = path.join(w.dir, `${name}.txt`);
      files.push(output);
      groups.push(`connect-${name}`);
      await createConnector(w, name, { 'connector.class': 'FileStreamSink', file: output, topics: topic });
      await untilLines(w, name, output, N);
      expect(readLines(output)).toEqual(lines);
    });

    it(`a source with producer.override.compression.type=${codec} writes what Kafka's console consumer reads`, async () => {
      const topic = await sourceWrites(w, codec, { 'producer.override.compression.type': codec });
      await expectBatches(topic, codec, N);
    });
  });

  it('a source writes uncompressed batches by default (Java’s compression.type=none)', async () => {
    const topic = await sourceWrites(w, 'none', {});
    await expectBatches(topic, 'none', N);
  });

  it('the worker’s producer.compression.type applies to every source; the connector’s override wins', async () => {
    const zw = await startWorker({ 'producer.compression.type': 'zstd' });
    try {
      const plain = await sourceWrites(zw, 'worker-zstd', {});
      await expectBatches(plain, 'zstd', N);
      const overridden = await sourceWrites(zw, 'override-gzip', { 'producer.override.compression.type': 'gzip' });
      await expectBatches(overridden, 'gzip', N);
    } finally {
      for (const c of connectors.filter((x) => x.w === zw)) await zw.api('DELETE', `/connectors/${c.name}`).catch(() => undefined);
      connectors = connectors.filter((x) => x.w !== zw);
      await zw.stop();
    }
  });

  it('our producer puts every key on the partition Java’s console producer chooses', async () => {
    const keys = [
      '',
      ...Array.from({ length: 30 }, (_, i) => `key-${i}`),
      ...'abcxyz0123'.split(''),
      'null',
      ' ',
      ' leading and trailing ',
      'tab\there',
      'ключ',
      '鍵',
      'κλειδί',
      'مفتاح',
      'é',
      'e\u0301', // the same letter decomposed: other bytes, maybe another partition
      'Zürich',
      '🔑',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'L'.repeat(1000),
      'long ' + 'αβγ'.repeat(400),
      'x'.repeat(4096),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(50);

    const javaTopic = await newTopic('codec-keys-java', 6);
    await consoleProduce(
      javaTopic,
      keys.map((k, i) => `${k}:value ${i}`),
      { keySeparator: ':' },
    );
    const read = await consoleConsume(javaTopic, { maxMessages: keys.length, timeoutMs: 20_000 });
    if (read.group) groups.push(read.group);
    expect(read.records.length).toBe(keys.length);
    const java = new Map(read.records.map((r) => [r.key, r.partition]));
    expect([...java.keys()].sort()).toEqual([...keys].sort()); // every key made the round trip intact
    expect(new Set(java.values()).size).toBe(6); // the keys spread over all partitions

    const ourTopic = await newTopic('codec-keys-ours', 6);
    const producer = await createKafkaClient({ bootstrapServers: [BOOTSTRAP], log: quietLoggers().get('test') }).producer({ clientId: unique('codec-keys') });
    try {
      const sent = await producer.send(keys.map((k, i) => ({ topic: ourTopic, key: Buffer.from(k), value: Buffer.from(`value ${i}`) })));
      const ours = keys.map((k, i) => [k.length > 40 ? `${k.slice(0, 20)}…(${k.length})` : k, sent[i]!.partition]);
      const theirs = keys.map((k) => [k.length > 40 ? `${k.slice(0, 20)}…(${k.length})` : k, java.get(k)]);
      expect(ours).toEqual(theirs);
    } finally {
      await producer.close();
    }
  });
});
