/**
 * The sink dead letter queue (`errors.deadletterqueue.topic.name`): the original record's bytes, and with
 * `errors.deadletterqueue.context.headers.enable` Java's `__connect.errors.*` headers, produced with acks=all.
 */
import type { KafkaAdmin, KafkaProducer } from '../kafka/client';
import type { ErrorContext, ErrorReporter } from './error-handler';

export const DLQ_HEADER_PREFIX = '__connect.errors.';

export class DeadLetterQueueReporter implements ErrorReporter {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly producer: KafkaProducer,
    private readonly admin: KafkaAdmin,
    private readonly topic: string,
    private readonly replicationFactor: number,
    private readonly contextHeaders: boolean,
    private readonly connector: string,
    private readonly taskId: number,
  ) {}

  async report(ctx: ErrorContext): Promise<void> {
    const rec = ctx.consumed;
    if (!rec) return; // source-side errors have no consumed record
    this.ready ??= this.admin.createTopics([{ topic: this.topic, numPartitions: 1, replicationFactor: this.replicationFactor }]).then(
      () => undefined,
      (e: unknown) => {
        this.ready = null;
        throw e;
      },
    );
    await this.ready;
    const headers = [...rec.headers];
    if (this.contextHeaders) {
      const h = (k: string, v: string | undefined) => headers.push([DLQ_HEADER_PREFIX + k, v === undefined ? null : Buffer.from(v)]);
      h('topic', rec.topic);
      h('partition', String(rec.partition));
      h('offset', String(rec.offset));
      h('connector.name', this.connector);
      h('task.id', String(this.taskId));
      h('stage', ctx.stage);
      h('class.name', ctx.className);
      h('exception.class.name', ctx.error.name);
      h('exception.message', ctx.error.message);
      h('exception.stacktrace', ctx.error.stack);
    }
    await this.producer.send([{ topic: this.topic, key: rec.key, value: rec.value, headers }]);
  }
}
