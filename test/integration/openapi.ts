/**
 * Validates REST responses against docs/openapi.yaml: finds the operation for a method and concrete path, and
 * checks the status code is documented and the JSON body fits its schema.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };

const doc = parse(readFileSync(path.join(__dirname, '../../docs/openapi.yaml'), 'utf8')) as Doc & Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addSchema(doc as object, 'openapi');
const cache = new Map<string, ValidateFunction>();

const templates = Object.keys(doc.paths).map((t) => ({
  t,
  re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literal: t.split('/').filter((s) => !s.startsWith('{')).length,
}));

/** The documented path template for a concrete path (most literal segments win: /connectors/x/status over /connectors/{c}). */
export function templateFor(p: string): string | undefined {
  const bare = p.split('?')[0]!.replace(/\/$/, '') || '/';
  return templates.filter((x) => x.re.test(bare)).sort((a, b) => b.literal - a.literal)[0]?.t;
}

/** Throws when the response is not what docs/openapi.yaml promises. */
export function checkResponse(method: string, p: string, status: number, body: unknown): void {
  const t = templateFor(p);
  if (!t) throw new Error(`${method} ${p}: path not in docs/openapi.yaml`);
  const op = doc.paths[t]![method.toLowerCase()];
  if (!op) throw new Error(`${method} ${t}: method not in docs/openapi.yaml`);
  const resp = op.responses[String(status)] ?? op.responses.default;
  if (!resp)
    throw new Error(`${method} ${t}: status ${status} not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${JSON.stringify(body)}`);
  const schema = resp.content?.['application/json']?.schema;
  if (!schema) return;
  const pointer = `${method.toLowerCase()} ${t} ${status}`;
  let v = cache.get(pointer);
  if (!v) {
    const ref = `openapi#/paths/${t.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${op.responses[String(status)] ? status : 'default'}/content/application~1json/schema`;
    v = ajv.compile({ $ref: ref });
    cache.set(pointer, v);
  }
  if (!v(body))
    throw new Error(`${method} ${p} ${status}: body does not match docs/openapi.yaml: ${ajv.errorsText(v.errors)}; body ${JSON.stringify(body).slice(0, 500)}`);
}
