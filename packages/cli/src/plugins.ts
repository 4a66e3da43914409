/** The plugins bundled with the CLI (converters come with the runtime). */
import type { PluginDescriptor } from '@kconnect/api';
import { plugins as avroConverter } from '@kconnect/avro-converter';
import { plugins as cassandraSink } from '@kconnect/cassandra-sink';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { plugins as httpSource } from '@kconnect/http-source';
import { plugins as mqttSource } from '@kconnect/mqtt-source';

export const BUNDLED_PLUGINS: readonly PluginDescriptor[] = [...filePlugins, ...cassandraSink, ...httpSource, ...mqttSource, ...avroConverter];
