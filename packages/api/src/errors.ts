/**
 * Error classes shared by plugins and the runtime. Every error carries a stable `code`, a `retriable` flag and an
 * optional `cause`, so the runtime can decide between retrying, tolerating and failing, and the REST layer can map
 * any error to Connect's `{error_code, message}` body.
 */

/** Base class of every error the runtime and plugins throw on purpose. */
export class ConnectError extends Error {
  /** Stable, machine-readable code, e.g. `CONNECT_ERROR`, `DATA_ERROR`, `CONFIG_INVALID`. */
  readonly code: string;
  /** Whether repeating the same operation may succeed (e.g. a timeout, a broker that is not ready). */
  readonly retriable: boolean;

  constructor(message: string, options: { cause?: unknown; code?: string; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'CONNECT_ERROR';
    this.retriable = options.retriable ?? false;
  }
}

/**
 * A transient failure: the runtime retries the operation (a sink's `put` is redelivered with the same records,
 * a source's `poll` is called again) with back-off, instead of failing the task.
 */
export class RetriableError extends ConnectError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'RETRIABLE', retriable: true });
  }
}

/** Data that cannot be converted, validated or written: never retried, subject to `errors.tolerance`. */
export class DataError extends ConnectError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'DATA_ERROR', retriable: false });
  }
}

/** An invalid configuration value. `name` is the config key at fault, when known. */
export class ConfigError extends ConnectError {
  readonly configName: string | undefined;
  constructor(message: string, options: { cause?: unknown; name?: string } = {}) {
    super(message, { cause: options.cause, code: 'CONFIG_INVALID', retriable: false });
    this.configName = options.name;
  }
}

/** Whether an error (ours or a library's) says the operation may succeed when repeated. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ConnectError) return err.retriable;
  if (err && typeof err === 'object' && 'retriable' in err) return Boolean((err as { retriable: unknown }).retriable);
  return false;
}
