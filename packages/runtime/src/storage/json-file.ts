/**
 * Crash-safe files: write to a temporary file in the same folder, fsync it, rename it over the target and fsync the
 * folder. A `kill -9` at any moment leaves either the old or the new complete file, never a mix.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(data, null, 1));
}

/** The file's bytes, or undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The parsed file, or undefined when it does not exist. A corrupt file is an error naming the file. */
export async function readJson(file: string): Promise<unknown> {
  const data = await readFileIfExists(file);
  return data === undefined ? undefined : parseJson(file, data.toString('utf8'));
}

export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); fix or remove it`);
  }
}

/**
 * Serializes writes of one file: a write requested while another runs is coalesced into one more write of the
 * newest state, so callers never interleave and never wait for more than two writes.
 */
export class SerialWriter {
  private running: Promise<void> | null = null;
  private pending: Promise<void> | null = null;

  constructor(private readonly write: () => Promise<void>) {}

  schedule(): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.running) return (this.running = this.run());
    this.pending = this.running
      .catch(() => undefined)
      .then(() => {
        this.pending = null;
        return (this.running = this.run());
      });
    return this.pending;
  }

  private async run(): Promise<void> {
    try {
      await this.write();
    } finally {
      this.running = null;
    }
  }
}
