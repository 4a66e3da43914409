import { compareVersions, InvalidVersionSpecError, parseVersionRange } from './versions';

describe('plugin version ranges (KIP-891, Maven syntax as Java 4.1 reads them)', () => {
  it('orders versions as Maven does', () => {
    expect(['2.0.0', '1.10', '1.2', '1.0-rc1', '1.0', '1.0-SNAPSHOT', '1.0.1'].sort(compareVersions)).toEqual([
      '1.0-rc1',
      '1.0-SNAPSHOT',
      '1.0',
      '1.0.1',
      '1.2',
      '1.10',
      '2.0.0',
    ]);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
  });

  it('takes a bare version as a hard requirement, printed as Java prints it', () => {
    const r = parseVersionRange(' 4.1.2');
    expect([r.text, r.matches('4.1.2'), r.matches('4.1.3')]).toEqual(['[4.1.2,4.1.2]', true, false]);
    expect(parseVersionRange('').text).toBe('[,]');
  });

  it('matches ranges, open ends and unions', () => {
    const m = (spec: string, v: string) => parseVersionRange(spec).matches(v);
    expect([m('[1.0,2.0)', '1.0'), m('[1.0,2.0)', '2.0'), m('(1.0,2.0]', '1.0'), m('(1.0,2.0]', '2.0')]).toEqual([true, false, false, true]);
    expect([m('(,4.1.2]', '0.1'), m('[4.0,)', '9'), m('[1.5]', '1.5'), m('[1.5]', '1.6')]).toEqual([true, true, true, false]);
    expect([m('[1.0,2.0),[4.0,)', '4.1.2'), m('[1.0,2.0),[4.0,)', '3.0')]).toEqual([true, false]);
  });

  it("rejects malformed ranges with Java's message", () => {
    for (const spec of ['[1.0', '[1.0,2.0', '(1.0)', '[,1.0]', '[2.0,1.0]', '[1.0,2.0],', '[1.0,2.0]x', '[1,2,3]'])
      expect(() => parseVersionRange(spec)).toThrow(new InvalidVersionSpecError(`Invalid version specification: ${spec}`));
  });
});
