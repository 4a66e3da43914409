import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from './plugin';

describe('packageVersion', () => {
  it("reads the version of the package.json above the module's folder", () => {
    const expected = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(packageVersion(__dirname)).toBe(expected);
    expect(expected).toMatch(/^\d+\.\d+\.\d+/);
  });
  it('falls back to 0.0.0 without a readable package.json', () => {
    expect(packageVersion('/nonexistent/dir/src')).toBe('0.0.0');
  });
});
