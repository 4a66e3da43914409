/** RFC 6901 JSON Pointers: `''` or `/` is the whole document, `/a/0/b` walks objects and arrays. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON Pointer must start with '/': ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at `tokens` in `doc`, or undefined when a step is missing. */
export function resolvePointer(doc: unknown, tokens: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(t)) return undefined;
      cur = cur[Number(t)];
    } else if (cur !== null && typeof cur === 'object') {
      cur = Object.hasOwn(cur, t) ? (cur as Record<string, unknown>)[t] : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A compiled pointer: `get(doc)`. */
export function pointer(p: string): (doc: unknown) => unknown {
  const tokens = parsePointer(p);
  return (doc) => resolvePointer(doc, tokens);
}

/** A scalar as a string (key, cursor, offset), objects as JSON; null/undefined stay null. */
export function scalarString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}
