/**
 * @kconnect/http-source — the HTTP source connector: receive device webhooks (listen mode, answered only after
 * Kafka acknowledged every record) or poll HTTP APIs (poll mode, offsets advanced only after Kafka acknowledged).
 */

export { HttpSourceConnector, configErrors } from './connector';
export { HttpSourceTask } from './task';
export { CONFIG } from './config';
export { normalizeProps } from './castorm';
export { VERSION } from './version';
export { plugins } from './plugins';
