/** FileStreamSourceConnector: Java's `org.apache.kafka.connect.file.FileStreamSourceConnector`. */
import { ConnectError, SourceConnector } from '@kconnect/api';
import type { ConfigDef, ConnectorProps, OffsetMap } from '@kconnect/api';
import { FILENAME_FIELD, FILE_CONFIG, POSITION_FIELD, SOURCE_CONFIG_DEF, fileOrNull } from './config';
import { FileStreamSourceTask } from './source-task';
import { VERSION } from './version';

/** Java's `ExactlyOnceSupport` answer (KIP-618). */
export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED';

export class FileStreamSourceConnector extends SourceConnector {
  private props: ConnectorProps = {};

  version(): string {
    return VERSION;
  }

  start(props: ConnectorProps): void {
    const config = SOURCE_CONFIG_DEF.parse(props);
    this.props = { ...props };
    this.context.logger.info(`Starting file source connector reading from ${fileOrNull(config[FILE_CONFIG]) ?? 'standard input'}`);
  }

  taskClass(): new () => FileStreamSourceTask {
    return FileStreamSourceTask;
  }

  /** One task whatever `maxTasks` is: only one reader of one input makes sense. Its config is the connector's. */
  taskConfigs(_maxTasks: number): ConnectorProps[] {
    return [{ ...this.props }];
  }

  stop(): void {
    // nothing to release: no background work
  }

  config(): ConfigDef {
    return SOURCE_CONFIG_DEF;
  }

  /**
   * Exactly-once is possible when reading a real file that is only appended to; not from stdin, whose offsets are
   * not tracked. (The plugin API has no hook for this yet; the runtime may call it when it supports KIP-618.)
   */
  exactlyOnceSupport(props: ConnectorProps): ExactlyOnceSupport {
    const config = SOURCE_CONFIG_DEF.parse(props);
    return fileOrNull(config[FILE_CONFIG]) === null ? 'UNSUPPORTED' : 'SUPPORTED';
  }

  /**
   * Checks offsets written through `PATCH /connectors/{c}/offsets`, with Java's rules and messages: stdin mode has no
   * offsets; a non-null offset must be `{"position": <non-negative integer>}`; its partition must have a `filename`.
   * Tombstones (null offsets) are accepted for any partition so that stray offsets can be cleaned up. Whether the
   * position fits the file is up to the task when it starts.
   */
  override alterOffsets(props: ConnectorProps, offsets: ReadonlyMap<OffsetMap, OffsetMap | null>): boolean {
    const config = SOURCE_CONFIG_DEF.parse(props);
    if (fileOrNull(config[FILE_CONFIG]) === null) {
      throw new ConnectError(
        `Offsets cannot be modified if the '${FILE_CONFIG}' configuration is unspecified. ` +
          'This is because stdin is used for input and offsets are not tracked.',
      );
    }
    for (const [partition, offset] of offsets) {
      if (offset === null || offset === undefined) continue;
      if (!(POSITION_FIELD in offset)) {
        throw new ConnectError(`Offset objects should either be null or contain the key '${POSITION_FIELD}'`);
      }
      const position = offset[POSITION_FIELD];
      if (typeof position !== 'number' || !Number.isSafeInteger(position)) {
        throw new ConnectError(`The value for the '${POSITION_FIELD}' key in the offset is expected to be a Long value`);
      }
      if (position < 0) {
        throw new ConnectError(`The value for the '${POSITION_FIELD}' key in the offset should be a non-negative value`);
      }
      if (partition === null || partition === undefined) throw new ConnectError('Partition objects cannot be null');
      if (!(FILENAME_FIELD in partition)) {
        throw new ConnectError(`Partition objects should contain the key '${FILENAME_FIELD}'`);
      }
      if (typeof partition[FILENAME_FIELD] !== 'string') {
        throw new ConnectError(`The value for the '${FILENAME_FIELD}' key in the partition is expected to be a String value`);
      }
    }
    return true;
  }
}
