/**
 * Topic filters and routing: MQTT filter matching (`+`, `#`, `$share/<group>/…`), and Kafka topic templates over
 * the levels a filter's wildcards matched.
 *
 * Template placeholders:
 * - `${1}` … `${n}`: what the n-th wildcard of the filter matched (`+` → one level; `#` → the rest, levels joined by `.`)
 * - `${topic}`: the whole MQTT topic, levels joined by `.`
 * - `${level:<i>}`: level i (0-based) of the MQTT topic
 * Characters Kafka does not allow in topic names (anything but `[a-zA-Z0-9._-]`) become `_`.
 */

export interface Route {
  /** The filter as subscribed, possibly with a `$share/<group>/` prefix. */
  readonly subscription: string;
  /** The filter without `$share/<group>/`, used for matching received topics. */
  readonly filter: string;
  readonly qos: 0 | 1 | 2;
  /** Kafka topic template. */
  readonly kafkaTopic: string;
  readonly shared: boolean;
}

const SHARE_PREFIX = /^\$share\/([^/+#]+)\/(.+)$/;

/** Splits `$share/<group>/<filter>` → { group, filter }, or null for an ordinary filter. */
export function parseShared(subscription: string): { group: string; filter: string } | null {
  const m = SHARE_PREFIX.exec(subscription);
  return m ? { group: m[1]!, filter: m[2]! } : null;
}

/** Why a topic filter is invalid, or undefined when it is valid (MQTT 3.1.1 §4.7). */
export function filterProblem(subscription: string): string | undefined {
  if (subscription.startsWith('$share/') && !parseShared(subscription)) return 'a shared subscription is $share/<group>/<filter>';
  const filter = parseShared(subscription)?.filter ?? subscription;
  if (filter === '') return 'a topic filter must not be empty';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return "'#' must be a whole level and the last one";
    if (l.includes('+') && l !== '+') return "'+' must be a whole level";
  }
  return undefined;
}

/**
 * Matches an MQTT topic against a filter; returns the wildcard captures (in order) or null. As the spec says,
 * wildcards at the first level do not match topics starting with `$`.
 */
export function matchFilter(filter: string, topic: string): string[] | null {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return null;
  const captures: string[] = [];
  for (let i = 0; i < f.length; i++) {
    const fl = f[i]!;
    if (fl === '#') {
      captures.push(t.slice(i).join('/'));
      return captures;
    }
    if (i >= t.length) return null;
    if (fl === '+') captures.push(t[i]!);
    else if (fl !== t[i]) return null;
  }
  return f.length === t.length ? captures : null;
}

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** Why a Kafka topic template is invalid for a filter, or undefined. */
export function templateProblem(template: string, filter: string): string | undefined {
  if (template.trim() === '') return 'the Kafka topic template is empty';
  const wildcards = filter.split('/').filter((l) => l === '+' || l === '#').length;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const p = m[1]!;
    if (p === 'topic' || /^level:\d+$/.test(p)) continue;
    if (/^\d+$/.test(p)) {
      const n = Number(p);
      if (n < 1 || n > wildcards) return `\${${p}} refers to wildcard ${n} but the filter ${filter} has ${wildcards}`;
      continue;
    }
    return `unknown placeholder \${${p}} (use \${1}…\${n}, \${topic} or \${level:<i>})`;
  }
  return undefined;
}

/** Replaces characters Kafka does not allow in topic names. */
export function sanitizeTopic(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 249);
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/** Renders a Kafka topic template for a received MQTT topic and the filter's captures. */
export function renderTopic(template: string, topic: string, captures: readonly string[]): string {
  const levels = topic.split('/');
  const dotted = (s: string) => s.split('/').join('.');
  return sanitizeTopic(
    template.replace(PLACEHOLDER, (_, p: string) => {
      if (p === 'topic') return dotted(topic);
      if (p.startsWith('level:')) return levels[Number(p.slice(6))] ?? '';
      return dotted(captures[Number(p) - 1] ?? '');
    }),
  );
}

/** Finds the first route (in configuration order) whose filter matches the topic. */
export function route(routes: readonly Route[], topic: string): { route: Route; kafkaTopic: string } | null {
  for (const r of routes) {
    const captures = matchFilter(r.filter, topic);
    if (captures) return { route: r, kafkaTopic: renderTopic(r.kafkaTopic, topic, captures) };
  }
  return null;
}

/** Fills a client id template: `${connector}`, `${task}` (task index) and `${hostname}`. */
export function renderClientId(template: string, vars: { connector: string; task: number; hostname: string }): string {
  return template.replace(PLACEHOLDER, (all, p: string) =>
    p === 'connector' ? vars.connector : p === 'task' ? String(vars.task) : p === 'hostname' ? vars.hostname : all,
  );
}

/** Reads a dotted path (`a.b.0.c`) from a parsed JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
