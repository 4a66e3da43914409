/**
 * @kconnect/cassandra-sink — a Cassandra sink compatible with the DataStax Apache Kafka Connector's class name and
 * configuration (`com.datastax.oss.kafka.sink.CassandraSinkConnector`). See docs/connectors/cassandra-sink.md.
 */

export { CassandraSinkConnector } from './connector';
export { CassandraSinkTask } from './task';
export { CONFIG_DEF, parseSinkConfig, parseTopicConfigs, DEFAULT_CODEC } from './config';
export type { SinkConfig, TableConfig, CodecConfig, TimeUnit } from './config';
export { parseMapping } from './mapping';
export type { Mapping, MappingEntry, Source } from './mapping';
export { convert, ConversionError } from './convert';
export { VERSION } from './version';
export { plugins } from './plugins';
