/** Poll-mode endpoint configuration: `http.poll.endpoint.<name>.<key>`, falling back to `http.poll.<key>`. */
import { P, Scoped } from './config';

export type PollAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'apikey'; header: string; key: string; in: 'header' | 'query' }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope: string | null; clientAuth: 'basic' | 'body'; refreshBeforeMs: number };

export type Pagination =
  | { type: 'none' }
  | { type: 'offset'; offsetParam: string; limitParam: string; limit: number }
  | { type: 'page'; pageParam: string; start: number; sizeParam: string | null; size: number }
  | { type: 'cursor'; cursorPointer: string; cursorParam: string }
  | { type: 'next.url'; nextPointer: string }
  | { type: 'link' };

export interface EndpointConfig {
  name: string;
  url: string;
  method: string;
  query: string;
  headers: Array<[string, string]>;
  body: string | null;
  topic: string;
  intervalMs: number;
  recordsPointer: string;
  /** The part of each list element that becomes the record value. */
  recordPointer: string;
  /** Offset properties taken from the last record of a page (`${offset.<name>}` in templates). */
  offsetFields: Array<[string, string]>;
  /** Their values before the first record. */
  offsetInitial: Record<string, string>;
  keyPointer: string | null;
  timestampPointer: string | null;
  valueFormat: 'string' | 'json';
  auth: PollAuth;
  pagination: Pagination;
  sync: { mode: 'none' | 'timestamp' | 'id'; pointer: string | null; initial: string | null; overlap: number };
  retry: { max: number; backoffMs: number; maxBackoffMs: number };
  timeoutMs: number;
  ratePerSecond: number;
  allowPrivate: boolean;
}

function pollAuth(s: Scoped): PollAuth {
  const type = s.oneOf('auth.type', ['none', 'basic', 'bearer', 'apikey', 'oauth2'] as const, 'none');
  switch (type) {
    case 'none':
      return { type };
    case 'basic':
      return { type, username: s.str('auth.username'), password: s.str('auth.password') };
    case 'bearer':
      return { type, token: s.str('auth.token') };
    case 'apikey':
      return { type, header: s.str('auth.header', 'X-API-Key'), key: s.str('auth.key'), in: s.oneOf('auth.in', ['header', 'query'] as const, 'header') };
    case 'oauth2':
      return {
        type,
        tokenUrl: s.str('auth.oauth2.token.url'),
        clientId: s.str('auth.oauth2.client.id'),
        clientSecret: s.str('auth.oauth2.client.secret'),
        scope: s.opt('auth.oauth2.scope'),
        clientAuth: s.oneOf('auth.oauth2.client.auth', ['basic', 'body'] as const, 'basic'),
        refreshBeforeMs: s.int('auth.oauth2.refresh.before.ms', 30000),
      };
  }
}

function pagination(s: Scoped): Pagination {
  const type = s.oneOf('pagination.type', ['none', 'offset', 'page', 'cursor', 'next.url', 'link'] as const, 'none');
  switch (type) {
    case 'none':
    case 'link':
      return { type };
    case 'offset':
      return {
        type,
        offsetParam: s.str('pagination.offset.param', 'offset'),
        limitParam: s.str('pagination.limit.param', 'limit'),
        limit: s.int('pagination.limit', 100, 1),
      };
    case 'page':
      return {
        type,
        pageParam: s.str('pagination.page.param', 'page'),
        start: s.int('pagination.page.start', 1),
        sizeParam: s.opt('pagination.size.param'),
        size: s.int('pagination.size', 0),
      };
    case 'cursor':
      return {
        type,
        cursorPointer: s.pointer('pagination.cursor.pointer', '/next_cursor') ?? '/next_cursor',
        cursorParam: s.str('pagination.cursor.param', 'cursor'),
      };
    case 'next.url':
      return { type, nextPointer: s.pointer('pagination.next.pointer', '/next') ?? '/next' };
  }
}

