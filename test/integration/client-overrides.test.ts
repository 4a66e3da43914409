/**
 * Connectors' Kafka client overrides over REST (`producer.override.*`, `consumer.override.*`): values checked as
 * the Java clients check them, and the worker's `connector.client.config.override.policy`, with Java's messages.
 * A config with a bad override is a 400 on create/update and an error on its key from config/validate.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';
import { checkResponse } from './openapi';

type Api = WorkerHandle['api'];
type ConfigInfo = { definition: { name: string; type: string } | null; value: { name: string; value: string | null; errors: string[] } };

/** The worker's REST API, every response checked against docs/openapi.yaml. */
const checked =
  (w: WorkerHandle): Api =>
  async (method, p, body, raw) => {
    const res = await w.api(method, p, body, raw);
    checkResponse(method, p, res.status, res.body);
    return res;
  };

describe('connector client overrides', () => {
  let admin: KafkaAdmin;
  let all: WorkerHandle;
  let none: WorkerHandle;
  const topics: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    all = await startWorker();
    none = await startWorker({ 'connector.client.config.override.policy': 'None' });
  });
  afterAll(async () => {
    await all?.stop();
    await none?.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
  });

  const source = (w: WorkerHandle, extra: Record<string, string> = {}) => {
    const topic = unique('overrides');
    const file = path.join(w.dir, `${topic}.txt`);
    writeFileSync(file, 'a\n');
    topics.push(topic);
    return { 'connector.class': 'FileStreamSource', file, topic, ...extra };
  };

  it('refuses a bad producer.override value on create and update with 400 naming the key', async () => {
    const api = checked(all);
    const name = unique('bad-linger');
    const created = await api('POST', '/connectors', { name, config: source(all, { 'producer.override.linger.ms': 'abc' }) });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({
      error_code: 400,
      message: expect.stringContaining('Invalid value abc for configuration producer.override.linger.ms: Not a number of type LONG'),
    });
    expect(created.body.message).toMatch(/^Connector configuration is invalid and contains the following 1 error\(s\):/);
    expect((await api('GET', `/connectors/${name}`)).status).toBe(404);

    const put = await api('PUT', `/connectors/${name}/config`, source(all, { 'producer.override.acks': '2' }));
    expect(put.status).toBe(400);
    expect(put.body.message).toContain('Invalid value 2 for configuration producer.override.acks: String must be one of: all, -1, 0, 1');
    expect((await api('GET', `/connectors/${name}`)).status).toBe(404);
  });

  it('accepts valid overrides under the All policy', async () => {
    const api = checked(all);
    const name = unique('good-linger');
    const config = source(all, { 'producer.override.linger.ms': '10', 'producer.override.compression.type': 'gzip' });
    const created = await api('POST', '/connectors', { name, config });
    expect(created.status).toBe(201);
    expect((await api('GET', `/connectors/${name}/config`)).body).toEqual({ ...config, name });
    expect((await api('DELETE', `/connectors/${name}`)).status).toBe(204);
  });

  it("refuses any override under the None policy with Java's message", async () => {
    const api = checked(none);
    const name = unique('none');
    const res = await api('POST', '/connectors', { name, config: source(none, { 'producer.override.linger.ms': '10' }) });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("The 'None' policy does not allow 'linger.ms' to be overridden in the connector configuration.");
    // Without overrides the same connector is fine.
    const ok = await api('POST', '/connectors', { name, config: source(none) });
    expect(ok.status).toBe(201);
    expect((await api('DELETE', `/connectors/${name}`)).status).toBe(204);
  });

  it('reports override errors on their keys from config/validate, with error_count', async () => {
    const api = checked(none);
    const res = await api('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      ...source(none, { 'producer.override.linger.ms': 'abc', 'producer.override.sasl.mechanism': 'PLAIN' }),
      name: 'n',
    });
    expect(res.status).toBe(200);
    expect(res.body.error_count).toBe(3);
    const byName = Object.fromEntries((res.body.configs as ConfigInfo[]).map((c) => [c.value.name, c]));
    expect(byName['producer.override.linger.ms']!.value).toEqual({
      name: 'producer.override.linger.ms',
      value: 'abc',
      recommended_values: [],
      errors: [
        "The 'None' policy does not allow 'linger.ms' to be overridden in the connector configuration.",
        'Invalid value abc for configuration producer.override.linger.ms: Not a number of type LONG',
      ],
      visible: true,
    });
    expect(byName['producer.override.linger.ms']!.definition).toMatchObject({ name: 'producer.override.linger.ms', type: 'LONG' });
    expect(byName['producer.override.sasl.mechanism']!.value.errors).toEqual([
      "The 'None' policy does not allow 'sasl.mechanism' to be overridden in the connector configuration.",
    ]);

    // Under All, a good override is reported without errors; consumer overrides do not concern a source.
    const ok = await checked(all)('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      ...source(all, { 'producer.override.linger.ms': '10', 'consumer.override.fetch.min.bytes': 'x' }),
      name: 'n',
    });
    expect(ok.body.error_count).toBe(0);
    const okByName = Object.fromEntries((ok.body.configs as ConfigInfo[]).map((c) => [c.value.name, c]));
    expect(okByName['producer.override.linger.ms']!.value.errors).toEqual([]);
    expect(okByName['consumer.override.fetch.min.bytes']).toBeUndefined();
  });

  it('checks consumer overrides of a sink', async () => {
    const res = await checked(all)('PUT', '/connector-plugins/FileStreamSink/config/validate', {
      'connector.class': 'FileStreamSink',
      name: 'n',
      topics: 't',
      file: path.join(all.dir, 'sink.txt'),
      'consumer.override.max.poll.records': '0',
    });
    expect(res.status).toBe(200);
    expect(res.body.error_count).toBe(1);
    const byName = Object.fromEntries((res.body.configs as ConfigInfo[]).map((c) => [c.value.name, c]));
    expect(byName['consumer.override.max.poll.records']!.value.errors).toEqual([
      'Invalid value 0 for configuration consumer.override.max.poll.records: Value must be at least 1',
    ]);
  });
});
