/** Config definitions of the FileStream connectors: the keys, defaults, docs and validation of Java's. */
import { ConfigDef, ConfigType, Importance, Validators } from '@kconnect/api';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const TASK_BATCH_SIZE_CONFIG = 'batch.size';
export const DEFAULT_TASK_BATCH_SIZE = 2000;

/** Source partition and offset field names (Java's `FileStreamSourceTask.FILENAME_FIELD` / `POSITION_FIELD`). */
export const FILENAME_FIELD = 'filename';
export const POSITION_FIELD = 'position';

/**
 * `topic` must be a non-empty string (Java's `NonEmptyString`) naming one topic. Java 3.3+ only checks
 * non-emptiness; before 3.3 `topic` was a LIST and a list was rejected with the message used here. A comma can
 * never be part of a Kafka topic name, so we reject it at validation time instead of failing on the first produce.
 */
const singleTopic = Validators.of((v) => {
  if (typeof v !== 'string' || v.trim() === '') return 'String must be non-empty';
  if (v.includes(',')) return "'topic' in FileStreamSourceConnector configuration requires definition of a single topic";
  return undefined;
}, 'non-empty string naming a single topic');

export const SOURCE_CONFIG_DEF = new ConfigDef()
  .define({
    name: FILE_CONFIG,
    type: ConfigType.STRING,
    default: null as string | null,
    importance: Importance.HIGH,
    documentation: 'Source filename. If not specified, the standard input will be used',
  })
  .define({
    name: TOPIC_CONFIG,
    type: ConfigType.STRING,
    importance: Importance.HIGH,
    documentation: 'The topic to publish data to',
    validator: singleTopic,
  })
  .define({
    name: TASK_BATCH_SIZE_CONFIG,
    type: ConfigType.INT,
    default: DEFAULT_TASK_BATCH_SIZE,
    importance: Importance.LOW,
    documentation: 'The maximum number of records the source task can read from the file each time it is polled',
    // Beyond Java (which takes 0, a task that never reads a line); a value that does not parse gets only the parse
    // error, as in Java.
    validator: Validators.of((v) => (v === null || (v as number) >= 1 ? undefined : 'Value must be at least 1'), '[1,...]'),
  });

export const SINK_CONFIG_DEF = new ConfigDef().define({
  name: FILE_CONFIG,
  type: ConfigType.STRING,
  default: null as string | null,
  importance: Importance.HIGH,
  documentation: 'Destination filename. If not specified, the standard output will be used',
});

/** The configured file, or null for stdin/stdout (Java treats null and "" alike). */
export function fileOrNull(file: string | null | undefined): string | null {
  return file === null || file === undefined || file === '' ? null : file;
}
