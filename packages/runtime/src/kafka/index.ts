/**
 * Picks the Kafka client backend named by the worker setting `kafka.client`: `platformatic` (the default,
 * @platformatic/kafka) or `kafkajs`.
 */
import type { Logger } from 'pino';
import type { KafkaClient } from './client';
import { KafkajsClient } from './kafkajs';
import { PlatformaticClient } from './platformatic';

export const KAFKA_CLIENT_BACKENDS = ['platformatic', 'kafkajs'] as const;
export type KafkaClientBackend = (typeof KAFKA_CLIENT_BACKENDS)[number];

export interface KafkaClientOptions {
  backend?: KafkaClientBackend;
  bootstrapServers: string[];
  log: Logger;
  clientId?: string;
}

export function createKafkaClient(o: KafkaClientOptions): KafkaClient {
  return (o.backend ?? 'platformatic') === 'kafkajs'
    ? new KafkajsClient(o.bootstrapServers, o.log, o.clientId)
    : new PlatformaticClient(o.bootstrapServers, o.log, o.clientId);
}
