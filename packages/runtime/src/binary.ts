/**
 * Big-endian binary writing and reading, as Java's `DataOutput`/`DataInput` and Kafka's protocol types lay values
 * out: the base of the Connect group protocol's bytes (`distributed/connect-protocol.ts`) and of Java's serialized
 * offsets file (`java-offset-file.ts`).
 */

export class BinaryWriter {
  private readonly parts: Buffer[] = [];

  private fixed(n: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    write(b);
    this.parts.push(b);
    return this;
  }
  uint8(v: number): this {
    return this.fixed(1, (b) => b.writeUInt8(v));
  }
  uint16(v: number): this {
    return this.fixed(2, (b) => b.writeUInt16BE(v));
  }
  int16(v: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v));
  }
  int64(v: number | bigint): this {
    return this.fixed(8, (b) => b.writeBigInt64BE(BigInt(v)));
  }
  float32(v: number): this {
    return this.fixed(4, (b) => b.writeFloatBE(v));
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** UTF-8 with its byte length first as a 16-bit integer (Java's `writeUTF` for the ASCII it is used with, Kafka's STRING). */
  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).raw(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class BinaryReader {
  private at = 0;

  /** `what` names the data in errors: "<what> truncated at byte N (needs M more)". */
  constructor(
    private readonly b: Buffer,
    private readonly what: string,
  ) {}

  get position(): number {
    return this.at;
  }
  get remaining(): number {
    return this.b.length - this.at;
  }

  private take(n: number): number {
    if (n < 0) throw new Error(`${this.what}: negative length ${n} at byte ${this.at}`);
    if (this.at + n > this.b.length) throw new Error(`${this.what} truncated at byte ${this.at} (needs ${n} more)`);
    const at = this.at;
    this.at += n;
    return at;
  }
  uint8(): number {
    return this.b.readUInt8(this.take(1));
  }
  uint16(): number {
    return this.b.readUInt16BE(this.take(2));
  }
  int16(): number {
    return this.b.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.b.readInt32BE(this.take(4));
  }
  int64(): number {
    return Number(this.b.readBigInt64BE(this.take(8)));
  }
  /** The next `n` bytes (a view of the input). */
  raw(n: number): Buffer {
    const at = this.take(n);
    return this.b.subarray(at, at + n);
  }
  /** UTF-8 with a 16-bit length first (see {@link BinaryWriter.string}). */
  string(): string {
    return this.raw(this.int16()).toString('utf8');
  }
}
