import { parseProperties, withPrefix } from './properties';

describe('parseProperties', () => {
  it('reads Java properties syntax', () => {
    const p = parseProperties(
      ['# comment', '! also', 'a=1', 'b : 2', 'c 3', '  d=x\\', '   y', 'e=tab\\tand\\u0041', 'f=', 'g\\=h=i', 'url=http://:8083'].join('\n'),
    );
    expect(p).toEqual({ a: '1', b: '2', c: '3', d: 'xy', e: 'tab\tandA', f: '', 'g=h': 'i', url: 'http://:8083' });
  });
  it('strips prefixes', () => {
    expect(withPrefix({ 'value.converter.schemas.enable': 'false', 'value.converter': 'X' }, 'value.converter.')).toEqual({ 'schemas.enable': 'false' });
  });
});
