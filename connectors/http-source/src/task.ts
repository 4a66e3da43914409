import { type ConnectorProps, type RecordMetadata, type SourceRecord, SourceTask } from '@kconnect/api';
import { normalizeProps } from './castorm';
import { MODE } from './config';
import { Listener } from './listen';
import { Poller } from './poll';
import { VERSION } from './version';

/** One task: the webhook listener (listen mode) or a poller of its share of the endpoints (poll mode). */
export class HttpSourceTask extends SourceTask {
  private impl: Listener | Poller | null = null;
  /** Live tasks by connector name (tests and tools read the bound port from here). */
  static readonly running = new Map<string, HttpSourceTask>();
  private name = '';

  version() {
    return VERSION;
  }
  async start(props: ConnectorProps): Promise<void> {
    props = normalizeProps(props);
    this.name = props.name ?? '';
    if ((props[MODE] ?? 'listen') === 'listen') {
      const l = new Listener(props, this.context.logger, this.context.metrics);
      this.impl = l;
      await l.start();
    } else {
      const p = new Poller(props, this.context);
      this.impl = p;
      await p.start();
    }
    HttpSourceTask.running.set(this.name, this);
  }
  /** The listener's port (listen mode), 0 otherwise. */
  get port(): number {
    return this.impl instanceof Listener ? this.impl.port : 0;
  }
  poll(): Promise<SourceRecord[] | null> {
    return this.impl ? this.impl.poll() : Promise.resolve(null);
  }
  override commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    this.impl?.commitRecord(record, metadata);
  }
  async stop(): Promise<void> {
    if (HttpSourceTask.running.get(this.name) === this) HttpSourceTask.running.delete(this.name);
    await this.impl?.stop();
  }
}
