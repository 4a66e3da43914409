/** The plugins bundled with the CLI (converters come with the runtime). */
import type { PluginDescriptor } from '@kconnect/api';
import { plugins as filePlugins } from '@kconnect/file-connectors';

export const BUNDLED_PLUGINS: readonly PluginDescriptor[] = [...filePlugins];
