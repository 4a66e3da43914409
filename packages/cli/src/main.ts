#!/usr/bin/env node
/**
 * `kconnect` — the command line, named after Connect's scripts:
 *   kconnect standalone worker.properties [connector.properties|connector.json ...]
 *   kconnect distributed worker.properties   a worker of a cluster coordinated through Kafka (group.id, *.storage.topic)
 *   kconnect plugins            list the bundled plugins
 *   kconnect validate worker.properties connector.json   check a connector config without running it
 *   kconnect hash-password <user> <role>     a line for rest.authentication.basic.users.file (password on stdin)
 *   kconnect generate-token <name> <role>    a new bearer token and its line for rest.authentication.bearer.tokens.file
 */
import { ConfigError } from '@kconnect/api';
import {
  generateToken,
  hashPassword,
  hashToken,
  readConnectorFile,
  readWorkerProperties,
  ROLES,
  startDistributed,
  startStandalone,
  type LogLevel,
} from '@kconnect/runtime';
import { BUNDLED_PLUGINS } from './plugins';

const USAGE = `Usage:
  kconnect standalone <worker.properties> [<connector.properties|connector.json> ...]
  kconnect distributed <worker.properties>
  kconnect plugins
  kconnect hash-password <user> <role>     (reads the password from stdin; role: read, operate or admin)
  kconnect generate-token <name> <role>
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

function nameAndRole(args: string[], what: string): [string, string] {
  const [name, role, ...extra] = args;
  if (!name || !role || extra.length) throw new ConfigError(`Usage: kconnect ${what} <name> <role>`);
  if (name.includes(':')) throw new ConfigError(`The name must not contain ':' (${name})`);
  if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(`Unknown role ${role}; use one of ${ROLES.join(', ')}`);
  return [name, role];
}

/** Prints `user:role:scrypt$…` for rest.authentication.basic.users.file; the password comes from stdin (not echoed on a terminal). */
async function hashPasswordCommand(args: string[]): Promise<void> {
  const [user, role] = nameAndRole(args, 'hash-password');
  const password = await readSecret('Password: ');
  if (!password) throw new ConfigError('Empty password');
  process.stdout.write(`${user}:${role}:${await hashPassword(password)}\n`);
}

/** Prints a new token (line 1) and its `name:role:sha256$…` line for rest.authentication.bearer.tokens.file (line 2). */
function generateTokenCommand(args: string[]): void {
  const [name, role] = nameAndRole(args, 'generate-token');
  const token = generateToken();
  process.stdout.write(`${token}\n${name}:${role}:${hashToken(token)}\n`);
}

/** The first line of stdin; on a terminal, prompted for and not echoed. */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (v: string | Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(text);
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'standalone':
      return standalone(rest);
    case 'distributed':
      return distributed(rest);
    case 'hash-password':
      return hashPasswordCommand(rest);
    case 'generate-token':
      return generateTokenCommand(rest);
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
