/**
 * A minimal logger. The file connectors may own stdout (the sink's default output), so log lines go to stderr.
 * The runtime (or a test) can route them elsewhere with {@link setLogger}.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

const stderrLogger: Logger = {
  debug: (m) => {
    if (process.env.KCONNECT_FILE_DEBUG) process.stderr.write(`DEBUG ${m}\n`);
  },
  info: (m) => process.stderr.write(`INFO ${m}\n`),
  warn: (m) => process.stderr.write(`WARN ${m}\n`),
  error: (m, err) => process.stderr.write(`ERROR ${m}${err ? `: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` : ''}\n`),
};

let current: Logger = stderrLogger;

/** Replaces the logger of the file connectors (pass null to restore the stderr logger). */
export function setLogger(logger: Logger | null): void {
  current = logger ?? stderrLogger;
}

/** Logger facade bound to a component name. */
export function logger(component: string): Logger {
  return {
    debug: (m) => current.debug(`[${component}] ${m}`),
    info: (m) => current.info(`[${component}] ${m}`),
    warn: (m) => current.warn(`[${component}] ${m}`),
    error: (m, err) => current.error(`[${component}] ${m}`, err),
  };
}
