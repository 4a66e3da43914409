import type { PluginDescriptor } from '@kconnect/api';
import { PluginRegistry } from './registry';

const d = (className: string, type: PluginDescriptor['type']): PluginDescriptor => ({ className, type, version: '1', create: () => ({}) as never });

describe('PluginRegistry', () => {
  const reg = new PluginRegistry().register([
    d('org.apache.kafka.connect.file.FileStreamSourceConnector', 'source'),
    d('org.apache.kafka.connect.json.JsonConverter', 'converter'),
    d('a.Dup', 'sink'),
    d('b.Dup', 'sink'),
  ]);
  it('resolves full, simple and pruned names', () => {
    for (const n of ['org.apache.kafka.connect.file.FileStreamSourceConnector', 'FileStreamSourceConnector', 'FileStreamSource']) {
      expect(reg.resolve(n, ['source', 'sink'])?.className).toBe('org.apache.kafka.connect.file.FileStreamSourceConnector');
    }
    expect(reg.resolve('Json', ['converter'])?.className).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(reg.resolve('FileStreamSource', ['converter'])).toBeUndefined();
  });
  it('refuses ambiguous short names', () => {
    expect(reg.resolve('Dup', ['sink'])).toBeUndefined();
    expect(reg.resolve('a.Dup', ['sink'])?.className).toBe('a.Dup');
  });
});
