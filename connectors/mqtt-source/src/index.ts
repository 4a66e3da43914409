/**
 * @kconnect/mqtt-source — an MQTT 3.1.1/5 source that acknowledges each QoS 1/2 message to the broker only after
 * Kafka acknowledged its record. See docs/connectors/mqtt-source.md.
 */
import type { PluginDescriptor } from '@kconnect/api';
import { MqttSourceConnector } from './source-connector';
import { VERSION } from './version';

export { MqttSourceConnector, splitTasks } from './source-connector';
export { MqttSourceTask, toServer } from './source-task';
export { AckingMqttClient } from './ack-client';
export type { AckToken, ReceivedMessage } from './ack-client';
export { CONFIG_DEF, parseConfig, validateConfig, TASK_INDEX } from './config';
export { matchFilter, renderTopic, route, filterProblem, templateProblem, parseShared, renderClientId, jsonPath, sanitizeTopic } from './routing';
export type { Route } from './routing';
export { VERSION } from './version';

export const plugins: PluginDescriptor[] = [
  {
    className: 'io.kconnect.mqtt.MqttSourceConnector',
    type: 'source',
    version: VERSION,
    // Confluent's MQTT source: its keys (mqtt.server.uri, mqtt.topics, kafka.topic, mqtt.qos, mqtt.username,
    // mqtt.password, mqtt.clean.session.enabled, mqtt.keepalive.interval.seconds, mqtt.connect.timeout.seconds,
    // mqtt.client.id) are ours too; see the docs for the differences.
    aliases: ['io.confluent.connect.mqtt.MqttSourceConnector'],
    create: () => new MqttSourceConnector(),
  },
];
