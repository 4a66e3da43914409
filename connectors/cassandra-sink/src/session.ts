/** cassandra-driver Client options from the sink config: contact points, local DC, pool, timeouts, auth, TLS. */
import { readFileSync } from 'node:fs';
import { Client, auth, policies, types, type ClientOptions } from 'cassandra-driver';
import type { SinkConfig } from './config';

export function clientOptions(cfg: SinkConfig): ClientOptions {
  const g = cfg.global;
  const port = g.port;
  const contactPoints = g.contactPoints.filter(Boolean); // host or host:port
  const localDc = g['loadBalancing.localDc'].trim();
  const opts: ClientOptions = {
    contactPoints,
    protocolOptions: { port },
    pooling: { coreConnectionsPerHost: { [types.distance.local]: g.connectionPoolLocalSize, [types.distance.remote]: 1 } },
    socketOptions: { readTimeout: g.queryExecutionTimeout * 1000, connectTimeout: g.connectionTimeout * 1000 },
    policies: {
      loadBalancing: new policies.loadBalancing.TokenAwarePolicy(
        localDc
          ? new policies.loadBalancing.DCAwareRoundRobinPolicy(localDc)
          : new policies.loadBalancing.DCAwareRoundRobinPolicy(undefined as unknown as string),
      ),
      reconnection: new policies.reconnection.ExponentialReconnectionPolicy(200, 5000, false),
    },
    queryOptions: { prepare: true },
    // Maps are converted to ES Maps (typed keys); the driver iterates them only when told.
    encoding: { map: Map },
  };
  if (localDc) opts.localDataCenter = localDc;
  if (g['auth.provider'].toUpperCase() !== 'NONE') opts.authProvider = new auth.PlainTextAuthProvider(g['auth.username'], cfg.password);
  if (g['ssl.provider'].toUpperCase() !== 'NONE') {
    const read = (p: string) => (p ? readFileSync(p) : undefined);
    opts.sslOptions = {
      ca: read(g['ssl.truststore.path']),
      cert: read(g['ssl.openssl.keyCertChain']),
      key: read(g['ssl.openssl.privateKey']),
      rejectUnauthorized: true,
      ciphers: g['ssl.cipherSuites'].length ? g['ssl.cipherSuites'].join(':') : undefined,
      ...(g['ssl.hostnameValidation'] ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  return opts;
}

export function newClient(cfg: SinkConfig): Client {
  return closeReplacedHosts(new Client(clientOptions(cfg)));
}

/**
 * Works around a connection leak in cassandra-driver 4.10: when every node was down and the control connection
 * re-initializes from the contact points (NODEJS-632's path), it puts a new Host object in `client.hosts` for the
 * same address without shutting the old one down. The load-balancing policy goes on using the old Host (its pool
 * reconnects and serves the queries), but `client.shutdown()` only shuts down the Hosts in the map, so the old
 * pool's sockets stay open with their heartbeats for the life of the process — one pool per outage. Hosts that
 * leave the map are remembered and shut down with the client.
 */
export function closeReplacedHosts(client: Client): Client {
  const removed = new Set<{ shutdown(waitForPending: boolean): Promise<void> }>();
  client.hosts.on('remove', (h) => removed.add(h));
  const shutdown = client.shutdown.bind(client) as () => Promise<void>;
  client.shutdown = (async () => {
    await shutdown();
    await Promise.all([...removed].map((h) => h.shutdown(false).catch(() => undefined)));
  }) as Client['shutdown'];
  return client;
}

/**
 * Connects. Without `loadBalancing.localDc` the driver refuses to start but names the datacenters it found: with
 * exactly one, that one is used (with several, the error asks for the setting).
 */
export async function connectClient(cfg: SinkConfig): Promise<Client> {
  const client = newClient(cfg);
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    const m = /Available DCs are: \[([^\]]*)\]/.exec((e as Error).message);
    const dcs = m
      ? m[1]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    if (cfg.global['loadBalancing.localDc'].trim() || dcs.length !== 1) {
      if (dcs.length > 1) throw new Error(`Set loadBalancing.localDc to one of the datacenters: ${dcs.join(', ')}`, { cause: e });
      throw e;
    }
    const retry = newClient({ ...cfg, global: { ...cfg.global, 'loadBalancing.localDc': dcs[0]! } });
    try {
      await retry.connect();
    } catch (e2) {
      await retry.shutdown().catch(() => undefined);
      throw e2;
    }
    return retry;
  }
}
