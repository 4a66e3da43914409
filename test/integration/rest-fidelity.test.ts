/**
 * REST answers that match Apache Kafka Connect 4.1 to the status code and message, on a real worker and broker:
 * unknown connector classes, connector names, media types, methods, OPTIONS, `expand`, topics, `initial_state`,
 * `config/validate` key by key, and KIP-891 plugin versions (two versions of one connector in `plugin.path`). The Java
 * answers these tests hold were measured on Apache Kafka Connect 4.1.2 standalone.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigDef, ConfigType, Importance, type PluginDescriptor } from '@kconnect/api';
import type { KafkaAdmin } from '@kconnect/runtime';
import { checkResponse } from './openapi';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';
import { TestSourceConnector } from './test-plugins';

const INVALID = (errors: string[]) =>
  `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``;

describe('REST fidelity with Java Connect 4.1', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  let api: WorkerHandle['api'];
  const topics: string[] = [];

  beforeAll(async () => {
    admin = await kafkaAdmin();
    w = await startWorker();
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

  const source = (topic: string) => {
    const file = path.join(w.dir, `${topic}.txt`);
    writeFileSync(file, 'a\n');
    topics.push(topic);
    return { 'connector.class': 'FileStreamSource', file, topic };
  };

  /** A raw request (for methods fetch refuses, e.g. TRACE, and custom headers). */
  const raw = (method: string, p: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
      const req = request(w.url + p, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers an unknown connector.class with 400 naming the class and listing the connectors (POST and PUT)', async () => {
    const expected = new RegExp(
      '^Failed to find any class that implements Connector and which name matches NoSuchConnector, available connectors are: ' +
        "PluginDesc\\{klass=class org\\.apache\\.kafka\\.connect\\.file\\.FileStreamSinkConnector, name='org\\.apache\\.kafka\\.connect\\.file\\.FileStreamSinkConnector', " +
        "version='[^']+', encodedVersion=[^,]+, type=sink, typeName='sink', location='classpath'\\}, " +
        'PluginDesc\\{klass=class org\\.apache\\.kafka\\.connect\\.file\\.FileStreamSourceConnector, .*type=source.*\\}$',
    );
    const post = await api('POST', '/connectors', { name: 'x', config: { 'connector.class': 'NoSuchConnector', topic: 't' } });
    expect(post.status).toBe(400);
    expect(post.body).toEqual({ error_code: 400, message: expect.stringMatching(expected) });
    const put = await api('PUT', '/connectors/x/config', { 'connector.class': 'NoSuchConnector', topic: 't' });
    expect(put.status).toBe(400);
    expect(put.body).toEqual({ error_code: 400, message: expect.stringMatching(expected) });
    const validate = await api('PUT', '/connector-plugins/NoSuchConnector/config/validate', { 'connector.class': 'NoSuchConnector' });
    expect(validate.status).toBe(400);
    expect(validate.body.message).toMatch(expected);
  });

  it('answers POST /connectors without a name with the config validation 400', async () => {
    const cfg = { 'connector.class': 'FileStreamSource', topic: 't' };
    for (const body of [{ config: cfg }, { name: '', config: cfg }, { name: '   ', config: cfg }]) {
      const res = await api('POST', '/connectors', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error_code: 400, message: INVALID(['Invalid value  for configuration name: String may not be empty']) });
    }
    // The name in the config does not stand in for a missing one: it mismatches the empty name.
    const res = await api('POST', '/connectors', { config: { ...cfg, name: 'x' } });
    expect(res.body).toEqual({ error_code: 400, message: "Connector name configuration (x) doesn't match connector name in the URL ()" });
    // A name that is not a string (an object, a list) is refused, not turned into "[object Object]" or "a,b".
    for (const name of [{}, ['a', 'b']]) {
      const bad = await api('POST', '/connectors', { name, config: cfg });
      expect({ name, status: bad.status, message: bad.body.message }).toEqual({ name, status: 400, message: expect.stringMatching(/name must be a string/) });
    }
    expect((await api('GET', '/connectors')).body).toEqual([]);
  });

  it('answers a non-JSON Content-Type with 415', async () => {
    for (const [method, p] of [
      ['POST', '/connectors'],
      ['PUT', '/connectors/x/config'],
      ['PUT', '/connector-plugins/FileStreamSource/config/validate'],
      ['PUT', '/admin/loggers/root'],
    ] as const) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const res = await raw(method, p, { 'content-type': type }, '{"name":"x","config":{}}');
        expect({ method, p, type, status: res.status, body: JSON.parse(res.text) }).toEqual({
          method,
          p,
          type,
          status: 415,
          body: { error_code: 415, message: 'HTTP 415 Unsupported Media Type' },
        });
      }
    }
    // As Jersey, whatever the method and with or without a body: a Content-Type that is not JSON is a 415 (GET,
    // DELETE, and `curl -X PUT -d ''`, which sends a form), and so is a body without a Content-Type.
    for (const [method, p, headers, body] of [
      ['GET', '/connectors', { 'content-type': 'text/plain' }, undefined],
      ['DELETE', '/connectors/x', { 'content-type': 'text/plain' }, undefined],
      ['PUT', '/connectors/x/pause', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
      ['POST', '/connectors', {}, '{"name":"x","config":{}}'],
    ] as const) {
      const res = await raw(method, p, headers, body);
      expect({ method, p, status: res.status, text: res.text }).toEqual({
        method,
        p,
        status: 415,
        text: '{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}',
      });
    }
    // An Accept that admits no JSON is a 406 (also for `/`); one that admits it in any way is fine.
    for (const [p, accept] of [
      ['/connectors', 'text/plain'],
      ['/', 'text/plain'],
      ['/connector-plugins', 'application/xml'],
      ['/admin/loggers', 'text/html'],
      ['/connectors/nope', 'text/plain'],
    ]) {
      const res = await raw('GET', p!, { accept: accept! });
      expect({ p, status: res.status, text: res.text }).toEqual({ p, status: 406, text: '{"error_code":406,"message":"HTTP 406 Not Acceptable"}' });
    }
    for (const accept of ['*/*', 'application/*', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json;q=0.5, text/plain']) {
      expect((await raw('GET', '/connectors', { accept })).status).toBe(200);
    }
    // JSON with parameters and wildcards is accepted.
    const wildcard = await raw(
      'PUT',
      '/connector-plugins/FileStreamSource/config/validate',
      { 'content-type': 'application/*' },
      '{"connector.class":"FileStreamSource"}',
    );
    expect(wildcard.status).toBe(200);
    const ok = await raw(
      'PUT',
      '/connector-plugins/FileStreamSource/config/validate',
      { 'content-type': 'application/json; charset=utf-8' },
      '{"connector.class":"FileStreamSource"}',
    );
    expect(ok.status).toBe(200);
  });

  it('answers GET /connectors/{unknown}/topics with an empty topic list', async () => {
    const res = await api('GET', '/connectors/no-such-connector/topics');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ 'no-such-connector': { topics: [] } });
  });

  it('answers the internal POST /connectors/{c}/tasks and PUT /connectors/{c}/fence as Java standalone: 500', async () => {
    const name = unique('internal');
    expect((await api('POST', '/connectors', { name, config: source(unique('internal-t')) })).status).toBe(201);
    // Java 4.1.2 standalone answers both with its UnsupportedOperationException as a 500, for any connector name.
    for (const c of [name, 'no-such-connector']) {
      const tasks = await api('POST', `/connectors/${c}/tasks`, [{ 'task.class': 'x' }]);
      expect({ c, status: tasks.status, body: tasks.body }).toEqual({
        c,
        status: 500,
        body: { error_code: 500, message: 'Kafka Connect in standalone mode does not support externally setting task configurations.' },
      });
      const fence = await api('PUT', `/connectors/${c}/fence`);
      expect({ c, status: fence.status, body: fence.body }).toEqual({
        c,
        status: 500,
        body: { error_code: 500, message: 'Kafka Connect in standalone mode does not support exactly-once source connectors.' },
      });
    }
    // The connector is unaffected.
    expect((await api('GET', `/connectors/${name}`)).status).toBe(200);
    expect((await api('DELETE', `/connectors/${name}`)).status).toBe(204);
  });

  it('answers unsupported methods on known paths with 405, and OPTIONS with 200 and Allow', async () => {
    for (const [method, p] of [
      ['DELETE', '/connector-plugins'],
      ['PUT', '/connectors'],
      ['POST', '/connectors/x/status'],
      ['GET', '/connectors/x/restart'],
      ['TRACE', '/connectors'],
      ['TRACE', '/connectors/x'],
    ] as const) {
      const res = await raw(method, p);
      expect({ method, p, status: res.status, body: JSON.parse(res.text), allow: typeof res.headers.allow }).toEqual({
        method,
        p,
        status: 405,
        body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' },
        allow: 'string',
      });
    }
    // The methods as text/plain, unless the client accepts no text/plain (then an empty JSON answer), as Jersey.
    const opts = await raw('OPTIONS', '/connectors');
    expect(opts.status).toBe(200);
    expect(opts.headers.allow).toBe('GET,HEAD,OPTIONS,POST');
    expect(opts.headers['content-type']).toMatch(/^text\/plain/);
    expect(opts.text).toBe('GET, HEAD, OPTIONS, POST');
    const one = await raw('OPTIONS', '/connectors/x', { accept: 'text/plain' });
    expect(one.status).toBe(200);
    expect(one.headers.allow).toBe('DELETE,GET,HEAD,OPTIONS');
    expect(one.text).toBe('DELETE, GET, HEAD, OPTIONS');
    const json = await raw('OPTIONS', '/connectors/x', { accept: 'application/json' });
    expect([json.status, json.headers.allow, json.text]).toEqual([200, 'DELETE,GET,HEAD,OPTIONS', '']);
    // Unknown paths stay 404, with Jersey's message.
    expect((await raw('OPTIONS', '/nope')).status).toBe(404);
    expect(JSON.parse((await raw('GET', '/Connectors')).text)).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('answers PATCH offsets with bad entries as Java: its sink messages, "10" taken as 10, the connector refusing is a 500', async () => {
    const sinkName = unique('fid-osink');
    const srcName = unique('fid-osrc');
    const topic = unique('fid-otopic');
    topics.push(topic);
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    expect(
      (await api('PUT', `/connectors/${sinkName}/config`, { 'connector.class': 'FileStreamSink', file: path.join(w.dir, 'o.txt'), topics: topic })).status,
    ).toBe(201);
    expect((await api('PUT', `/connectors/${srcName}/config`, source(unique('fid-osrc')))).status).toBe(201);
    for (const c of [sinkName, srcName]) {
      expect((await api('PUT', `/connectors/${c}/stop`)).status).toBe(204);
      await eventually(async () => (await api('GET', `/connectors/${c}/status`)).body.connector.state === 'STOPPED', 30_000, `${c} STOPPED`);
    }
    const patch = (c: string, offsets: unknown[]) => api('PATCH', `/connectors/${c}/offsets`, { offsets });
    const tp = { kafka_topic: topic, kafka_partition: 0 };
    const sinkCases: Array<[unknown, number, string]> = [
      [{ partition: { ...tp, kafka_partition: '0' }, offset: { kafka_offset: '5' } }, 200, 'The offsets for this connector have been altered successfully'],
      [
        { partition: tp, offset: { kafka_offset: 1.5 } },
        400,
        "Failed to parse the following Kafka offset value in the provided offsets: '1.5'. Offset values for sink connectors need to be integers.",
      ],
      [
        { partition: { ...tp, kafka_partition: 'x' }, offset: null },
        400,
        "Failed to parse the following Kafka partition value in the provided offsets: 'x'. Partition values for sink connectors need to be integers.",
      ],
      [
        { partition: { kafka_topic: topic }, offset: null },
        400,
        "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'",
      ],
      [{ partition: tp, offset: { foo: 1 } }, 400, "The offset for a sink connector should either be null or contain the key 'kafka_offset'"],
      [{ offset: { kafka_offset: 1 } }, 400, 'The partition for a sink connector offset cannot be null or missing'],
      [{ partition: { ...tp, kafka_topic: null }, offset: null }, 400, 'Kafka topic names must be valid strings and may not be null'],
    ];
    for (const [entry, status, message] of sinkCases) {
      const res = await patch(sinkName, [entry]);
      expect({ entry, status: res.status, message: res.body.message }).toEqual({ entry, status, message });
    }
    expect(await admin.groupOffsets(`connect-${sinkName}`)).toEqual([{ topic, partition: 0, offset: 5 }]);
    // FileStreamSource refusing an offset: Java answers its ConnectException with 500. A missing offset is a reset.
    const file = (await api('GET', `/connectors/${srcName}/config`)).body.file;
    const srcCases: Array<[unknown, number, string]> = [
      [{ partition: { filename: file }, offset: { pos: 1 } }, 500, "Offset objects should either be null or contain the key 'position'"],
      [{ partition: { filename: file }, offset: { position: -1 } }, 500, "The value for the 'position' key in the offset should be a non-negative value"],
      [{ partition: { filename: file } }, 200, 'The offsets for this connector have been altered successfully'],
    ];
    for (const [entry, status, message] of srcCases) {
      const res = await patch(srcName, [entry]);
      expect({ entry, status: res.status, message: res.body.message }).toEqual({ entry, status, message });
    }
    for (const c of [sinkName, srcName]) await api('DELETE', `/connectors/${c}`);
    await admin.deleteGroup(`connect-${sinkName}`).catch(() => undefined);
  });

  it("answers task ids, unknown connectors, a stopped connector's tasks and Location as Java", async () => {
    const name = unique('fid-ids');
    const created = await w.api('POST', '/connectors', { name, config: source(unique('fid-ids')) });
    // Location is absolute, made against the request's base URI as JAX-RS does.
    expect(created.headers.get('location')).toBe(`${w.url}/connectors/${name}`);
    const res = await raw(
      'POST',
      '/connectors',
      { 'content-type': 'application/json' },
      JSON.stringify({ name: `${name}-2`, config: source(unique('fid-ids')) }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`${w.url}/connectors/${name}-2`);
    await eventually(async () => (await api('GET', `/connectors/${name}/status`)).body.tasks?.[0]?.state === 'RUNNING', 30_000, 'RUNNING');
    // Task ids: `+0` is 0 (Integer.valueOf); what is not an int is Jersey's 404.
    expect((await api('GET', `/connectors/${name}/tasks/+0/status`)).body.state).toBe('RUNNING');
    for (const t of ['abc', '1.0', '0x0', '2147483648', '99999999999999999999']) {
      expect((await api('GET', `/connectors/${name}/tasks/${t}/status`)).body).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
    }
    expect((await api('GET', `/connectors/${name}/tasks/-1/status`)).body).toEqual({ error_code: 404, message: `No status found for task ${name}--1` });
    // Unknown connectors, in Java's words.
    expect((await api('PUT', '/connectors/nope/pause')).body).toEqual({ error_code: 404, message: 'Unknown connector nope' });
    expect((await api('PUT', '/connectors/nope/resume')).body).toEqual({ error_code: 404, message: 'Unknown connector nope' });
    expect((await api('POST', '/connectors/nope/restart?includeTasks=true')).body).toEqual({ error_code: 404, message: 'Unknown connector: nope' });
    // A stopped connector has no tasks: their statuses are gone too.
    expect((await api('PUT', `/connectors/${name}/stop`)).status).toBe(204);
    await eventually(async () => (await api('GET', `/connectors/${name}/status`)).body.connector.state === 'STOPPED', 30_000, 'STOPPED');
    expect((await api('GET', `/connectors/${name}/tasks/0/status`)).body).toEqual({ error_code: 404, message: `No status found for task ${name}-0` });
    await api('DELETE', `/connectors/${name}`);
    await api('DELETE', `/connectors/${name}-2`);
  });

  it('answers /admin/loggers as Java: ROOT is root, only changed loggers are listed, ALL is a level, any other scope is the worker', async () => {
    expect((await api('GET', '/admin/loggers/ROOT')).body).toEqual((await api('GET', '/admin/loggers/root')).body);
    const ns = `org.fidelity.${unique('l').replaceAll('-', '')}`;
    expect((await api('PUT', `/admin/loggers/${ns}`, { level: 'ALL' })).body).toEqual([ns]);
    expect((await api('PUT', `/admin/loggers/${ns}`, { level: 'all' })).body).toEqual([]);
    expect((await api('GET', `/admin/loggers/${ns}`)).body.level).toBe('ALL');
    expect((await api('PUT', `/admin/loggers/${ns}?scope=bogus`, { level: 'DEBUG' })).body).toEqual([ns]);
    expect((await api('PUT', `/admin/loggers/${ns}`, { level: 1 })).body).toEqual({ error_code: 404, message: "invalid log level '1'." });
    expect((await api('PUT', `/admin/loggers/${ns}`, {})).body).toEqual({
      error_code: 400,
      message: "Desired 'level' parameter was not specified in request.",
    });
  });

  it('answers config values sent as null as Java: an error on the key in validate, a 400 on create and update', async () => {
    const topic = unique('fid-null');
    const name = unique('fid-null');
    const config = { ...source(topic), name, 'x.n': null, batch_size_unused: 'x' };
    const v = await api('PUT', '/connector-plugins/FileStreamSource/config/validate', config);
    expect(v.status).toBe(200);
    expect(v.body.name).toBe('FileStreamSource'); // as sent
    const entry = v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'x.n');
    expect(entry).toEqual({
      definition: null,
      value: { name: 'x.n', value: null, recommended_values: [], errors: ['Null value can not be supplied as the configuration value.'], visible: true },
    });
    expect(v.body.configs.filter((c: { value: { errors: string[] } }) => c.value.errors.length).map((c: { value: unknown }) => c.value)).toEqual([entry.value]);
    expect(v.body.error_count).toBe(1);
    const nullTopic = await api('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', { ...source(topic), name, topic: null });
    expect(nullTopic.body.configs.find((c: { value: { name: string } }) => c.value.name === 'topic').value.errors).toContain(
      'Null value can not be supplied as the configuration value.',
    );
    const put = await api('PUT', `/connectors/${name}/config`, config);
    expect(put.body).toEqual({ error_code: 400, message: INVALID(['Null value can not be supplied as the configuration value.']) });
    const post = await api('POST', '/connectors', { name, config });
    expect(post.status).toBe(400);
    expect((await api('GET', '/connectors')).body).not.toContain(name);
    // The plugin in the path must match the class sent (Java's suffix rule).
    expect((await api('PUT', '/connector-plugins/FileStreamSink/config/validate', source(topic))).body).toEqual({
      error_code: 400,
      message: 'Included connector type FileStreamSource does not match request type FileStreamSink',
    });
  });

  it("validates a value that does not parse as Java: the value shown null, the parse error and the validator's", async () => {
    const name = unique('fid-parse');
    const v = await api('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      ...source(unique('fid-parse')),
      name,
      'tasks.max': 'abc',
      'batch.size': 'many',
    });
    const byName = Object.fromEntries(v.body.configs.map((c: { value: { name: string } }) => [c.value.name, c.value]));
    expect(byName['tasks.max']).toMatchObject({
      value: null,
      errors: [
        'Invalid value abc for configuration tasks.max: Not a number of type INT',
        'Invalid value null for configuration tasks.max: Value must be non-null',
      ],
    });
    expect(byName['batch.size']).toMatchObject({ value: null, errors: ['Invalid value many for configuration batch.size: Not a number of type INT'] });
    expect(v.body.error_count).toBe(3);
  });

  it('answers ?expand= with unknown values with the map form, as Java', async () => {
    const name = unique('expand');
    expect((await api('POST', '/connectors', { name, config: source(unique('expand-topic')) })).status).toBe(201);
    try {
      for (const q of ['expand=bogus', 'expand=', 'expand=STATUS']) {
        const res = await api('GET', `/connectors?${q}`);
        expect(res.status).toBe(200);
        expect(res.body[name]).toEqual({});
      }
      expect(Object.keys((await api('GET', '/connectors?expand=bogus&expand=info')).body[name])).toEqual(['info']);
    } finally {
      await api('DELETE', `/connectors/${name}`);
    }
  });

  describe('initial_state, as Java 4.1 standalone', () => {
    const status = async (name: string) => (await api('GET', `/connectors/${name}/status`)).body;
    const states = async (name: string) => {
      const s = await status(name);
      return { connector: s.connector?.state, tasks: (s.tasks ?? []).map((t: { id: number; state: string }) => `${t.id}:${t.state}`) };
    };
    const taskTopics = async (name: string) =>
      (await api('GET', `/connectors/${name}/tasks`)).body.map((t: { config: Record<string, string> }) => t.config.topic);

    it('PAUSED creates the connector paused without tasks; a config change keeps none; resume creates them', async () => {
      const name = unique('init-paused');
      const cfg = source(unique('init-paused-topic'));
      const res = await api('POST', '/connectors', { name, config: cfg, initial_state: 'PAUSED' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ name, config: { ...cfg, name }, tasks: [], type: 'source' });
      expect(await states(name)).toEqual({ connector: 'PAUSED', tasks: [] });
      expect((await status(name)).connector.version).toEqual(expect.any(String));
      expect((await api('GET', `/connectors/${name}/tasks`)).body).toEqual([]);
      // A new config (two tasks allowed) starts no task either while paused.
      const put = await api('PUT', `/connectors/${name}/config`, { ...cfg, 'tasks.max': '2' });
      expect(put.status).toBe(200);
      expect(put.body.tasks).toEqual([]);
      expect(await states(name)).toEqual({ connector: 'PAUSED', tasks: [] });
      // A restart keeps it paused and taskless; there is no task 0 to restart.
      const restart = await api('POST', `/connectors/${name}/restart?includeTasks=true`);
      expect(restart.status).toBe(202);
      expect(restart.body.tasks).toEqual([]);
      await eventually(async () => (await states(name)).connector === 'PAUSED', 10_000, 'paused after restart');
      expect(await states(name)).toEqual({ connector: 'PAUSED', tasks: [] });
      expect((await api('POST', `/connectors/${name}/tasks/0/restart`)).body).toEqual({ error_code: 404, message: `Task ${name}-0 not found` });
      expect((await api('PUT', `/connectors/${name}/resume`)).status).toBe(202);
      await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'RUNNING', tasks: ['0:RUNNING'] }), 15_000, 'running');
      expect(await taskTopics(name)).toEqual([cfg.topic]);
      await api('DELETE', `/connectors/${name}`);
    });

    it('STOPPED creates no tasks; pause from STOPPED stays taskless; resume starts them', async () => {
      const name = unique('init-stopped');
      const cfg = source(unique('init-stopped-topic'));
      const res = await api('POST', '/connectors', { name, config: cfg, initial_state: 'STOPPED' });
      expect(res.status).toBe(201);
      expect(res.body.tasks).toEqual([]);
      expect(await states(name)).toEqual({ connector: 'STOPPED', tasks: [] });
      expect((await api('PUT', `/connectors/${name}/pause`)).status).toBe(202);
      await eventually(async () => (await states(name)).connector === 'PAUSED', 10_000, 'paused');
      expect(await states(name)).toEqual({ connector: 'PAUSED', tasks: [] });
      expect((await api('PUT', `/connectors/${name}/resume`)).status).toBe(202);
      await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'RUNNING', tasks: ['0:RUNNING'] }), 15_000, 'running');
      await api('DELETE', `/connectors/${name}`);
    });

    it('RUNNING (any case) and null create the tasks at once; a paused connector keeps its task configs until resumed', async () => {
      for (const initial of ['RUNNING', 'running', null]) {
        const name = unique('init-running');
        const res = await api('POST', '/connectors', { name, config: source(unique('init-running-topic')), initial_state: initial });
        expect({ initial, status: res.status, tasks: res.body.tasks }).toEqual({ initial, status: 201, tasks: [{ connector: name, task: 0 }] });
        await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'RUNNING', tasks: ['0:RUNNING'] }), 15_000, 'running');
        await api('DELETE', `/connectors/${name}`);
      }
      // Lower case works for PAUSED too (Java upper-cases the value).
      const lower = unique('init-lower');
      expect((await api('POST', '/connectors', { name: lower, config: source(unique('init-lower-topic')), initial_state: 'paused' })).body.tasks).toEqual([]);
      expect(await states(lower)).toEqual({ connector: 'PAUSED', tasks: [] });
      await api('DELETE', `/connectors/${lower}`);

      const name = unique('init-reconf');
      const cfg = source(unique('init-reconf-topic'));
      expect((await api('POST', '/connectors', { name, config: cfg })).status).toBe(201);
      expect((await api('PUT', `/connectors/${name}/pause`)).status).toBe(202);
      await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'PAUSED', tasks: ['0:PAUSED'] }), 15_000, 'paused');
      const topic2 = unique('init-reconf-topic2');
      topics.push(topic2);
      const put = await api('PUT', `/connectors/${name}/config`, { ...cfg, topic: topic2 });
      expect(put.status).toBe(200);
      expect(put.body.tasks).toEqual([{ connector: name, task: 0 }]);
      // As Java: the paused task keeps the config it was created with...
      await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'PAUSED', tasks: ['0:PAUSED'] }), 15_000, 'still paused');
      expect(await taskTopics(name)).toEqual([cfg.topic]);
      // ...and resuming computes the task configs again.
      expect((await api('PUT', `/connectors/${name}/resume`)).status).toBe(202);
      await eventually(async () => JSON.stringify(await states(name)) === JSON.stringify({ connector: 'RUNNING', tasks: ['0:RUNNING'] }), 15_000, 'running');
      expect(await taskTopics(name)).toEqual([topic2]);
      await api('DELETE', `/connectors/${name}`);
    });
  });

  describe('PUT /connector-plugins/{p}/config/validate, key by key as Java 4.1 answers', () => {
    type Entry = {
      definition: { name: string; default_value: string | null; group: string | null; order: number; type: string };
      value: { name: string; value: string | null; recommended_values: string[]; errors: string[]; visible: boolean };
    };
    const validate = async (plugin: string, config: Record<string, string>) => {
      const res = await api('PUT', `/connector-plugins/${plugin}/config/validate`, config);
      expect(res.status).toBe(200);
      const byName = new Map<string, Entry>(res.body.configs.map((c: Entry) => [c.definition.name, c]));
      return { body: res.body as { error_count: number; groups: string[]; configs: Entry[] }, key: (k: string) => byName.get(k)! };
    };
    const COMMON = [
      'name',
      'connector.class',
      'connector.plugin.version',
      'tasks.max',
      'tasks.max.enforce',
      'key.converter',
      'key.converter.plugin.version',
      'value.converter',
      'value.converter.plugin.version',
      'header.converter',
      'header.converter.plugin.version',
      'transforms',
      'predicates',
      'config.action.reload',
      'errors.retry.timeout',
      'errors.retry.delay.max.ms',
      'errors.tolerance',
      'errors.log.enable',
      'errors.log.include.messages',
    ];

    it('lists the keys Java lists, in its order, with its groups (FileStreamSource and FileStreamSink)', async () => {
      const src = await validate('FileStreamSource', { 'connector.class': 'FileStreamSource', topic: 't', file: '/tmp/x' });
      // topic.creation.default.* and the source DLQ keys are kconnect extensions (docs/compatibility.md).
      const extensions = new Set([
        'topic.creation.default.replication.factor',
        'topic.creation.default.partitions',
        'errors.deadletterqueue.topic.name',
        'errors.deadletterqueue.topic.replication.factor',
        'errors.deadletterqueue.context.headers.enable',
      ]);
      expect(src.body.configs.map((c) => c.definition.name).filter((n) => !extensions.has(n))).toEqual([
        ...COMMON,
        'topic.creation.groups',
        'exactly.once.support',
        'transaction.boundary',
        'transaction.boundary.interval.ms',
        'offsets.storage.topic',
        'file',
        'topic',
        'batch.size',
      ]);
      expect(src.body.groups).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Topic Creation', 'Exactly Once Support', 'offsets.topic']);
      expect(src.body.configs.map((c) => [c.definition.name, c.definition.group, c.definition.order]).slice(0, COMMON.length)).toEqual(
        COMMON.map((n, i) => [
          n,
          n === 'transforms' ? 'Transforms' : n === 'predicates' ? 'Predicates' : n.startsWith('errors.') ? 'Error Handling' : 'Common',
          n.startsWith('errors.') ? COMMON.indexOf(n) - 13 : i + 1,
        ]),
      );
      expect(src.key('connector.class').definition.type).toBe('STRING');
      expect(
        ['exactly.once.support', 'transaction.boundary', 'transaction.boundary.interval.ms', 'offsets.storage.topic'].map((k) => [
          k,
          src.key(k).definition.group,
          src.key(k).definition.order,
          src.key(k).value.value,
        ]),
      ).toEqual([
        ['exactly.once.support', 'Exactly Once Support', 2, 'requested'],
        ['transaction.boundary', 'Exactly Once Support', 3, 'poll'],
        ['transaction.boundary.interval.ms', 'Exactly Once Support', 4, null],
        ['offsets.storage.topic', 'offsets.topic', 1, null],
      ]);
      expect(src.body.error_count).toBe(1); // "name" is missing
      const sink = await validate('FileStreamSink', { 'connector.class': 'FileStreamSink', topics: 't', file: '/tmp/x' });
      expect(sink.body.configs.map((c) => c.definition.name)).toEqual([
        ...COMMON,
        'topics',
        'topics.regex',
        'errors.deadletterqueue.topic.name',
        'errors.deadletterqueue.topic.replication.factor',
        'errors.deadletterqueue.context.headers.enable',
        'file',
      ]);
      expect(sink.body.groups).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling']);
    });

    it('fills recommended_values and values as Java: converters and plugin versions; none for booleans and enums', async () => {
      const { key } = await validate('FileStreamSource', { 'connector.class': 'FileStreamSource', name: 'n', topic: 't' });
      const plugins = (await api('GET', '/connector-plugins?connectorsOnly=false')).body as Array<{ class: string; type: string; version: string }>;
      const of = (type: string) => [...new Set(plugins.filter((p) => p.type === type).map((p) => p.class))];
      const version = plugins.find((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSourceConnector')!.version;
      const convVersion = plugins.find((p) => p.class === 'org.apache.kafka.connect.storage.StringConverter')!.version;
      // The worker's converters (StringConverter in these tests) stand where the connector sets none.
      for (const which of ['key', 'value']) {
        expect(key(`${which}.converter`).definition.default_value).toBe('org.apache.kafka.connect.storage.StringConverter');
        expect(key(`${which}.converter`).value).toEqual({
          name: `${which}.converter`,
          value: 'org.apache.kafka.connect.storage.StringConverter',
          recommended_values: of('converter'),
          errors: [],
          visible: true,
        });
        expect(key(`${which}.converter.plugin.version`).value).toEqual({
          name: `${which}.converter.plugin.version`,
          value: convVersion,
          recommended_values: [convVersion],
          errors: [],
          visible: true,
        });
      }
      expect(key('header.converter').value.value).toBe('org.apache.kafka.connect.storage.SimpleHeaderConverter');
      expect(key('header.converter').value.recommended_values).toEqual(of('header_converter'));
      expect(key('header.converter').value.recommended_values).toContain('org.apache.kafka.connect.storage.SimpleHeaderConverter');
      expect(key('connector.plugin.version').definition.default_value).toBe(version);
      expect(key('connector.plugin.version').value).toMatchObject({ value: version, recommended_values: [version], errors: [] });
      for (const k of ['tasks.max.enforce', 'errors.tolerance', 'errors.log.enable', 'config.action.reload', 'exactly.once.support', 'transaction.boundary'])
        expect([k, key(k).value.recommended_values]).toEqual([k, []]);
    });

    it('reports Java messages for the new keys and counts error messages in error_count', async () => {
      const { body, key } = await validate('FileStreamSource', {
        'connector.class': 'FileStreamSource',
        name: 'n',
        topic: 't',
        'exactly.once.support': 'bogus',
        'transaction.boundary': 'bogus',
        'transaction.boundary.interval.ms': '-5',
        'offsets.storage.topic': '',
        'tasks.max.enforce': 'maybe',
        // As Java: a converter's version is checked only when the connector names the converter.
        'value.converter.plugin.version': '[1.0,2.0)',
      });
      expect(Object.fromEntries(body.configs.filter((c) => c.value.errors.length).map((c) => [c.value.name, c.value.errors]))).toEqual({
        'tasks.max.enforce': ['Invalid value maybe for configuration tasks.max.enforce: Expected value to be either true or false'],
        'exactly.once.support': ['Invalid value bogus for configuration exactly.once.support: String must be one of (case insensitive): REQUIRED, REQUESTED'],
        'transaction.boundary': [
          'Invalid value bogus for configuration transaction.boundary: String must be one of (case insensitive): INTERVAL, POLL, CONNECTOR',
        ],
        'transaction.boundary.interval.ms': ['Invalid value -5 for configuration transaction.boundary.interval.ms: Value must be at least 0'],
        'offsets.storage.topic': ['Invalid value  for configuration offsets.storage.topic: String must be non-empty'],
      });
      expect(body.error_count).toBe(5);
      expect(key('value.converter.plugin.version').value.value).toBe('[1.0,2.0)');
      // Case does not matter for the exactly-once keys.
      const ok = await validate('FileStreamSource', {
        'connector.class': 'FileStreamSource',
        name: 'n',
        topic: 't',
        'exactly.once.support': 'REQUIRED',
        'transaction.boundary': 'Interval',
      });
      expect(ok.body.error_count).toBe(0);

      // A converter version that is not installed: the same message on the class key and on the version key, each counted.
      const conv = await validate('FileStreamSource', {
        'connector.class': 'FileStreamSource',
        name: 'n',
        topic: 't',
        'value.converter': 'StringConverter',
        'value.converter.plugin.version': '1.0',
        'key.converter': 'Nope',
      });
      const v = (await api('GET', '/connector-plugins?connectorsOnly=false')).body
        .filter((p: { class: string }) => p.class === 'org.apache.kafka.connect.storage.StringConverter')
        .map((p: { version: string }) => p.version);
      const msg = `Plugin org.apache.kafka.connect.storage.StringConverter not found that matches the version range [1.0,1.0], available versions: [${v.join(', ')}]`;
      expect(conv.key('value.converter').value.errors).toEqual([msg]);
      expect(conv.key('value.converter.plugin.version').value.errors).toEqual([msg]);
      expect(conv.key('value.converter').value.value).toBe('org.apache.kafka.connect.storage.StringConverter');
      // The version key of a converter class that cannot be found is hidden, as Java's recommender.
      expect(conv.key('key.converter.plugin.version').value.visible).toBe(false);
      expect(conv.body.error_count).toBe(3);
    });
  });

  it('applies Java name rules: control characters (C0 and C1) and empty names are rejected, spaces and / are not', async () => {
    const cfg = { 'connector.class': 'FileStreamSource', topic: 't' };
    const ctl = await api('PUT', '/connectors/a%C2%89b/config', cfg);
    expect(ctl.status).toBe(400);
    expect(ctl.body).toEqual({
      error_code: 400,
      message: INVALID(['Invalid value a\u0089b for configuration name: String may not contain control sequences but had the following ASCII chars: 137']),
    });
    const tab = await api('POST', '/connectors', { name: 'a\tb\u007f', config: cfg });
    expect(tab.body).toEqual({
      error_code: 400,
      message: INVALID(['Invalid value a\tb\u007f for configuration name: String may not contain control sequences but had the following ASCII chars: 9, 127']),
    });
    // Java trims only the POST body's name; a name with inner spaces or a slash is valid.
    const name = `${unique('sl')}/a b`;
    const created = await api('POST', '/connectors', { name: ` ${name} `, config: source(unique('slash-topic')) });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(name);
    // As Java's UriBuilder: the slash stays a path separator in Location (Java cannot serve that path; we take %2F).
    expect(created.headers.get('location')).toBe(`${w.url}/connectors/${name.replace(' ', '%20')}`);
    await eventually(async () => (await api('GET', `/connectors/${encodeURIComponent(name)}/status`)).status === 200, 10_000, 'status');
    expect((await api('DELETE', `/connectors/${encodeURIComponent(name)}`)).status).toBe(204);
  });
});

