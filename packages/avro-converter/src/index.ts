/**
 * @kconnect/avro-converter — `io.confluent.connect.avro.AvroConverter`: Confluent's wire format with a
 * Confluent-compatible schema registry.
 */
import { type PluginDescriptor, packageVersion } from '@kconnect/api';

/** This package's version (its package.json), reported for the converter plugin. */
export const VERSION: string = packageVersion(__dirname);

export const plugins: readonly PluginDescriptor[] = [];
