/**
 * The logger a plugin gets from its context: structured (JSON) lines that carry the connector name and task id,
 * at the level the operator set for the plugin's logger through `/admin/loggers`.
 *
 * @example
 * this.context.logger.info(`Reading ${file} from byte ${position}`);
 * this.context.logger.error({ err }, 'Could not close the file');
 */
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

export interface PluginLogger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
