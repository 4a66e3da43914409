/**
 * Errors that carry an HTTP status, and the one mapper from any error to Connect's `{error_code, message}`.
 */
import { ConfigError, ConnectError } from '@kconnect/api';

export class HttpError extends ConnectError {
  constructor(
    readonly status: number,
    message: string,
    cause?: unknown,
  ) {
    super(message, { code: `HTTP_${status}`, cause });
  }
}

export const notFound = (m: string) => new HttpError(404, m);
export const badRequest = (m: string) => new HttpError(400, m);
export const conflict = (m: string) => new HttpError(409, m);
export const forbidden = (m: string) => new HttpError(403, m);

/** Connect's error body and status for any error. */
export function toErrorResponse(err: unknown): { status: number; body: { error_code: number; message: string } } {
  let status = 500;
  if (err instanceof HttpError) status = err.status;
  else if (err instanceof ConfigError) status = 400;
  else if (err && typeof err === 'object' && 'statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    status = err.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  return { status, body: { error_code: status, message } };
}
