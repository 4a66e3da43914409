/**
 * `GET / PATCH / DELETE /connectors/{c}/offsets` for both herders (KIP-875): sink offsets are the committed offsets
 * of the connector's consumer group `connect-<name>`, source offsets those of the worker's offset store. The
 * connector's own `alterOffsets` sees every change first; its rejection is the user's 400.
 */
import type { OffsetMap, SinkConnector, SourceConnector } from '@kconnect/api';
import { type KafkaAdmin, type PartitionOffset, UnsupportedKafkaFeatureError } from '../kafka/client';
import { badRequest, conflict, HttpError } from '../rest/errors';
import type { OffsetStore } from '../storage/offset-store';
import type { Worker } from '../worker/worker';
import type { ConnectorOffset } from './types';

export const STOPPED_REQUIRED = (name: string) =>
  `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`;

export interface OffsetsContext {
  worker: Worker;
  admin: KafkaAdmin;
  offsetStore: OffsetStore;
}

const groupOf = (name: string) => `connect-${name}`;

export async function readConnectorOffsets(ctx: OffsetsContext, name: string, type: string): Promise<ConnectorOffset[]> {
  if (type === 'sink') {
    const offsets = await ctx.admin.groupOffsets(groupOf(name));
    return offsets
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
      .map((o) => ({ partition: { kafka_topic: o.topic, kafka_partition: o.partition }, offset: { kafka_offset: o.offset } }));
  }
  return ctx.offsetStore.connectorOffsets(name).map((o) => ({ partition: o.partition, offset: o.offset }));
}

export async function alterConnectorOffsets(
  ctx: OffsetsContext,
  name: string,
  config: Record<string, string>,
  type: string,
  offsets: ConnectorOffset[],
): Promise<void> {
  if (type === 'sink') {
    const parsed = offsets.map((o) => parseSinkOffset(o));
    await ensureGroupInactive(ctx.admin, name);
    await sinkAlterHook(ctx.worker, config, parsed);
    const group = groupOf(name);
    const toSet = parsed.filter((p) => p.offset !== null) as PartitionOffset[];
    const toDelete = parsed.filter((p) => p.offset === null);
    // As Java: a null offset deletes the group's committed offset (OffsetDelete), so the next start follows
    // auto.offset.reset. A backend without OffsetDelete sets the earliest offset instead (the Connect default).
    await asJava(`Failed to alter consumer group offsets for connector ${name}`, async () => {
      try {
        await ctx.admin.deleteGroupOffsets(group, toDelete);
      } catch (e) {
        if (!(e instanceof UnsupportedKafkaFeatureError)) throw e;
        for (const p of toDelete) toSet.push({ topic: p.topic, partition: p.partition, offset: (await ctx.admin.lowWatermark(p.topic, p.partition)) ?? 0 });
      }
      await ctx.admin.setGroupOffsets(group, toSet);
    });
    return;
  }
  // As Java's worker: the connector sees the offsets first, then null partitions are refused.
  await sourceAlterHook(ctx.worker, config, offsets);
  if (offsets.some((o) => !o.partition)) throw badRequest('Source partitions may not be null');
  await ctx.offsetStore.set(offsets.map((o) => ({ connector: name, partition: o.partition as OffsetMap, offset: o.offset as OffsetMap | null })));
}

export async function resetConnectorOffsets(ctx: OffsetsContext, name: string, config: Record<string, string>, type: string): Promise<void> {
  if (type === 'sink') {
    await ensureGroupInactive(ctx.admin, name);
    const current = await ctx.admin.groupOffsets(groupOf(name));
    await sinkAlterHook(
      ctx.worker,
      config,
      current.map((o) => ({ topic: o.topic, partition: o.partition, offset: null })),
    );
    await asJava(`Failed to reset consumer group offsets for sink connector ${name}`, () => ctx.admin.deleteGroup(groupOf(name)));
    return;
  }
  const current = ctx.offsetStore.connectorOffsets(name);
  await sourceAlterHook(
    ctx.worker,
    config,
    current.map((o) => ({ partition: o.partition, offset: null })),
  );
  await ctx.offsetStore.set(current.map((o) => ({ connector: name, partition: o.partition, offset: null })));
}

