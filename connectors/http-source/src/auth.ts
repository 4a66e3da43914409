/** Request authentication for listen routes: constant-time comparisons only. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ListenAuth } from './config';

/** Constant-time equality of two strings of any length (compares SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

const anyEqual = (candidates: readonly string[], given: string) => {
  let ok = false;
  for (const c of candidates) ok = safeEqual(c, given) || ok; // no early exit
  return ok;
};

export type AuthResult = { ok: true } | { ok: false; message: string; challenge?: string };

type HeaderBag = Record<string, string | string[] | undefined>;
const one = (h: HeaderBag, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Checks what can be checked from headers alone (everything but HMAC). */
export function checkHeaders(auth: ListenAuth, headers: HeaderBag): AuthResult {
  switch (auth.type) {
    case 'none':
    case 'hmac':
      return { ok: true };
    case 'bearer': {
      const m = /^Bearer\s+(.+)$/i.exec(one(headers, 'authorization') ?? '');
      if (!m) return { ok: false, message: 'missing bearer token', challenge: 'Bearer' };
      return anyEqual(auth.tokens, m[1]!.trim()) ? { ok: true } : { ok: false, message: 'invalid bearer token', challenge: 'Bearer error="invalid_token"' };
    }
    case 'basic': {
      const m = /^Basic\s+(.+)$/i.exec(one(headers, 'authorization') ?? '');
      if (!m) return { ok: false, message: 'missing basic credentials', challenge: 'Basic realm="kconnect"' };
      const decoded = Buffer.from(m[1]!.trim(), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const userOk = safeEqual(auth.username, i < 0 ? decoded : decoded.slice(0, i));
      const passOk = safeEqual(auth.password, i < 0 ? '' : decoded.slice(i + 1));
      return userOk && passOk ? { ok: true } : { ok: false, message: 'invalid basic credentials', challenge: 'Basic realm="kconnect"' };
    }
    case 'apikey': {
      const given = one(headers, auth.header);
      if (!given) return { ok: false, message: `missing API key header ${auth.header}` };
      return anyEqual(auth.keys, given) ? { ok: true } : { ok: false, message: 'invalid API key' };
    }
  }
}

/**
 * HMAC over the raw body: `hex(HMAC(secret, timestamp + "." + body))` when a timestamp header is configured (its
 * value in seconds or milliseconds since the epoch, within the tolerance: replays of old requests fail), else over
 * the body alone. The signature header may carry a prefix such as `sha256=`; hex or base64 are accepted.
 */
export function checkHmac(auth: ListenAuth, headers: HeaderBag, body: Buffer, now = Date.now()): AuthResult {
  if (auth.type !== 'hmac') return { ok: true };
  let sig = one(headers, auth.header);
  if (!sig) return { ok: false, message: `missing signature header ${auth.header}` };
  sig = sig.trim();
  if (auth.prefix && sig.toLowerCase().startsWith(auth.prefix.toLowerCase())) sig = sig.slice(auth.prefix.length);
  const mac = createHmac(auth.algorithm, auth.secret);
  if (auth.timestampHeader) {
    const ts = one(headers, auth.timestampHeader);
    if (!ts || !/^\d+$/.test(ts.trim())) return { ok: false, message: `missing or invalid timestamp header ${auth.timestampHeader}` };
    const n = Number(ts.trim());
    const ms = n > 1e12 ? n : n * 1000;
    if (Math.abs(now - ms) > auth.toleranceMs) return { ok: false, message: 'signature timestamp outside the tolerance (replay?)' };
    mac.update(`${ts.trim()}.`);
  }
  const digest = mac.update(body).digest();
  const hexOk = safeEqual(digest.toString('hex'), sig.toLowerCase());
  const b64Ok = safeEqual(digest.toString('base64'), sig);
  return hexOk || b64Ok ? { ok: true } : { ok: false, message: 'invalid signature' };
}
