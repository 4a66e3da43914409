/**
 * @kconnect/runtime — the worker: herders, task executors, offset stores, the plugin registry, error handling and
 * DLQ, metrics, the Kafka client adapter and the Connect REST server. Plugin authors never import this package;
 * the CLI and tests do.
 */
export { startStandalone, startDistributed, readWorkerProperties, readConnectorFile, VERSION } from './standalone';
export type { StandaloneOptions, StandaloneWorker, DistributedWorker } from './standalone';
export { DISTRIBUTED_CONFIG } from './config/distributed-config';
export { parseProperties } from './config/properties';
export { parseWorkerConfig, WORKER_CONFIG } from './config/worker-config';
export type { WorkerConfig } from './config/worker-config';
export { CONNECTOR_CONFIG, SINK_CONNECTOR_CONFIG, SOURCE_CONNECTOR_CONFIG } from './config/connector-config';
export { generateToken, hashPassword, hashToken, REST_AUTH_CONFIG, ROLES } from './rest/auth';
export type { Role } from './rest/auth';
export { LoggerRegistry } from './logging';
export type { LogLevel } from './logging';
export { createKafkaClient, KAFKA_CLIENT_BACKENDS } from './kafka';
export type { KafkaClientBackend, KafkaClientOptions } from './kafka';
export { UnsupportedKafkaFeatureError } from './kafka/client';
export { murmur2, toPositive } from './kafka/murmur2';
export type { KafkaClient, KafkaAdmin, KafkaProducer, KafkaConsumer, ConsumerHandlers, ConsumedRecord, ProducerRecord } from './kafka/client';
export type { ProducerSettings, ConsumerSettings, CompressionType } from './kafka/settings';
export { FileOffsetStore, MemoryOffsetStore } from './storage/offset-store';
export { readJavaOffsetFile, writeJavaOffsetFile } from './storage/java-offset-file';
export { PluginRegistry } from './plugins/registry';
