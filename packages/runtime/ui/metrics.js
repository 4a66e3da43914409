// Reads what the console charts from the worker's Prometheus text (/metrics): per connector, the records moved so
// far and the lag now. Names: docs/metrics.md.

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of the Prometheus text format: [{name, labels, value}]. */
export function parsePrometheus(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Counters whose sum per connector is "records moved": sources' writes acknowledged by Kafka, sinks' deliveries. */
export const RECORD_COUNTERS = ['kafka_connect_source_task_metrics_source_record_write_total', 'kafka_connect_sink_task_metrics_sink_record_send_total'];
/** Gauges whose sum per connector is its lag: a sink's records behind the topic's end, a source's unacknowledged records. */
export const LAG_GAUGES = ['kafka_connect_sink_task_metrics_sink_record_lag_max', 'kafka_connect_source_task_metrics_source_record_active_count'];

/** Per connector: {records, lag}. */
export function perConnector(samples) {
  const out = new Map();
  const get = (c) => {
    let v = out.get(c);
    if (!v) out.set(c, (v = { records: 0, lag: 0 }));
    return v;
  };
  for (const s of samples) {
    const c = s.labels.connector;
    if (c === undefined || !Number.isFinite(s.value)) continue;
    if (RECORD_COUNTERS.includes(s.name)) get(c).records += s.value;
    else if (LAG_GAUGES.includes(s.name)) get(c).lag += s.value;
  }
  return out;
}
