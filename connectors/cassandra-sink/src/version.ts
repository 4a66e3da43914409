import { packageVersion } from '@kconnect/api';

/** This package's version (its package.json), reported by its connectors and tasks. */
export const VERSION: string = packageVersion(__dirname);
