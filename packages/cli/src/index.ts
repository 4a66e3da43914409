/** @kconnect/cli — the `kconnect` command. */
export { main } from './main';
export { BUNDLED_PLUGINS } from './plugins';
