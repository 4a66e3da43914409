/**
 * What source and sink task executors share: the task's identity, target-state handling (pause/resume), the
 * status callbacks, and a stop that waits for the executor's loop for at most the graceful shutdown timeout.
 */
import type { Logger } from '../logging';
import type { ErrorHandler } from './error-handler';
import { atStage, type FailureStage } from './failure';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorTaskId {
  connector: string;
  task: number;
}

export const taskIdString = (id: ConnectorTaskId) => `${id.connector}-${id.task}`;

/** Status changes of a task, reported to the herder (Java's TaskStatus.Listener). */
export interface TaskStatusListener {
  onStartup(id: ConnectorTaskId): void;
  onRunning(id: ConnectorTaskId): void;
  onPause(id: ConnectorTaskId): void;
  onFailure(id: ConnectorTaskId, error: Error): void;
  onShutdown(id: ConnectorTaskId): void;
}

export abstract class TaskExecutor {
  protected stopping = false;
  protected targetState: TargetState;
  private resumeWaiters: Array<() => void> = [];
  private signalEnd!: () => void;
  /** Resolves once the task is stopping or failed. */
  protected readonly ended = new Promise<void>((r) => (this.signalEnd = r));
  private loop: Promise<void> | null = null;
  failed: Error | null = null;
  protected abstract readonly errorHandler: ErrorHandler;

  constructor(
    readonly id: ConnectorTaskId,
    initialState: TargetState,
    protected readonly listener: TaskStatusListener,
    protected readonly log: Logger,
  ) {
    this.targetState = initialState;
  }

  /**
   * Starts the executor in the background. Whatever way its loop ends, the status follows: a loop that throws fails
   * the task, and so does one that returns while the task was neither stopped nor failed (a task whose executor is
   * gone is never left RUNNING).
   */
  start(): void {
    this.listener.onStartup(this.id);
    this.loop = this.execute()
      .then(
        () => {
          if (!this.stopping && !this.failed)
            this.fail(atStage(new Error(`The executor of task ${taskIdString(this.id)} ended without being stopped`), 'TASK_EXECUTOR'));
        },
        (e: unknown) => this.fail(e),
      )
      .catch((e: unknown) => this.log.error({ err: e }, `could not record the failure of task ${taskIdString(this.id)}`));
  }

  /** Reports RUNNING or PAUSED once the task started, unless it failed or is stopping meanwhile. */
  protected reportStarted(): void {
    if (this.failed || this.stopping) return;
    if (this.targetState === 'PAUSED') this.listener.onPause(this.id);
    else this.listener.onRunning(this.id);
  }

  protected abstract execute(): Promise<void>;

  /** Ends the task: called once from {@link stop}, after the loop ended or the timeout passed. */
  protected abstract close(): Promise<void>;

  /** Fails the task (once): its status becomes FAILED with `e`, tagged with `stage` unless a step already was. */
  protected fail(e: unknown, stage: FailureStage = 'TASK_EXECUTOR'): void {
    const error = atStage(e, stage);
    if (this.failed) return;
    if (this.stopping) {
      // As Java: an error while being stopped (a poll interrupted by stop(), a send cut short) is not a failure.
      this.log.warn({ err: error }, `After being scheduled for shutdown, task ${taskIdString(this.id)} threw an exception`);
      return;
    }
    this.failed = error;
    this.signalEnd();
    this.log.error(
      { err: error },
      `${taskIdString(this.id)} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted`,
    );
    this.listener.onFailure(this.id, error);
  }

  transitionTo(state: TargetState): void {
    if (state === this.targetState) return;
    this.targetState = state;
    if (state === 'PAUSED') {
      this.onPause();
      if (!this.failed) this.listener.onPause(this.id);
    } else if (state === 'STARTED') {
      this.onResume();
      if (!this.failed) this.listener.onRunning(this.id);
      for (const w of this.resumeWaiters.splice(0)) w();
    }
  }

  protected onPause(): void {}
  protected onResume(): void {}

  /** Resolves when the task is resumed or stopping. */
  protected awaitUnpaused(): Promise<void> {
    if (this.targetState !== 'PAUSED' || this.stopping) return Promise.resolve();
    return new Promise((r) => this.resumeWaiters.push(r));
  }

  /** Stops the task, waiting for its loop at most `timeoutMs`; returns false when the loop did not end in time. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    this.errorHandler.stopping = true;
    this.signalEnd();
    for (const w of this.resumeWaiters.splice(0)) w();
    this.requestStop();
    const finished = await withTimeout(
      (this.loop ?? Promise.resolve()).then(() => true),
      timeoutMs,
      false,
    );
    if (!finished) this.log.error(`Graceful stop of task ${taskIdString(this.id)} failed.`);
    // Closing (final commit, task.stop(), client shutdown) is bounded too: a hung task is abandoned, not waited
    // for, so the herder and the REST API stay responsive.
    const closing = this.close()
      .finally(() => this.errorHandler.close())
      .then(
        () => true,
        (e: unknown) => {
          this.log.warn({ err: e }, 'error while closing the task');
          return true;
        },
      );
    const closed = await withTimeout(closing, timeoutMs, false);
    if (!closed) {
      this.log.error(`Task ${taskIdString(this.id)} did not close within ${timeoutMs} ms; abandoning it`);
      await this.abandon().catch((e: unknown) => this.log.warn({ err: e }, 'error while closing the Kafka clients of an abandoned task'));
    }
    if (!this.failed) this.listener.onShutdown(this.id);
    return finished;
  }

  /** Tells the running loop to end soon (e.g. wakes a pending poll). */
  protected requestStop(): void {}

  /**
   * The task did not close in time: its Kafka clients are closed now (as Java's cancel() does), so an abandoned
   * sink leaves its group and no client outlives the task. Unacknowledged work is redelivered (at-least-once).
   */
  protected async abandon(): Promise<void> {}
}

/** `p`'s value, or `fallback` once `ms` passed; the timer never outlives the race. */
export async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
