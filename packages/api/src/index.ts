/**
 * @kconnect/api — the public API for plugin authors: connectors, tasks and their contexts, records and headers,
 * the data model (schemas, structs, logical types), ConfigDef, converters, transformations, predicates, plugin
 * descriptors and error classes. It has no runtime dependencies; the runtime is reached only through contexts.
 */
export { ConnectError, RetriableError, DataError, ConfigError, isRetriable } from './errors';
export {
  SchemaType,
  SchemaBuilder,
  Schemas,
  Struct,
  Decimal,
  DateType,
  TimeType,
  TimestampType,
  validateValue,
  schemaEquals,
  decimalToUnscaled,
  unscaledToDecimal,
  bigintToTwosComplement,
  twosComplementToBigint,
} from './schema';
export type { Schema, Field } from './schema';
export { DOUBLE_KEYS, markDouble, doubleKeys, isDouble } from './java-double';
export { javaString } from './java-string';
export { Headers, sourceRecord, topicPartitionKey } from './records';
export type {
  Header,
  ConnectRecord,
  SourceRecord,
  SinkRecord,
  OffsetMap,
  TimestampType as RecordTimestampType,
  TopicPartition,
  OffsetAndMetadata,
} from './records';
export {
  ConfigDef,
  ConfigType,
  Importance,
  Width,
  Password,
  Validators,
  parseType,
  convertToString,
  toConfigKeyInfo,
} from './config';
export type { ConfigKey, ConfigKeyDef, ConfigKeyInfo, ConfigValue, Validator } from './config';
export { Connector, SourceConnector, SinkConnector } from './connector';
export type { ConnectorContext, ConnectorProps } from './connector';
export { SourceTask, SinkTask } from './task';
export type {
  OffsetStorageReader,
  TaskContext,
  SourceTaskContext,
  SinkTaskContext,
  RecordMetadata,
  TopicPartitionOffset,
  ErrantRecordReporter,
} from './task';
export { NULL_SCHEMA_AND_VALUE } from './converter';
export type { Converter, HeaderConverter, SchemaAndValue, MaybePromise } from './converter';
export type { Transformation, Predicate } from './transform';
export type { PluginDescriptor, PluginType } from './plugin';
export { packageVersion } from './plugin';
export type { PluginLogger, LogFn } from './logger';
export type { PluginMetrics, MetricCounter, MetricGauge, MetricHistogram, MetricLabels } from './metrics';
export {
  parseJavaBigDecimal,
  javaBigDecimalToString,
  plainDecimal,
  formatJavaDouble,
  formatJavaFloat,
  formatJavaNumber,
  toBase64,
  fromBase64,
  describeType,
} from './java-format';
export type { JavaBigDecimal } from './java-format';
