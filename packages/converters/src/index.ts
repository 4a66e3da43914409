/**
 * @kconnect/converters — the converters of Apache Kafka Connect, compatible byte for byte with Java's:
 * JsonConverter (with or without the schema envelope), StringConverter, ByteArrayConverter, the number converters
 * (Integer, Long, Short, Float, Double), BooleanConverter and SimpleHeaderConverter. `plugins` registers each under
 * Java's class name, as a converter and (like Java) as a header converter.
 *
 * Test vectors generated with Kafka's own classes live in `test-vectors/` (see its README).
 */
import { type Converter, type HeaderConverter, type PluginDescriptor, packageVersion } from '@kconnect/api';
import { JsonConverter } from './json-converter';
import { BooleanConverter, ByteArrayConverter, DoubleConverter, FloatConverter, IntegerConverter, LongConverter, ShortConverter } from './number-converters';
import { SimpleHeaderConverter } from './simple-header-converter';
import { StringConverter } from './string-converter';

export { JsonConverter, ENVELOPE_ERROR, READ_ERROR, quote as jacksonQuote } from './json-converter';
export type { DecimalFormat } from './json-converter';
export { StringConverter, charsetFor } from './string-converter';
export type { Charset } from './string-converter';
export {
  ByteArrayConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
  FloatConverter,
  DoubleConverter,
  BooleanConverter,
} from './number-converters';
export { SimpleHeaderConverter } from './simple-header-converter';
export { convertToString, parseString } from './values';
export {
  formatJavaDouble,
  formatJavaFloat,
  javaBigDecimalToString,
  parseJavaBigDecimal,
  plainDecimal,
} from '@kconnect/api';
export type { JavaBigDecimal } from '@kconnect/api';

/** This package's version (its package.json), reported for every converter plugin. */
export const VERSION: string = packageVersion(__dirname);

/** A converter descriptor and, under the same class name, a header converter descriptor. */
function both(className: string, create: () => Converter & HeaderConverter): PluginDescriptor[] {
  return [
    { className, type: 'converter', version: VERSION, create } satisfies PluginDescriptor<'converter'>,
    { className, type: 'header_converter', version: VERSION, create } satisfies PluginDescriptor<'header_converter'>,
  ];
}

/** Every converter and header converter of this package, under Java's class names. */
export const plugins: PluginDescriptor[] = [
  ...both('org.apache.kafka.connect.json.JsonConverter', () => new JsonConverter()),
  ...both('org.apache.kafka.connect.storage.StringConverter', () => new StringConverter()),
  ...both('org.apache.kafka.connect.converters.ByteArrayConverter', () => new ByteArrayConverter()),
  ...both('org.apache.kafka.connect.converters.IntegerConverter', () => new IntegerConverter()),
  ...both('org.apache.kafka.connect.converters.LongConverter', () => new LongConverter()),
  ...both('org.apache.kafka.connect.converters.ShortConverter', () => new ShortConverter()),
  ...both('org.apache.kafka.connect.converters.FloatConverter', () => new FloatConverter()),
  ...both('org.apache.kafka.connect.converters.DoubleConverter', () => new DoubleConverter()),
  ...both('org.apache.kafka.connect.converters.BooleanConverter', () => new BooleanConverter()),
  {
    className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    type: 'header_converter',
    version: VERSION,
    create: () => new SimpleHeaderConverter(),
  } satisfies PluginDescriptor<'header_converter'>,
];
