/**
 * The plugin descriptors, without loading the connector: its implementation (and the libraries it uses) is
 * required on first use, so a worker that does not run it starts without them.
 */
import type { PluginDescriptor } from '@kconnect/api';
import { VERSION } from './version';

const load = () => require('./connector') as typeof import('./connector');

export const plugins: PluginDescriptor[] = [
  {
    className: 'io.kconnect.http.HttpSourceConnector',
    type: 'source',
    version: VERSION,
    aliases: ['com.github.castorm.kafka.connect.http.HttpSourceConnector'],
    create: () => new (load().HttpSourceConnector)(),
  },
];
