/**
 * A steady source for the console and metrics tests: `rate` records per second (default 50) to `topic`, in a batch
 * every 100 ms, for as long as it runs.
 */
import {
  ConfigDef,
  ConfigType,
  type ConnectorProps,
  Importance,
  type PluginDescriptor,
  Schemas,
  type SourceRecord,
  SourceTask,
  sourceRecord,
} from '@kconnect/api';
import { singleTaskSourceConnector } from './test-plugins';

const CONFIG = new ConfigDef()
  .define({ name: 'topic', type: ConfigType.STRING, importance: Importance.HIGH, documentation: 'Topic to write.' })
  .define({ name: 'rate', type: ConfigType.INT, default: 50, importance: Importance.LOW, documentation: 'Records per second.' });

class TickerTask extends SourceTask {
  private topic = '';
  private perTick = 5;
  private n = 0;
  private stopped = false;
  version() {
    return '1';
  }
  start(props: ConnectorProps) {
    const c = CONFIG.parse(props);
    this.topic = c.topic;
    this.perTick = Math.max(1, Math.round(c.rate / 10));
  }
  async poll(): Promise<SourceRecord[] | null> {
    await new Promise((r) => setTimeout(r, 100));
    if (this.stopped) return null;
    return Array.from({ length: this.perTick }, () => {
      const n = this.n++;
      return sourceRecord({ topic: this.topic, valueSchema: Schemas.STRING_SCHEMA, value: `tick-${n}`, sourcePartition: { ticker: 1 }, sourceOffset: { n } });
    });
  }
  stop() {
    this.stopped = true;
  }
}

const TickerConnector = singleTaskSourceConnector(TickerTask, CONFIG);

export const tickerPlugin: PluginDescriptor = { className: 'test.kconnect.Ticker', type: 'source', version: '1', create: () => new TickerConnector() };
