/**
 * kconnect extension (`errors.restart.max.retries`, `errors.restart.backoff.ms`; Java never restarts a failed task
 * by itself): a FAILED task is restarted after a backoff that doubles up to 60 s, at most `maxRetries` times in a
 * row. Both herders use it: standalone for its tasks, distributed for the tasks this worker runs.
 */
import type { ConnectorTaskId } from '../worker/task-executor';
import type { Logger } from '../logging';

/** A task that fails again within this time after an automatic restart counts against errors.restart.max.retries. */
const RESTART_STREAK_MS = 120_000;
const MAX_BACKOFF_MS = 60_000;

const keyOf = (id: ConnectorTaskId) => `${id.connector}\u0000${id.task}`;

export class TaskAutoRestarts {
  private readonly attempts = new Map<string, { attempt: number; at: number }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  /** `restart` restarts the task if it is still FAILED (and still this worker's) when the time comes. */
  constructor(
    private readonly maxRetries: number,
    private readonly backoffMs: number,
    private readonly log: Logger,
    private readonly restart: (id: ConnectorTaskId) => Promise<void>,
  ) {}

  /** A task failed: schedules its next automatic restart, unless it has used up its retries. */
  failed(id: ConnectorTaskId): void {
    const key = keyOf(id);
    // Failures count as consecutive while each comes soon after the previous automatic restart.
    const prev = this.attempts.get(key);
    const attempt = prev && Date.now() - prev.at < RESTART_STREAK_MS ? prev.attempt + 1 : 1;
    if (attempt > this.maxRetries || this.stopped) return;
    this.attempts.set(key, { attempt, at: Date.now() });
    const delay = Math.min(this.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    this.log.warn({ connector: id.connector, task: id.task, attempt, delayMs: delay }, 'restarting failed task automatically');
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (!this.stopped)
        void this.restart(id).catch((e: Error) => this.log.warn({ err: e, connector: id.connector, task: id.task }, 'automatic restart failed'));
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** The task was restarted (or stopped) otherwise: its pending automatic restart is dropped. */
  cancelTask(id: ConnectorTaskId): void {
    const key = keyOf(id);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** The connector was deleted: its tasks' pending restarts and retry counts are dropped. */
  cancelConnector(connector: string): void {
    const prefix = `${connector}\u0000`;
    for (const [key, timer] of this.timers) {
      if (key.startsWith(prefix)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
    for (const key of [...this.attempts.keys()]) if (key.startsWith(prefix)) this.attempts.delete(key);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
