/**
 * Connectors made for the runtime's integration tests: they record what the runtime did to them (puts, commits,
 * committed records, offsets seen at start) in `journal`, and fail on demand, so tests can check the executors'
 * contracts against a real Kafka broker.
 */
import {
  ConfigDef,
  ConfigType,
  type ConnectorProps,
  Importance,
  type PluginDescriptor,
  type RecordMetadata,
  RetriableError,
  type SinkRecord,
  SinkConnector,
  SinkTask,
  type SourceRecord,
  SourceConnector,
  SourceTask,
  Schemas,
  sourceRecord,
  type TopicPartitionOffset,
} from '@kconnect/api';

export interface Journal {
  puts: SinkRecord[][];
  committedRecords: Array<{ value: unknown; metadata: RecordMetadata | null }>;
  commits: number;
  startOffsets: Array<Record<string, unknown> | null>;
  preCommits: TopicPartitionOffset[][];
  polls: number;
}

const journals = new Map<string, Journal>();
export function journal(name: string): Journal {
  let j = journals.get(name);
  if (!j) journals.set(name, (j = { puts: [], committedRecords: [], commits: 0, startOffsets: [], preCommits: [], polls: 0 }));
  return j;
}

const CONFIG = new ConfigDef()
  .define({ name: 'topic', type: ConfigType.STRING, default: '', importance: Importance.HIGH, documentation: 'Source: topic to write.' })
  .define({ name: 'records', type: ConfigType.INT, default: 100, importance: Importance.LOW, documentation: 'Source: records to produce in all.' })
  .define({
    name: 'fail.retriable',
    type: ConfigType.INT,
    default: 0,
    importance: Importance.LOW,
    documentation: 'Throw a RetriableError from the first N poll/put calls.',
  })
  .define({
    name: 'fail.fatal.after',
    type: ConfigType.INT,
    default: -1,
    importance: Importance.LOW,
    documentation: 'Throw a fatal error once this many records went through (-1 = never).',
  })
  .define({
    name: 'commit.lag',
    type: ConfigType.INT,
    default: 0,
    importance: Importance.LOW,
    documentation: 'Sink: preCommit returns offsets this many records behind.',
  })
  .define({
    name: 'rewind.to',
    type: ConfigType.INT,
    default: -1,
    importance: Importance.LOW,
    documentation: 'Sink: after the first put, rewind partition 0 to this offset once.',
  });

class TestSourceTask extends SourceTask {
  private name = '';
  private next = 0;
  private total = 0;
  private topic = '';
  private retriable = 0;
  private fatalAfter = -1;
  version() {
    return '1';
  }
  async start(props: ConnectorProps) {
    this.name = props.name!;
    const c = CONFIG.parse(props);
    this.topic = c.topic;
    this.total = c.records;
    this.retriable = c['fail.retriable'];
    this.fatalAfter = c['fail.fatal.after'];
    const stored = await this.context.offsetStorageReader.offset({ source: this.name });
    journal(this.name).startOffsets.push(stored);
    this.next = stored ? Number(stored.n) + 1 : 0;
  }
  async poll(): Promise<SourceRecord[] | null> {
    const j = journal(this.name);
    j.polls++;
    if (this.retriable > 0) {
      this.retriable--;
      throw new RetriableError('source not ready yet');
    }
    if (this.fatalAfter >= 0 && this.next >= this.fatalAfter) throw new Error(`boom at record ${this.next}`);
    if (this.next >= this.total) {
      await new Promise((r) => setTimeout(r, 50));
      return null;
    }
    const out: SourceRecord[] = [];
    for (let i = 0; i < 10 && this.next < this.total; i++, this.next++) {
      out.push(
        sourceRecord({
          topic: this.topic,
          valueSchema: Schemas.STRING_SCHEMA,
          value: `r${this.next}`,
          sourcePartition: { source: this.name },
          sourceOffset: { n: this.next },
        }),
      );
    }
    return out;
  }
  override commitRecord(record: SourceRecord, metadata: RecordMetadata | null) {
    journal(this.name).committedRecords.push({ value: record.value, metadata });
  }
  override commit() {
    journal(this.name).commits++;
  }
  stop() {}
}

/**
 * A source connector of one task class that hands every task the connector's own config (at most one task): what
 * the tests' source plugins need around their task.
 */
export function singleTaskSourceConnector(task: new () => SourceTask, config: ConfigDef) {
  return class extends SourceConnector {
    private props: ConnectorProps = {};
    version() {
      return '1';
    }
    start(props: ConnectorProps) {
      this.props = props;
    }
    taskClass() {
      return task;
    }
    taskConfigs() {
      return [{ ...this.props }];
    }
    stop() {}
    config() {
      return config;
    }
  };
}

export class TestSourceConnector extends singleTaskSourceConnector(TestSourceTask, CONFIG) {}

class TestSinkTask extends SinkTask {
  private name = '';
  private retriable = 0;
  private fatalAfter = -1;
  private lag = 0;
  private rewindTo = -1;
  private seen = 0;
  version() {
    return '1';
  }
  start(props: ConnectorProps) {
    this.name = props.name!;
    const c = CONFIG.parse(props);
    this.retriable = c['fail.retriable'];
    this.fatalAfter = c['fail.fatal.after'];
    this.lag = c['commit.lag'];
    this.rewindTo = c['rewind.to'];
  }
  async put(records: SinkRecord[]) {
    const j = journal(this.name);
    j.puts.push(records);
    if (records.length && this.retriable > 0) {
      this.retriable--;
      this.context.timeout(50);
      throw new RetriableError('target busy, try again');
    }
    if (this.fatalAfter >= 0 && this.seen + records.length > this.fatalAfter) throw new Error(`sink exploded at record ${this.fatalAfter}`);
    this.seen += records.length;
    this.context.metrics.counter('kconnect_test_sink_records_total', 'Records the test sink accepted', ['kind']).inc({ kind: 'value' }, records.length);
    if (records.length && this.rewindTo >= 0) {
      this.context.offset([{ topic: records[0]!.topic, partition: records[0]!.kafkaPartition, offset: this.rewindTo }]);
      this.rewindTo = -1;
    }
  }
  override async preCommit(current: TopicPartitionOffset[]) {
    journal(this.name).preCommits.push(current);
    return current.map((o) => ({ ...o, offset: Math.max(0, o.offset - this.lag) }));
  }
  stop() {}
}

export class TestSinkConnector extends SinkConnector {
  private props: ConnectorProps = {};
  version() {
    return '1';
  }
  start(props: ConnectorProps) {
    this.props = props;
  }
  taskClass() {
    return TestSinkTask;
  }
  taskConfigs(max: number) {
    return Array.from({ length: max }, () => ({ ...this.props }));
  }
  stop() {}
  config() {
    return CONFIG;
  }
}

export const testPlugins: PluginDescriptor[] = [
  { className: 'test.kconnect.TestSourceConnector', type: 'source', version: '1', create: () => new TestSourceConnector() },
  { className: 'test.kconnect.TestSinkConnector', type: 'sink', version: '1', create: () => new TestSinkConnector() },
];
