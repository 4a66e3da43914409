/**
 * Structured logging (pino) with named loggers whose levels can be changed at run time through `/admin/loggers`,
 * as Java Connect does with log4j: setting a level on `a.b` also sets it on `a.b.c` and every logger below it.
 */
import pino, { type Logger } from 'pino';

/** log4j's levels; `ALL` logs what `TRACE` does (pino has nothing finer). */
export const LEVELS = ['ALL', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'] as const;
export type LogLevel = (typeof LEVELS)[number];

const toPino = (l: LogLevel): pino.LevelWithSilent => (l === 'OFF' ? 'silent' : l === 'ALL' ? 'trace' : (l.toLowerCase() as pino.Level));
/** The root logger's name; Java's REST API also takes it in any case (`ROOT`). */
const ROOT = 'root';
const canonical = (name: string) => (name.toLowerCase() === ROOT ? ROOT : name);

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
    this.named.set(ROOT, { level, lastModified: null, instances: new Set([new WeakRef(this.root)]) });
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
    const e = this.named.get(canonical(name));
    return e && { level: e.level, last_modified: e.lastModified };
  }

  /** Sets the level of `name` and its descendants; returns the names of the loggers whose level changed, sorted. */
  setLevel(namespace: string, level: LogLevel): string[] {
    const name = canonical(namespace);
    const now = Date.now();
    this.entry(name);
    const affected: string[] = [];
    for (const [n, e] of this.named) {
      if (e.level === level) continue;
      if (name === ROOT || n === name || n.startsWith(`${name}.`)) {
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
      let inherited: LogLevel = this.named.get(ROOT)!.level;
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
