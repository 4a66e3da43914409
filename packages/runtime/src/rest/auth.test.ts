/** The credential formats and the role each REST route needs (rest/auth.ts). */
import { generateToken, hashPassword, hashToken, parseCredentials, requiredRole, verifyPassword } from './auth';

test('scrypt password hashes: verified, carrying their own parameters', async () => {
  const h = await hashPassword('pä$$:word');
  expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  expect(await verifyPassword('pä$$:word', h)).toBe(true);
  expect(await verifyPassword('pa$$:word', h)).toBe(false);
  expect(await verifyPassword('x', 'plain')).toBe(false);
  // A cheaper hash made elsewhere (N=1024) is read with its own N.
  const { scryptSync } = require('node:crypto') as typeof import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const cheap = `scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync('pw', salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
  expect(await verifyPassword('pw', cheap)).toBe(true);
});

test('tokens: random, hashed with SHA-256', () => {
  const t = generateToken();
  expect(t).toMatch(/^kct_[A-Za-z0-9_-]{43}$/);
  expect(generateToken()).not.toBe(t);
  expect(hashToken(t)).toMatch(/^sha256\$[0-9a-f]{64}$/);
});

test('credentials files: name:role:hash lines, comments, and errors with their line', () => {
  const tok = hashToken('x');
  expect(parseCredentials(`# tokens\n\nci:operate:${tok}\r\n`, 'f', 'tokens')).toEqual([{ name: 'ci', role: 'operate', hash: tok }]);
  expect(() => parseCredentials(`a:root:${tok}`, 'f', 'tokens')).toThrow(/f line 1: role root/);
  expect(() => parseCredentials(`a:read:${tok}\na:admin:${tok}`, 'f', 'tokens')).toThrow(/line 2: a appears twice/);
  expect(() => parseCredentials('a:read', 'f', 'users')).toThrow(/expected name:role:hash/);
  expect(() => parseCredentials(`a:read:${tok}`, 'f', 'users')).toThrow(/scrypt/);
});

test('the role each route needs', () => {
  const table: Array<[string, string, string]> = [
    ['GET', '/', 'open'],
    ['GET', '/health', 'open'],
    ['OPTIONS', '/connectors', 'open'],
    ['POST', '/connectors/:c/tasks', 'internal'],
    ['PUT', '/connectors/:c/fence', 'internal'],
    ['GET', '/connectors', 'read'],
    ['GET', '/connectors/:c/offsets', 'read'],
    ['GET', '/admin/loggers', 'read'],
    ['GET', '/metrics', 'read'],
    ['HEAD', '/connectors', 'read'],
    ['GET', undefined as unknown as string, 'read'],
    ['PUT', '/connectors/:c/pause', 'operate'],
    ['PUT', '/connectors/:c/resume', 'operate'],
    ['PUT', '/connectors/:c/stop', 'operate'],
    ['POST', '/connectors/:c/restart', 'operate'],
    ['POST', '/connectors/:c/tasks/:t/restart', 'operate'],
    ['POST', '/connectors', 'admin'],
    ['PUT', '/connectors/:c/config', 'admin'],
    ['PATCH', '/connectors/:c/config', 'admin'],
    ['DELETE', '/connectors/:c', 'admin'],
    ['PATCH', '/connectors/:c/offsets', 'admin'],
    ['DELETE', '/connectors/:c/offsets', 'admin'],
    ['PUT', '/connectors/:c/topics/reset', 'admin'],
    ['PUT', '/connector-plugins/:p/config/validate', 'admin'],
    ['PUT', '/admin/loggers/:name', 'admin'],
    ['POST', undefined as unknown as string, 'admin'],
  ];
  for (const [method, route, role] of table) expect([method, route, requiredRole(method, route)]).toEqual([method, route, role]);
});
