/**
 * Plugin versions as KIP-891 (Java Connect 4.1) reads them: `*.plugin.version` and `?version=` take a version or a
 * Maven version range (`[1.0,2.0)`, `(,2.0]`, `[1.0]`, several joined by commas). A bare version is a hard
 * requirement (`4.1.2` means `[4.1.2,4.1.2]`), as Java turns soft requirements into hard ones.
 */

export class InvalidVersionSpecError extends Error {}

interface Restriction {
  lower: string | null;
  lowerInclusive: boolean;
  upper: string | null;
  upperInclusive: boolean;
}

export interface VersionRange {
  /** As Java prints it in its messages (`[9.9,9.9]` for a bare `9.9`). */
  readonly text: string;
  matches(version: string): boolean;
}

/** Parses a version or range; throws {@link InvalidVersionSpecError} for a malformed range. */
export function parseVersionRange(spec: string): VersionRange {
  const s = spec.trim();
  if (!s.startsWith('[') && !s.startsWith('(')) {
    return { text: `[${s},${s}]`, matches: (v) => compareVersions(v, s) === 0 };
  }
  const invalid = () => new InvalidVersionSpecError(`Invalid version specification: ${spec}`);
  const restrictions: Restriction[] = [];
  let rest = s.replace(/\s+/g, '');
  while (rest.length) {
    const open = rest[0];
    if (open !== '[' && open !== '(') throw invalid();
    const close = rest.search(/[\])]/);
    if (close < 0) throw invalid();
    const inner = rest.slice(1, close);
    const closeChar = rest[close];
    const comma = inner.indexOf(',');
    if (comma < 0) {
      // `[1.0]` is an exact version; `(1.0)` is meaningless.
      if (open !== '[' || closeChar !== ']' || inner === '') throw invalid();
      restrictions.push({ lower: inner, lowerInclusive: true, upper: inner, upperInclusive: true });
    } else {
      if (inner.indexOf(',', comma + 1) >= 0) throw invalid();
      const lower = inner.slice(0, comma) || null;
      const upper = inner.slice(comma + 1) || null;
      if ((lower === null && open === '[') || (upper === null && closeChar === ']')) throw invalid();
      if (lower !== null && upper !== null && compareVersions(lower, upper) > 0) throw invalid();
      restrictions.push({ lower, lowerInclusive: open === '[', upper, upperInclusive: closeChar === ']' });
    }
    rest = rest.slice(close + 1);
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      if (!rest.length) throw invalid();
    } else if (rest.length) throw invalid();
  }
  const within = (r: Restriction, v: string) => {
    if (r.lower !== null) {
      const c = compareVersions(v, r.lower);
      if (c < 0 || (c === 0 && !r.lowerInclusive)) return false;
    }
    if (r.upper !== null) {
      const c = compareVersions(v, r.upper);
      if (c > 0 || (c === 0 && !r.upperInclusive)) return false;
    }
    return true;
  };
  return { text: s.replace(/\s+/g, ''), matches: (v) => restrictions.some((r) => within(r, v)) };
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone', cr: 'rc', ga: '', final: '', release: '' };

function items(v: string): Array<number | string> {
  return (
    v
      .trim()
      .toLowerCase()
      .match(/\d+|[a-z]+/g) ?? []
  ).map((t) => (/^\d+$/.test(t) ? Number(t) : (ALIASES[t] ?? t)));
}

function qualifierRank(q: string): [number, string] {
  const i = QUALIFIERS.indexOf(q);
  return i >= 0 ? [i, ''] : [QUALIFIERS.length, q];
}

/** Maven-like version order (numbers numerically; alpha < beta < milestone < rc < snapshot < release < sp < others). */
export function compareVersions(a: string, b: string): number {
  const x = items(a);
  const y = items(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? (typeof y[i] === 'number' ? 0 : '');
    const q = y[i] ?? (typeof x[i] === 'number' ? 0 : '');
    if (typeof p === 'number' && typeof q === 'number') {
      if (p !== q) return p < q ? -1 : 1;
    } else if (typeof p === 'number') {
      return 1;
    } else if (typeof q === 'number') {
      return -1;
    } else {
      const [rp, sp] = qualifierRank(p);
      const [rq, sq] = qualifierRank(q);
      if (rp !== rq) return rp < rq ? -1 : 1;
      if (sp !== sq) return sp < sq ? -1 : 1;
    }
  }
  return 0;
}

/** Java's message when no installed version of a plugin matches. */
export function versionNotFoundMessage(className: string, range: VersionRange, available: readonly string[]): string {
  return `Plugin ${className} not found that matches the version range ${range.text}, available versions: [${available.join(', ')}]`;
}