/** Headers as `Name: value` pairs separated by newlines or `|`. */
function headerList(v: string | null): Array<[string, string]> {
  if (!v) return [];
  return v
    .split(/\n|\|/)
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => {
      const i = h.indexOf(':');
      return [h.slice(0, i).trim(), h.slice(i + 1).trim()] as [string, string];
    });
}

/**
 * `offset.initial.<name>` values: the endpoint's `http.poll.endpoint.<e>.offset.initial.<name>` keys over the
 * shared `http.poll.offset.initial.<name>` ones (the fallback every endpoint key has).
 */
function offsetInitial(props: Record<string, string>, s: Scoped): Record<string, string> {
  const out: Record<string, string> = {};
  for (const prefix of [`${s.fallback}offset.initial.`, `${s.prefix}offset.initial.`])
    for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  return out;
}

/** The endpoints (all, or only `only`), with their errors collected in `errors`. */
export function pollEndpoints(props: Record<string, string>, only: string[] | null, errors: Map<string, string[]>): EndpointConfig[] {
  const all = (props[`${P}endpoints`] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (all.length === 0) errors.set(`${P}endpoints`, [`Invalid value for configuration ${P}endpoints: poll mode needs at least one endpoint`]);
  const allowPrivate = (props['http.allow.private.addresses'] ?? 'false').trim().toLowerCase() === 'true';
  return all
    .filter((n) => !only || only.includes(n))
    .map((name) => {
      const s = new Scoped(props, `${P}endpoint.${name}.`, P, errors);
      const url = s.str('url');
      if (url && !/^https?:\/\//i.test(url)) s.error(s.keyOf('url'), `Invalid value ${url} for configuration ${s.keyOf('url')}: must be an http(s) URL`);
      const syncMode = s.oneOf('sync.mode', ['none', 'timestamp', 'id'] as const, 'none');
      const keyPointer = s.pointer('key.pointer', null);
      const timestampPointer = s.pointer('timestamp.pointer', null);
      const syncPointer = s.pointer('sync.pointer', syncMode === 'timestamp' ? timestampPointer : syncMode === 'id' ? keyPointer : null);
      if (syncMode !== 'none' && !syncPointer)
        s.error(s.keyOf('sync.pointer'), `Missing required configuration "${s.prefix}sync.pointer" for sync.mode=${syncMode}`);
      return {
        name,
        url,
        method: s.oneOf('method', ['GET', 'POST', 'PUT'] as const, 'GET'),
        query: s.str('query', ''),
        headers: headerList(s.opt('headers')),
        body: s.opt('body'),
        topic: s.str('topic'),
        intervalMs: s.int('interval.ms', 60000, 1),
        recordsPointer: s.pointer('records.pointer', '/') ?? '/',
        recordPointer: s.pointer('record.pointer', '/') ?? '/',
        offsetFields: s.list('offset.fields').map((f) => {
          const i = f.indexOf('=');
          const ptr = f.slice(i + 1).trim();
          if (i < 1 || !ptr.startsWith('/'))
            s.error(s.keyOf('offset.fields'), `Invalid value ${f} for configuration ${s.keyOf('offset.fields')}: expected name=/json/pointer`);
          return [f.slice(0, i).trim(), ptr] as [string, string];
        }),
        offsetInitial: offsetInitial(props, s),
        keyPointer,
        timestampPointer,
        valueFormat: s.oneOf('value.format', ['string', 'json'] as const, 'string'),
        auth: pollAuth(s),
        pagination: pagination(s),
        sync: { mode: syncMode, pointer: syncPointer, initial: s.opt('sync.initial'), overlap: s.int('sync.overlap', 0) },
        retry: { max: s.int('retry.max', 5), backoffMs: s.int('retry.backoff.ms', 500, 1), maxBackoffMs: s.int('retry.backoff.max.ms', 30000, 1) },
        timeoutMs: s.int('timeout.ms', 30000, 1),
        ratePerSecond: Number(s.raw('rate.limit.per.second') ?? '0') || 0,
        allowPrivate,
      };
    });
}
