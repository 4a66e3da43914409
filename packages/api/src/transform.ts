/**
 * Single Message Transforms and predicates, applied in the order of the connector's `transforms` list. A
 * transform runs on a record when it has no predicate, or when `predicate.test(record) XOR negate`.
 */
import type { ConfigDef } from './config';
import type { ConnectRecord } from './records';

export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  configure(configs: Record<string, string>): void;
  /** The transformed record (a new object; records are immutable), or null to drop it. */
  apply(record: R): R | null;
  config(): ConfigDef;
  close?(): void;
}

export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configure(configs: Record<string, string>): void;
  test(record: R): boolean;
  config(): ConfigDef;
  close?(): void;
}
