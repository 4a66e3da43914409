/**
 * REST answers that match Apache Kafka Connect 4.1 to the status code and message, on a real worker and broker:
 * unknown connector classes, connector names, media types, methods, OPTIONS, `expand` and topics.
 */
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { checkResponse } from './openapi';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';

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
    // A request without a body is not refused for a stray Content-Type header.
    expect((await raw('GET', '/connectors', { 'content-type': 'text/plain' })).status).toBe(200);
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
    const opts = await raw('OPTIONS', '/connectors');
    expect(opts.status).toBe(200);
    expect(opts.headers.allow).toBe('GET,HEAD,OPTIONS,POST');
    expect(opts.text).toBe('');
    const one = await raw('OPTIONS', '/connectors/x', { accept: 'text/plain' });
    expect(one.status).toBe(200);
    expect(one.headers.allow).toBe('DELETE,GET,HEAD,OPTIONS');
    expect(one.text).toBe('DELETE, GET, HEAD, OPTIONS');
    // Unknown paths stay 404.
    expect((await raw('OPTIONS', '/nope')).status).toBe(404);
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
    expect(created.headers.get('location')).toBe(`/connectors/${name.replace(' ', '%20')}`);
    await eventually(async () => (await api('GET', `/connectors/${encodeURIComponent(name)}/status`)).status === 200, 10_000, 'status');
    expect((await api('DELETE', `/connectors/${encodeURIComponent(name)}`)).status).toBe(204);
  });
});
