/**
 * MqttSourceConnector: splits the subscriptions over tasks. Filters written as `$share/<group>/…` (or all filters,
 * with `mqtt.shared.subscription.group`) go to every task, so the broker spreads their messages over the tasks;
 * the other filters are divided round-robin, each subscribed by exactly one task.
 */
import { SourceConnector, type ConfigDef, type ConfigValue, type ConnectorProps } from '@kconnect/api';
import { CONFIG_DEF, TASK_INDEX, parseConfig, validateConfig } from './config';
import { MqttSourceTask } from './source-task';
import { VERSION } from './version';

/** Splits routes over at most maxTasks task configs (pure, for tests). */
export function splitTasks(props: ConnectorProps, maxTasks: number): ConnectorProps[] {
  const { routes } = parseConfig(props);
  const shared = routes.filter((r) => r.shared);
  const plain = routes.filter((r) => !r.shared);
  const n = Math.max(1, shared.length > 0 ? maxTasks : Math.min(maxTasks, plain.length));
  const groups: number[][] = Array.from({ length: n }, () => []);
  routes.forEach((r, i) => {
    if (r.shared) for (const g of groups) g.push(i);
  });
  plain.forEach((r, i) => {
    groups[i % n]!.push(routes.indexOf(r));
  });
  // Each task gets its routes as named routes (in the original order, so first-match routing is unchanged).
  const base = Object.fromEntries(
    Object.entries(props).filter(([k]) => !k.startsWith('mqtt.route.') && k !== 'mqtt.routes' && k !== 'mqtt.topics' && k !== 'kafka.topic'),
  );
  return groups.map((idx, task) => {
    const cfg: ConnectorProps = {
      ...base,
      [TASK_INDEX]: String(task),
      'mqtt.routes': idx
        .sort((a, b) => a - b)
        .map((i) => `r${i}`)
        .join(','),
    };
    // The shared group is already part of each subscription.
    delete cfg['mqtt.shared.subscription.group'];
    for (const i of idx) {
      const r = routes[i]!;
      cfg[`mqtt.route.r${i}.filter`] = r.subscription;
      cfg[`mqtt.route.r${i}.qos`] = String(r.qos);
      cfg[`mqtt.route.r${i}.kafka.topic`] = r.kafkaTopic;
    }
    return cfg;
  });
}

export class MqttSourceConnector extends SourceConnector {
  private props: ConnectorProps = {};
  version(): string {
    return VERSION;
  }
  start(props: ConnectorProps): void {
    parseConfig(props);
    this.props = props;
  }
  taskClass(): typeof MqttSourceTask {
    return MqttSourceTask;
  }
  taskConfigs(maxTasks: number): ConnectorProps[] {
    return splitTasks(this.props, maxTasks);
  }
  stop(): void {}
  config(): ConfigDef {
    return CONFIG_DEF;
  }
  override validate(props: ConnectorProps): ConfigValue[] {
    return validateConfig(props);
  }
}
