/**
 * `GET / PATCH / DELETE /connectors/{c}/offsets` for both herders (KIP-875): sink offsets are the committed offsets
 * of the connector's consumer group `connect-<name>`, source offsets those of the worker's offset store. The
 * connector's own `alterOffsets` sees every change first; its rejection is the user's 400.
 */
import type { OffsetMap, SinkConnector, SourceConnector } from '@kconnect/api';
import { type KafkaAdmin, type PartitionOffset, UnsupportedKafkaFeatureError } from '../kafka/client';
import { badRequest, conflict } from '../rest/errors';
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
    try {
      await ctx.admin.deleteGroupOffsets(group, toDelete);
    } catch (e) {
      if (!(e instanceof UnsupportedKafkaFeatureError)) throw e;
      for (const p of toDelete) toSet.push({ topic: p.topic, partition: p.partition, offset: (await ctx.admin.lowWatermark(p.topic, p.partition)) ?? 0 });
    }
    await ctx.admin.setGroupOffsets(group, toSet);
    return;
  }
  for (const o of offsets) {
    if (!o.partition || typeof o.partition !== 'object') throw badRequest('Source partitions may not be null');
  }
  await sourceAlterHook(ctx.worker, config, offsets);
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
    await ctx.admin.deleteGroup(groupOf(name));
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
  try {
    await instance.alterOffsets(config, new Map(offsets.map((p) => [{ topic: p.topic, partition: p.partition }, p.offset])));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

async function sourceAlterHook(worker: Worker, config: Record<string, string>, offsets: ConnectorOffset[]): Promise<void> {
  const instance = worker.newConnector(config['connector.class']!).instance as SourceConnector;
  try {
    await instance.alterOffsets(config, new Map(offsets.map((o) => [o.partition as OffsetMap, o.offset as OffsetMap | null])));
  } catch (err) {
    throw badRequest((err as Error).message);
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

function parseSinkOffset(o: ConnectorOffset): { topic: string; partition: number; offset: number | null } {
  const p = o.partition ?? {};
  const topic = p.kafka_topic;
  const partition = p.kafka_partition;
  if (typeof topic !== 'string' || topic === '') throw badRequest('Kafka topic names must be valid strings and may not be null');
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)
    throw badRequest('Kafka partitions must be valid integers and may not be null');
  if (o.offset === null) return { topic, partition, offset: null };
  const off = o.offset?.kafka_offset;
  if (typeof off !== 'number' || !Number.isInteger(off) || off < 0)
    throw badRequest('Kafka offsets must be valid non-negative integers (key "kafka_offset"), or the offset must be null to reset it');
  return { topic, partition, offset: off };
}
