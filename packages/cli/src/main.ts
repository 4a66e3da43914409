#!/usr/bin/env node
/**
 * `kconnect` — the command line, named after Connect's scripts:
 *   kconnect standalone worker.properties [connector.properties|connector.json ...]
 *   kconnect distributed worker.properties   a worker of a cluster coordinated through Kafka (group.id, *.storage.topic)
 *   kconnect plugins            list the bundled plugins
 *   kconnect validate worker.properties connector.json   check a connector config without running it
 */
import { ConfigError } from '@kconnect/api';
import { readConnectorFile, readWorkerProperties, startDistributed, startStandalone, type LogLevel } from '@kconnect/runtime';
import { BUNDLED_PLUGINS } from './plugins';

const USAGE = `Usage:
  kconnect standalone <worker.properties> [<connector.properties|connector.json> ...]
  kconnect distributed <worker.properties>
  kconnect plugins
  kconnect --version`;

async function standalone(args: string[]): Promise<void> {
  const [workerFile, ...connectorFiles] = args;
  if (!workerFile) throw new ConfigError(`Missing worker properties file.\n${USAGE}`);
  const workerProps = readWorkerProperties(workerFile);
  const connectors = connectorFiles.map(readConnectorFile);
  await run(startStandalone({ workerProps, connectors, plugins: BUNDLED_PLUGINS, logLevel: logLevel() }));
}

async function distributed(args: string[]): Promise<void> {
  const [workerFile, ...extra] = args;
  if (!workerFile) throw new ConfigError(`Missing worker properties file.\n${USAGE}`);
  // As Java's connect-distributed: connectors are created over REST, not from files.
  if (extra.length) throw new ConfigError(`A distributed worker takes only its worker properties; create connectors over REST.\n${USAGE}`);
  await run(startDistributed({ workerProps: readWorkerProperties(workerFile), plugins: BUNDLED_PLUGINS, logLevel: logLevel() }));
}

const logLevel = () => (process.env.KCONNECT_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'INFO';

/** Runs a started worker until SIGINT / SIGTERM, then stops it cleanly. */
async function run(started: Promise<{ url: string; stop(): Promise<void> }>): Promise<void> {
  const worker = await started;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kconnect: ${signal} received, stopping\n`);
    worker.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`kconnect: error while stopping: ${(e as Error).stack}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.stderr.write(`kconnect: REST API at ${worker.url}\n`);
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'standalone':
      return standalone(rest);
    case 'distributed':
      return distributed(rest);
    case 'plugins':
      for (const p of BUNDLED_PLUGINS) process.stdout.write(`${p.type}\t${p.className}\t${p.version}\n`);
      return;
    case '--version':
    case 'version':
      process.stdout.write(`${(await import('@kconnect/runtime')).VERSION}\n`);
      return;
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = cmd ? 2 : 0;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const err = e as Error;
    process.stderr.write(`kconnect: ${err instanceof ConfigError ? err.message : err.stack}\n`);
    process.exit(1);
  });
}
