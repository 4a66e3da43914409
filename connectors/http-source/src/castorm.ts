/**
 * Compatibility with castorm/kafka-connect-http (`com.github.castorm.kafka.connect.http.HttpSourceConnector`):
 * its configuration keys are translated to one poll-mode endpoint named `default`. Supported: http.request.url,
 * .method, .headers, .params, .body, http.timer.interval.millis, kafka.topic, http.response.list.pointer,
 * http.response.record.pointer, http.response.record.offset.pointer (key, timestamp and custom properties),
 * http.offset.initial, http.auth.type (None/Basic), http.auth.user/password, http.client.read.timeout.millis.
 * Templates: `${offset.key}`, `${offset.timestamp}` and `${offset.<custom>}`; FreeMarker built-ins are not.
 */
import { MODE, P } from './config';

const E = `${P}endpoint.default.`;

/** Native keys for a castorm-style config (explicit native keys win); other configs are returned unchanged. */
export function normalizeProps(props: Record<string, string>): Record<string, string> {
  if (props['http.request.url'] === undefined || props[`${P}endpoints`] !== undefined) return props;
  const out: Record<string, string> = { ...props };
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && out[k] === undefined) out[k] = v;
  };
  set(MODE, 'poll');
  set(`${P}endpoints`, 'default');
  set(`${E}url`, props['http.request.url']);
  set(`${E}method`, props['http.request.method']?.toUpperCase());
  set(
    `${E}headers`,
    props['http.request.headers']
      ?.split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .join('|'),
  );
  set(
    `${E}query`,
    props['http.request.params']
      ?.split('&')
      .map((p) => p.trim())
      .filter(Boolean)
      .join('&'),
  );
  set(`${E}body`, props['http.request.body'] || undefined);
  set(`${E}interval.ms`, props['http.timer.interval.millis']);
  set(`${E}topic`, props['kafka.topic']);
  set(`${E}records.pointer`, props['http.response.list.pointer']);
  set(`${E}record.pointer`, props['http.response.record.pointer']);
  set(`${E}timeout.ms`, props['http.client.read.timeout.millis']);
  const pairs = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const i = s.indexOf('=');
        return [s.slice(0, i).trim(), s.slice(i + 1).trim()] as const;
      });
  const fields: string[] = [];
  for (const [k, ptr] of pairs(props['http.response.record.offset.pointer'])) {
    if (k === 'key') set(`${E}key.pointer`, ptr);
    else if (k === 'timestamp') {
      set(`${E}timestamp.pointer`, ptr);
      set(`${E}sync.mode`, 'timestamp');
    } else fields.push(`${k}=${ptr}`);
  }
  if (fields.length) set(`${E}offset.fields`, fields.join(','));
  const initial = pairs(props['http.offset.initial']);
  for (const [k, v] of initial) {
    if (k === 'timestamp') set(`${E}sync.initial`, v);
    else set(`${E}offset.initial.${k}`, v);
  }
  const auth = props['http.auth.type']?.toLowerCase();
  if (auth === 'basic') {
    set(`${E}auth.type`, 'basic');
    set(`${E}auth.username`, props['http.auth.user'] ?? '');
    set(`${E}auth.password`, props['http.auth.password'] ?? '');
  }
  return out;
}
