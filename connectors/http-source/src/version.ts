import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // `src/` under jest, `dist/` once built: package.json is one level up in both cases.
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through
  }
  return '0.0.0';
}

export const VERSION: string = readVersion();
