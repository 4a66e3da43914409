import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@kconnect/api';
import {
  type ConfigProvider,
  ConfigResolutionError,
  ConfigTransformer,
  createConfigProviders,
  DirectoryConfigProvider,
  EnvVarConfigProvider,
  FileConfigProvider,
  hasPlaceholder,
  placeholders,
  reverseTransform,
} from './config-providers';
import { parseWorkerConfig } from './worker-config';

describe('config providers', () => {
  let dir: string;
  let secrets: string;
  let outside: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kconnect-cp-'));
    secrets = path.join(dir, 'secrets');
    outside = path.join(dir, 'outside');
    mkdirSync(secrets);
    mkdirSync(outside);
    writeFileSync(path.join(secrets, 'db.properties'), 'user=alice\npassword = s3cr:et\\u0021\n# comment\n');
    writeFileSync(path.join(secrets, 'token'), 'tok\n');
    writeFileSync(path.join(outside, 'other.properties'), 'password=leak\n');
    symlinkSync(path.join(outside, 'other.properties'), path.join(secrets, 'link.properties'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses placeholders with Java ConfigTransformer pattern (path optional, lazy groups)', () => {
    expect(placeholders('jdbc:${file:/a/b.properties:url}?x=${env:HOME}')).toEqual([
      { text: '${file:/a/b.properties:url}', provider: 'file', path: '/a/b.properties', key: 'url' },
      { text: '${env:HOME}', provider: 'env', path: '', key: 'HOME' },
    ]);
    // The path ends at the first colon after the provider (Java's reluctant groups): the rest is the key.
    expect(placeholders('${file:/a:b:c}')[0]).toMatchObject({ path: '/a', key: 'b:c' });
    expect(hasPlaceholder('no ${placeholder} here')).toBe(false);
    expect(hasPlaceholder('${x:y}')).toBe(true);
  });

  it('resolves file, directory and env placeholders in one pass, keeping the input unchanged', () => {
    const t = new ConfigTransformer(
      new Map<string, ConfigProvider>([
        ['file', new FileConfigProvider({})],
        ['dir', new DirectoryConfigProvider({})],
        ['env', new EnvVarConfigProvider({ 'allowlist.pattern': 'KC_.*' }, 'env', { KC_A: 'a', OTHER: 'o' })],
      ]),
    );
    const raw = {
      u: '${file:' + path.join(secrets, 'db.properties') + ':user}',
      p: 'pw=${file:' + path.join(secrets, 'db.properties') + ':password};${file:' + path.join(secrets, 'db.properties') + ':user}',
      t: '${dir:' + secrets + ':token}',
      e: '${env:KC_A}',
      unknown: '${vault:secret/x:y}',
      plain: 'x',
    };
    const out = t.transform(raw, { mode: 'strict' });
    expect(out).toEqual({ u: 'alice', p: 'pw=s3cr:et!;alice', t: 'tok\n', e: 'a', unknown: '${vault:secret/x:y}', plain: 'x' });
    expect(raw.u).toContain('${file:');
  });

  it('strict mode fails naming every placeholder and key, never a value; lenient keeps them', () => {
    const file = path.join(secrets, 'db.properties');
    const t = new ConfigTransformer(
      new Map<string, ConfigProvider>([
        ['file', new FileConfigProvider({ 'allowed.paths': secrets })],
        ['env', new EnvVarConfigProvider({ 'allowlist.pattern': 'KC_.*' }, 'env', { OTHER: 'o' })],
      ]),
    );
    const raw = {
      a: `\${file:${file}:nope}`,
      b: `\${file:${path.join(secrets, 'missing.properties')}:x}`,
      c: `\${file:${path.join(outside, 'other.properties')}:password}`,
      d: `\${file:${path.join(secrets, 'link.properties')}:password}`,
      e: '${env:OTHER}',
      ok: `\${file:${file}:password}`,
    };
    let err: unknown;
    try {
      t.transform(raw, { mode: 'strict', what: 'connector config' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigResolutionError);
    const msg = (err as Error).message;
    expect(msg).toContain(`\${file:${file}:nope} in connector config key 'a': the key 'nope' was not found in ${file}`);
    expect(msg).toContain(`key 'b': Could not read properties from file ${path.join(secrets, 'missing.properties')}: ENOENT`);
    expect(msg).toContain(`key 'c': the path ${path.join(outside, 'other.properties')} is not allowed by allowed.paths`);
    // A symbolic link inside an allowed folder does not lead out of it.
    expect(msg).toContain(`key 'd': the path ${path.join(secrets, 'link.properties')} is not allowed by allowed.paths`);
    expect(msg).toContain("${env:OTHER} in connector config key 'e': the key 'OTHER' was not found by provider 'env'");
    expect(msg).not.toContain('s3cr');
    expect(msg).not.toContain('leak');
    expect(t.transform(raw, { mode: 'lenient' })).toEqual({ ...raw, ok: 's3cr:et!' });
    // Java's transformer: missing keys and refused paths stay, an unreadable file throws.
    expect(() => t.transform(raw, { mode: 'java' })).toThrow(/Could not read properties from file/);
  });

  it('re-reads the file on every resolution', () => {
    const f = path.join(dir, 'changing.properties');
    const t = new ConfigTransformer(new Map([['file', new FileConfigProvider({})]]));
    writeFileSync(f, 'topic=one\n');
    expect(t.transform({ topic: `\${file:${f}:topic}` }, { mode: 'strict' }).topic).toBe('one');
    writeFileSync(f, 'topic=two\n');
    expect(t.transform({ topic: `\${file:${f}:topic}` }, { mode: 'strict' }).topic).toBe('two');
  });

  it('rejects the env provider with a path, and bad provider settings', () => {
    expect(() => new EnvVarConfigProvider({}, 'env', {}).get('/x', new Set(['A']))).toThrow(
      "Path is not supported for EnvVarConfigProvider, invalid value '/x'",
    );
    expect(() => new FileConfigProvider({ 'allowed.paths': 'relative/dir' }, 'file')).toThrow(
      'Invalid value relative/dir for configuration config.providers.file.param.allowed.paths: Path relative/dir is not absolute',
    );
    expect(() => new FileConfigProvider({ 'allowed.paths': path.join(dir, 'nope') }, 'file')).toThrow(/does not exist/);
    expect(() => createConfigProviders({ 'config.providers': 'x' })).toThrow('Missing required configuration "config.providers.x.class"');
    expect(() => createConfigProviders({ 'config.providers': 'x', 'config.providers.x.class': 'com.acme.Vault' })).toThrow(ConfigError);
  });

  it('creates providers from worker keys (Java class names or simple names)', () => {
    const p = createConfigProviders({
      'config.providers': 'file, dir,env',
      'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      'config.providers.file.param.allowed.paths': secrets,
      'config.providers.dir.class': 'DirectoryConfigProvider',
      'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    });
    expect([...p.keys()]).toEqual(['file', 'dir', 'env']);
    expect(p.get('file')).toBeInstanceOf(FileConfigProvider);
    expect(p.get('dir')).toBeInstanceOf(DirectoryConfigProvider);
  });

  it('resolves the worker config itself (as Java AbstractConfig), keeping the provider keys', () => {
    const f = path.join(dir, 'worker-secrets.properties');
    const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret-jaas";';
    writeFileSync(f, `jaas=${jaas}\n`);
    const c = parseWorkerConfig({
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'config.providers': 'file',
      'config.providers.file.class': 'FileConfigProvider',
      'producer.sasl.jaas.config': `\${file:${f}:jaas}`,
    });
    expect(c.producer['sasl.jaas.config']).toBe(jaas);
    expect(c.configProviders.size).toBe(1);
  });

  it('reverse-transforms task configs: keys whose connector value is a placeholder get it back', () => {
    const raw = { name: 'c', topic: '${file:/s.properties:topic}', file: '/in.txt', password: 'x${env:PW}' };
    const tasks: Array<Record<string, string>> = [{ topic: 'resolved', file: '/in.txt', password: 'xsecret', 'task.class': 'T' }, { file: '/in.txt' }];
    expect(reverseTransform(raw, tasks)).toEqual([
      { topic: '${file:/s.properties:topic}', file: '/in.txt', password: 'x${env:PW}', 'task.class': 'T' },
      { file: '/in.txt' },
    ]);
  });
});
