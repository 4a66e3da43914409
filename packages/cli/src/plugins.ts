/**
 * The plugins bundled with the CLI (converters come with the runtime), by their descriptor modules: a connector's
 * implementation loads when it is first used, so startup does not pay for what a worker does not run.
 */
import type { PluginDescriptor } from '@kconnect/api';
import { plugins as avroConverter } from '@kconnect/avro-converter/dist/plugins';
import { plugins as cassandraSink } from '@kconnect/cassandra-sink/dist/plugins';
import { plugins as filePlugins } from '@kconnect/file-connectors';
import { plugins as httpSource } from '@kconnect/http-source/dist/plugins';
import { plugins as mqttSource } from '@kconnect/mqtt-source/dist/plugins';

export const BUNDLED_PLUGINS: readonly PluginDescriptor[] = [...filePlugins, ...cassandraSink, ...httpSource, ...mqttSource, ...avroConverter];
