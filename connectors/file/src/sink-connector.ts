/** FileStreamSinkConnector: Java's `org.apache.kafka.connect.file.FileStreamSinkConnector`. */
import { SinkConnector } from '@kconnect/api';
import type { ConfigDef, ConnectorProps } from '@kconnect/api';
import { FILE_CONFIG, SINK_CONFIG_DEF, fileOrNull } from './config';
import { FileStreamSinkTask } from './sink-task';
import { VERSION } from './version';

export class FileStreamSinkConnector extends SinkConnector {
  private props: ConnectorProps = {};

  version(): string {
    return VERSION;
  }

  start(props: ConnectorProps): void {
    const config = SINK_CONFIG_DEF.parse(props);
    this.props = { ...props };
    this.context.logger.info(`Starting file sink connector writing to ${fileOrNull(config[FILE_CONFIG]) ?? 'standard output'}`);
  }

  taskClass(): new () => FileStreamSinkTask {
    return FileStreamSinkTask;
  }

  /** `maxTasks` copies of the connector's config (every task appends to the same file, as Java's). */
  taskConfigs(maxTasks: number): ConnectorProps[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {
    // nothing to release: no background work
  }

  config(): ConfigDef {
    return SINK_CONFIG_DEF;
  }
}
