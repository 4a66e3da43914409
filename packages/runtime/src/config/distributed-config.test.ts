import { parseDistributedConfig } from './distributed-config';

const base = { 'group.id': 'g', 'config.storage.topic': 'c', 'offset.storage.topic': 'o', 'status.storage.topic': 's' };

describe('distributed worker config', () => {
  it('refuses exactly.once.source.support=enabled, saying why and what to set', () => {
    expect(() => parseDistributedConfig({ ...base, 'exactly.once.source.support': 'enabled' })).toThrow(
      /Invalid value enabled for configuration exactly\.once\.source\.support: kconnect does not support exactly-once source connectors yet.*set it to 'disabled'/,
    );
    expect(() => parseDistributedConfig({ ...base, 'exactly.once.source.support': 'sometimes' })).toThrow(
      /Invalid value sometimes for configuration exactly\.once\.source\.support: String must be one of \(case insensitive\): DISABLED, PREPARING, ENABLED/,
    );
    expect(() => parseDistributedConfig({ ...base, 'exactly.once.source.support': 'PREPARING' })).not.toThrow();
    expect(() => parseDistributedConfig(base)).not.toThrow();
  });
});
