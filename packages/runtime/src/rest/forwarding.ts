/**
 * Distributed mode: requests only the group's leader may serve (connector configs, deletes, stop, restarts, offset
 * changes) are forwarded to the leader's advertised URL and its answer relayed as is, as Java's REST resources do.
 * Java's `forward` query parameter bounds the hops: a user's request (no parameter) is forwarded with
 * `forward=true`, which may be forwarded once more (the leadership moved meanwhile) with `forward=false`, which is
 * never forwarded. Beyond Java: a request that arrives during a rebalance waits for it to end (bounded) instead of
 * failing with 409.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { conflict } from './errors';
import type { RestFetch } from './tls';

/** Route patterns (method and fastify path) that only the leader serves. */
const LEADER_ONLY = new Set([
  'POST /connectors',
  'PUT /connectors/:c/config',
  'PATCH /connectors/:c/config',
  'DELETE /connectors/:c',
  'PUT /connectors/:c/stop',
  'POST /connectors/:c/restart',
  'PATCH /connectors/:c/offsets',
  'DELETE /connectors/:c/offsets',
  'POST /connectors/:c/tasks',
  'PUT /connectors/:c/fence',
]);

export interface Leadership {
  /** Waits (up to `timeoutMs`) for any rebalance to end; then null when this worker leads, else the leader's URL ('' when unknown). */
  leaderUrl(timeoutMs: number): Promise<string | null>;
}

/** How long a request waits for a rebalance to end before the 409 Java would answer at once. */
const SETTLE_TIMEOUT_MS = 60_000;

/** A fastify preHandler: true when it answered the request by forwarding it. */
export function leaderForwarder(leadership: Leadership, client: RestFetch = (url, init) => fetch(url, init)) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const route = `${req.method} ${req.routeOptions.url}`;
    if (!LEADER_ONLY.has(route)) return false;
    // A plain restart goes to the worker that runs the connector (the herder routes it, as a task restart).
    const q = req.query as Record<string, string | undefined>;
    if (route === 'POST /connectors/:c/restart' && q.includeTasks?.toLowerCase() !== 'true' && q.onlyFailed?.toLowerCase() !== 'true') return false;
    const target = await leadership.leaderUrl(SETTLE_TIMEOUT_MS);
    if (target === null) return false;
    const forward = (req.query as Record<string, string | undefined>).forward;
    if (forward !== undefined && forward.toLowerCase() !== 'true') {
      throw conflict('Cannot complete request because of a conflicting operation (e.g. worker rebalance)');
    }
    if (!target) throw conflict('Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.');
    const url = new URL(req.url.replace(/^\/+/, ''), target.endsWith('/') ? target : `${target}/`);
    url.searchParams.set('forward', String(forward === undefined));
    const headers: Record<string, string> = { accept: 'application/json' };
    // The user's `authorization` goes along: the leader authenticates and authorizes the user, not this worker.
    for (const h of ['content-type', 'authorization', 'x-connect-authorization', 'x-connect-request-signature-algorithm']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const raw = (req as { rawBody?: string }).rawBody;
    const res = await client(url, { method: req.method, headers, body: raw === undefined || raw === '' ? undefined : raw });
    reply.code(res.status);
    for (const h of ['content-type', 'www-authenticate']) {
      const v = res.headers.get(h);
      if (v) reply.header(h, v);
    }
    // As Java builds it on the worker the client asked: the leader's Location made absolute against this request.
    const location = res.headers.get('location');
    if (location) reply.header('location', `${req.protocol}://${req.headers.host ?? req.host}${new URL(location, 'http://leader').pathname}`);
    const text = await res.text();
    await reply.send(text === '' ? undefined : text);
    return true;
  };
}
