/**
 * Apache Kafka Connect (Java) as a child process — `ConnectStandalone` or `ConnectDistributed` with the jars that
 * `scripts/services.sh classpath connect` fetches from Maven Central — for tests that run it beside kconnect on the
 * same broker (e.g. migrating a distributed cluster in place).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO = path.join(__dirname, '../../..');
let classpath: string | undefined;

/** Java Connect's classpath (fetched once; `CONNECT_CLASSPATH` overrides). */
export function connectClasspath(): string {
  classpath ??=
    process.env.CONNECT_CLASSPATH ??
    execFileSync('bash', [path.join(REPO, 'scripts/services.sh'), 'classpath', 'connect'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .pop()!;
  return classpath;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(path.join(home, 'bin/java')) ? path.join(home, 'bin/java') : 'java';
}

export class JavaConnectWorker {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'kconnect-java-'));
  /** What the JVM wrote (warnings and errors only), for failure messages. */
  log = '';
  private child: ChildProcess | null = null;
  private readonly propsFile: string;
  private readonly log4j: string;

  constructor(
    private readonly mode: 'standalone' | 'distributed',
    props: Record<string, string>,
  ) {
    this.propsFile = path.join(this.dir, 'worker.properties');
    writeFileSync(
      this.propsFile,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    this.log4j = path.join(this.dir, 'log4j2.properties');
    writeFileSync(
      this.log4j,
      [
        'status = warn',
        'appender.stderr.type = Console',
        'appender.stderr.name = STDERR',
        'appender.stderr.target = SYSTEM_ERR',
        'appender.stderr.layout.type = PatternLayout',
        'appender.stderr.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = WARN',
        'rootLogger.appenderRef.stderr.ref = STDERR',
        '',
      ].join('\n'),
    );
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const main = this.mode === 'distributed' ? 'org.apache.kafka.connect.cli.ConnectDistributed' : 'org.apache.kafka.connect.cli.ConnectStandalone';
    this.child = spawn(
      javaBin(),
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${this.log4j}`,
        '-cp',
        connectClasspath(),
        main,
        this.propsFile,
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => {
      this.log = (this.log + String(d)).slice(-20_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  /** A graceful stop (SIGTERM: Connect's shutdown hook runs), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop(5_000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
