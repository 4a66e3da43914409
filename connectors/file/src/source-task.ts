/**
 * FileStreamSourceTask: reads lines from a file (or stdin) and produces one record per line, compatible with Java's
 * `org.apache.kafka.connect.file.FileStreamSourceTask`.
 *
 * - Source partition `{"filename": <file as configured>}`, offset `{"position": <byte offset just after the line
 *   and its terminator>}`. On start the stored offset is read through the context's OffsetStorageReader and reading
 *   resumes exactly there, so a restarted task neither repeats nor skips lines.
 * - Line terminators `\n`, `\r\n` and `\r`, as Java's. Only complete lines are emitted: a trailing partial line (or a
 *   trailing `\r`, which might be the start of `\r\n`) waits for more data.
 * - The file is opened once and read incrementally with positional reads. A missing file is retried on later polls.
 * - stdin mode (`file` unset or empty): no offsets are tracked (partition `{"filename": null}`, offset
 *   `{"position": null}`, as Java), and at end of input a trailing unterminated line is emitted.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ConnectError, Schemas, SourceTask, sourceRecord } from '@kconnect/api';
import type { ConnectorProps, OffsetMap, SourceRecord } from '@kconnect/api';
import { FILENAME_FIELD, FILE_CONFIG, POSITION_FIELD, SOURCE_CONFIG_DEF, TASK_BATCH_SIZE_CONFIG, TOPIC_CONFIG, fileOrNull } from './config';
import { VERSION } from './version';

const LF = 0x0a;
const CR = 0x0d;

/** Tuning and test hooks; the runtime constructs tasks without options. */
export interface FileStreamSourceTaskOptions {
  /** The stream read in stdin mode. Default: `process.stdin`. */
  stdin?: Readable;
  /** How long one `poll()` waits for data before returning null. Default 1000 ms (Java's wait). */
  maxPollWaitMs?: number;
  /** How often a waiting poll looks for new data in the file (or for the file to appear). Default 100 ms. */
  checkIntervalMs?: number;
  /** Bytes read from the file per read call. Default 64 KiB. */
  readChunkBytes?: number;
}

export class FileStreamSourceTask extends SourceTask {
  private readonly stdinStream: Readable | undefined;
  private readonly maxPollWaitMs: number;
  private readonly checkIntervalMs: number;
  private readonly readChunkBytes: number;

  /** The `file` setting as configured (null or "" = stdin); used verbatim as the source partition. */
  private configuredFile: string | null = null;
  private file: string | null = null;
  private topic = '';
  private batchSize = 1;

  private fh: FileHandle | null = null;
  /** Byte position in the file of the next byte to read. */
  private readPos = 0;
  /** Byte position just after the last emitted line; null in stdin mode (not tracked). */
  private streamOffset: number | null = null;
  /** Bytes read but not yet emitted as lines (at most one partial line after extraction). */
  private pending: Buffer = Buffer.alloc(0);

  private stdin: Readable | null = null;
  private stdinEnded = false;
  private readonly onStdinReadable = (): void => this.wakeUp();
  private readonly onStdinEnd = (): void => {
    this.stdinEnded = true;
    this.wakeUp();
  };
  private readonly onStdinError = (err: unknown): void => this.context.logger.error({ err }, 'Error reading from stdin');

  private stopped = false;
  private wake: (() => void) | null = null;
  private warnedMissing = false;
  private warnedShort = false;

  constructor(options: FileStreamSourceTaskOptions = {}) {
    super();
    this.stdinStream = options.stdin;
    this.maxPollWaitMs = options.maxPollWaitMs ?? 1000;
    this.checkIntervalMs = options.checkIntervalMs ?? 100;
    this.readChunkBytes = options.readChunkBytes ?? 64 * 1024;
  }

  version(): string {
    return VERSION;
  }

  async start(props: ConnectorProps): Promise<void> {
    const config = SOURCE_CONFIG_DEF.parse(props);
    this.configuredFile = config[FILE_CONFIG];
    this.file = fileOrNull(config[FILE_CONFIG]);
    this.topic = config[TOPIC_CONFIG];
    this.batchSize = config[TASK_BATCH_SIZE_CONFIG];
    this.stopped = false;
    this.pending = Buffer.alloc(0);

    if (this.file === null) {
      this.streamOffset = null;
      this.stdin = this.stdinStream ?? process.stdin;
      this.stdinEnded = false;
      this.stdin.on('readable', this.onStdinReadable);
      this.stdin.on('end', this.onStdinEnd);
      this.stdin.on('error', this.onStdinError);
      this.context.logger.info(`Reading from stdin into topic ${this.topic}`);
      return;
    }

    const position = await this.storedPosition(this.file);
    this.streamOffset = position;
    this.readPos = position;
    this.context.logger.info(`Reading ${this.file} from byte position ${position} into topic ${this.topic}`);
  }

  /** The position stored for this file's partition, 0 when there is none. */
  private async storedPosition(file: string): Promise<number> {
    const stored = await this.context.offsetStorageReader.offset({ [FILENAME_FIELD]: file });
    const position = stored?.[POSITION_FIELD];
    if (position === undefined || position === null) return 0;
    if (typeof position !== 'number' || !Number.isSafeInteger(position)) {
      throw new ConnectError(`Offset position is the incorrect type: expected a non-negative integer, found ${JSON.stringify(position)}`);
    }
    if (position < 0) throw new ConnectError(`Offset position ${position} for file ${file} is negative`);
    this.context.logger.debug(`Found previous offset for ${file}: position ${position}`);
    return position;
  }

