/**
 * @kconnect/mqtt-source — an MQTT 3.1.1/5 source that acknowledges each QoS 1/2 message to the broker only after
 * Kafka acknowledged its record. See docs/connectors/mqtt-source.md.
 */

export { MqttSourceConnector, splitTasks } from './source-connector';
export { MqttSourceTask, toServer } from './source-task';
export { AckingMqttClient } from './ack-client';
export type { AckToken, ReceivedMessage } from './ack-client';
export { CONFIG_DEF, parseConfig, validateConfig, TASK_INDEX } from './config';
export { matchFilter, renderTopic, route, filterProblem, templateProblem, parseShared, renderClientId, jsonPath, sanitizeTopic } from './routing';
export type { Route } from './routing';
export { VERSION } from './version';
export { plugins } from './plugins';