/** Two versions of one connector class, each its own package in `plugin.path` (KIP-891). */
describe('KIP-891 plugin versions, as Java 4.1', () => {
  let w: WorkerHandle;
  let api: WorkerHandle['api'];
  const CLS = 'com.example.VersionedSource';

  class VersionedSource extends TestSourceConnector {
    constructor(private readonly v: string) {
      super();
    }
    override version() {
      return this.v;
    }
    override config() {
      return super.config().merge(
        new ConfigDef().define({
          name: `only.in.${this.v}`,
          type: ConfigType.STRING,
          default: '',
          importance: Importance.LOW,
          documentation: `Only in ${this.v}.`,
        }),
      );
    }
  }
  const g = globalThis as unknown as { __kconnectVersioned?: (v: string) => PluginDescriptor[] };

  beforeAll(async () => {
    g.__kconnectVersioned = (v) => [{ className: CLS, type: 'source', version: v, create: () => new VersionedSource(v) }];
    const root = mkdtempSync(path.join(tmpdir(), 'kconnect-versions-'));
    for (const v of ['1.0.0', '2.0.0']) {
      const pkg = path.join(root, `versioned-${v}`);
      mkdirSync(pkg);
      writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: `versioned-${v}`, version: v, main: 'index.js' }));
      writeFileSync(path.join(pkg, 'index.js'), `exports.plugins = globalThis.__kconnectVersioned(${JSON.stringify(v)});`);
    }
    w = await startWorker({ 'plugin.path': root });
    api = async (method, p, body, raw) => {
      const res = await w.api(method, p, body, raw);
      checkResponse(method, p, res.status, res.body);
      return res;
    };
  });
  afterAll(async () => {
    await w.stop();
    delete g.__kconnectVersioned;
  });

  it('GET /connector-plugins lists each installed version', async () => {
    const list = (await api('GET', '/connector-plugins')).body as Array<{ class: string; type: string; version: string }>;
    expect(list.filter((p) => p.class === CLS)).toEqual([
      { class: CLS, type: 'source', version: '1.0.0' },
      { class: CLS, type: 'source', version: '2.0.0' },
    ]);
  });

  it('GET /connector-plugins/{p}/config?version= picks a version; one not installed or malformed is a 400', async () => {
    const keys = async (q: string) => ((await api('GET', `/connector-plugins/VersionedSource/config${q}`)).body as Array<{ name: string }>).map((k) => k.name);
    expect(await keys('')).toContain('only.in.2.0.0');
    expect(await keys('?version=1.0.0')).toContain('only.in.1.0.0');
    expect(await keys(`?version=${encodeURIComponent('[1.0,2.0)')}`)).toContain('only.in.1.0.0');
    expect(await keys(`?version=${encodeURIComponent('[1.0,)')}`)).toContain('only.in.2.0.0');
    for (const [q, message] of [
      ['9.9', `Plugin ${CLS} not found that matches the version range [9.9,9.9], available versions: [1.0.0, 2.0.0]`],
      ['', `Plugin ${CLS} not found that matches the version range [,], available versions: [1.0.0, 2.0.0]`],
      ['%5B1.0', 'Invalid version specification: [1.0'],
    ]) {
      const res = await api('GET', `/connector-plugins/VersionedSource/config?version=${q}`);
      expect({ q, status: res.status, body: res.body }).toEqual({ q, status: 400, body: { error_code: 400, message } });
    }
    expect((await api('GET', '/connector-plugins/NoSuch/config?version=1')).status).toBe(404);
  });

  it('connector.plugin.version: validated against the installed versions, and the chosen one runs', async () => {
    const base = { 'connector.class': 'VersionedSource', topic: unique('versioned'), records: '0' };
    const ok = await api('PUT', '/connector-plugins/VersionedSource/config/validate', { ...base, name: 'v', 'connector.plugin.version': '[1.0,2.0)' });
    type Value = { name: string; errors: string[] };
    const entry = (body: { configs: Array<{ value: Value }> }, k: string) => body.configs.find((c) => c.value.name === k)!.value;
    expect(ok.body.error_count).toBe(0);
    expect(entry(ok.body, 'connector.plugin.version')).toEqual({
      name: 'connector.plugin.version',
      value: '[1.0,2.0)',
      recommended_values: ['1.0.0', '2.0.0'],
      errors: [],
      visible: true,
    });
    expect(ok.body.configs.map((c: { value: { name: string } }) => c.value.name)).toContain('only.in.1.0.0');
    const bad = await api('PUT', '/connector-plugins/VersionedSource/config/validate', { ...base, name: 'v', 'connector.plugin.version': '3.0' });
    const msg = `Plugin ${CLS} not found that matches the version range [3.0,3.0], available versions: [1.0.0, 2.0.0]`;
    expect(entry(bad.body, 'connector.plugin.version').errors).toEqual([msg]);
    expect(entry(bad.body, 'connector.class').errors).toEqual([msg]);
    expect(bad.body.error_count).toBe(2);
    // Java answers 500 (a NullPointerException) here; the validation 400 is deliberate (docs/compatibility.md).
    const post = await api('POST', '/connectors', { name: unique('v3'), config: { ...base, 'connector.plugin.version': '3.0' } });
    expect(post.body).toEqual({ error_code: 400, message: INVALID([msg, msg]) });

    const name = unique('v1');
    expect((await api('POST', '/connectors', { name, config: { ...base, 'connector.plugin.version': '1.0.0' } })).status).toBe(201);
    await eventually(async () => (await api('GET', `/connectors/${name}/status`)).body.tasks?.[0]?.state === 'RUNNING', 15_000, 'running');
    const st = (await api('GET', `/connectors/${name}/status`)).body;
    expect([st.connector.version, st.tasks[0].version]).toEqual(['1.0.0', '1.0.0']);
    const latest = unique('v2');
    expect((await api('POST', '/connectors', { name: latest, config: base })).status).toBe(201);
    await eventually(async () => (await api('GET', `/connectors/${latest}/status`)).body.connector?.version === '2.0.0', 15_000, 'newest');
    await api('DELETE', `/connectors/${name}`);
    await api('DELETE', `/connectors/${latest}`);
  });
});
