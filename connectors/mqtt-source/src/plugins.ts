/**
 * The plugin descriptors, without loading the connector: its implementation (and the libraries it uses) is
 * required on first use, so a worker that does not run it starts without them.
 */
import type { PluginDescriptor } from '@kconnect/api';
import { VERSION } from './version';

const load = () => require('./source-connector') as typeof import('./source-connector');

export const plugins: PluginDescriptor[] = [
  {
    className: 'io.kconnect.mqtt.MqttSourceConnector',
    type: 'source',
    version: VERSION,
    // Confluent's MQTT source: its keys (mqtt.server.uri, mqtt.topics, kafka.topic, mqtt.qos, mqtt.username,
    // mqtt.password, mqtt.clean.session.enabled, mqtt.keepalive.interval.seconds, mqtt.connect.timeout.seconds,
    // mqtt.client.id) are ours too; see the docs for the differences.
    aliases: ['io.confluent.connect.mqtt.MqttSourceConnector'],
    create: () => new (load().MqttSourceConnector)(),
  },
];
