/**
 * Kafka Connect's connector client config override policy (worker setting `connector.client.config.override.policy`):
 * which `producer.override.*`, `consumer.override.*` and `admin.override.*` keys a connector config may set. The
 * policies and their messages are Java's `All`, `None`, `Principal` and (Kafka 4.2) `Allowlist`, with
 * `connector.client.config.override.allowlist`.
 */
import { ConfigError } from '@kconnect/api';

export const CLIENT_CONFIG_OVERRIDE_POLICIES = ['All', 'None', 'Principal', 'Allowlist'] as const;
export type ClientConfigOverridePolicy = (typeof CLIENT_CONFIG_OVERRIDE_POLICIES)[number];

const POLICY_PACKAGE = 'org.apache.kafka.connect.connector.policy.';
const POLICY_SUFFIX = 'ConnectorClientConfigOverridePolicy';

/** The Java class name of a policy, e.g. `org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy`. */
export function policyClassName(policy: ClientConfigOverridePolicy): string {
  return POLICY_PACKAGE + policy + POLICY_SUFFIX;
}

/**
 * The policy named by a worker setting: the alias (`All`), the simple class name (`AllConnectorClientConfigOverridePolicy`)
 * or the full class name, case-sensitive as Java's plugin aliases; undefined when none matches.
 */
export function parseClientConfigOverridePolicy(value: string): ClientConfigOverridePolicy | undefined {
  const v = value.trim();
  return CLIENT_CONFIG_OVERRIDE_POLICIES.find((p) => v === p || v === p + POLICY_SUFFIX || v === policyClassName(p));
}

/** The keys the `Principal` policy lets connectors override (Java's PrincipalConnectorClientConfigOverridePolicy). */
export const PRINCIPAL_OVERRIDABLE_KEYS: readonly string[] = ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol'];

export type KafkaClientType = 'producer' | 'consumer' | 'admin';

/** The connector config prefix of each client's overrides. */
export const CLIENT_OVERRIDE_PREFIXES: Readonly<Record<KafkaClientType, string>> = {
  producer: 'producer.override.',
  consumer: 'consumer.override.',
  admin: 'admin.override.',
};

/**
 * Java's message when the policy does not allow a key (`key` without the override prefix), or undefined when it
 * does. `allowlist` is `connector.client.config.override.allowlist`, used by the `Allowlist` policy only.
 */
export function overridePolicyError(policy: ClientConfigOverridePolicy, allowlist: readonly string[], key: string): string | undefined {
  const allowed =
    policy === 'All' ? true : policy === 'None' ? false : policy === 'Principal' ? PRINCIPAL_OVERRIDABLE_KEYS.includes(key) : allowlist.includes(key);
  return allowed ? undefined : `The '${policy}' policy does not allow '${key}' to be overridden in the connector configuration.`;
}

/**
 * The clients whose overrides Java's herder validates for a connector (AbstractHerder.connectorUsesProducer /
 * connectorUsesAdmin / connectorUsesConsumer), in Java's order: sources use a producer, and an admin when the
 * config has `topic.creation.*` keys; sinks use a consumer, and a producer and an admin when a dead letter queue
 * topic is set.
 */
export function clientsUsedBy(type: 'source' | 'sink', config: Record<string, string>): KafkaClientType[] {
  // A source's dead letter queue (kconnect extension) needs the admin client as a sink's does.
  if (type === 'source')
    return Object.keys(config).some((k) => k.startsWith('topic.creation.')) || (config['errors.deadletterqueue.topic.name'] ?? '').trim()
      ? ['producer', 'admin']
      : ['producer'];
  return (config['errors.deadletterqueue.topic.name'] ?? '').trim() ? ['producer', 'admin', 'consumer'] : ['consumer'];
}

/**
 * A client's overrides in a connector config (prefix removed), after checking them against the policy as Java's
 * Worker does before it creates a client (the herder validated them already, unless the policy changed since):
 * throws a ConfigError listing the keys the policy does not allow.
 */
export function allowedClientOverrides(
  policy: ClientConfigOverridePolicy,
  allowlist: readonly string[],
  client: KafkaClientType,
  connectorConfig: Record<string, string>,
): Record<string, string> {
  const prefix = CLIENT_OVERRIDE_PREFIXES[client];
  const overrides: Record<string, string> = {};
  const errors: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(connectorConfig)) {
    if (!k.startsWith(prefix)) continue;
    const key = k.slice(prefix.length);
    overrides[key] = v;
    const e = overridePolicyError(policy, allowlist, key);
    if (e) errors.push([k, e]);
  }
  if (errors.length) throw new ConfigError(`Client Config Overrides not allowed: ${errors.map(([, e]) => e).join(' ')}`, { name: errors[0]![0] });
  return overrides;
}
