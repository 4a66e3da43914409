/**
 * The header transformations: DropHeaders (removes headers by name) and InsertHeader (adds a header whose value is
 * a literal parsed as Java's `Values.parseString` does, so `42` is an INT8 and `true` a BOOLEAN).
 */
import { ConfigDef, type ConnectRecord, ConfigType, Headers, Importance, type SchemaAndValue, type Transformation } from '@kconnect/api';
import { parseString } from '@kconnect/converters';
import { nonEmptyList, nonNull } from './util';

export const DROP_HEADERS_CONFIG = new ConfigDef().define({
  name: 'headers',
  type: ConfigType.LIST,
  validator: nonEmptyList(),
  importance: Importance.HIGH,
  documentation: 'The name of the headers to be removed.',
});

export class DropHeaders<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private headers = new Set<string>();

  config(): ConfigDef {
    return DROP_HEADERS_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    this.headers = new Set(DROP_HEADERS_CONFIG.parse(configs).headers);
  }

  apply(record: R): R {
    const kept = new Headers();
    for (const h of record.headers) if (!this.headers.has(h.key)) kept.add(h.key, h.value, h.schema);
    return { ...record, headers: kept };
  }
}

export const INSERT_HEADER_CONFIG = new ConfigDef()
  .define({ name: 'header', type: ConfigType.STRING, validator: nonNull(), importance: Importance.HIGH, documentation: 'The name of the header.' })
  .define({
    name: 'value.literal',
    type: ConfigType.STRING,
    validator: nonNull(),
    importance: Importance.HIGH,
    documentation: 'The literal value that is to be set as the header value on all records.',
  });

export class InsertHeader<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private header = '';
  private literal: SchemaAndValue | null = null;

  config(): ConfigDef {
    return INSERT_HEADER_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = INSERT_HEADER_CONFIG.parse(configs);
    this.header = c.header;
    this.literal = parseString(c['value.literal']);
  }

  apply(record: R): R {
    const headers = record.headers.duplicate();
    headers.add(this.header, this.literal?.value ?? null, this.literal?.schema ?? null);
    return { ...record, headers };
  }
}
