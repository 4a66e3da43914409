/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. KCONNECT_BENCH_CPU_PROF=<dir> npm run bench -- file
 * 1000000 --runtimes=kconnect): self time by area (the Kafka client library's modules — kafkajs or
 * @platformatic/kafka, whichever backend the worker ran —, our packages, Node internals, GC) and the top functions
 * by self and by inclusive time.
 *
 *   node bench/dist/cpuprofile-summary.js <file.cpuprofile> [topN]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Packages that exist for @platformatic/kafka (its buffers, CRC32C): counted as part of it. */
const PLATFORMATIC_KAFKA_DEPS = new Set(['@platformatic/dynamic-buffer', '@platformatic/wasm-utils', '@node-rs/crc32']);

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    // one level deeper for the Kafka client libraries (protocol, producer, consumer, network …)
    if (pkg === 'kafkajs') {
      const sub = rest.slice(rest[1] === 'src' ? 2 : 1);
      // kafkajs/protocol/requests/produce, kafkajs/protocol/recordBatch, kafkajs/producer …
      return `kafkajs/${sub
        .slice(0, sub[1] === 'requests' ? 3 : 2)
        .join('/')
        .replace(/\.js$/, '')}`;
    }
    if (pkg === '@platformatic/kafka') {
      const sub = rest.slice(rest[2] === 'dist' ? 3 : 2);
      // @platformatic/kafka/clients/producer/producer, @platformatic/kafka/apis/producer/produce-v11,
      // @platformatic/kafka/protocol/records, @platformatic/kafka/network/connection …
      return `@platformatic/kafka/${sub
        .slice(0, sub[0] === 'clients' || sub[0] === 'apis' ? 3 : 2)
        .join('/')
        .replace(/\.js$/, '')}`;
    }
    if (PLATFORMATIC_KAFKA_DEPS.has(pkg)) return `@platformatic/kafka (${pkg})`;
    if (pkg.startsWith('@kconnect/')) return pkg;
    return pkg;
  }
  const m = /\/(packages|connectors)\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}/${m[3]}`;
  return url.replace(/^file:\/\//, '');
}

function main(): void {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!file) throw new Error('usage: cpuprofile-summary <file.cpuprofile> [topN]');
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));

  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const pct = (v: number) => `${((v / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (v: number) => `${(v / 1000).toFixed(0).padStart(7)} ms`;

  const areas = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnIncl = new Map<string, number>();
  const where = (url: string) => {
    const nm = url.lastIndexOf('/node_modules/');
    if (nm >= 0)
      return url
        .slice(nm + '/node_modules/'.length)
        .replace('kafkajs/src/', 'kafkajs/')
        .replace('@platformatic/kafka/dist/', '@platformatic/kafka/');
    const m = /\/((?:packages|connectors)\/.*)$/.exec(url);
    return m ? m[1]! : url.replace(/^file:\/\//, '');
  };
  const key = (cf: CallFrame) => `${cf.functionName || '(anonymous)'}  ${cf.url ? `${where(cf.url)}:${cf.lineNumber + 1}` : ''}`;
  for (const [id, v] of self) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') continue;
    const a = area(cf.url, cf.functionName);
    areas.set(a, (areas.get(a) ?? 0) + v);
    fnSelf.set(key(cf), (fnSelf.get(key(cf)) ?? 0) + v);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      fnIncl.set(k, (fnIncl.get(k) ?? 0) + v);
    }
  }
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(v)} ${pct(v)}  ${k}`);
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s on the main thread (not idle); percentages of that`);
  print('self time by area', areas, top);
  print('self time by function', fnSelf, top);
  print('inclusive time by function', fnIncl, top);
}

main();
