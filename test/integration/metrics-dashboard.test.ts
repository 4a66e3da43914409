/**
 * The metrics the worker really exports against what the docs promise: every PromQL query of the Grafana dashboard
 * (`docs/grafana-dashboard.json`) names only metrics a running worker's `/metrics` has, and every metric it has is
 * documented in `docs/metrics.md`. The worker runs a source and a sink connector, so the per-task series exist.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';
import { testPlugins } from './test-plugins';
import { tickerPlugin } from './ticker-plugin';

const DOCS = path.resolve(__dirname, '../../docs');

/** PromQL functions, aggregations and keywords: identifiers that are not metric names. */
const PROMQL_WORDS = new Set(
  (
    'sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio rate irate increase delta idelta deriv ' +
    'histogram_quantile histogram_count histogram_sum histogram_fraction abs ceil floor round clamp clamp_min clamp_max exp ln log2 log10 sqrt ' +
    'time timestamp vector scalar sort sort_desc label_replace label_join label_values absent absent_over_time changes resets predict_linear ' +
    'avg_over_time min_over_time max_over_time sum_over_time count_over_time last_over_time quantile_over_time stddev_over_time ' +
    'by without on ignoring group_left group_right and or unless bool offset inf nan'
  ).split(' '),
);

/** The metric names a PromQL expression (or a Grafana `label_values(metric, label)` query) reads. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range and subquery windows
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/label_values\(([^,)]+),[^)]*\)/g, '$1');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w$.:])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const id = m[1]!;
    if (!PROMQL_WORDS.has(id) && !/^\d/.test(id)) names.add(id);
  }
  return [...names];
}

/** Every PromQL query of a Grafana dashboard: panel targets (rows' nested panels too) and query variables. */
function dashboardQueries(d: any): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const visit = (panels: any[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr });
      visit(p.panels);
    }
  };
  visit(d.panels);
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) out.push({ where: `variable ${v.name}`, expr: q });
  }
  return out;
}

describe('metrics and the Grafana dashboard', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  const topic = unique('metrics');
  const sink = unique('metrics-sink');
  let text = '';

  beforeAll(async () => {
    admin = await kafkaAdmin();
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    w = await startWorker({}, [...testPlugins, tickerPlugin]);
    await w.api('POST', '/connectors', { name: unique('metrics-source'), config: { 'connector.class': 'test.kconnect.Ticker', topic } });
    await w.api('POST', '/connectors', { name: sink, config: { 'connector.class': 'test.kconnect.TestSinkConnector', topics: topic } });
    // Until the sink delivered records and measured its lag (every 5 s), so every per-task series exists.
    text = await eventually(
      async () => {
        const t = (await w.api('GET', '/metrics')).body as string;
        return /kafka_connect_sink_task_metrics_sink_record_send_total\{[^}]*\} [1-9]/.test(t) &&
          t.includes('kafka_connect_sink_task_metrics_sink_record_lag_max{')
          ? t
          : '';
      },
      40_000,
      'sink records and lag in /metrics',
    );
  }, 60_000);

  afterAll(async () => {
    await w?.stop();
    await admin?.deleteTopics([topic]).catch(() => undefined);
    await admin?.deleteGroup(`connect-${sink}`).catch(() => undefined);
    await admin?.close();
  });

  const exported = () => {
    const names = new Set<string>();
    for (const line of text.split('\n')) {
      const m = /^# TYPE (\S+) /.exec(line) ?? /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line);
      if (m) names.add(m[1]!);
    }
    return names;
  };

  it('finds the metric names of PromQL queries', () => {
    expect(metricNames('sum by (le, connector) (rate(a_bucket{connector=~"$connector",x="y(z)"}[$__rate_interval])) / b_total > 0')).toEqual([
      'a_bucket',
      'b_total',
    ]);
    expect(metricNames('label_values(kafka_x, connector)')).toEqual(['kafka_x']);
    expect(metricNames('histogram_quantile(0.99, sum without (task) (rate(h_bucket[5m] offset 1h)))')).toEqual(['h_bucket']);
  });

  it('has every metric of every dashboard query in /metrics', () => {
    const dashboard = JSON.parse(readFileSync(path.join(DOCS, 'grafana-dashboard.json'), 'utf8'));
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(15);
    const names = exported();
    const missing: string[] = [];
    for (const q of queries) {
      const used = metricNames(q.expr);
      expect([q.where, used.length > 0]).toEqual([q.where, true]);
      for (const n of used) if (!names.has(n)) missing.push(`${q.where}: ${n}`);
    }
    expect(missing).toEqual([]);
  });

  it('documents every metric the worker exports in docs/metrics.md', () => {
    const doc = readFileSync(path.join(DOCS, 'metrics.md'), 'utf8');
    const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    // The worker's own metrics and the process ones; plugins document theirs (the test sink's is a test's).
    const worker = declared.filter((n) => !n.startsWith('kconnect_test_'));
    expect(worker.length).toBeGreaterThan(40);
    expect(worker.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
