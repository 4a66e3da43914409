/**
 * FileStreamSinkTask: appends each record's value, as text, on its own line to a file (or stdout), compatible with
 * Java's `org.apache.kafka.connect.file.FileStreamSinkTask`. See {@link valueToLine} for how values are printed.
 *
 * Every `put` writes its batch to the file at once (one write call, file opened in append mode and created when
 * missing); `flush` — called by the runtime before offsets are committed — fsyncs it, so committed offsets never
 * run ahead of data on disk. stdout is written to, never closed.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConnectError, SinkTask } from '@kconnect/api';
import type { ConnectorProps, SinkRecord, TopicPartitionOffset } from '@kconnect/api';
import { FILE_CONFIG, SINK_CONFIG_DEF, fileOrNull } from './config';
import { valueToLine } from './format';
import { VERSION } from './version';

const NEWLINE = Buffer.from('\n');

export interface FileStreamSinkTaskOptions {
  /** The stream written in stdout mode. Default: `process.stdout`. */
  stdout?: Writable;
}

export class FileStreamSinkTask extends SinkTask {
  private readonly stdoutStream: Writable | undefined;
  private file: string | null = null;
  private fh: FileHandle | null = null;
  private out: Writable | null = null;

  constructor(options: FileStreamSinkTaskOptions = {}) {
    super();
    this.stdoutStream = options.stdout;
  }

  version(): string {
    return VERSION;
  }

  async start(props: ConnectorProps): Promise<void> {
    const config = SINK_CONFIG_DEF.parse(props);
    this.file = fileOrNull(config[FILE_CONFIG]);
    if (this.file === null) {
      this.out = this.stdoutStream ?? process.stdout;
      return;
    }
    try {
      this.fh = await open(this.file, 'a');
    } catch (err) {
      throw new ConnectError(`Couldn't find or create file '${this.file}' for FileStreamSinkTask: ${(err as Error).message}`, { cause: err });
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const parts: Buffer[] = [];
    for (const r of records) parts.push(valueToLine(r.value, r.valueSchema), NEWLINE);
    const data = Buffer.concat(parts);
    this.context.logger.debug(`Writing ${records.length} line(s) to ${this.file ?? 'stdout'}`);
    if (this.fh !== null) {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.fh.write(data, written, data.length - written);
        written += bytesWritten;
      }
    } else if (this.out !== null) {
      const out = this.out;
      await new Promise<void>((resolve, reject) => out.write(data, (err) => (err ? reject(err) : resolve())));
    } else {
      throw new ConnectError('FileStreamSinkTask is not started');
    }
  }

  override async flush(_currentOffsets: TopicPartitionOffset[]): Promise<void> {
    this.context.logger.debug(`Flushing ${this.file ?? 'stdout'}`);
    if (this.fh !== null) await this.fh.sync();
  }

  async stop(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.out = null;
    if (fh !== null) await fh.close();
  }
}
