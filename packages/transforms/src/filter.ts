/** Filter: drops every record it is applied to — meant to be used with a predicate (Java's `Filter`). */
import { ConfigDef, type ConnectRecord, type Transformation } from '@kconnect/api';

export const FILTER_CONFIG = new ConfigDef();

export class Filter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  config(): ConfigDef {
    return FILTER_CONFIG;
  }
  configure(_configs: Record<string, string>): void {}
  apply(_record: R): null {
    return null;
  }
}
