/**
 * The web console at `/ui` (docs/operations.md, "Web console"): plain static files from `packages/runtime/ui/`
 * (HTML, ES modules, CSS; no build step) and the chart library, uPlot, straight from its npm package. The file list
 * is read once at registration: only those files are served, so no request path reaches the file system.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The console's folder: `packages/runtime/ui`, beside `src/` and `dist/` (both compiled and under jest). */
export const UI_DIR = path.resolve(__dirname, '../../ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Same-origin only; uPlot sets element styles from script, which the style-src allows. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

function uplotFile(name: string): string {
  return path.join(path.dirname(require.resolve('uplot/package.json')), 'dist', name);
}

export function registerUi(app: FastifyInstance, dir: string = UI_DIR): void {
  const files = new Map<string, { file: string; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { file: path.join(dir, name), type });
  }
  files.set('vendor/uPlot.esm.js', { file: uplotFile('uPlot.esm.js'), type: TYPES['.js']! });
  files.set('vendor/uPlot.min.css', { file: uplotFile('uPlot.min.css'), type: TYPES['.css']! });

  const send = (name: string) => {
    const f = files.get(name);
    if (!f) return null;
    // Read on each request: small files, and an edited console shows up without a restart.
    return { body: readFileSync(f.file), type: f.type };
  };
  const headers = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' };

  // `/ui` and `/ui/` are one route (ignoreTrailingSlash): `/ui` is redirected so that relative URLs resolve under it.
  app.get('/ui', async (req, reply) => {
    if (!req.url.split('?')[0]!.endsWith('/')) return reply.code(302).header('location', 'ui/').send();
    const f = send('index.html')!;
    return reply.headers(headers).type(f.type).send(f.body);
  });
  app.get('/ui/*', async (req, reply) => {
    const f = send((req.params as { '*': string })['*'] || 'index.html');
    if (!f) return reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
    return reply.headers(headers).type(f.type).send(f.body);
  });
}
