/**
 * @kconnect/avro-converter — `io.confluent.connect.avro.AvroConverter`: Confluent's wire format with a
 * Confluent-compatible schema registry, as a converter and a header converter. See docs/avro.md.
 */
export { AvroConverter, AVRO_CONVERTER_CONFIG_DEF, MAGIC_BYTE, subjectName, recordName, registryFault } from './avro-converter';
export type { Registry } from './avro-converter';
export { AvroData, ANYTHING_SCHEMA, DEFAULT_AVRO_DATA_CONFIG, avscType } from './avro-data';
export type { AvroDataConfig, AvroJson, AvroObject, ReadPlan, WritePlan } from './avro-data';
export { RegistryClient, RegistryError, tlsAgent } from './registry-client';
export type { RegistryClientOptions } from './registry-client';
export { plugins, VERSION } from './plugins';