  async poll(): Promise<SourceRecord[] | null> {
    const deadline = Date.now() + this.maxPollWaitMs;
    const records: SourceRecord[] = [];
    for (;;) {
      if (this.stopped) return null;
      if (this.file !== null && this.fh === null) {
        if (!(await this.tryOpen(this.file))) {
          if (await this.waitUntil(deadline)) continue;
          return null;
        }
      }
      this.extractLines(records, false);
      if (records.length >= this.batchSize) break;
      const n = await this.readMore();
      if (this.stopped) return null;
      if (n > 0) continue;
      if (this.stdin !== null && this.stdinEnded) this.extractLines(records, true);
      if (records.length > 0) break;
      await this.checkShrunk();
      if (!(await this.waitUntil(deadline))) break;
    }
    return records.length > 0 ? records : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    if (this.stdin !== null) {
      this.stdin.off('readable', this.onStdinReadable);
      this.stdin.off('end', this.onStdinEnd);
      this.stdin.off('error', this.onStdinError);
      this.stdin.pause();
      this.stdin = null; // never closed: stdin belongs to the process
    }
    const fh = this.fh;
    this.fh = null;
    if (fh !== null) {
      try {
        await fh.close(); // waits for a read in flight
      } catch (err) {
        this.context.logger.error({ err }, `Failed to close ${this.file}`);
      }
    }
  }

  private async tryOpen(file: string): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (!this.warnedMissing) this.context.logger.warn(`Couldn't find file ${file}, waiting for it to be created`);
        this.warnedMissing = true;
        return false;
      }
      throw new ConnectError(`Error while trying to open file ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (this.stopped) {
      await fh.close().catch(() => undefined);
      return false;
    }
    this.fh = fh;
    this.warnedMissing = false;
    if (this.readPos > 0) {
      const { size } = await fh.stat();
      if (size < this.readPos) {
        this.context.logger.warn(`Stored position ${this.readPos} is beyond the end of ${file} (${size} bytes); reading resumes once the file grows past it`);
        this.warnedShort = true;
      }
    }
    this.context.logger.debug(`Opened ${file} for reading at byte ${this.readPos}`);
    return true;
  }

  /** Reads what is available into `pending`; returns the number of bytes read (0: nothing new yet). */
  private async readMore(): Promise<number> {
    let chunk: Buffer;
    if (this.stdin !== null) {
      const data: unknown = this.stdin.read();
      if (data === null || data === undefined) return 0;
      chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data as Uint8Array);
    } else {
      const fh = this.fh;
      if (fh === null) return 0;
      const buf = Buffer.allocUnsafe(this.readChunkBytes);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, buf.length, this.readPos));
      } catch (err) {
        if (this.stopped) return 0; // closed by stop()
        throw new ConnectError(`Error while reading ${this.file}: ${(err as Error).message}`, { cause: err });
      }
      if (bytesRead === 0) return 0;
      this.readPos += bytesRead;
      this.warnedShort = false;
      chunk = buf.subarray(0, bytesRead);
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return chunk.length;
  }

  /** Warns (once) when the file became shorter than the read position: truncated or replaced. */
  private async checkShrunk(): Promise<void> {
    if (this.fh === null || this.warnedShort) return;
    try {
      const { size } = await this.fh.stat();
      if (size < this.readPos) {
        this.warnedShort = true;
        this.context.logger.warn(
          `${this.file} is now ${size} bytes, shorter than the read position ${this.readPos}: it was truncated; reading resumes once it grows past that position`,
        );
      }
    } catch {
      // closed concurrently by stop()
    }
  }

  /**
   * Moves complete lines from `pending` into `records`, up to the batch size. With `eof` (stdin ended) a trailing
   * partial line, or a trailing `\r`, is complete too.
   */
  private extractLines(records: SourceRecord[], eof: boolean): void {
    const buf = this.pending;
    let start = 0;
    let nextLf = -2; // -2: not searched yet; -1: none left
    let nextCr = -2;
    while (records.length < this.batchSize && start < buf.length) {
      if (nextLf !== -1 && nextLf < start) nextLf = buf.indexOf(LF, start);
      if (nextCr !== -1 && nextCr < start) nextCr = buf.indexOf(CR, start);
      let end: number; // end of the line's content
      let next: number; // start of the next line
      if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
        if (nextCr + 1 >= buf.length && !eof) break; // can't tell `\r` from `\r\n` yet
        end = nextCr;
        next = buf[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
      } else if (nextLf !== -1) {
        end = nextLf;
        next = nextLf + 1;
      } else if (eof) {
        end = buf.length;
        next = buf.length;
      } else {
        break;
      }
      if (this.streamOffset !== null) this.streamOffset += next - start;
      records.push(this.record(buf.toString('utf8', start, end)));
      start = next;
    }
    if (start > 0) this.pending = start >= buf.length ? Buffer.alloc(0) : buf.subarray(start);
  }

  private record(line: string): SourceRecord {
    const partition: OffsetMap = { [FILENAME_FIELD]: this.file === null ? this.configuredFile : this.file };
    const offset: OffsetMap = { [POSITION_FIELD]: this.streamOffset };
    return sourceRecord({
      topic: this.topic,
      sourcePartition: partition,
      sourceOffset: offset,
      keySchema: null,
      key: null,
      valueSchema: Schemas.STRING_SCHEMA,
      value: line,
      timestamp: Date.now(),
    });
  }

  /** Sleeps one check interval (bounded by the deadline) or until woken; false once the deadline has passed. */
  private async waitUntil(deadline: number): Promise<boolean> {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || this.stopped) return false;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.min(this.checkIntervalMs, remaining));
      this.wake = done;
    });
    return !this.stopped;
  }

  private wakeUp(): void {
    this.wake?.();
  }
}
