import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ConnectError, SinkConnector, SourceConnector } from '@kconnect/api';
import type { OffsetMap } from '@kconnect/api';
import { FileStreamSinkConnector, FileStreamSinkTask, FileStreamSourceConnector, FileStreamSourceTask, plugins } from './index';
import { connectorContext } from './test-helpers';

const init = <C extends { initialize(c: ReturnType<typeof connectorContext>): void }>(c: C): C => {
  c.initialize(connectorContext());
  return c;
};

const pkgVersion = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

const errorsOf = (values: { name: string; errors: string[] }[]) => Object.fromEntries(values.filter((v) => v.errors.length > 0).map((v) => [v.name, v.errors]));

describe('plugins', () => {
  test('descriptors with Java class names', () => {
    expect(plugins.map((p) => [p.className, p.type, p.version])).toEqual([
      ['org.apache.kafka.connect.file.FileStreamSourceConnector', 'source', pkgVersion],
      ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink', pkgVersion],
    ]);
    expect(plugins[0]!.create()).toBeInstanceOf(FileStreamSourceConnector);
    expect(plugins[0]!.create()).toBeInstanceOf(SourceConnector);
    expect(plugins[1]!.create()).toBeInstanceOf(FileStreamSinkConnector);
    expect(plugins[1]!.create()).toBeInstanceOf(SinkConnector);
    expect(plugins[0]!.create()).not.toBe(plugins[0]!.create());
  });
});

describe('FileStreamSourceConnector', () => {
  const connector = init(new FileStreamSourceConnector());

  test('config keys as Java', () => {
    expect(
      connector
        .config()
        .toConfigKeyInfos()
        .map((k) => [k.name, k.type, k.required, k.default_value, k.importance]),
    ).toEqual([
      ['file', 'STRING', false, null, 'HIGH'],
      ['topic', 'STRING', true, null, 'HIGH'],
      ['batch.size', 'INT', false, '2000', 'LOW'],
    ]);
  });

  test('validate: a valid config has no errors', async () => {
    expect(errorsOf(await connector.validate({ file: '/tmp/x', topic: 't', 'batch.size': '10' }))).toEqual({});
    expect(errorsOf(await connector.validate({ topic: 't' }))).toEqual({});
  });

  test('validate: missing topic, empty topic, a list of topics, bad batch.size', async () => {
    expect(errorsOf(await connector.validate({ file: '/tmp/x' }))).toEqual({
      topic: ['Missing required configuration "topic" which has no default value.'],
    });
    expect(errorsOf(await connector.validate({ topic: '' }))).toEqual({
      topic: ['Invalid value  for configuration topic: String must be non-empty'],
    });
    expect(errorsOf(await connector.validate({ topic: 'a,b' }))).toEqual({
      topic: ["Invalid value a,b for configuration topic: 'topic' in FileStreamSourceConnector configuration requires definition of a single topic"],
    });
    expect(errorsOf(await connector.validate({ topic: 't', 'batch.size': '0' }))).toEqual({
      'batch.size': ['Invalid value 0 for configuration batch.size: Value must be at least 1'],
    });
    expect(errorsOf(await connector.validate({ topic: 't', 'batch.size': 'many' }))).toEqual({
      'batch.size': ['Invalid value many for configuration batch.size: Not a number of type INT'],
    });
  });

  test('start rejects an invalid config', () => {
    expect(() => init(new FileStreamSourceConnector()).start({ file: '/tmp/x' })).toThrow(ConfigError);
    expect(() => init(new FileStreamSourceConnector()).start({ topic: 't', 'batch.size': '0' })).toThrow(ConfigError);
  });

  test('one task config, equal to the connector config, whatever maxTasks', () => {
    const c = init(new FileStreamSourceConnector());
    const props = { 'connector.class': 'FileStreamSource', name: 'src', file: '/tmp/x', topic: 't', 'tasks.max': '4' };
    c.start(props);
    expect(c.taskConfigs(4)).toEqual([props]);
    expect(c.taskConfigs(1)).toEqual([props]);
    expect(c.taskClass()).toBe(FileStreamSourceTask);
    expect(c.version()).toBe(pkgVersion);
    c.stop();
  });

  test('exactly-once is supported for files, not stdin', () => {
    expect(connector.exactlyOnceSupport({ file: '/tmp/x', topic: 't' })).toBe('SUPPORTED');
    expect(connector.exactlyOnceSupport({ topic: 't' })).toBe('UNSUPPORTED');
    expect(connector.exactlyOnceSupport({ file: '', topic: 't' })).toBe('UNSUPPORTED');
  });

  describe('alterOffsets', () => {
    const props = { file: '/tmp/in.txt', topic: 't' };
    const alter =
      (entries: [OffsetMap, OffsetMap | null][], p: Record<string, string> = props) =>
      () =>
        connector.alterOffsets(p, new Map(entries));

    test('accepts positions and tombstones (also of unrelated partitions)', () => {
      expect(
        alter([
          [{ filename: '/tmp/in.txt' }, { position: 0 }],
          [{ filename: '/old.txt' }, { position: 123 }],
        ])(),
      ).toBe(true);
      expect(alter([[{ garbage: 1 }, null]])()).toBe(true);
      expect(alter([])()).toBe(true);
    });

    test('rejects offsets when reading stdin', () => {
      expect(alter([[{ filename: null }, null]], { topic: 't' })).toThrow(
        "Offsets cannot be modified if the 'file' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.",
      );
    });

    test('rejects bad offsets with Java messages', () => {
      const p = { filename: '/tmp/in.txt' };
      expect(alter([[p, { pos: 1 }]])).toThrow("Offset objects should either be null or contain the key 'position'");
      expect(alter([[p, { position: '10' }]])).toThrow("The value for the 'position' key in the offset is expected to be a Long value");
      expect(alter([[p, { position: 1.5 }]])).toThrow("The value for the 'position' key in the offset is expected to be a Long value");
      expect(alter([[p, { position: null }]])).toThrow("The value for the 'position' key in the offset is expected to be a Long value");
      expect(alter([[p, { position: -1 }]])).toThrow("The value for the 'position' key in the offset should be a non-negative value");
      expect(alter([[p, { position: -1 }]])).toThrow(ConnectError);
    });

    test('rejects partitions without a string filename', () => {
      expect(alter([[{ file: '/tmp/in.txt' }, { position: 1 }]])).toThrow("Partition objects should contain the key 'filename'");
      expect(alter([[{ filename: 7 }, { position: 1 }]])).toThrow("The value for the 'filename' key in the partition is expected to be a String value");
    });
  });
});

describe('FileStreamSinkConnector', () => {
  test('config has only file', () => {
    const c = init(new FileStreamSinkConnector());
    expect(
      c
        .config()
        .toConfigKeyInfos()
        .map((k) => [k.name, k.type, k.required, k.default_value]),
    ).toEqual([['file', 'STRING', false, null]]);
    expect(errorsOf(c.validate({ topics: 'a' }) as { name: string; errors: string[] }[])).toEqual({});
  });

  test('maxTasks copies of the config', () => {
    const c = init(new FileStreamSinkConnector());
    const props = { name: 'sink', topics: 'a,b', file: '/tmp/out.txt' };
    c.start(props);
    const configs = c.taskConfigs(3);
    expect(configs).toEqual([props, props, props]);
    expect(configs[0]).not.toBe(configs[1]);
    expect(c.taskClass()).toBe(FileStreamSinkTask);
    expect(c.version()).toBe(pkgVersion);
    expect(c.alterOffsets(props, new Map([[{ topic: 'a', partition: 0 }, 5]]))).toBe(true);
  });
});
