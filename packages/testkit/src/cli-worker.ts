/**
 * A worker as a real child process — `node <@kconnect/cli>/dist/main.js standalone worker.properties
 * <connector>.json…`, or `… distributed worker.properties` — for tests that kill it (`kill -9`) and start it again. The CLI bundles every kconnect
 * connector, so no plugin.path is needed; the CLI must be built (`npm test` builds everything first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface CliWorkerOptions {
  /** `standalone` (the default) or `distributed` (then the props name the group and its topics). */
  mode?: 'standalone' | 'distributed';
  /** Worker properties; standalone: `offset.storage.file.filename` defaults to `<dir>/connect.offsets`. */
  props: Record<string, string>;
  /** Connectors to create at start (one JSON file each). */
  connectors?: { name: string; config: Record<string, string> }[];
  /** KCONNECT_LOG_LEVEL of the child (default ERROR). */
  logLevel?: string;
  /** Node options before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export class CliWorker {
  /**
   * A temporary folder with worker.properties, the connector files and the offsets file, removed by close(); the
   * child's working directory, so relative paths in the configs resolve against it.
   */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'kconnect-cli-'));
  readonly offsetsFile: string;
  /** What the child wrote to stdout/stderr (for failure messages). */
  log = '';
  private child: ChildProcess | null = null;
  private readonly files: string[];

  constructor(private readonly opts: CliWorkerOptions) {
    this.offsetsFile = opts.props['offset.storage.file.filename'] ?? path.join(this.dir, 'connect.offsets');
    const props = opts.mode === 'distributed' ? opts.props : { 'offset.storage.file.filename': this.offsetsFile, ...opts.props };
    const worker = path.join(this.dir, 'worker.properties');
    writeFileSync(
      worker,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    this.files = [worker];
    for (const [i, c] of (opts.connectors ?? []).entries()) {
      const file = path.join(this.dir, `connector-${i}.json`);
      writeFileSync(file, JSON.stringify(c));
      this.files.push(file);
    }
  }

  /** The child's pid (for CPU and memory readings), while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error('the worker process is already running');
    const cli = path.join(path.dirname(require.resolve('@kconnect/cli/package.json')), 'dist/main.js');
    this.child = spawn(process.execPath, [...(this.opts.nodeArgs ?? []), cli, this.opts.mode ?? 'standalone', ...this.files], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KCONNECT_LOG_LEVEL: this.opts.logLevel ?? 'ERROR' },
    });
    const keep = (d: Buffer) => {
      this.log = (this.log + String(d)).slice(-20_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  /** `kill -9`: no shutdown hook runs. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** A graceful stop (SIGTERM), waiting for the process to exit; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const stopped = this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([stopped.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
    clearTimeout(timer);
    if (late) await this.kill();
  }

  /** Kills the process if it still runs and removes the folder. */
  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(sig);
    await exited;
  }
}

/** A TCP port free on 127.0.0.1 right now (for a listener a test or benchmark starts next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
