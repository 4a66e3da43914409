import { ConfigError } from '@kconnect/api';
import {
  CONSUMER_SETTING_DEFS,
  CONSUMER_SETTING_KEYS,
  consumerSettingErrors,
  KafkaSettingError,
  PRODUCER_SETTING_DEFS,
  PRODUCER_SETTING_KEYS,
  parseConsumerSettings,
  parseJaasConfig,
  parseProducerSettings,
  parseSecuritySettings,
  producerSettingErrors,
  SECURITY_SETTING_DEFS,
  securitySettingErrors,
} from './settings';

/** The error `fn` throws (fails when it does not throw one). */
function errorOf(fn: () => unknown): KafkaSettingError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaSettingError);
    return e as KafkaSettingError;
  }
  throw new Error('expected a KafkaSettingError');
}

describe('producer settings', () => {
  it("defaults to the Java client's defaults with Connect's overrides (and idempotence on)", () => {
    expect(parseProducerSettings({})).toEqual({
      acks: -1,
      compressionType: 'none',
      lingerMs: 5,
      batchSize: 16384,
      maxInFlightRequestsPerConnection: 1,
      enableIdempotence: true,
      requestTimeoutMs: 30000,
      deliveryTimeoutMs: 2147483647,
      retryBackoffMs: 100,
      metadataMaxAgeMs: 300000,
    });
  });

  it('reads every key', () => {
    expect(
      parseProducerSettings({
        acks: '1',
        'compression.type': 'zstd',
        'linger.ms': '20',
        'batch.size': '65536',
        'max.in.flight.requests.per.connection': '3',
        'enable.idempotence': 'false',
        'request.timeout.ms': '10000',
        'delivery.timeout.ms': '60000',
        'retry.backoff.ms': '250',
        'metadata.max.age.ms': '1000',
      }),
    ).toEqual({
      acks: 1,
      compressionType: 'zstd',
      lingerMs: 20,
      batchSize: 65536,
      maxInFlightRequestsPerConnection: 3,
      enableIdempotence: false,
      requestTimeoutMs: 10000,
      deliveryTimeoutMs: 60000,
      retryBackoffMs: 250,
      metadataMaxAgeMs: 1000,
    });
  });

  it.each([
    ['all', -1],
    ['-1', -1],
    ['0', 0],
    ['1', 1],
    [' all ', -1],
  ])('acks=%s is %d', (acks, expected) => {
    expect(parseProducerSettings({ acks, 'enable.idempotence': 'false' }).acks).toBe(expected);
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('compression.type=%s', (c) => {
    expect(parseProducerSettings({ 'compression.type': c }).compressionType).toBe(c);
  });

  it('trims values and accepts booleans in any case, as Java', () => {
    expect(parseProducerSettings({ 'linger.ms': ' 7 ', 'enable.idempotence': 'FALSE', 'batch.size': '+10' })).toMatchObject({
      lingerMs: 7,
      enableIdempotence: false,
      batchSize: 10,
    });
  });

  it.each([
    ['linger.ms', 'abc', 'Invalid value abc for configuration linger.ms: Not a number of type LONG'],
    ['linger.ms', '1.5', 'Invalid value 1.5 for configuration linger.ms: Not a number of type LONG'],
    ['linger.ms', '', 'Invalid value  for configuration linger.ms: Not a number of type LONG'],
    ['linger.ms', '-1', 'Invalid value -1 for configuration linger.ms: Value must be at least 0'],
    ['linger.ms', '9223372036854775808', 'Invalid value 9223372036854775808 for configuration linger.ms: Not a number of type LONG'],
    ['batch.size', '2147483648', 'Invalid value 2147483648 for configuration batch.size: Not a number of type INT'],
    ['batch.size', '-1', 'Invalid value -1 for configuration batch.size: Value must be at least 0'],
    ['acks', 'ALL', 'Invalid value ALL for configuration acks: String must be one of: all, -1, 0, 1'],
    ['acks', '2', 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1'],
    ['compression.type', 'brotli', 'Invalid value brotli for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd'],
    ['max.in.flight.requests.per.connection', '0', 'Invalid value 0 for configuration max.in.flight.requests.per.connection: Value must be at least 1'],
    ['enable.idempotence', 'yes', 'Invalid value yes for configuration enable.idempotence: Expected value to be either true or false'],
    ['request.timeout.ms', '-5', 'Invalid value -5 for configuration request.timeout.ms: Value must be at least 0'],
    ['delivery.timeout.ms', 'x', 'Invalid value x for configuration delivery.timeout.ms: Not a number of type INT'],
    ['retry.backoff.ms', '-1', 'Invalid value -1 for configuration retry.backoff.ms: Value must be at least 0'],
    ['metadata.max.age.ms', '1e3', 'Invalid value 1e3 for configuration metadata.max.age.ms: Not a number of type LONG'],
  ])('%s=%j is refused', (key, value, message) => {
    const e = errorOf(() => parseProducerSettings({ [key]: value }));
    expect(e.message).toBe(message);
    expect(e.key).toBe(key);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(Error);
  });

  it('lists every bad value at once', () => {
    expect(producerSettingErrors({ 'linger.ms': 'x', acks: 'some' }).map((e) => e.key)).toEqual(['acks', 'linger.ms']);
    expect(producerSettingErrors({})).toEqual([]);
  });

  describe("Java's idempotence cross-checks", () => {
    it('refuses acks other than all when enable.idempotence=true is set', () => {
      for (const acks of ['0', '1']) {
        const e = errorOf(() => parseProducerSettings({ 'enable.idempotence': 'true', acks }));
        expect(e.message).toBe('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
        expect(e.key).toBe('acks');
        expect(e.keys).toEqual(['acks', 'enable.idempotence']);
      }
    });

    it('refuses more than 5 requests in flight when enable.idempotence=true is set', () => {
      const e = errorOf(() => parseProducerSettings({ 'enable.idempotence': 'true', 'max.in.flight.requests.per.connection': '6' }));
      expect(e.message).toBe('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
      expect(e.key).toBe('max.in.flight.requests.per.connection');
      expect(parseProducerSettings({ 'enable.idempotence': 'true', 'max.in.flight.requests.per.connection': '5' }).enableIdempotence).toBe(true);
    });

    it('silently turns idempotence off when it is only the default', () => {
      expect(parseProducerSettings({ acks: '1' })).toMatchObject({ acks: 1, enableIdempotence: false });
      expect(parseProducerSettings({ acks: '0' })).toMatchObject({ acks: 0, enableIdempotence: false });
      expect(parseProducerSettings({ 'max.in.flight.requests.per.connection': '10' })).toMatchObject({
        maxInFlightRequestsPerConnection: 10,
        enableIdempotence: false,
      });
    });

    it('has nothing to check when idempotence is off', () => {
      expect(parseProducerSettings({ 'enable.idempotence': 'false', acks: '1', 'max.in.flight.requests.per.connection': '10' })).toMatchObject({
        acks: 1,
        enableIdempotence: false,
        maxInFlightRequestsPerConnection: 10,
      });
    });
  });

  describe("Java's delivery timeout check", () => {
    it('refuses an explicit delivery.timeout.ms below linger.ms + request.timeout.ms', () => {
      const e = errorOf(() => parseProducerSettings({ 'delivery.timeout.ms': '30000', 'linger.ms': '5', 'request.timeout.ms': '30000' }));
      expect(e.message).toBe('delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms');
      expect(e.keys).toEqual(['delivery.timeout.ms', 'linger.ms', 'request.timeout.ms']);
      expect(parseProducerSettings({ 'delivery.timeout.ms': '30005' }).deliveryTimeoutMs).toBe(30005);
    });

    it('never goes below linger.ms + request.timeout.ms (capped to the INT range) with the default', () => {
      expect(parseProducerSettings({ 'request.timeout.ms': '2147483647', 'linger.ms': '100' }).deliveryTimeoutMs).toBe(2147483647);
    });
  });

  it('names the keys as asked', () => {
    const e = errorOf(() => parseProducerSettings({ 'linger.ms': 'abc' }));
    const p = e.prefixed('producer.');
    expect(p).toBeInstanceOf(KafkaSettingError);
    expect(p.message).toBe('Invalid value abc for configuration producer.linger.ms: Not a number of type LONG');
    expect(p.key).toBe('producer.linger.ms');
    expect(p.configName).toBe('producer.linger.ms');
    expect(p.settingKeys).toEqual(['linger.ms']);
    const both = errorOf(() => parseProducerSettings({ 'enable.idempotence': 'true', acks: '1' })).renamed((k) =>
      k === 'acks' ? `producer.override.${k}` : `producer.${k}`,
    );
    expect(both.message).toBe('Must set producer.override.acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
    expect(both.keys).toEqual(['producer.override.acks', 'producer.enable.idempotence']);
  });

  it('exports the keys it reads', () => {
    expect([...PRODUCER_SETTING_KEYS].sort()).toEqual(
      [
        'acks',
        'batch.size',
        'compression.type',
        'delivery.timeout.ms',
        'enable.idempotence',
        'linger.ms',
        'max.in.flight.requests.per.connection',
        'metadata.max.age.ms',
        'request.timeout.ms',
        'retry.backoff.ms',
      ].sort(),
    );
    expect(PRODUCER_SETTING_KEYS.has('retries')).toBe(false);
    // Every definition's default parses.
    for (const d of PRODUCER_SETTING_DEFS) expect(producerSettingErrors({ [d.key]: d.default })).toEqual([]);
  });
});

describe('consumer settings', () => {
  it("defaults to the Java client's defaults with Connect's sink overrides", () => {
    expect(parseConsumerSettings({})).toEqual({
      fetchMinBytes: 1,
      fetchMaxBytes: 52428800,
      fetchMaxWaitMs: 500,
      maxPartitionFetchBytes: 1048576,
      maxPollRecords: 2147483647,
      sessionTimeoutMs: 10000,
      heartbeatIntervalMs: 3000,
      maxPollIntervalMs: 300000,
      isolationLevel: 'read_uncommitted',
      autoOffsetReset: 'earliest',
      allowAutoCreateTopics: true,
      enableAutoCommit: false,
      requestTimeoutMs: 30000,
      retryBackoffMs: 100,
      metadataMaxAgeMs: 300000,
    });
  });

  it('reads every key', () => {
    expect(
      parseConsumerSettings({
        'fetch.min.bytes': '1024',
        'fetch.max.bytes': '1048576',
        'fetch.max.wait.ms': '100',
        'max.partition.fetch.bytes': '65536',
        'max.poll.records': '50',
        'session.timeout.ms': '10000',
        'heartbeat.interval.ms': '1000',
        'max.poll.interval.ms': '60000',
        'isolation.level': 'read_committed',
        'auto.offset.reset': 'latest',
        'allow.auto.create.topics': 'false',
        'enable.auto.commit': 'true',
        'request.timeout.ms': '5000',
        'retry.backoff.ms': '50',
        'metadata.max.age.ms': '60000',
      }),
    ).toEqual({
      fetchMinBytes: 1024,
      fetchMaxBytes: 1048576,
      fetchMaxWaitMs: 100,
      maxPartitionFetchBytes: 65536,
      maxPollRecords: 50,
      sessionTimeoutMs: 10000,
      heartbeatIntervalMs: 1000,
      maxPollIntervalMs: 60000,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'latest',
      allowAutoCreateTopics: false,
      enableAutoCommit: true,
      requestTimeoutMs: 5000,
      retryBackoffMs: 50,
      metadataMaxAgeMs: 60000,
    });
    expect(parseConsumerSettings({ 'auto.offset.reset': 'none' }).autoOffsetReset).toBe('none');
  });

  it.each([
    ['fetch.min.bytes', '-1', 'Invalid value -1 for configuration fetch.min.bytes: Value must be at least 0'],
    ['fetch.max.bytes', 'lots', 'Invalid value lots for configuration fetch.max.bytes: Not a number of type INT'],
    ['fetch.max.wait.ms', '-1', 'Invalid value -1 for configuration fetch.max.wait.ms: Value must be at least 0'],
    ['max.partition.fetch.bytes', '1.5', 'Invalid value 1.5 for configuration max.partition.fetch.bytes: Not a number of type INT'],
    ['max.poll.records', '0', 'Invalid value 0 for configuration max.poll.records: Value must be at least 1'],
    ['max.poll.interval.ms', '0', 'Invalid value 0 for configuration max.poll.interval.ms: Value must be at least 1'],
    ['session.timeout.ms', 'x', 'Invalid value x for configuration session.timeout.ms: Not a number of type INT'],
    ['heartbeat.interval.ms', '99999999999', 'Invalid value 99999999999 for configuration heartbeat.interval.ms: Not a number of type INT'],
    [
      'isolation.level',
      'READ_COMMITTED',
      'Invalid value READ_COMMITTED for configuration isolation.level: String must be one of: read_committed, read_uncommitted',
    ],
    [
      'auto.offset.reset',
      'smallest',
      "Invalid value smallest for configuration auto.offset.reset: Invalid value `smallest` for configuration auto.offset.reset. The value must be either 'earliest', 'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.",
    ],
    [
      'auto.offset.reset',
      'by_duration:PT1H',
      'Invalid value by_duration:PT1H for configuration auto.offset.reset: the by_duration strategy (Kafka 4.0) is not supported here; use earliest, latest or none',
    ],
    ['allow.auto.create.topics', '1', 'Invalid value 1 for configuration allow.auto.create.topics: Expected value to be either true or false'],
    ['enable.auto.commit', 'no', 'Invalid value no for configuration enable.auto.commit: Expected value to be either true or false'],
    ['request.timeout.ms', '-1', 'Invalid value -1 for configuration request.timeout.ms: Value must be at least 0'],
    ['retry.backoff.ms', 'x', 'Invalid value x for configuration retry.backoff.ms: Not a number of type LONG'],
    ['metadata.max.age.ms', '-1', 'Invalid value -1 for configuration metadata.max.age.ms: Value must be at least 0'],
  ])('%s=%j is refused', (key, value, message) => {
    const e = errorOf(() => parseConsumerSettings({ [key]: value }));
    expect(e.message).toBe(message);
    expect(e.key).toBe(key);
  });

  it('names the key in the auto.offset.reset message as asked', () => {
    expect(errorOf(() => parseConsumerSettings({ 'auto.offset.reset': 'x' })).prefixed('consumer.override.').message).toBe(
      "Invalid value x for configuration consumer.override.auto.offset.reset: Invalid value `x` for configuration consumer.override.auto.offset.reset. The value must be either 'earliest', 'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.",
    );
  });

  it('refuses a heartbeat interval not lower than the session timeout, as Java', () => {
    const e = errorOf(() => parseConsumerSettings({ 'session.timeout.ms': '3000' }));
    expect(e.message).toBe(
      'Invalid value 3000 for configuration heartbeat.interval.ms: Heartbeat must be set lower than the session timeout (session.timeout.ms=3000)',
    );
    expect(e.keys).toEqual(['heartbeat.interval.ms', 'session.timeout.ms']);
    expect(parseConsumerSettings({ 'session.timeout.ms': '3001' }).sessionTimeoutMs).toBe(3001);
    expect(consumerSettingErrors({ 'heartbeat.interval.ms': '50000' }).map((x) => x.key)).toEqual(['heartbeat.interval.ms']);
  });

  it('exports the keys it reads', () => {
    expect(CONSUMER_SETTING_KEYS.size).toBe(CONSUMER_SETTING_DEFS.length);
    for (const k of ['fetch.min.bytes', 'auto.offset.reset', 'isolation.level', 'enable.auto.commit', 'allow.auto.create.topics'])
      expect(CONSUMER_SETTING_KEYS.has(k)).toBe(true);
    expect(CONSUMER_SETTING_KEYS.has('group.id')).toBe(false);
    for (const d of CONSUMER_SETTING_DEFS) expect(consumerSettingErrors({ [d.key]: d.default })).toEqual([]);
  });
});

describe('security settings', () => {
  const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr\\"et";';

  it("parses Java's JAAS line", () => {
    expect(parseJaasConfig(JAAS)).toEqual({
      loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      flag: 'required',
      options: { username: 'alice', password: 's3cr"et' },
    });
    expect(parseJaasConfig("  org.apache.kafka.common.security.plain.PlainLoginModule Required\n  username=bob password='p w' ;  ").options).toEqual({
      username: 'bob',
      password: 'p w',
    });
    expect(() => parseJaasConfig('org.x.Module required username="a"')).toThrow('JAAS config entry not terminated by semi-colon');
    expect(() => parseJaasConfig('org.x.Module username="a";')).toThrow(/expected the control flag/);
    expect(() => parseJaasConfig('org.x.Module required username;')).toThrow("Value not specified for key 'username' in JAAS config");
    expect(() => parseJaasConfig('a required; b required;')).toThrow('JAAS config property contains 2 login modules, should be 1 module');
  });

  it("defaults to Java's (PLAINTEXT, no TLS, no SASL)", () => {
    expect(parseSecuritySettings({})).toEqual({ securityProtocol: 'PLAINTEXT' });
    for (const d of SECURITY_SETTING_DEFS) expect(securitySettingErrors({ [d.key]: d.default })).toEqual([]);
  });

  it('reads SASL credentials and TLS settings', () => {
    const s = parseSecuritySettings({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': JAAS,
      'ssl.truststore.type': 'pem',
      'ssl.truststore.location': '/ca.pem',
      'ssl.endpoint.identification.algorithm': '',
    });
    expect(s.securityProtocol).toBe('SASL_SSL');
    expect(s.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cr"et' });
    expect(s.ssl).toMatchObject({ truststoreType: 'PEM', truststoreLocation: '/ca.pem', keystoreType: 'JKS', verifyHostname: false });
    expect(parseSecuritySettings({ 'security.protocol': 'SSL' }).ssl?.verifyHostname).toBe(true);
    // SASL keys are not read without SASL, nor TLS keys without TLS.
    expect(parseSecuritySettings({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': JAAS })).toEqual({
      securityProtocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'alice', password: 's3cr"et' },
    });
  });

  it("refuses bad values with Java's messages, never showing a password", () => {
    expect(errorOf(() => parseSecuritySettings({ 'security.protocol': 'TLS' })).message).toBe(
      'Invalid value TLS for configuration security.protocol: String must be one of (case insensitive): PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL',
    );
    const jaas = errorOf(() => parseSecuritySettings({ 'sasl.jaas.config': 'org.x.M required password="hunter2"' }));
    expect(jaas.message).toBe('Invalid value [hidden] for configuration sasl.jaas.config: Invalid JAAS config: JAAS config entry not terminated by semi-colon');
    expect(jaas.prefixed('producer.override.').message).toContain('configuration producer.override.sasl.jaas.config:');
    expect(producerSettingErrors({ 'security.protocol': 'nope' }).map((e) => e.key)).toEqual(['security.protocol']);
    expect(consumerSettingErrors({ 'ssl.endpoint.identification.algorithm': 'http' })[0]!.message).toBe(
      'Invalid value http for configuration ssl.endpoint.identification.algorithm: must be https (check the host name against the certificate) or empty (do not)',
    );
  });

  it('checks combinations when a client is created, naming the key to fix', () => {
    const sasl = { 'security.protocol': 'SASL_SSL' };
    expect(errorOf(() => parseSecuritySettings(sasl)).message).toMatch(/^Invalid value GSSAPI for configuration sasl.mechanism: GSSAPI \(Kerberos/);
    const noJaas = errorOf(() => parseSecuritySettings({ ...sasl, 'sasl.mechanism': 'PLAIN' }));
    expect(noJaas.key).toBe('sasl.jaas.config');
    expect(noJaas.message).toContain(
      'security.protocol=SASL_SSL needs the credentials in sasl.jaas.config, e.g. org.apache.kafka.common.security.plain.PlainLoginModule',
    );
    expect(
      errorOf(() => parseSecuritySettings({ ...sasl, 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'com.sun.security.auth.module.Krb5LoginModule required;' }))
        .message,
    ).toContain('the login module com.sun.security.auth.module.Krb5LoginModule is not supported');
    expect(
      errorOf(() =>
        parseSecuritySettings({
          ...sasl,
          'sasl.mechanism': 'PLAIN',
          'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="a";',
        }),
      ).message,
    ).toContain('needs the options username="…" and password="…"');
    const ssl = { 'security.protocol': 'SSL' };
    expect(errorOf(() => parseSecuritySettings({ ...ssl, 'ssl.truststore.certificates': 'x' })).message).toBe(
      'SSL trust store certs can be specified only for PEM, but trust store type is JKS (set ssl.truststore.type=PEM)',
    );
    expect(errorOf(() => parseSecuritySettings({ ...ssl, 'ssl.truststore.type': 'PEM', 'ssl.truststore.password': 'x' })).message).toBe(
      'SSL trust store password cannot be specified for PEM format.',
    );
    expect(errorOf(() => parseSecuritySettings({ ...ssl, 'ssl.keystore.location': '/k.p12' })).message).toBe(
      'SSL key store is specified, but key store password is not specified.',
    );
    const half = errorOf(() => parseSecuritySettings({ ...ssl, 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': 'k' }));
    expect(half.renamed((k) => `consumer.${k}`).message).toBe(
      'Set both consumer.ssl.keystore.certificate.chain and consumer.ssl.keystore.key (the client certificate and its key), or neither',
    );
  });
});
