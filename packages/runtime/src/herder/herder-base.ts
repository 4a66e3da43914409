/** What both herders share: one queue for their operations, readiness and the Kafka cluster id (Java's AbstractHerder). */
export abstract class HerderBase {
  private queue: Promise<unknown> = Promise.resolve();
  protected started = false;
  protected clusterId: string | null = null;
  private startedWaiters: Array<() => void> = [];

  /** True once the herder finished starting (health). */
  ready(): boolean {
    return this.started;
  }

  /** The herder has read its configs and offsets: requests may be answered. */
  protected markStarted(): void {
    this.started = true;
    for (const w of this.startedWaiters.splice(0)) w();
  }

  /** Resolves true once the herder has started, false after `timeoutMs`. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.started) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      new Promise<boolean>((r) => this.startedWaiters.push(() => r(true))),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return ok;
  }

  /** Resolves true when the herder can still process a request within `timeoutMs` (health). */
  async responsive(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([this.serial(async () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    return ok;
  }

  kafkaClusterId(): string | null {
    return this.clusterId;
  }

  /** Runs herder operations one at a time. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
