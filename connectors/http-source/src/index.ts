/**
 * @kconnect/http-source — the HTTP source connector: receive device webhooks (listen mode, answered only after
 * Kafka acknowledged every record) or poll HTTP APIs (poll mode, offsets advanced only after Kafka acknowledged).
 */
import type { PluginDescriptor } from '@kconnect/api';
import { HttpSourceConnector } from './connector';
import { VERSION } from './version';

export { HttpSourceConnector, configErrors } from './connector';
export { HttpSourceTask } from './task';
export { CONFIG } from './config';
export { normalizeProps } from './castorm';
export { VERSION } from './version';

export const plugins: PluginDescriptor[] = [
  {
    className: 'io.kconnect.http.HttpSourceConnector',
    type: 'source',
    version: VERSION,
    aliases: ['com.github.castorm.kafka.connect.http.HttpSourceConnector'],
    create: () => new HttpSourceConnector(),
  },
];
