/**
 * @kconnect/file-connectors — FileStreamSource and FileStreamSink, compatible with Java's
 * `org.apache.kafka.connect.file.*` (same class names, config keys, source partitions and offsets).
 */
import type { PluginDescriptor } from '@kconnect/api';
import { FileStreamSinkConnector } from './sink-connector';
import { FileStreamSourceConnector } from './source-connector';
import { VERSION } from './version';

export { FileStreamSourceConnector } from './source-connector';
export type { ExactlyOnceSupport } from './source-connector';
export { FileStreamSinkConnector } from './sink-connector';
export { FileStreamSourceTask } from './source-task';
export type { FileStreamSourceTaskOptions } from './source-task';
export { FileStreamSinkTask } from './sink-task';
export type { FileStreamSinkTaskOptions } from './sink-task';
export {
  SOURCE_CONFIG_DEF,
  SINK_CONFIG_DEF,
  FILE_CONFIG,
  TOPIC_CONFIG,
  TASK_BATCH_SIZE_CONFIG,
  DEFAULT_TASK_BATCH_SIZE,
  FILENAME_FIELD,
  POSITION_FIELD,
} from './config';
export { valueToLine } from './format';
export { VERSION } from './version';

export const plugins: PluginDescriptor[] = [
  {
    className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    type: 'source',
    version: VERSION,
    create: () => new FileStreamSourceConnector(),
  },
  {
    className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    type: 'sink',
    version: VERSION,
    create: () => new FileStreamSinkConnector(),
  },
];
