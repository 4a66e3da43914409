import { ConfigDef, ConfigType, Importance, Password, Validators } from './config';

const def = new ConfigDef()
  .define({ name: 'file', type: ConfigType.STRING, default: null, importance: Importance.HIGH, documentation: 'f' })
  .define({ name: 'topic', type: ConfigType.STRING, importance: Importance.HIGH, documentation: 't', group: 'g' })
  .define({ name: 'batch.size', type: ConfigType.INT, default: 2000, importance: Importance.LOW, documentation: 'b', validator: Validators.atLeast(1) })
  .define({ name: 'mode', type: ConfigType.STRING, default: 'none', importance: Importance.LOW, documentation: 'm', validator: Validators.in(['none', 'all']) })
  .define({ name: 'hosts', type: ConfigType.LIST, default: 'a, b', importance: Importance.LOW, documentation: 'h' })
  .define({ name: 'secret', type: ConfigType.PASSWORD, default: null, importance: Importance.LOW, documentation: 's' });

describe('ConfigDef', () => {
  it('parses typed values with defaults', () => {
    const p = def.parse({ topic: 'x', 'batch.size': ' 10 ', secret: 'pw' });
    expect(p.file).toBeNull();
    expect(p['batch.size']).toBe(10);
    expect(p.hosts).toEqual(['a', 'b']);
    expect(p.secret).toBeInstanceOf(Password);
    expect(String(p.secret)).toBe('[hidden]');
    expect((p.secret as Password).value).toBe('pw');
  });
  it('reports every error with Java messages', () => {
    expect(() => def.parse({ 'batch.size': 'abc', mode: 'x' })).toThrow(
      [
        'Missing required configuration "topic" which has no default value.',
        'Invalid value abc for configuration batch.size: Not a number of type INT',
        'Invalid value x for configuration mode: String must be one of: none, all',
      ].join('\n'),
    );
    const v = def.validate({ topic: 't', 'batch.size': '0' });
    expect(v.find((c) => c.name === 'batch.size')!.errors).toEqual(['Invalid value 0 for configuration batch.size: Value must be at least 1']);
    expect(v.find((c) => c.name === 'topic')!.errors).toEqual([]);
  });
  it('renders ConfigKeyInfo as Connect does', () => {
    const infos = def.toConfigKeyInfos();
    expect(infos.find((i) => i.name === 'topic')).toEqual({
      name: 'topic',
      type: 'STRING',
      required: true,
      default_value: null,
      importance: 'HIGH',
      documentation: 't',
      group: 'g',
      order: -1,
      width: 'NONE',
      display_name: 'topic',
      dependents: [],
    });
    expect(infos.find((i) => i.name === 'hosts')!.default_value).toBe('a,b');
    expect(infos.find((i) => i.name === 'file')!.default_value).toBeNull();
    expect(def.groups()).toEqual(['g']);
  });
});
