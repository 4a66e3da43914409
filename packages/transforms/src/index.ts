/**
 * @kconnect/transforms — the Single Message Transforms and predicates shipped with Apache Kafka, under Java's class
 * names (`org.apache.kafka.connect.transforms.InsertField$Value`, `...predicates.TopicNameMatches`), with Java's
 * config keys, defaults, validators and messages. Each works on schemaful (Struct) and schemaless (Map or plain
 * object) records and caches the schemas it derives per input schema. See docs/transforms.md.
 */
import { type PluginDescriptor, type Predicate, packageVersion, type Transformation } from '@kconnect/api';
import { Cast } from './cast';
import { ExtractField, HoistField, MaskField, ReplaceField, ValueToKey } from './fields';
import { Filter } from './filter';
import { DropHeaders, InsertHeader } from './headers';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates';
import { RegexRouter, TimestampRouter } from './routers';
import { Flatten, HeaderFrom, InsertField, SetSchemaMetadata } from './structure';
import { TimestampConverter } from './timestamp-converter';
import type { Side } from './util';

export { Cast, CAST_CONFIG, castValueToType } from './cast';
export { ExtractField, HoistField, MaskField, ReplaceField, ValueToKey } from './fields';
export { Filter } from './filter';
export { DropHeaders, InsertHeader } from './headers';
export { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates';
export { RegexRouter, TimestampRouter } from './routers';
export { Flatten, HeaderFrom, InsertField, SetSchemaMetadata } from './structure';
export { TimestampConverter } from './timestamp-converter';
export { SingleFieldPath, parseFieldPathV2 } from './field-path';
export type { FieldSyntaxVersion } from './field-path';
export { SimpleDateFormat } from './date-format';
export { JavaPattern, JavaReplacement } from './java-regex';
export type { Side } from './util';

/** This package's version (its package.json), reported for every transformation and predicate. */
export const VERSION: string = packageVersion(__dirname);

const T = 'org.apache.kafka.connect.transforms.';
const P = 'org.apache.kafka.connect.transforms.predicates.';

function transformation(className: string, create: () => Transformation): PluginDescriptor<'transformation'> {
  return { className, type: 'transformation', version: VERSION, create };
}

function predicate(className: string, create: () => Predicate): PluginDescriptor<'predicate'> {
  return { className, type: 'predicate', version: VERSION, create };
}

/** `Name$Key` and `Name$Value`. */
function keyValue(name: string, create: (side: Side) => Transformation): PluginDescriptor<'transformation'>[] {
  return [transformation(`${T}${name}$Key`, () => create('key')), transformation(`${T}${name}$Value`, () => create('value'))];
}

/** Every transformation and predicate of Apache Kafka 4.x, in Java's (alphabetical) order. */
export const plugins: readonly PluginDescriptor[] = [
  ...keyValue('Cast', (s) => new Cast(s)),
  transformation(`${T}DropHeaders`, () => new DropHeaders()),
  ...keyValue('ExtractField', (s) => new ExtractField(s)),
  transformation(`${T}Filter`, () => new Filter()),
  ...keyValue('Flatten', (s) => new Flatten(s)),
  ...keyValue('HeaderFrom', (s) => new HeaderFrom(s)),
  ...keyValue('HoistField', (s) => new HoistField(s)),
  ...keyValue('InsertField', (s) => new InsertField(s)),
  transformation(`${T}InsertHeader`, () => new InsertHeader()),
  ...keyValue('MaskField', (s) => new MaskField(s)),
  transformation(`${T}RegexRouter`, () => new RegexRouter()),
  ...keyValue('ReplaceField', (s) => new ReplaceField(s)),
  ...keyValue('SetSchemaMetadata', (s) => new SetSchemaMetadata(s)),
  ...keyValue('TimestampConverter', (s) => new TimestampConverter(s)),
  transformation(`${T}TimestampRouter`, () => new TimestampRouter()),
  transformation(`${T}ValueToKey`, () => new ValueToKey()),
  predicate(`${P}HasHeaderKey`, () => new HasHeaderKey()),
  predicate(`${P}RecordIsTombstone`, () => new RecordIsTombstone()),
  predicate(`${P}TopicNameMatches`, () => new TopicNameMatches()),
];
