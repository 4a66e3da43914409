/**
 * Config providers on a real worker and broker: `${file:...}`, `${dir:...}` and `${env:...}` placeholders in a
 * FileStreamSource config are resolved when the connector and its tasks start (again on each restart), never
 * stored or shown resolved by any REST answer; a placeholder that cannot be resolved fails the connector with a
 * trace naming it; `allowed.paths` is enforced.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, readTopics, startWorker, unique, type WorkerHandle } from './harness';

describe('config providers', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  let secrets: string;
  const topics: string[] = [];
  const groups: string[] = [];
  const ENV = `KCONNECT_IT_TOPIC_${process.pid}`;

  beforeAll(async () => {
    admin = await kafkaAdmin();
    // The worker's temp folder is made by startWorker; the provider's allowed folder must exist before it starts.
    secrets = path.join(process.env.TMPDIR ?? '/tmp', unique('kconnect-secrets'));
    mkdirSync(secrets, { recursive: true });
    w = await startWorker({
      'config.providers': 'file,dir,env',
      'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      'config.providers.file.param.allowed.paths': secrets,
      'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
      'config.providers.dir.param.allowed.paths': secrets,
      'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      'config.providers.env.param.allowlist.pattern': 'KCONNECT_IT_.*',
    });
  });
  afterAll(async () => {
    await w.stop();
    rmSync(secrets, { recursive: true, force: true });
    delete process.env[ENV];
    await admin.deleteTopics(topics).catch(() => undefined);
    for (const g of groups) await admin.deleteGroup(g).catch(() => undefined);
    await admin.close();
  });

  const input = (name: string, lines: string[]) => {
    const file = path.join(w.dir, `${name}.txt`);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    return file;
  };

  async function valuesIn(topic: string, n: number): Promise<string[]> {
    const reader = await readTopics([topic], groups);
    try {
      await eventually(() => reader.records.length >= n, 30_000, `${n} records in ${topic}`);
    } finally {
      await reader.stop();
    }
    return reader.records.map((r) => String(r.value));
  }

  /** Every REST answer about the connector, as text. */
  async function everything(name: string): Promise<string> {
    const answers = await Promise.all(
      [
        `/connectors/${name}`,
        `/connectors/${name}/config`,
        `/connectors/${name}/tasks`,
        `/connectors/${name}/status`,
        `/connectors/${name}/tasks/0/status`,
        '/connectors?expand=info&expand=status',
        `/connectors/${name}/offsets`,
      ].map((p) => w.api('GET', p)),
    );
    return JSON.stringify(answers.map((a) => a.body));
  }

  it('resolves ${file:...} when the connector starts, shows only the placeholder, and re-reads the file on restart', async () => {
    const name = unique('cp-file');
    const first = unique('cp-topic-a');
    const second = unique('cp-topic-b');
    topics.push(first, second);
    const props = path.join(secrets, `${name}.properties`);
    writeFileSync(props, `topic=${first}\n`);
    const placeholder = `\${file:${props}:topic}`;
    const file = input(name, ['one', 'two']);
    const res = await w.api('POST', '/connectors', { name, config: { 'connector.class': 'FileStreamSource', file, topic: placeholder } });
    expect(res.status).toBe(201);
    expect(res.body.config.topic).toBe(placeholder);
    expect(await valuesIn(first, 2)).toEqual(['one', 'two']);

    // Config, connector info, task configs, expand=info and status: the placeholder, never the value.
    expect((await w.api('GET', `/connectors/${name}/config`)).body.topic).toBe(placeholder);
    expect((await w.api('GET', `/connectors/${name}/tasks`)).body[0].config.topic).toBe(placeholder);
    const expanded = (await w.api('GET', '/connectors?expand=info')).body[name].info;
    expect(expanded.config.topic).toBe(placeholder);
    const shown = await everything(name);
    expect(shown).not.toContain(first);
    // The validation answer shows the value as written, too.
    const v = await w.api('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      name,
      'connector.class': 'FileStreamSource',
      file,
      topic: placeholder,
    });
    expect(v.status).toBe(200);
    expect(v.body.error_count).toBe(0);
    expect(v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'topic').value.value).toBe(placeholder);

    // The file changes; a restart of the connector and its tasks reads it again.
    writeFileSync(props, `topic=${second}\n`);
    writeFileSync(file, 'one\ntwo\nthree\n');
    const restart = await w.api('POST', `/connectors/${name}/restart?includeTasks=true`);
    expect(restart.status).toBe(202);
    expect(await valuesIn(second, 1)).toEqual(['three']);
    expect((await w.api('GET', `/connectors/${name}/tasks`)).body[0].config.topic).toBe(placeholder);
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('fails the connector with a trace naming the placeholder when a key is missing, without the file content', async () => {
    const name = unique('cp-missing');
    const props = path.join(secrets, `${name}.properties`);
    writeFileSync(props, 'password=hunter2-do-not-show\n');
    const placeholder = `\${file:${props}:topic}`;
    const res = await w.api('POST', '/connectors', { name, config: { 'connector.class': 'FileStreamSource', file: input(name, ['x']), topic: placeholder } });
    expect(res.status).toBe(201);
    const status = await eventually(async () => {
      const s = await w.api('GET', `/connectors/${name}/status`);
      return s.body.connector.state === 'FAILED' ? s.body : null;
    });
    expect(status.tasks).toEqual([]);
    expect(status.connector.trace).toContain(`${placeholder} in connector config key 'topic': the key 'topic' was not found in ${props}`);
    expect(status.connector.trace).toMatch(/^ConfigResolutionError: Failed to resolve a config provider placeholder/);
    expect(await everything(name)).not.toContain('hunter2');

    // Once the key is there, a restart starts it.
    const topic = unique('cp-fixed');
    topics.push(topic);
    writeFileSync(props, `password=hunter2-do-not-show\ntopic=${topic}\n`);
    expect((await w.api('POST', `/connectors/${name}/restart`)).status).toBe(204);
    expect(await valuesIn(topic, 1)).toEqual(['x']);
    await eventually(async () => (await w.api('GET', `/connectors/${name}/status`)).body.tasks[0]?.state === 'RUNNING');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('enforces allowed.paths and reports a missing file', async () => {
    const name = unique('cp-outside');
    const outside = path.join(w.dir, 'outside.properties');
    writeFileSync(outside, 'topic=should-not-be-read\n');
    const missing = path.join(secrets, 'does-not-exist.properties');
    const res = await w.api('POST', '/connectors', {
      name,
      config: { 'connector.class': 'FileStreamSource', file: `\${file:${missing}:file}`, topic: `\${file:${outside}:topic}` },
    });
    expect(res.status).toBe(201);
    const trace: string = await eventually(async () => {
      const s = await w.api('GET', `/connectors/${name}/status`);
      return s.body.connector.state === 'FAILED' ? s.body.connector.trace : null;
    });
    expect(trace).toContain('Failed to resolve 2 config provider placeholders');
    expect(trace).toContain(`key 'topic': the path ${outside} is not allowed by allowed.paths`);
    expect(trace).toContain(`key 'file': Could not read properties from file ${missing}: ENOENT`);
    expect(trace).not.toContain('should-not-be-read');
    await w.api('DELETE', `/connectors/${name}`);
  });

  it('resolves ${env:NAME} and ${dir:path:file}; leaves an unknown provider alias as written (as Java)', async () => {
    const name = unique('cp-env');
    const topic = unique('cp-env-topic');
    topics.push(topic);
    process.env[ENV] = topic;
    writeFileSync(path.join(secrets, 'batch'), '7');
    const res = await w.api('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSource',
        file: input(name, ['from env']),
        topic: `\${env:${ENV}}`,
        'batch.size': `\${dir:${secrets}:batch}`,
      },
    });
    expect(res.status).toBe(201);
    expect(await valuesIn(topic, 1)).toEqual(['from env']);
    expect((await w.api('GET', `/connectors/${name}/tasks`)).body[0].config).toMatchObject({
      topic: `\${env:${ENV}}`,
      'batch.size': `\${dir:${secrets}:batch}`,
    });
    await w.api('DELETE', `/connectors/${name}`);

    // An alias the worker does not configure is not a placeholder to it: the text goes to the connector as is.
    const v = await w.api('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      name,
      'connector.class': 'FileStreamSource',
      topic: 't',
      'batch.size': '${vault:secret/db:size}',
    });
    expect(v.body.error_count).toBe(1);
    expect(v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'batch.size').value.errors[0]).toContain('${vault:secret/db:size}');
  });
});
