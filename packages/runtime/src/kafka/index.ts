/**
 * Picks the Kafka client backend named by the worker setting `kafka.client`: `platformatic` (the default,
 * @platformatic/kafka) or `kafkajs`.
 */
import type { Logger } from 'pino';
import type { KafkaClient } from './client';
import { PlatformaticClient } from './platformatic';
import { securityKeysOf } from './settings';

export const KAFKA_CLIENT_BACKENDS = ['platformatic', 'kafkajs'] as const;
export type KafkaClientBackend = (typeof KAFKA_CLIENT_BACKENDS)[number];

export interface KafkaClientOptions {
  backend?: KafkaClientBackend;
  bootstrapServers: string[];
  log: Logger;
  clientId?: string;
  /**
   * The worker's security settings (Java's top-level `security.protocol`, `sasl.mechanism`, `sasl.jaas.config`,
   * `ssl.*` keys; other keys are ignored): every client's, the worker's own and its tasks', under the keys of a
   * client's own settings (`producer.*`, `producer.override.*` …). Checked here: a bad value or an unreadable store
   * throws a `KafkaSettingError`.
   */
  security?: Record<string, string>;
}

export function createKafkaClient(o: KafkaClientOptions): KafkaClient {
  const security = securityKeysOf(o.security);
  return (o.backend ?? 'platformatic') === 'kafkajs'
    ? // Loaded only when selected: a worker on the default backend does not load kafkajs.
      new (require('./kafkajs') as typeof import('./kafkajs')).KafkajsClient(o.bootstrapServers, o.log, o.clientId, security)
    : new PlatformaticClient(o.bootstrapServers, o.log, o.clientId, security);
}
