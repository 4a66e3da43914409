/**
 * @kconnect/transforms — the Single Message Transforms and predicates shipped with Apache Kafka, under Java's class
 * names.
 */
import { type PluginDescriptor, packageVersion } from '@kconnect/api';

/** This package's version (its package.json), reported for every transformation and predicate. */
export const VERSION: string = packageVersion(__dirname);

export const plugins: readonly PluginDescriptor[] = [];
