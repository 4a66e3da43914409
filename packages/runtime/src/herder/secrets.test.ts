import { plugins as avroPlugins } from '@kconnect/avro-converter';
import { plugins as converterPlugins } from '@kconnect/converters';
import { plugins as httpPlugins } from '@kconnect/http-source';
import { plugins as mqttPlugins } from '@kconnect/mqtt-source';
import { plugins as transformPlugins } from '@kconnect/transforms';
import { parseWorkerConfig } from '../config/worker-config';
import { PluginRegistry } from '../plugins/registry';
import { HIDDEN, SecretMasker } from './secrets';

const registry = new PluginRegistry().register(converterPlugins).register(transformPlugins).register(avroPlugins).register(mqttPlugins).register(httpPlugins);
const config = parseWorkerConfig({
  'bootstrap.servers': '127.0.0.1:9092',
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'io.confluent.connect.avro.AvroConverter',
});
const masker = new SecretMasker({ registry, config }, false);

const MQTT = {
  name: 'm',
  'connector.class': 'io.kconnect.mqtt.MqttSourceConnector',
  'mqtt.server.uri': 'tcp://h:1883',
  'mqtt.username': 'user',
  'mqtt.password': 's3cret-pw',
  'mqtt.ssl.key.password': '${file:/etc/kc/secrets.properties:keypass}',
  'value.converter.basic.auth.user.info': 'u:registry-pw',
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.basic.auth.user.info': 'not-a-key-of-JsonConverter',
  'producer.override.sasl.jaas.config': 'PlainLoginModule required password="jaas-pw";',
  'producer.override.linger.ms': '5',
  'consumer.override.ssl.truststore.password': 'trust-pw',
};

describe('secrets in connector configs', () => {
  it('names the secret keys: the connector ConfigDef, the converters, the client overrides', () => {
    expect([...masker.secretKeys(MQTT)].sort()).toEqual([
      'consumer.override.ssl.truststore.password',
      'mqtt.password',
      'mqtt.ssl.key.password',
      'producer.override.sasl.jaas.config',
      // The worker's value converter (Avro) defines it PASSWORD; the connector's JsonConverter has no such key.
      'value.converter.basic.auth.user.info',
    ]);
  });

  it('hides the values, except placeholders', () => {
    const shown = masker.config(MQTT);
    expect(shown['mqtt.password']).toBe(HIDDEN);
    expect(shown['value.converter.basic.auth.user.info']).toBe(HIDDEN);
    expect(shown['producer.override.sasl.jaas.config']).toBe(HIDDEN);
    expect(shown['consumer.override.ssl.truststore.password']).toBe(HIDDEN);
    expect(shown['mqtt.ssl.key.password']).toBe(MQTT['mqtt.ssl.key.password']);
    expect(shown['mqtt.username']).toBe('user');
    expect(shown['key.converter.basic.auth.user.info']).toBe('not-a-key-of-JsonConverter');
    expect(shown['producer.override.linger.ms']).toBe('5');
    expect(new SecretMasker({ registry, config }, true).config(MQTT)).toEqual(MQTT);
  });

  it('keys of transformations and predicates by their ConfigDefs; sensitive patterns (HTTP source)', () => {
    const http = {
      'connector.class': 'io.kconnect.http.HttpSourceConnector',
      'http.poll.endpoint.e1.auth.password': 'pw1',
      'http.poll.endpoint.e1.auth.username': 'u1',
      'http.listen.auth.token': 't1,t2',
      'http.poll.auth.oauth2.client.secret': 'cs',
      transforms: 'x',
      'transforms.x.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.x.static.field': 'f',
    };
    expect([...masker.secretKeys(http)].sort()).toEqual([
      'http.listen.auth.token',
      'http.poll.auth.oauth2.client.secret',
      'http.poll.endpoint.e1.auth.password',
    ]);
  });

  it('task configs hide the connector secret keys and copies of secret values under other names', () => {
    const task = { 'mqtt.password': 's3cret-pw', copied: 's3cret-pw', other: 'x' };
    expect(masker.taskConfig(MQTT, task)).toEqual({ 'mqtt.password': HIDDEN, copied: HIDDEN, other: 'x' });
  });

  it('scrubs secret values from traces and messages, JSON-escaped ones too', () => {
    const values = masker.scrubbable(MQTT);
    expect(values).not.toContain(MQTT['mqtt.ssl.key.password']);
    // Short values and values shown under a key that is not secret are left alone (they would hide ordinary words).
    expect(masker.scrubbable({ ...MQTT, 'mqtt.password': 'wrong' })).not.toContain('wrong');
    expect(masker.scrubbable({ ...MQTT, 'mqtt.username': 's3cret-pw' })).not.toContain('s3cret-pw');
    expect(masker.scrub('bad password s3cret-pw; jaas PlainLoginModule required password=\\"jaas-pw\\";', values)).toBe(
      `bad password ${HIDDEN}; jaas ${HIDDEN}`,
    );
  });

  it('a [hidden] sent back keeps the stored value; other values are taken as sent', () => {
    const sent = { ...masker.config(MQTT), 'mqtt.username': 'user2', 'mqtt.server.uri': HIDDEN };
    expect(masker.restore(sent, MQTT)).toEqual({ ...MQTT, 'mqtt.username': 'user2', 'mqtt.server.uri': HIDDEN });
    // A new connector (nothing stored): taken as sent.
    expect(masker.restore(sent, undefined)).toBe(sent);
    expect(masker.restorePatch({ 'mqtt.password': HIDDEN, 'mqtt.username': 'u3' }, MQTT)).toEqual({ 'mqtt.username': 'u3' });
  });

  it('a config without a connector class shows no value in messages', () => {
    expect(masker.unknownConfig({ name: 'n', 'mqtt.password': 'x' })).toEqual({ name: 'n', 'mqtt.password': HIDDEN });
  });
});
