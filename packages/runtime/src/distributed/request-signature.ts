/**
 * Signatures of requests between the workers of a cluster (Java's `InternalRequestSignature`): an HMAC of the
 * request body with the session key the leader keeps in the config topic, in `X-Connect-Authorization` (base64)
 * with its algorithm in `X-Connect-Request-Signature-Algorithm`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, forbidden } from '../rest/errors';
import type { SessionKey } from '../storage/kafka-config-store';

export const SIGNATURE_HEADER = 'x-connect-authorization';
export const ALGORITHM_HEADER = 'x-connect-request-signature-algorithm';
const ALGORITHMS: Record<string, string> = { HmacSHA256: 'sha256', HmacSHA384: 'sha384', HmacSHA512: 'sha512' };

export function newSessionKey(algorithm = 'HmacSHA256'): SessionKey {
  return { key: randomBytes(32).toString('base64'), algorithm, creationTimestamp: Date.now() };
}

function hmac(key: SessionKey, algorithm: string, body: string): Buffer {
  const hash = ALGORITHMS[algorithm];
  if (!hash) throw badRequest(`Unsupported signature algorithm: ${algorithm}`);
  return createHmac(hash, Buffer.from(key.key, 'base64')).update(body, 'utf8').digest();
}

export function signatureHeaders(key: SessionKey, body: string): Record<string, string> {
  return { [SIGNATURE_HEADER]: hmac(key, 'HmacSHA256', body).toString('base64'), [ALGORITHM_HEADER]: 'HmacSHA256' };
}

/** The algorithms this worker accepts (Java's `inter.worker.verification.algorithms` default). */
const VERIFICATION_ALGORITHMS = ['HmacSHA256'];

/**
 * Throws Java's 400 (no signature, an algorithm this worker does not accept, a signature that is not base64) or 403
 * (wrong, or made with another key) for a request that fails the check.
 */
export function verifySignature(key: SessionKey | null, headers: Record<string, string | string[] | undefined>, body: string): void {
  const sig = headers[SIGNATURE_HEADER];
  const alg = headers[ALGORITHM_HEADER];
  if (typeof sig !== 'string' || typeof alg !== 'string') throw badRequest('Internal request missing required signature');
  const illegal = /[^A-Za-z0-9+/=]/.exec(sig);
  if (illegal) throw badRequest(`Illegal base64 character ${illegal[0].charCodeAt(0).toString(16)}`);
  if (!VERIFICATION_ALGORITHMS.includes(alg))
    throw badRequest(
      `This worker does not support the '${alg}' key signing algorithm used by other workers. This worker is currently configured to use: [${VERIFICATION_ALGORITHMS.join(', ')}]. Check that all workers' configuration files permit the same set of signature algorithms, and correct any misconfigured worker and restart it.`,
    );
  if (!key) throw forbidden('Internal request contained invalid signature.');
  const expected = hmac(key, alg, body);
  const given = Buffer.from(sig, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forbidden('Internal request contained invalid signature.');
}
