/**
 * @kconnect/avro-converter — `io.confluent.connect.avro.AvroConverter`: Confluent's wire format with a
 * Confluent-compatible schema registry, as a converter and a header converter. See docs/avro.md.
 */
import { type PluginDescriptor, packageVersion } from '@kconnect/api';
import { AvroConverter } from './avro-converter';

export { AvroConverter, AVRO_CONVERTER_CONFIG_DEF, MAGIC_BYTE, subjectName, recordName, registryFault } from './avro-converter';
export type { Registry } from './avro-converter';
export { AvroData, ANYTHING_SCHEMA, DEFAULT_AVRO_DATA_CONFIG, avscType } from './avro-data';
export type { AvroDataConfig, AvroJson, AvroObject, ReadPlan, WritePlan } from './avro-data';
export { RegistryClient, RegistryError, tlsAgent } from './registry-client';
export type { RegistryClientOptions } from './registry-client';

/** This package's version (its package.json), reported for the converter plugin. */
export const VERSION: string = packageVersion(__dirname);

const CLASS_NAME = 'io.confluent.connect.avro.AvroConverter';

/** The converter and, under the same class name, the header converter. */
export const plugins: readonly PluginDescriptor[] = [
  { className: CLASS_NAME, type: 'converter', version: VERSION, create: () => new AvroConverter() } satisfies PluginDescriptor<'converter'>,
  { className: CLASS_NAME, type: 'header_converter', version: VERSION, create: () => new AvroConverter() } satisfies PluginDescriptor<'header_converter'>,
];
