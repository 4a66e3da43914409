/** Integration-test helpers: a CQL client and keyspace per test file, a Kafka producer writing JsonConverter bytes. */
import type { Schema } from '@kconnect/api';
import { JsonConverter } from '@kconnect/converters';
import type { KafkaAdmin, KafkaProducer } from '@kconnect/runtime';
import { kafkaAdmin, kafkaClient, unique } from '@kconnect/testkit';
import { Client } from 'cassandra-driver';
import { closeReplacedHosts } from '../session';

export const CASSANDRA: Record<string, string> = { contactPoints: '127.0.0.1', port: '9042', 'loadBalancing.localDc': 'datacenter1' };
export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

export async function cqlClient(): Promise<Client> {
  const c = closeReplacedHosts(new Client({ contactPoints: ['127.0.0.1:9042'], localDataCenter: 'datacenter1' }));
  await c.connect();
  return c;
}

/** A fresh keyspace name (lower case, underscores). */
export const keyspaceName = (prefix: string) =>
  unique(prefix)
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase();

export async function createKeyspace(c: Client, prefix = 'ks'): Promise<string> {
  const ks = keyspaceName(prefix);
  await c.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  return ks;
}

export interface TestRecord {
  key?: unknown;
  keySchema?: Schema | null;
  value: unknown;
  schema?: Schema | null;
  headers?: Record<string, string>;
  timestamp?: number;
  partition?: number;
}

/** Produces records as JsonConverter writes them: with the schema envelope when a schema is given, else plain JSON. */
export class Feeder {
  private constructor(
    readonly admin: KafkaAdmin,
    private readonly producer: KafkaProducer,
  ) {}
  readonly topics: string[] = [];
  readonly groups: string[] = [];
  private readonly withSchemas = new JsonConverter();
  private readonly schemaless = new JsonConverter();

  static async create(): Promise<Feeder> {
    const f = new Feeder(await kafkaAdmin(), await kafkaClient().producer({ clientId: unique('feeder') }));
    f.withSchemas.configure({ 'schemas.enable': 'true' }, false);
    f.schemaless.configure({ 'schemas.enable': 'false' }, false);
    return f;
  }

  async topic(prefix: string, partitions = 1): Promise<string> {
    const t = unique(prefix);
    this.topics.push(t);
    await this.admin.createTopics([{ topic: t, numPartitions: partitions, replicationFactor: 1 }]);
    return t;
  }

  encode(schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return schema ? this.withSchemas.fromConnectData('t', schema, value) : this.schemaless.fromConnectData('t', null, value);
  }

  async send(topic: string, records: TestRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 500) {
      await this.producer.send(
        records.slice(i, i + 500).map((r) => ({
          topic,
          partition: r.partition ?? null,
          key: this.encode(r.keySchema, r.key),
          value: this.encode(r.schema, r.value),
          headers: Object.entries(r.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)] as [string, Uint8Array]),
          timestamp: r.timestamp ?? null,
        })),
      );
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
    await this.admin.deleteTopics(this.topics).catch(() => undefined);
    for (const g of this.groups) await this.admin.deleteGroup(g).catch(() => undefined);
    await this.admin.close();
  }
}

/** Connector config for a JsonConverter pipeline (schemas on by default). */
export function sinkConfig(extra: Record<string, string>, schemas = true): Record<string, string> {
  return {
    'connector.class': 'com.datastax.oss.kafka.sink.CassandraSinkConnector',
    'key.converter': JSON_CONVERTER,
    'value.converter': JSON_CONVERTER,
    'key.converter.schemas.enable': String(schemas),
    'value.converter.schemas.enable': String(schemas),
    ...CASSANDRA,
    ...extra,
  };
}
