import { ConfigError } from '@kconnect/api';
import { validateClientOverrides } from '../herder/validation';
import {
  allowedClientOverrides,
  type ClientConfigOverridePolicy,
  clientsUsedBy,
  overridePolicyError,
  parseClientConfigOverridePolicy,
  policyClassName,
} from './client-override-policy';
import { parseWorkerConfig } from './worker-config';

const notAllowed = (policy: string, key: string) => `The '${policy}' policy does not allow '${key}' to be overridden in the connector configuration.`;

describe('connector client config override policy', () => {
  it.each(['All', 'None', 'Principal', 'Allowlist'] as const)('%s is named by its alias, simple class name or class name', (p) => {
    expect(parseClientConfigOverridePolicy(p)).toBe(p);
    expect(parseClientConfigOverridePolicy(`${p}ConnectorClientConfigOverridePolicy`)).toBe(p);
    expect(parseClientConfigOverridePolicy(`org.apache.kafka.connect.connector.policy.${p}ConnectorClientConfigOverridePolicy`)).toBe(p);
    expect(policyClassName(p)).toBe(`org.apache.kafka.connect.connector.policy.${p}ConnectorClientConfigOverridePolicy`);
  });

  it('knows no other policy (aliases are case-sensitive, as Java)', () => {
    expect(parseClientConfigOverridePolicy('all')).toBeUndefined();
    expect(parseClientConfigOverridePolicy('Some')).toBeUndefined();
  });

  it('All allows any key, None none', () => {
    expect(overridePolicyError('All', [], 'linger.ms')).toBeUndefined();
    expect(overridePolicyError('All', [], 'bootstrap.servers')).toBeUndefined();
    expect(overridePolicyError('None', [], 'linger.ms')).toBe(notAllowed('None', 'linger.ms'));
    expect(overridePolicyError('None', [], 'sasl.jaas.config')).toBe(notAllowed('None', 'sasl.jaas.config'));
  });

  it('Principal allows the SASL JAAS config, the SASL mechanism and the security protocol only', () => {
    for (const k of ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol']) expect(overridePolicyError('Principal', [], k)).toBeUndefined();
    expect(overridePolicyError('Principal', [], 'linger.ms')).toBe(notAllowed('Principal', 'linger.ms'));
    expect(overridePolicyError('Principal', [], 'sasl.kerberos.service.name')).toBe(notAllowed('Principal', 'sasl.kerberos.service.name'));
  });

  it('Allowlist allows the listed keys only (none when the list is empty)', () => {
    expect(overridePolicyError('Allowlist', ['linger.ms', 'batch.size'], 'linger.ms')).toBeUndefined();
    expect(overridePolicyError('Allowlist', ['linger.ms'], 'acks')).toBe(notAllowed('Allowlist', 'acks'));
    expect(overridePolicyError('Allowlist', [], 'linger.ms')).toBe(notAllowed('Allowlist', 'linger.ms'));
  });

  it("validates the clients Java's herder validates for each connector type", () => {
    expect(clientsUsedBy('source', {})).toEqual(['producer']);
    expect(clientsUsedBy('source', { 'topic.creation.default.partitions': '1' })).toEqual(['producer', 'admin']);
    expect(clientsUsedBy('sink', { topics: 't' })).toEqual(['consumer']);
    expect(clientsUsedBy('sink', { topics: 't', 'errors.deadletterqueue.topic.name': ' ' })).toEqual(['consumer']);
    expect(clientsUsedBy('sink', { topics: 't', 'errors.deadletterqueue.topic.name': 'dlq' })).toEqual(['producer', 'admin', 'consumer']);
  });

  it('checks the overrides of one client before it is created', () => {
    const config = { 'producer.override.linger.ms': '10', 'consumer.override.fetch.min.bytes': '2', name: 'c' };
    expect(allowedClientOverrides('All', [], 'producer', config)).toEqual({ 'linger.ms': '10' });
    expect(allowedClientOverrides('Allowlist', ['fetch.min.bytes'], 'consumer', config)).toEqual({ 'fetch.min.bytes': '2' });
    expect(() => allowedClientOverrides('None', [], 'producer', config)).toThrow(
      new ConfigError(`Client Config Overrides not allowed: ${notAllowed('None', 'linger.ms')}`),
    );
    expect(allowedClientOverrides('None', [], 'admin', config)).toEqual({});
  });
});

describe('validateClientOverrides', () => {
  const ctx = (policy: ClientConfigOverridePolicy, extra: Partial<Parameters<typeof validateClientOverrides>[2]> = {}) => ({
    clientConfigOverridePolicy: policy,
    clientConfigOverrideAllowlist: [],
    producer: {},
    consumer: {},
    ...extra,
  });
  const errorsByKey = (r: ReturnType<typeof validateClientOverrides>) => Object.fromEntries(r.map((x) => [x.value.name, x.value.errors]));

  it('reports every override key of the clients used, by its full name', () => {
    const r = validateClientOverrides(
      'source',
      { 'producer.override.linger.ms': '10', 'producer.override.client.rack': 'r', 'consumer.override.x': '1' },
      ctx('All'),
    );
    expect(errorsByKey(r)).toEqual({ 'producer.override.linger.ms': [], 'producer.override.client.rack': [] });
    expect(r[0]!.definition).toMatchObject({ name: 'producer.override.linger.ms', type: 'LONG', default_value: '5', required: false });
    expect(r[1]!.definition).toBeNull();
  });

  it("puts the policy's message on each key it does not allow", () => {
    const r = validateClientOverrides(
      'sink',
      { topics: 't', 'consumer.override.fetch.min.bytes': '2', 'consumer.override.sasl.mechanism': 'PLAIN' },
      ctx('Principal'),
    );
    expect(errorsByKey(r)).toEqual({
      'consumer.override.fetch.min.bytes': [notAllowed('Principal', 'fetch.min.bytes')],
      'consumer.override.sasl.mechanism': [],
    });
  });

  it('checks the values merged with the worker settings, on the override key at fault', () => {
    expect(errorsByKey(validateClientOverrides('source', { 'producer.override.linger.ms': 'abc' }, ctx('All')))).toEqual({
      'producer.override.linger.ms': ['Invalid value abc for configuration producer.override.linger.ms: Not a number of type LONG'],
    });
    // The worker asked for idempotence; the connector's acks=1 contradicts it.
    expect(
      errorsByKey(validateClientOverrides('source', { 'producer.override.acks': '1' }, ctx('All', { producer: { 'enable.idempotence': 'true' } }))),
    ).toEqual({
      'producer.override.acks': ['Must set producer.override.acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.'],
    });
    expect(
      errorsByKey(validateClientOverrides('sink', { topics: 't', 'consumer.override.heartbeat.interval.ms': '50000' }, ctx('All', { consumer: {} }))),
    ).toEqual({
      'consumer.override.heartbeat.interval.ms': [
        'Invalid value 50000 for configuration consumer.override.heartbeat.interval.ms: Heartbeat must be set lower than the session timeout (consumer.session.timeout.ms=10000)',
      ],
    });
  });

  it('checks the DLQ producer and admin overrides of a sink', () => {
    const r = validateClientOverrides(
      'sink',
      { topics: 't', 'errors.deadletterqueue.topic.name': 'dlq', 'producer.override.batch.size': '-1', 'admin.override.request.timeout.ms': '1' },
      ctx('Allowlist', { clientConfigOverrideAllowlist: ['batch.size'] }),
    );
    expect(errorsByKey(r)).toEqual({
      'producer.override.batch.size': ['Invalid value -1 for configuration producer.override.batch.size: Value must be at least 0'],
      'admin.override.request.timeout.ms': [notAllowed('Allowlist', 'request.timeout.ms')],
    });
  });
});

describe('worker config', () => {
  const base = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };

  it('defaults to the platformatic client and the All policy', () => {
    const c = parseWorkerConfig(base);
    expect(c.kafkaClient).toBe('platformatic');
    expect(c.clientConfigOverridePolicy).toBe('All');
    expect(c.clientConfigOverrideAllowlist).toEqual([]);
    expect(c.admin).toEqual({});
  });

  it('reads kafka.client, the policy (alias or class name), its allowlist and the client settings', () => {
    const c = parseWorkerConfig({
      ...base,
      'kafka.client': 'kafkajs',
      'connector.client.config.override.policy': 'org.apache.kafka.connect.connector.policy.AllowlistConnectorClientConfigOverridePolicy',
      'connector.client.config.override.allowlist': 'linger.ms, sasl.jaas.config',
      'producer.linger.ms': '10',
      'consumer.max.poll.records': '100',
      'admin.request.timeout.ms': '5000',
      'admin.listeners': 'http://127.0.0.1:0',
    });
    expect(c.kafkaClient).toBe('kafkajs');
    expect(c.clientConfigOverridePolicy).toBe('Allowlist');
    expect(c.clientConfigOverrideAllowlist).toEqual(['linger.ms', 'sasl.jaas.config']);
    expect(c.producer).toEqual({ 'linger.ms': '10' });
    expect(c.consumer).toEqual({ 'max.poll.records': '100' });
    expect(c.admin).toEqual({ 'request.timeout.ms': '5000' });
    expect(parseWorkerConfig({ ...base, 'connector.client.config.override.policy': 'None' }).clientConfigOverridePolicy).toBe('None');
  });

  it('refuses an unknown client library or policy', () => {
    expect(() => parseWorkerConfig({ ...base, 'kafka.client': 'rdkafka' })).toThrow(
      'Invalid value rdkafka for configuration kafka.client: String must be one of: platformatic, kafkajs',
    );
    expect(() => parseWorkerConfig({ ...base, 'connector.client.config.override.policy': 'Some' })).toThrow(
      /^Invalid value Some for configuration connector.client.config.override.policy: Failed to find any class that implements ConnectorClientConfigOverridePolicy and which name matches Some/,
    );
  });

  it("refuses bad producer.* and consumer.* values at start, naming the worker's key", () => {
    expect(() => parseWorkerConfig({ ...base, 'producer.linger.ms': 'abc' })).toThrow(
      new ConfigError('Invalid value abc for configuration producer.linger.ms: Not a number of type LONG'),
    );
    try {
      parseWorkerConfig({ ...base, 'producer.enable.idempotence': 'true', 'producer.acks': '1' });
      throw new Error('expected an error');
    } catch (e) {
      expect((e as ConfigError).configName).toBe('producer.acks');
      expect((e as Error).message).toBe('Must set producer.acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
    }
    expect(() => parseWorkerConfig({ ...base, 'consumer.isolation.level': 'x', 'offset.flush.interval.ms': '0' })).toThrow(
      'Invalid value 0 for configuration offset.flush.interval.ms: Value must be at least 1\nInvalid value x for configuration consumer.isolation.level: String must be one of: read_committed, read_uncommitted',
    );
  });
});
