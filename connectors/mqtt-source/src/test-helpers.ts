/** Helpers for this package's integration tests (not part of the build). */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { eventually, freePort, unique } from '@kconnect/testkit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export const MQTT_URL = process.env.KCONNECT_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export async function publisher(opts: IClientOptions = {}, url = MQTT_URL): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, clientId: unique('pub'), reconnectPeriod: 200, ...opts });
}

export { freePort };

/** Debian installs mosquitto in /usr/sbin, which a non-root PATH may lack (scripts/services.sh looks there too). */
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p)) ?? 'mosquitto';

/** Our own Mosquitto with a config (listener lines are added); killed by stop(). */
export async function startMosquitto(configLines: string[], fixedPort?: number): Promise<{ port: number; dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mqtt-src-mosq-'));
  const port = fixedPort ?? (await freePort());
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `user ${userInfo().username}`,
      'persistence false',
      'log_dest stderr',
      ...configLines.map((l) => l.replaceAll('$DIR', dir)),
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const s = netConnect(port, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    10_000,
    `mosquitto on ${port}: ${log}`,
  );
  return {
    port,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => (timer = setTimeout(r, 3000)))]);
        clearTimeout(timer);
      }
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files in `dir`. */
export function makeCerts(dir: string): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const f = (n: string) => path.join(dir, n);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    ossl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who === 'server' ? 'localhost' : 'kconnect-client'}`,
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
    );
    const ext = who === 'server' ? ['-extfile', f('server.ext')] : [];
    ossl('x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${who}.pem`), ...ext);
  }
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

export { readTopics as consume, type ReadRecord as Consumed } from '@kconnect/testkit';
