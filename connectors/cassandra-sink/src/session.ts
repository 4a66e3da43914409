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
        localDc ? new policies.loadBalancing.DCAwareRoundRobinPolicy(localDc) : new policies.loadBalancing.DCAwareRoundRobinPolicy(undefined as unknown as string),
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
  return new Client(clientOptions(cfg));
}
