/**
 * Runs writes: ops of one table and partition key form a chain of unlogged batches executed in order (same-key
 * order preserved); chains run concurrently under an adaptive in-flight limit (at most maxConcurrentRequests,
 * halved on timeouts/Overloaded, grown back on success) with exponential back-off between retries.
 */
import { types, errors as driverErrors, type Client } from 'cassandra-driver';
import type { Op } from './table';

const { responseErrorCodes } = types;
const NON_RETRIABLE_CODES = new Set<number>([
  responseErrorCodes.syntaxError,
  responseErrorCodes.unauthorized,
  responseErrorCodes.invalid,
  responseErrorCodes.configError,
  responseErrorCodes.alreadyExists,
  responseErrorCodes.protocolError,
  responseErrorCodes.badCredentials,
]);

/** Whether repeating the request may succeed (timeouts, unavailable, overloaded, no host, connection errors). */
export function isRetriableDriverError(e: unknown): boolean {
  if (e instanceof driverErrors.ResponseError) return !NON_RETRIABLE_CODES.has(e.code);
  if (e instanceof driverErrors.ArgumentError || e instanceof TypeError || e instanceof RangeError) return false;
  if (e instanceof driverErrors.AuthenticationError) return false;
  return true;
}

const isBackPressure = (e: unknown) =>
  e instanceof driverErrors.OperationTimedOutError ||
  e instanceof driverErrors.BusyConnectionError ||
  (e instanceof driverErrors.ResponseError &&
    (e.code === responseErrorCodes.overloaded || e.code === responseErrorCodes.writeTimeout || e.code === responseErrorCodes.unavailableException));

export interface Item<R> {
  op: Op;
  record: R;
}

export interface ExecutorHooks {
  /** After each request (each attempt): `error` is null when it succeeded. */
  onRequest?(ops: Op[], bytes: number, seconds: number, error: unknown): void;
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
}

export interface ExecutorOptions {
  maxConcurrent: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** Attempts per request before giving up with a retriable failure. */
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  consistency: (op: Op) => number;
}

export interface RunResult<R> {
  /** Items that can never be written (non-retriable driver error), with the error. */
  failed: { item: Item<R>; error: unknown }[];
  /** A retriable error that persisted: nothing is lost, but the caller must redeliver. */
  retriable: unknown | null;
  written: Item<R>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Executor {
  private limit: number;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private okStreak = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: ExecutorOptions,
    private readonly hooks: ExecutorHooks = {},
  ) {
    this.limit = opts.maxConcurrent;
  }

  get inFlightNow() {
    return this.inFlight;
  }

  get currentLimit() {
    return this.limit;
  }

  private async acquire() {
    while (this.inFlight >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.inFlight++;
  }
  private release() {
    this.inFlight--;
    while (this.waiters.length && this.inFlight < this.limit) this.waiters.shift()!();
  }

  /** Splits items (in record order) into chains of batches. */
  plan<R>(items: Item<R>[]): Item<R>[][][] {
    const groups = new Map<string, Item<R>[]>();
    for (const it of items) {
      const g = groups.get(it.op.group);
      if (g) g.push(it);
      else groups.set(it.op.group, [it]);
    }
    const chains: Item<R>[][][] = [];
    for (const g of groups.values()) {
      const chain: Item<R>[][] = [];
      let batch: Item<R>[] = [];
      let bytes = 0;
      let rows: Set<string> | null = null; // of the ops in the batch that have no writetime of their own
      for (const it of g) {
        const { row } = it.op;
        if (
          batch.length > 0 &&
          (batch.length >= this.opts.maxBatchRecords ||
            bytes + it.op.bytes > this.opts.maxBatchBytes ||
            (row !== null && rows?.has(row)) ||
            batch[0]!.op.counter !== it.op.counter)
        ) {
          chain.push(batch);
          batch = [];
          bytes = 0;
          rows = null;
        }
        batch.push(it);
        bytes += it.op.bytes;
        if (row !== null) (rows ??= new Set()).add(row);
      }
      if (batch.length) chain.push(batch);
      chains.push(chain);
    }
    return chains;
  }

  async run<R>(items: Item<R>[]): Promise<RunResult<R>> {
    const result: RunResult<R> = { failed: [], retriable: null, written: [] };
    const chains = this.plan(items);
    await Promise.all(
      chains.map(async (chain) => {
        for (const batch of chain) {
          if (result.retriable) return; // stop early: the whole put is redelivered
          try {
            await this.execute(
              batch.map((i) => i.op),
              () => result.retriable !== null,
            );
            result.written.push(...batch);
          } catch (e) {
            if (isRetriableDriverError(e)) {
              result.retriable ??= e;
              return;
            }
            // A non-retriable batch failure: find the records at fault one by one.
            if (batch.length === 1) {
              result.failed.push({ item: batch[0]!, error: e });
              continue;
            }
            for (const it of batch) {
              try {
                await this.execute([it.op], () => result.retriable !== null);
                result.written.push(it);
              } catch (e2) {
                if (isRetriableDriverError(e2)) {
                  result.retriable ??= e2;
                  return;
                }
                result.failed.push({ item: it, error: e2 });
              }
            }
          }
        }
      }),
    );
    return result;
  }

  /** One request (a statement, or an unlogged batch), retried with back-off on retriable errors. */
  async execute(ops: Op[], giveUp: () => boolean = () => false): Promise<void> {
    const bytes = ops.reduce((a, o) => a + o.bytes, 0);
    for (let attempt = 1; ; attempt++) {
      await this.acquire();
      const t0 = process.hrtime.bigint();
      let error: unknown = null;
      try {
        const consistency = this.opts.consistency(ops[0]!);
        if (ops.length === 1) {
          await this.client.execute(ops[0]!.query, ops[0]!.params, { prepare: true, consistency, isIdempotent: !ops[0]!.counter });
        } else {
          // an Op is the { query, params } the driver reads
          await this.client.batch(ops, { prepare: true, logged: false, counter: ops[0]!.counter, consistency, isIdempotent: !ops[0]!.counter });
        }
      } catch (e) {
        error = e ?? new Error('unknown driver error');
      } finally {
        this.release();
      }
      this.hooks.onRequest?.(ops, bytes, Number(process.hrtime.bigint() - t0) / 1e9, error);
      if (error === null) {
        if (this.limit < this.opts.maxConcurrent && ++this.okStreak >= 20) {
          this.okStreak = 0;
          this.limit = Math.min(this.opts.maxConcurrent, this.limit + Math.max(1, Math.floor(this.limit / 4)));
        }
        return;
      }
      if (!isRetriableDriverError(error) || attempt >= this.opts.maxAttempts || giveUp()) throw error;
      if (isBackPressure(error)) {
        this.okStreak = 0;
        this.limit = Math.max(1, Math.floor(this.limit / 2));
      }
      const delay = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      this.hooks.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
