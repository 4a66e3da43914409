/**
 * The converter's plugin descriptors, without loading it: the converter (and avsc, the registry client) is required
 * on first use, so a worker that does not use it starts without them.
 */
import { type PluginDescriptor, packageVersion } from '@kconnect/api';

/** This package's version (its package.json), reported for the converter plugin. */
export const VERSION: string = packageVersion(__dirname);

const CLASS_NAME = 'io.confluent.connect.avro.AvroConverter';
const load = () => require('./avro-converter') as typeof import('./avro-converter');

/** The converter and, under the same class name, the header converter. */
export const plugins: readonly PluginDescriptor[] = [
  { className: CLASS_NAME, type: 'converter', version: VERSION, create: () => new (load().AvroConverter)() } satisfies PluginDescriptor<'converter'>,
  {
    className: CLASS_NAME,
    type: 'header_converter',
    version: VERSION,
    create: () => new (load().AvroConverter)(),
  } satisfies PluginDescriptor<'header_converter'>,
];
