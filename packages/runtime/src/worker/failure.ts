/**
 * What a FAILED status says besides Java's `trace`: the stage that failed, the error's class, its message and the
 * time (`failure` in the REST status entries; `docs/compatibility.md`). The stage is attached to the error where it
 * is caught (the innermost tag wins) and read when the herder records the failure.
 */
import { ToleranceExceededError, type Stage } from './error-handler';

/**
 * Java's error-handling stages (the record ones), and the lifecycle steps kconnect names besides them:
 * CONNECTOR_START (building or starting the connector), CONNECTOR_TASK_CONFIGS (its taskConfigs()), CONNECTOR_RAISED
 * (the connector called raiseError), TASK_CREATE (building the task: configs, converters, clients), TASK_START (the
 * task's start()), TASK_OPEN / TASK_CLOSE (a sink's open()/close() on a rebalance), TASK_EXECUTOR (the executor's
 * loop ended or threw outside any of those).
 */
export type FailureStage =
  | Stage
  | 'CONNECTOR_START'
  | 'CONNECTOR_TASK_CONFIGS'
  | 'CONNECTOR_RAISED'
  | 'TASK_CREATE'
  | 'TASK_START'
  | 'TASK_OPEN'
  | 'TASK_CLOSE'
  | 'TASK_EXECUTOR';

/** The `failure` object of a FAILED status entry. */
export interface FailureInfo {
  /** Where it failed (see {@link FailureStage}); absent when unknown (a status written by a Java worker). */
  stage?: string;
  /** The error's class, e.g. `DataError` (Java's class name for a status a Java worker wrote). */
  error_class: string;
  message: string;
  /** ISO-8601 UTC time of the failure; absent when unknown. */
  time?: string;
}

const stages = new WeakMap<object, FailureStage>();

/** Tags `e` with the stage it failed at, unless an inner step already did; returns it as an Error. */
export function atStage(e: unknown, stage: FailureStage): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  if (!stages.has(error)) stages.set(error, stage);
  return error;
}

/** Runs `fn`, tagging what it throws with `stage`. */
export async function staged<T>(stage: FailureStage, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw atStage(e, stage);
  }
}

/** The stage `e` was tagged with (or its cause, or a tolerance error's own stage). */
export function stageOf(e: unknown): FailureStage | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 10; cur = (cur as { cause?: unknown }).cause, depth++) {
    const s = stages.get(cur);
    if (s) return s;
    if (cur instanceof ToleranceExceededError) return cur.stage;
  }
  return undefined;
}

/** The class name of an error: its `name`, or its constructor's when the name was left at `Error`. */
export function errorClass(e: Error): string {
  const ctor = (e as { constructor?: { name?: string } }).constructor?.name;
  return e.name && e.name !== 'Error' ? e.name : ctor && ctor !== 'Object' ? ctor : e.name || 'Error';
}

/** The trace of a FAILED status: the stack, then each cause's as Java prints them ("Caused by: …"). */
export function traceOf(e: Error): string {
  let trace = e.stack ?? `${errorClass(e)}: ${e.message}`;
  let cur: unknown = e.cause;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    const c = cur instanceof Error ? cur : new Error(String(cur));
    trace += `\nCaused by: ${c.stack ?? `${errorClass(c)}: ${c.message}`}`;
    cur = c.cause;
  }
  return trace;
}

/** The failure of `e`, recorded now (`stage` when no step tagged it). */
export function failureOf(e: Error, stage?: FailureStage, now: number = Date.now()): FailureInfo {
  const s = stageOf(e) ?? stage;
  return { ...(s ? { stage: s } : {}), error_class: errorClass(e), message: e.message, time: new Date(now).toISOString() };
}

/**
 * The failure a trace alone tells (a status written by a Java worker, or by an older kconnect): class and message
 * from its first line (`org.apache…ConnectException: message`), no stage or time.
 */
export function failureFromTrace(trace: string): FailureInfo {
  const first = trace.split('\n', 1)[0]!.trim();
  const m = /^([\w$.]+): ?(.*)$/s.exec(first);
  return m ? { error_class: m[1]!, message: m[2]! } : { error_class: 'unknown', message: first };
}

/** A stored `failure` object as read back (from the status topic): the known fields, when they have the right types. */
export function parseFailure(v: unknown): FailureInfo | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.error_class !== 'string' || typeof o.message !== 'string') return undefined;
  return {
    ...(typeof o.stage === 'string' ? { stage: o.stage } : {}),
    error_class: o.error_class,
    message: o.message,
    ...(typeof o.time === 'string' ? { time: o.time } : {}),
  };
}
