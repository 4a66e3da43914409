/**
 * One error handler for a task (Java's RetryWithToleranceOperator): retries retriable failures with exponential
 * backoff (300 ms × 2^(n−1), capped by `errors.retry.delay.max.ms`) until `errors.retry.timeout`, then either
 * fails the task (`errors.tolerance=none`) or reports the record (log, dead letter queue) and skips it (`all`).
 */
import { ConnectError, isRetriable, type SourceRecord } from '@kconnect/api';
import type { Logger } from '../logging';

export type Stage = 'TASK_POLL' | 'TASK_PUT' | 'TRANSFORMATION' | 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

/** What went wrong, where, with which record: handed to every reporter. */
export interface ErrorContext {
  stage: Stage;
  /** Plugin class executing at the failure (converter, transform or task class). */
  className: string;
  error: Error;
  /** The consumed Kafka record (sinks), when there is one. */
  consumed?: {
    topic: string;
    partition: number;
    offset: number;
    key: Uint8Array | null;
    value: Uint8Array | null;
    headers: Array<[string, Uint8Array | null]>;
  };
  /** The source record as the task returned it from poll() (sources), when there is one. */
  sourceRecord?: SourceRecord;
}

export interface ErrorReporter {
  report(ctx: ErrorContext): Promise<void>;
}

export interface ErrorHandlerConfig {
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  toleranceAll: boolean;
}

export class ToleranceExceededError extends ConnectError {
  constructor(
    readonly stage: Stage,
    cause: Error,
  ) {
    super(`Tolerance exceeded in error handler (stage ${stage}): ${cause.message}`, { cause, code: 'TOLERANCE_EXCEEDED' });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ErrorHandler {
  /** Set when the task stops: retries end at once. */
  stopping = false;
  private closers: Array<() => Promise<void>> = [];
  constructor(
    readonly config: ErrorHandlerConfig,
    private readonly reporters: ErrorReporter[],
    private readonly log: Logger,
    /** Called once per record skipped under `errors.tolerance=all` (task-error metrics). */
    private readonly onSkip: () => void = () => undefined,
  ) {}

  /**
   * Runs `fn` with retries and tolerance. Returns its result, or `undefined` when the failure was tolerated
   * (the caller skips the record). Throws {@link ToleranceExceededError} when the task must fail.
   */
  async execute<T>(stage: Stage, className: string, fn: () => T | Promise<T>, ctx: Partial<ErrorContext> = {}): Promise<T | undefined> {
    const start = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        const deadline = this.config.retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : start + this.config.retryTimeoutMs;
        if (isRetriable(error) && Date.now() < deadline && !this.stopping) {
          const delay = Math.min(300 * 2 ** (attempt - 1), this.config.retryDelayMaxMs, deadline - Date.now());
          this.log.debug({ err: error, stage, attempt }, 'retrying after a retriable error');
          await sleep(Math.max(0, delay));
          continue;
        }
        return this.fail(stage, className, error, ctx);
      }
    }
  }

  /**
   * Like {@link execute}, but synchronous while `fn` is (the hot path: JSON and String conversion, transforms):
   * returns `fn`'s value directly, and a promise only when `fn` returned one or a failure must be retried or
   * reported.
   */
  run<T>(stage: Stage, className: string, fn: () => T | Promise<T>, ctx: Partial<ErrorContext> = {}): T | undefined | Promise<T | undefined> {
    const onError = (e: unknown): Promise<T | undefined> => {
      const error = e instanceof Error ? e : new Error(String(e));
      return isRetriable(error) && this.config.retryTimeoutMs !== 0 ? this.execute(stage, className, fn, ctx) : this.fail(stage, className, error, ctx);
    };
    try {
      const r = fn();
      return r instanceof Promise ? r.catch(onError) : r;
    } catch (e) {
      return onError(e);
    }
  }

  /** Registers cleanup for the reporters' resources (e.g. the DLQ producer). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((fn) => fn()));
  }

  private async fail(stage: Stage, className: string, error: Error, ctx: Partial<ErrorContext>): Promise<undefined> {
    if (!this.config.toleranceAll) throw new ToleranceExceededError(stage, error);
    this.onSkip();
    const full: ErrorContext = { ...ctx, stage, className, error };
    for (const r of this.reporters) await r.report(full);
    return undefined;
  }
}

/** `errors.log.enable`: one log line per tolerated error, with the record when `errors.log.include.messages`. */
export class LogReporter implements ErrorReporter {
  constructor(
    private readonly log: Logger,
    private readonly connector: string,
    private readonly includeMessages: boolean,
  ) {}
  async report(ctx: ErrorContext): Promise<void> {
    const where = ctx.consumed ? { topic: ctx.consumed.topic, partition: ctx.consumed.partition, offset: ctx.consumed.offset } : {};
    const record = this.includeMessages ? { record: ctx.consumed ?? ctx.sourceRecord } : {};
    this.log.error(
      { err: ctx.error, stage: ctx.stage, class: ctx.className, ...where, ...record },
      `Error encountered in task ${this.connector}. Executing stage '${ctx.stage}' with class '${ctx.className}'.`,
    );
  }
}
