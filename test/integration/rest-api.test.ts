/**
 * REST conformance against a real worker and a real Kafka broker: every endpoint, query parameter and error of
 * the Connect REST API, with every response checked against docs/openapi.yaml.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { checkResponse } from './openapi';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';

describe('Connect REST API', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  let api: WorkerHandle['api'];
  const topics: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker();
    // Every response of this suite must match the OpenAPI document.
    api = async (method, p, body, raw) => {
      const res = await w.api(method, p, body, raw);
      checkResponse(method, p, res.status, res.body);
      return res;
    };
  });
  afterAll(async () => {
    await w.stop();
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.close();
  });

  const source = (topic: string, extra: Record<string, string> = {}) => {
    const file = path.join(w.dir, `${topic}.txt`);
    writeFileSync(file, 'a\nb\n');
    topics.push(topic);
    return { 'connector.class': 'FileStreamSource', file, topic, ...extra };
  };

  it('serves server info, health and metrics', async () => {
    const root = await api('GET', '/');
    expect(root.status).toBe(200);
    expect(root.body).toEqual({ version: expect.any(String), commit: expect.stringMatching(/^[0-9a-f]{16}$/), kafka_cluster_id: expect.any(String) });
    expect((await api('GET', '/health')).body).toEqual({ status: 'healthy', message: expect.any(String) });
    const m = await api('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toContain('kafka_connect_connect_worker_metrics_connector_count');
  });

  it('creates, reads, updates, patches and deletes connectors', async () => {
    const name = unique('crud');
    const topic = unique('crud-topic');
    const created = await api('POST', '/connectors', { name, config: source(topic) });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${w.url}/connectors/${name}`);
    expect(created.body).toEqual({ name, config: { ...source(topic), name }, tasks: [{ connector: name, task: 0 }], type: 'source' });

    expect((await api('POST', '/connectors', { name, config: source(topic) })).body).toEqual({ error_code: 409, message: `Connector ${name} already exists` });
    expect((await api('GET', `/connectors/${name}`)).body.type).toBe('source');
    expect((await api('GET', `/connectors/${name}/config`)).body).toEqual({ ...source(topic), name });

    const list = await api('GET', '/connectors');
    expect(list.body).toContain(name);
    const expanded = await api('GET', '/connectors?expand=status&expand=info');
    expect(expanded.body[name].info.name).toBe(name);
    expect(expanded.body[name].status.name).toBe(name);
    expect(Object.keys((await api('GET', '/connectors?expand=status')).body[name])).toEqual(['status']);
    expect((await api('GET', '/connectors?expand=bogus')).body[name]).toEqual({}); // as Java: the map form, nothing expanded

    await eventually(async () => (await api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'RUNNING', 15_000, 'task running');
    const status = (await api('GET', `/connectors/${name}/status`)).body;
    // As Java 4.1: each entry carries the plugin's version (the one GET /connector-plugins lists).
    const version = (await api('GET', '/connector-plugins')).body.find((p: { class: string }) => p.class.endsWith('.FileStreamSourceConnector')).version;
    expect(version).toEqual(expect.any(String));
    expect(status).toEqual({
      name,
      connector: { state: 'RUNNING', worker_id: expect.stringMatching(/^127\.0\.0\.1:\d+$/), version },
      tasks: [{ id: 0, state: 'RUNNING', worker_id: status.connector.worker_id, version }],
      type: 'source',
    });
    expect((await api('GET', `/connectors/${name}/tasks/0/status`)).body).toEqual({ id: 0, state: 'RUNNING', worker_id: status.connector.worker_id, version });
    expect((await api('GET', '/connectors?expand=status')).body[name].status).toEqual(status);

    const tasks = await api('GET', `/connectors/${name}/tasks`);
    // task.class is the task's full class name, as Java's worker adds it.
    expect(tasks.body).toEqual([
      { id: { connector: name, task: 0 }, config: expect.objectContaining({ topic, 'task.class': 'org.apache.kafka.connect.file.FileStreamSourceTask' }) },
    ]);
    // GET /connectors/{c}/tasks-config was removed in Kafka 4.0 (KIP-970).
    expect(await w.api('GET', `/connectors/${name}/tasks-config`)).toMatchObject({ status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });

    const updated = await api('PUT', `/connectors/${name}/config`, { ...source(topic), 'batch.size': 10 });
    expect(updated.status).toBe(200);
    expect(updated.body.config['batch.size']).toBe('10'); // JSON numbers are taken as strings, as Jackson does
    const patched = await api('PATCH', `/connectors/${name}/config`, { 'batch.size': null, 'tasks.max': '1' });
    expect(patched.status).toBe(200);
    expect(patched.body.config['batch.size']).toBeUndefined();
    expect(patched.body.config['tasks.max']).toBe('1');

    const putNew = await api('PUT', `/connectors/${name}-2/config`, source(`${topic}-2`));
    expect(putNew.status).toBe(201);
    expect(putNew.headers.get('location')).toBe(`${w.url}/connectors/${name}-2`);

    await eventually(async () => (await api('GET', `/connectors/${name}/topics`)).body[name].topics.length === 1, 15_000, 'topic tracked');
    expect((await api('GET', `/connectors/${name}/topics`)).body).toEqual({ [name]: { topics: [topic] } });
    expect((await api('PUT', `/connectors/${name}/topics/reset`)).status).toBe(202);
    expect((await api('GET', `/connectors/${name}/topics`)).body).toEqual({ [name]: { topics: [] } });

    expect((await api('DELETE', `/connectors/${name}`)).status).toBe(204);
    expect((await api('DELETE', `/connectors/${name}-2`)).status).toBe(204);
    expect((await api('DELETE', `/connectors/${name}`)).body).toEqual({ error_code: 404, message: `Connector ${name} not found` });
  });

  it('honours initial_state', async () => {
    for (const [initial, state] of [
      ['PAUSED', 'PAUSED'],
      ['STOPPED', 'STOPPED'],
    ] as const) {
      const name = unique(`init-${initial.toLowerCase()}`);
      const res = await api('POST', '/connectors', { name, config: source(unique('init')), initial_state: initial });
      expect(res.status).toBe(201);
      const st = (await api('GET', `/connectors/${name}/status`)).body;
      expect(st.connector.state).toBe(state);
      if (state === 'STOPPED') expect(st.tasks).toEqual([]);
      await api('DELETE', `/connectors/${name}`);
    }
    expect((await api('POST', '/connectors', { name: unique('x'), config: source(unique('x')), initial_state: 'SLEEPING' })).status).toBe(400);
  });

  it('answers bad requests with Connect error bodies', async () => {
    const bad = async (method: string, p: string, body: unknown, status: number, message: RegExp, raw?: string) => {
      const res = await api(method, p, body, raw);
      expect({ status: res.status, code: res.body?.error_code }).toEqual({ status, code: status });
      expect(res.body.message).toMatch(message);
    };
    await bad('POST', '/connectors', undefined, 400, /parse the request body as JSON/, '{"name": "x", ');
    await bad('POST', '/connectors', [1, 2], 400, /JSON object/);
    await bad('POST', '/connectors', { config: { 'connector.class': 'FileStreamSource', topic: 't' } }, 400, /for configuration name: String may not be empty/);
    await bad('POST', '/connectors', { name: 'x', config: { topic: 't' } }, 400, /contains no connector type/);
    await bad(
      'POST',
      '/connectors',
      { name: 'x', config: { 'connector.class': 'FileStreamSource', topic: { a: 1 } } },
      400,
      /Invalid value for config 'topic'.*expected a string/,
    );
    await bad('POST', '/connectors', { name: 'x', config: { 'connector.class': 'FileStreamSource', topic: 't', name: 'y' } }, 400, /doesn't match/);
    await bad(
      'POST',
      '/connectors',
      { name: 'x', config: { 'connector.class': 'NoSuchConnector', topic: 't' } },
      400,
      /Failed to find any class that implements Connector and which name matches NoSuchConnector/,
    );
    await bad(
      'POST',
      '/connectors',
      { name: 'x', config: { 'connector.class': 'FileStreamSource' } },
      400,
      /^Connector configuration is invalid and contains the following 1 error\(s\):\nMissing required configuration "topic" which has no default value.\nYou can also find the above list of errors at the endpoint `\/connector-plugins\/\{connectorType\}\/config\/validate`$/,
    );
    await bad('POST', '/connectors', { name: 'x', config: { 'connector.class': 'FileStreamSink' } }, 400, /Must configure one of topics or topics.regex/);
    await bad(
      'POST',
      '/connectors',
      { name: 'x', config: { 'connector.class': 'FileStreamSource', topic: 't', 'tasks.max': '0' } },
      400,
      /Invalid value 0 for configuration tasks.max: Value must be at least 1/,
    );
    await bad(
      'POST',
      '/connectors',
      { name: 'x', config: { 'connector.class': 'FileStreamSource', topic: 't', 'value.converter': 'Nope' } },
      400,
      /Class Nope could not be found/,
    );
    await bad('PUT', '/connectors/x/config', { 'connector.class': 'FileStreamSource', topic: 't', name: 'y' }, 400, /doesn't match connector name in the URL/);
    await bad('GET', '/connectors/nope', undefined, 404, /^Connector nope not found$/);
    await bad('GET', '/connectors/nope/config', undefined, 404, /not found/);
    await bad('PATCH', '/connectors/nope/config', { a: 'b' }, 404, /not found/);
    await bad('GET', '/connectors/nope/status', undefined, 404, /^No status found for connector nope$/);
    await bad('GET', '/connectors/nope/tasks/0/status', undefined, 404, /^No status found for task nope-0$/);
    await bad('PUT', '/connectors/nope/pause', undefined, 404, /^Unknown connector nope$/);
    await bad('PUT', '/connectors/nope/resume', undefined, 404, /^Unknown connector nope$/);
    await bad('PUT', '/connectors/nope/stop', undefined, 404, /^Unknown connector nope$/);
    await bad('POST', '/connectors/nope/restart', undefined, 404, /^Unknown connector: nope$/);
    await bad('POST', '/connectors/nope/restart?includeTasks=maybe', undefined, 404, /^Unknown connector: nope$/); // JAX-RS reads it as false
    await bad('POST', '/connectors/nope/tasks/0/restart', undefined, 404, /not found/);
    await bad('GET', '/connectors/nope/tasks', undefined, 404, /not found/);
    await bad('GET', '/connectors/nope/offsets', undefined, 404, /not found/);
    await bad('DELETE', '/connectors/nope/offsets', undefined, 404, /not found/);
    await bad('PATCH', '/connectors/nope/offsets', {}, 400, /offsets/);
    await bad('GET', '/connector-plugins/Nope/config', undefined, 404, /^Unknown plugin Nope\.$/);
    await bad('PUT', '/connector-plugins/FileStreamSource/config/validate', { topic: 't' }, 400, /contains no connector type/);
    await bad(
      'PUT',
      '/connector-plugins/FileStreamSink/config/validate',
      { 'connector.class': 'FileStreamSource', topic: 't' },
      400,
      /does not match request type/,
    );
    await bad('PUT', '/admin/loggers/root', {}, 400, /'level' parameter was not specified/);
    await bad('PUT', '/admin/loggers/root', { level: 'LOUD' }, 404, /invalid log level/);
  });

  it('validates configs with 200 and error_count', async () => {
    const ok = await api('PUT', '/connector-plugins/FileStreamSource/config/validate', { 'connector.class': 'FileStreamSource', topic: 't', name: 'n' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: 'FileStreamSource', error_count: 0 }); // connector.class as sent, as Java
    expect(ok.body.groups).toContain('Common');
    const bad = await api('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      'batch.size': 'x',
      name: 'n',
    });
    expect(bad.status).toBe(200);
    expect(bad.body.error_count).toBe(2);
    const byName = Object.fromEntries(bad.body.configs.map((c: { value: { name: string } }) => [c.value.name, c]));
    expect(byName.topic.value.errors).toEqual(['Missing required configuration "topic" which has no default value.']);
    expect(byName['batch.size'].value.errors).toEqual(['Invalid value x for configuration batch.size: Not a number of type INT']);
    expect(byName['tasks.max'].definition).toMatchObject({
      name: 'tasks.max',
      type: 'INT',
      required: false,
      default_value: '1',
      importance: 'HIGH',
      group: 'Common',
    });
  });

  it('lists plugins and their configs', async () => {
    const connectors = await api('GET', '/connector-plugins');
    expect(connectors.body).toEqual(
      expect.arrayContaining([
        { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: expect.any(String) },
        { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: expect.any(String) },
      ]),
    );
    expect(connectors.body.every((p: { type: string }) => p.type === 'source' || p.type === 'sink')).toBe(true);
    const all = await api('GET', '/connector-plugins?connectorsOnly=false');
    expect(all.body).toEqual(expect.arrayContaining([expect.objectContaining({ class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter' })]));
    const cfg = await api('GET', '/connector-plugins/FileStreamSource/config');
    expect(cfg.body.map((k: { name: string }) => k.name)).toEqual(
      expect.arrayContaining(['name', 'connector.class', 'tasks.max', 'file', 'topic', 'batch.size']),
    );
    const conv = await api('GET', '/connector-plugins/JsonConverter/config');
    expect(conv.body.map((k: { name: string }) => k.name)).toContain('schemas.enable');
  });

  it('reads and changes log levels at run time', async () => {
    const levels = await api('GET', '/admin/loggers');
    expect(levels.body.root).toEqual({ level: expect.any(String), last_modified: null });
    const set = await api('PUT', '/admin/loggers/kconnect.worker', { level: 'DEBUG' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual(expect.arrayContaining(['kconnect.worker', 'kconnect.worker.task']));
    const one = await api('GET', '/admin/loggers/kconnect.worker');
    expect(one.body).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
    expect((await api('PUT', '/admin/loggers/kconnect.worker?scope=cluster', { level: 'warn' })).status).toBe(204);
    expect((await api('GET', '/admin/loggers/kconnect.worker')).body.level).toBe('WARN');
    expect((await api('GET', '/admin/loggers/no.such.logger')).status).toBe(404);
  });
});

describe('REST listener settings', () => {
  it('sends CORS headers and can disable /admin (admin.listeners empty)', async () => {
    const w = await startWorker({ 'access.control.allow.origin': 'https://ui.example', 'access.control.allow.methods': 'GET,POST', 'admin.listeners': '' });
    try {
      const res = await w.api('GET', '/connectors');
      expect(res.headers.get('access-control-allow-origin')).toBe('https://ui.example');
      expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
      const admin = await w.api('GET', '/admin/loggers');
      expect(admin.status).toBe(404);
      expect(admin.body.error_code).toBe(404);
    } finally {
      await w.stop();
    }
  });
});
