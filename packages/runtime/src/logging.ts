/**
 * Structured logging (pino) with named loggers whose levels can be changed at run time through `/admin/loggers`,
 * as Java Connect does with log4j: setting a level on `a.b` also sets it on `a.b.c` and every logger below it.
 */
import pino, { type Logger } from 'pino';

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'] as const;
export type LogLevel = (typeof LEVELS)[number];

const toPino = (l: LogLevel): pino.LevelWithSilent => (l === 'OFF' ? 'silent' : (l.toLowerCase() as pino.Level));

interface Named {
  level: LogLevel;
  lastModified: number | null;
  instances: Set<WeakRef<Logger>>;
}

/** The loggers of one worker. */
export class LoggerRegistry {
  private readonly root: Logger;
  private readonly named = new Map<string, Named>();

  constructor(options: { level?: LogLevel; destination?: pino.DestinationStream } = {}) {
    const level = options.level ?? 'INFO';
    this.root = pino({ level: toPino(level), base: { pid: process.pid } }, options.destination ?? pino.destination({ sync: false }));
    this.named.set('root', { level, lastModified: null, instances: new Set([new WeakRef(this.root)]) });
  }

  /** A logger called `name` (e.g. `kconnect.worker.task`), with extra bindings such as `{connector, task}`. */
  get(name: string, bindings: Record<string, unknown> = {}): Logger {
    const entry = this.entry(name);
    const child = this.root.child({ logger: name, ...bindings });
    child.level = toPino(entry.level);
    entry.instances.add(new WeakRef(child));
    return child;
  }

  /** Every known logger and its level (Java's `GET /admin/loggers`). */
  levels(): Record<string, { level: LogLevel; last_modified: number | null }> {
    const out: Record<string, { level: LogLevel; last_modified: number | null }> = {};
    for (const [name, e] of [...this.named].sort(([a], [b]) => a.localeCompare(b))) out[name] = { level: e.level, last_modified: e.lastModified };
    return out;
  }

  level(name: string): { level: LogLevel; last_modified: number | null } | undefined {
    const e = this.named.get(name);
    return e && { level: e.level, last_modified: e.lastModified };
  }

  /** Sets the level of `name` and its descendants; returns the affected logger names, sorted. */
  setLevel(name: string, level: LogLevel): string[] {
    const now = Date.now();
    this.entry(name);
    const affected: string[] = [];
    for (const [n, e] of this.named) {
      if (name === 'root' || n === name || n.startsWith(`${name}.`)) {
        e.level = level;
        e.lastModified = now;
        affected.push(n);
        for (const ref of e.instances) {
          const l = ref.deref();
          if (l) l.level = toPino(level);
          else e.instances.delete(ref);
        }
      }
    }
    return affected.sort();
  }

  flush(): void {
    this.root.flush();
  }

  private entry(name: string): Named {
    let e = this.named.get(name);
    if (!e) {
      // A new logger starts at the level of its nearest configured ancestor.
      let parent = name;
      let inherited: LogLevel = this.named.get('root')!.level;
      while (parent.includes('.')) {
        parent = parent.slice(0, parent.lastIndexOf('.'));
        const p = this.named.get(parent);
        if (p) {
          inherited = p.level;
          break;
        }
      }
      e = { level: inherited, lastModified: null, instances: new Set() };
      this.named.set(name, e);
    }
    return e;
  }
}

export type { Logger };
