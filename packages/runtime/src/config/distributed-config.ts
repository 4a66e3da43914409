/**
 * The distributed worker's own keys (Java's `DistributedConfig`), on top of the common worker config. Defaults are
 * Java's except where noted: the failover ones are chosen so a dead worker's tasks run elsewhere within 10 s.
 */
import { ConfigDef, ConfigType, Importance, Validators } from '@kconnect/api';

const requiredString = (name: string, documentation: string) =>
  ({ name, type: ConfigType.STRING, importance: Importance.HIGH, documentation, validator: Validators.nonEmptyString() }) as const;

export const DISTRIBUTED_CONFIG = new ConfigDef()
  .define(requiredString('group.id', 'A unique string that identifies the Connect cluster group this worker belongs to.'))
  .define(requiredString('config.storage.topic', 'The name of the Kafka topic where connector configurations are stored (one partition, compacted).'))
  .define(requiredString('offset.storage.topic', 'The name of the Kafka topic where source connector offsets are stored (compacted).'))
  .define(requiredString('status.storage.topic', 'The name of the Kafka topic where connector and task status are stored (compacted).'))
  .define({
    name: 'config.storage.replication.factor',
    type: ConfigType.SHORT,
    default: -1,
    importance: Importance.LOW,
    documentation: 'Replication factor used when creating the configuration storage topic; -1 uses the broker default (Java: 3).',
  })
  .define({
    name: 'offset.storage.replication.factor',
    type: ConfigType.SHORT,
    default: -1,
    importance: Importance.LOW,
    documentation: 'Replication factor used when creating the offset storage topic; -1 uses the broker default (Java: 3).',
  })
  .define({
    name: 'offset.storage.partitions',
    type: ConfigType.INT,
    default: 25,
    importance: Importance.LOW,
    documentation: 'The number of partitions used when creating the offset storage topic.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'status.storage.replication.factor',
    type: ConfigType.SHORT,
    default: -1,
    importance: Importance.LOW,
    documentation: 'Replication factor used when creating the status storage topic; -1 uses the broker default (Java: 3).',
  })
  .define({
    name: 'status.storage.partitions',
    type: ConfigType.INT,
    default: 5,
    importance: Importance.LOW,
    documentation: 'The number of partitions used when creating the status storage topic.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'session.timeout.ms',
    type: ConfigType.INT,
    default: 6000,
    importance: Importance.HIGH,
    documentation:
      "The timeout used to detect worker failures: a worker that sends no heartbeat for this long is removed from the group and its work given to others. kconnect's default is the broker's minimum (Java: 10000).",
  })
  .define({
    name: 'heartbeat.interval.ms',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.HIGH,
    documentation: 'The expected time between heartbeats to the group coordinator; also how soon a worker learns of a rebalance (Java: 3000).',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'rebalance.timeout.ms',
    type: ConfigType.INT,
    default: 60000,
    importance: Importance.HIGH,
    documentation: 'The maximum allowed time for each worker to join the group once a rebalance has begun.',
  })
  .define({
    name: 'scheduled.rebalance.max.delay.ms',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.LOW,
    documentation:
      'How long the work of a departed worker waits for it to come back before it is given to the others (Java: 300000, i.e. five minutes; a worker that comes back or a new one gets the work at once either way).',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'connect.protocol',
    type: ConfigType.STRING,
    default: 'sessioned',
    importance: Importance.LOW,
    documentation:
      "Java's choice of group protocol. kconnect always assigns incrementally and cooperatively with its own protocol name (a Java worker cannot join a kconnect group); 'eager' is refused.",
    validator: Validators.in(['compatible', 'sessioned']),
  })
  .define({
    name: 'worker.sync.timeout.ms',
    type: ConfigType.INT,
    default: 3000,
    importance: Importance.MEDIUM,
    documentation: 'How long a worker waits to catch up with the config topic before it rejoins the group.',
  })
  .define({
    name: 'inter.worker.key.ttl.ms',
    type: ConfigType.INT,
    default: 3600000,
    importance: Importance.LOW,
    documentation: 'The TTL of generated session keys used for internal request validation (in milliseconds).',
  })
  .define({
    name: 'inter.worker.key.generation.algorithm',
    type: ConfigType.STRING,
    default: 'HmacSHA256',
    importance: Importance.LOW,
    documentation: 'The algorithm to use for generating internal request keys.',
    validator: Validators.in(['HmacSHA256']),
  })
  .define({
    name: 'exactly.once.source.support',
    type: ConfigType.STRING,
    default: 'disabled',
    importance: Importance.HIGH,
    documentation:
      "Java's exactly-once source support (KIP-618): disabled, preparing or enabled. kconnect has no transactional source tasks: 'enabled' is refused (source connectors would silently run at-least-once); 'preparing' behaves as 'disabled'.",
    validator: Validators.of((v) => {
      const mode = String(v).toLowerCase();
      if (mode === 'enabled')
        return "kconnect does not support exactly-once source connectors yet (no transactional source tasks), so source connectors would run at-least-once; set it to 'disabled' (the default) or 'preparing'";
      return mode === 'disabled' || mode === 'preparing' ? undefined : 'String must be one of (case insensitive): DISABLED, PREPARING, ENABLED';
    }, '(case insensitive) [DISABLED, PREPARING, ENABLED]'),
  });

export interface DistributedConfig {
  groupId: string;
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
  configReplicationFactor: number;
  offsetReplicationFactor: number;
  offsetPartitions: number;
  statusReplicationFactor: number;
  statusPartitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  scheduledRebalanceMaxDelayMs: number;
  workerSyncTimeoutMs: number;
  keyTtlMs: number;
}

export function parseDistributedConfig(props: Record<string, string>): DistributedConfig {
  const p = DISTRIBUTED_CONFIG.parse(props) as Record<string, unknown>;
  return {
    groupId: p['group.id'] as string,
    configTopic: p['config.storage.topic'] as string,
    offsetTopic: p['offset.storage.topic'] as string,
    statusTopic: p['status.storage.topic'] as string,
    configReplicationFactor: p['config.storage.replication.factor'] as number,
    offsetReplicationFactor: p['offset.storage.replication.factor'] as number,
    offsetPartitions: p['offset.storage.partitions'] as number,
    statusReplicationFactor: p['status.storage.replication.factor'] as number,
    statusPartitions: p['status.storage.partitions'] as number,
    sessionTimeoutMs: p['session.timeout.ms'] as number,
    heartbeatIntervalMs: p['heartbeat.interval.ms'] as number,
    rebalanceTimeoutMs: p['rebalance.timeout.ms'] as number,
    scheduledRebalanceMaxDelayMs: p['scheduled.rebalance.max.delay.ms'] as number,
    workerSyncTimeoutMs: p['worker.sync.timeout.ms'] as number,
    keyTtlMs: p['inter.worker.key.ttl.ms'] as number,
  };
}
