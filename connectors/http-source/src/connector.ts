/**
 * HttpSourceConnector: listen mode (webhooks; one listener, one task) or poll mode (HTTP APIs; endpoints spread
 * over the tasks).
 */
import { type ConfigDef, type ConfigValue, type ConnectorProps, SourceConnector, type SourceTask } from '@kconnect/api';
import { CONFIG, MODE, P, listenRoutes } from './config';
import { pollEndpoints } from './poll-config';
import { normalizeProps } from './castorm';
import { HttpSourceTask } from './task';
import { VERSION } from './version';

export class HttpSourceConnector extends SourceConnector {
  private props: ConnectorProps = {};
  version() {
    return VERSION;
  }
  start(props: ConnectorProps) {
    props = normalizeProps(props);
    const errors = configErrors(props);
    if (errors.size) throw new Error([...errors.values()].flat().join('\n'));
    this.props = props;
  }
  taskClass(): new () => SourceTask {
    return HttpSourceTask;
  }
  taskConfigs(maxTasks: number): ConnectorProps[] {
    if ((this.props[MODE] ?? 'listen') === 'listen') return [{ ...this.props, 'http.task.id': '0' }];
    const names = CONFIG.parse(this.props)[`${P}endpoints`];
    const n = Math.max(1, Math.min(maxTasks, names.length));
    const groups: string[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < names.length; i++) groups[i % n]!.push(names[i]!);
    return groups.map((g, i) => ({ ...this.props, 'http.task.id': String(i), 'http.task.endpoints': g.join(',') }));
  }
  stop() {}
  config(): ConfigDef {
    return CONFIG;
  }
  override validate(props: ConnectorProps): ConfigValue[] {
    props = normalizeProps(props);
    const values = CONFIG.validate(props);
    if (values.some((v) => v.errors.length)) return values;
    for (const [name, errs] of configErrors(props)) {
      const v = values.find((x) => x.name === name);
      if (v) v.errors.push(...errs);
      else values.push({ name, value: props[name] ?? null, recommendedValues: [], errors: errs, visible: true });
    }
    return values;
  }
}

/** Errors of the dynamic (per route / per endpoint) keys, and of tasks.max in listen mode. */
export function configErrors(props: ConnectorProps): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  if ((props[MODE] ?? 'listen').trim() === 'listen') {
    listenRoutes(props, errors);
    const tm = props['tasks.max'];
    if (tm !== undefined && Number(tm) > 1)
      errors.set('tasks.max', [
        `Invalid value ${tm} for configuration tasks.max: listen mode runs one HTTP listener per connector in one task; set tasks.max=1`,
      ]);
  } else pollEndpoints(props, null, errors);
  return errors;
}
