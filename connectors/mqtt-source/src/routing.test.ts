import { filterProblem, jsonPath, matchFilter, parseShared, renderClientId, renderTopic, route, sanitizeTopic, templateProblem } from './routing';
import { splitTasks } from './source-connector';
import { parseConfig, validateConfig } from './config';
import { toServer } from './source-task';

describe('topic filters', () => {
  it.each([
    ['a/+/c', 'a/b/c', ['b']],
    ['a/#', 'a/b/c', ['b/c']],
    ['a/#', 'a', ['']],
    ['#', 'x/y', ['x/y']],
    ['+/+', 'x/y', ['x', 'y']],
    ['a/+', 'a/b/c', null],
    ['a/b', 'a/b', []],
    ['+/x', '$SYS/x', null],
    ['#', '$SYS/x', null],
  ])('%s matches %s → %j', (f, t, want) => expect(matchFilter(f, t)).toEqual(want));

  it('checks filters and shared subscriptions', () => {
    expect(filterProblem('a/#/b')).toMatch(/#/);
    expect(filterProblem('a/b+')).toMatch(/\+/);
    expect(filterProblem('$share/g/a/+')).toBeUndefined();
    expect(filterProblem('$share/g')).toMatch(/share/);
    expect(parseShared('$share/grp/a/#')).toEqual({ group: 'grp', filter: 'a/#' });
    expect(parseShared('a/#')).toBeNull();
  });
});

describe('Kafka topic templates', () => {
  it('renders wildcard captures, the topic and levels, sanitized', () => {
    expect(renderTopic('iot.${1}', 'devices/d1/telemetry', ['d1'])).toBe('iot.d1');
    expect(renderTopic('iot.${1}.${2}', 'x/a b/y/z', ['a b', 'y/z'])).toBe('iot.a_b.y.z');
    expect(renderTopic('${topic}', 'a/b/c', [])).toBe('a.b.c');
    expect(renderTopic('t-${level:0}-${level:2}', 'a/b/c', [])).toBe('t-a-c');
    expect(sanitizeTopic('..')).toBe('_..');
  });
  it('rejects unknown placeholders and out-of-range captures', () => {
    expect(templateProblem('x.${2}', 'a/+')).toMatch(/wildcard 2/);
    expect(templateProblem('x.${foo}', 'a/+')).toMatch(/unknown placeholder/);
    expect(templateProblem('x.${1}.${topic}.${level:3}', 'a/+')).toBeUndefined();
  });
  it('routes to the first matching route', () => {
    const routes = [
      { subscription: 'a/special', filter: 'a/special', qos: 1 as const, kafkaTopic: 'special', shared: false },
      { subscription: 'a/+', filter: 'a/+', qos: 1 as const, kafkaTopic: 'gen.${1}', shared: false },
    ];
    expect(route(routes, 'a/special')?.kafkaTopic).toBe('special');
    expect(route(routes, 'a/other')?.kafkaTopic).toBe('gen.other');
    expect(route(routes, 'b/x')).toBeNull();
  });
  it('renders client ids and reads JSON paths', () => {
    expect(renderClientId('kc-${connector}-${task}-${hostname}', { connector: 'c', task: 2, hostname: 'h' })).toBe('kc-c-2-h');
    expect(jsonPath({ a: { b: [1, { c: 'x' }] } }, 'a.b.1.c')).toBe('x');
    expect(jsonPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

describe('config and task split', () => {
  const base = { 'mqtt.server.uri': 'tcp://h:1883', name: 'c' };
  it('parses routes and the simple form', () => {
    const c = parseConfig({
      ...base,
      'mqtt.topics': 'a/+,b/#',
      'kafka.topic': 't.${1}',
      'mqtt.routes': 'r1',
      'mqtt.route.r1.filter': 'x/+',
      'mqtt.route.r1.qos': '2',
      'mqtt.route.r1.kafka.topic': 'x',
    });
    expect(c.routes.map((r) => [r.subscription, r.qos, r.kafkaTopic])).toEqual([
      ['x/+', 2, 'x'],
      ['a/+', 1, 't.${1}'],
      ['b/#', 1, 't.${1}'],
    ]);
  });
  it('reports problems per key', () => {
    const v = validateConfig({ ...base, 'mqtt.topics': 'a/+', 'mqtt.record.key': 'payload.field', 'mqtt.ssl.trust.store.path': '/x.jks' });
    const errs = Object.fromEntries(v.filter((x) => x.errors.length).map((x) => [x.name, x.errors.join(' ')]));
    expect(errs['kafka.topic']).toMatch(/required/);
    expect(errs['mqtt.record.key.field']).toMatch(/required/);
    expect(errs['mqtt.ssl.trust.store.path']).toMatch(/not supported/);
    expect(() => parseConfig({ ...base })).toThrow(/at least one topic filter/);
    expect(() => parseConfig({ ...base, 'mqtt.topics': 'a', 'kafka.topic': 'k', 'mqtt.route.typo.filter': 'x' })).toThrow(/not listed in mqtt.routes/);
  });
  it('divides plain filters over tasks, gives shared ones to every task', () => {
    const tasks = splitTasks({ ...base, 'mqtt.topics': 'a/1,a/2,a/3,$share/g/s/#', 'kafka.topic': 'k' }, 2);
    expect(tasks).toHaveLength(2);
    const subs = tasks.map((t) => parseConfig(t).routes.map((r) => r.subscription));
    expect(subs).toEqual([
      ['a/1', 'a/3', '$share/g/s/#'],
      ['a/2', '$share/g/s/#'],
    ]);
    expect(tasks.map((t) => t['mqtt.task.index'])).toEqual(['0', '1']);
    expect(splitTasks({ ...base, 'mqtt.topics': 'a/1', 'kafka.topic': 'k' }, 4)).toHaveLength(1);
    const shared = splitTasks({ ...base, 'mqtt.topics': 'a/+', 'kafka.topic': 'k', 'mqtt.shared.subscription.group': 'grp' }, 3);
    expect(shared.map((t) => parseConfig(t).routes[0]!.subscription)).toEqual(['$share/grp/a/+', '$share/grp/a/+', '$share/grp/a/+']);
  });
  it('maps broker URIs', () => {
    expect(toServer('tcp://h:1')).toEqual({ host: 'h', port: 1, protocol: 'mqtt' });
    expect(toServer('ssl://h')).toEqual({ host: 'h', port: 8883, protocol: 'mqtts' });
  });
});
