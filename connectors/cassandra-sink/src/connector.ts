/** CassandraSinkConnector: `com.datastax.oss.kafka.sink.CassandraSinkConnector`, with DataStax's config keys. */
import { type ConfigDef, type ConfigValue, type ConnectorProps, SinkConnector } from '@kconnect/api';
import { CONFIG_DEF, codecFor, parseSinkConfig, parseTopicConfigs } from './config';
import { connectClient, settingAtFault } from './session';
import { TableWriter } from './table';
import { CassandraSinkTask } from './task';
import { VERSION } from './version';

export class CassandraSinkConnector extends SinkConnector {
  private props: ConnectorProps = {};

  version(): string {
    return VERSION;
  }

  start(props: ConnectorProps): void {
    const cfg = parseSinkConfig(props);
    this.props = { ...props };
    this.context.logger.info(`Starting Cassandra sink for ${cfg.tables.map((t) => `${t.topic} → ${t.keyspace}.${t.table}`).join(', ')}`);
  }

  taskClass(): new () => CassandraSinkTask {
    return CassandraSinkTask;
  }

  taskConfigs(maxTasks: number): ConnectorProps[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  /**
   * The ConfigDef's checks, the per-topic keys (a mapping that does not parse says where), every listed topic
   * mapped, and — when Cassandra answers within `connectionTimeout` — every mapping against the live tables.
   */
  override async validate(props: ConnectorProps): Promise<ConfigValue[]> {
    const values = CONFIG_DEF.validate(props);
    const cv = (name: string, errors: string[]): ConfigValue => ({ name, value: props[name] ?? null, recommendedValues: [], errors, visible: true });
    const topicCfg = parseTopicConfigs(props);
    for (const [key, errs] of topicCfg.errors) values.push(cv(key, errs));
    const mappedTopics = topicCfg.topics;
    const listed = (props.topics ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unmapped = listed.filter((t) => !mappedTopics.has(t));
    if (unmapped.length)
      values.push(
        cv(
          'topics',
          unmapped.map((t) => `Topic ${t} has no mapping: set topic.${t}.<keyspace>.<table>.mapping`),
        ),
      );
    if (values.some((v) => v.errors.length) || topicCfg.tables.length === 0) return values;

    // Live checks, best effort: skipped when Cassandra cannot be reached; refused credentials or certificates (and
    // TLS files that cannot work) are errors on their keys.
    let cfg: ReturnType<typeof parseSinkConfig>;
    try {
      cfg = parseSinkConfig(props);
    } catch {
      return values;
    }
    let client: Awaited<ReturnType<typeof connectClient>>;
    try {
      client = await connectClient(cfg);
    } catch (e) {
      const fault = settingAtFault(cfg, e);
      const v = fault && values.find((x) => x.name === fault.key); // the defined key's value (a password shows hidden)
      if (v) v.errors.push(fault.message);
      else if (fault) values.push(cv(fault.key, [fault.message]));
      return values;
    }
    try {
      for (const t of cfg.tables) {
        const problems = await new TableWriter(t, codecFor(cfg, t.topic)).init(client);
        if (problems.length) values.push(cv(`${t.prefix}${t.query ? 'query' : 'mapping'}`, problems));
      }
    } finally {
      await client.shutdown().catch(() => undefined);
    }
    return values;
  }
}