async function sinkAlterHook(
  worker: Worker,
  config: Record<string, string>,
  offsets: Array<{ topic: string; partition: number; offset: number | null }>,
): Promise<void> {
  const instance = worker.newConnector(config['connector.class']!).instance as SinkConnector;
  await alterOffsetsHook(() => instance.alterOffsets(config, new Map(offsets.map((p) => [{ topic: p.topic, partition: p.partition }, p.offset]))));
}

async function sourceAlterHook(worker: Worker, config: Record<string, string>, offsets: ConnectorOffset[]): Promise<void> {
  const instance = worker.newConnector(config['connector.class']!).instance as SourceConnector;
  await alterOffsetsHook(() => instance.alterOffsets(config, new Map(offsets.map((o) => [o.partition as OffsetMap, o.offset as OffsetMap | null]))));
}

/** An admin call on a sink's consumer group: a failure is Java's 500 with its message (the cause logged by the REST layer). */
async function asJava(message: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(500, message, e);
  }
}

/**
 * Runs a connector's `alterOffsets`. As Java: what it throws is answered as a 500 with its message (the connector
 * refusing the offsets: "Offset objects should either be null or contain the key 'position'").
 */
async function alterOffsetsHook(hook: () => boolean | Promise<boolean>): Promise<void> {
  try {
    await hook();
  } catch (err) {
    throw new HttpError(500, (err as Error).message);
  }
}

async function ensureGroupInactive(admin: KafkaAdmin, name: string): Promise<void> {
  // The consumer of a just-stopped task may take a moment to leave the group.
  for (let i = 0; i < 50; i++) {
    if (!(await admin.groupHasMembers(groupOf(name)))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw conflict(`The consumer group ${groupOf(name)} still has active members; try again once the connector's tasks have stopped`);
}

/** As Java's `SinkUtils.parseSinkConnectorOffsets`: both `"10"` and `10` are taken, with Java's messages. */
function parseSinkOffset(o: ConnectorOffset): { topic: string; partition: number; offset: number | null } {
  const p = o.partition as Record<string, unknown> | null;
  if (!p) throw badRequest('The partition for a sink connector offset cannot be null or missing');
  if (!('kafka_topic' in p) || !('kafka_partition' in p))
    throw badRequest("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
  if (p.kafka_topic === null) throw badRequest('Kafka topic names must be valid strings and may not be null');
  if (p.kafka_partition === null) throw badRequest('Kafka partitions must be valid numbers and may not be null');
  const topic = String(p.kafka_topic);
  const partition = javaInteger(p.kafka_partition, 2 ** 31);
  if (partition === null)
    throw badRequest(
      `Failed to parse the following Kafka partition value in the provided offsets: '${String(p.kafka_partition)}'. Partition values for sink connectors need to be integers.`,
    );
  if (partition < 0) throw badRequest(`Kafka partitions must be non-negative: ${partition}`);
  const o2 = o.offset as Record<string, unknown> | null;
  if (!o2) return { topic, partition, offset: null };
  if (!('kafka_offset' in o2)) throw badRequest("The offset for a sink connector should either be null or contain the key 'kafka_offset'");
  const offset = javaInteger(o2.kafka_offset, 2 ** 63);
  if (offset === null)
    throw badRequest(
      `Failed to parse the following Kafka offset value in the provided offsets: '${String(o2.kafka_offset)}'. Offset values for sink connectors need to be integers.`,
    );
  if (offset < 0) throw badRequest(`Kafka offsets must be non-negative: ${offset}`);
  return { topic, partition, offset };
}

/** Java's `Integer.parseInt` / `Long.parseLong` of `String.valueOf(v)` (`limit` 2^31 or 2^63); null when it fails. */
function javaInteger(v: unknown, limit: number): number | null {
  const text = String(v);
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = BigInt(text);
  return n >= -BigInt(limit) && n < BigInt(limit) ? Number(n) : null;
}
