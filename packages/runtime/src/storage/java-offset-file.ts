/**
 * Java standalone's offsets file (`offset.storage.file.filename`): `FileOffsetBackingStore` writes its map of
 * serialized offset keys to serialized offset values as a Java-serialized `java.util.HashMap<byte[], byte[]>`
 * (`ObjectOutputStream`, protocol version 2). This module reads and writes exactly that object graph, so the same
 * file moves between Java Connect and kconnect in both directions.
 *
 * The stream, as Java writes it:
 * ```
 * AC ED 00 05                                   magic, version
 * 73 72 <"java.util.HashMap"> <serialVersionUID> 03 00 02 F<"loadFactor"> I<"threshold"> 78 70
 * <loadFactor: float> <threshold: int>          defaultWriteObject
 * 77 08 <buckets: int> <size: int>              block data
 * (<key> <value>) × size                        each 75 <class desc of byte[] or a reference to it> <length> <bytes>, or 70 (null)
 * 78                                            end of the custom data
 * ```
 */
import { BinaryReader, BinaryWriter } from '../binary';

const MAGIC = 0xaced;
const VERSION = 5;
const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_ARRAY = 0x75;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_BLOCKDATALONG = 0x7a;
const BASE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;

const HASH_MAP = 'java.util.HashMap';
const HASH_MAP_UID = 362498820763181265n;
const BYTE_ARRAY = '[B';
const BYTE_ARRAY_UID = -5984413125824719648n;

/** A key and value of the file: the serialized offset key and offset (null: none). */
export type RawOffsetEntry = [key: Buffer | null, value: Buffer | null];

/** True when the bytes start as a Java serialization stream does. */
export function isJavaSerialized(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt16BE(0) === MAGIC && data.readUInt16BE(2) === VERSION;
}

class Reader extends BinaryReader {
  /** Handles in assignment order: class descriptors (by name) and objects. */
  private readonly handles: unknown[] = [];

  constructor(data: Buffer) {
    super(data, 'the Java serialization stream');
  }

  expect(tc: number, what: string): void {
    const b = this.uint8();
    if (b !== tc) throw new Error(`expected ${what} (0x${tc.toString(16)}) at byte ${this.position - 1}, found 0x${b.toString(16)}`);
  }

  /** A class descriptor (new or a reference to one read before); returns its class name. */
  classDesc(): string {
    const tc = this.uint8();
    if (tc === TC_REFERENCE) {
      const d = this.handles[this.int32() - BASE_HANDLE];
      if (typeof d !== 'string') throw new Error(`bad class descriptor reference at byte ${this.position - 4}`);
      return d;
    }
    if (tc !== TC_CLASSDESC) throw new Error(`expected a class descriptor at byte ${this.position - 1}, found 0x${tc.toString(16)}`);
    const name = this.string();
    this.raw(8); // serialVersionUID
    this.handles.push(name);
    this.uint8(); // flags
    const fields = this.uint16();
    for (let i = 0; i < fields; i++) {
      const type = String.fromCharCode(this.uint8());
      const field = this.string();
      if (!'BCDFIJSZ'.includes(type)) throw new Error(`${name}: the object field ${field} is not expected`);
    }
    this.expect(TC_ENDBLOCKDATA, 'the end of the class annotation');
    if (this.uint8() !== TC_NULL) throw new Error(`${name}: a serializable superclass is not expected`);
    return name;
  }

  /** Takes the handle of a new object (after its class descriptor, as Java assigns them). */
  newObject(): void {
    this.handles.push(null);
  }

  /** A byte[] or null. */
  byteArray(): Buffer | null {
    const tc = this.uint8();
    if (tc === TC_NULL) return null;
    if (tc !== TC_ARRAY) throw new Error(`expected a byte[] at byte ${this.position - 1}, found 0x${tc.toString(16)}`);
    const cls = this.classDesc();
    if (cls !== BYTE_ARRAY) throw new Error(`expected a byte[], found an array of ${cls}`);
    const b = Buffer.from(this.raw(this.int32()));
    this.handles.push(b);
    return b;
  }

  /** The custom data's leading block (HashMap: buckets and size). */
  blockData(): Buffer {
    const tc = this.uint8();
    if (tc === TC_BLOCKDATA) return this.raw(this.uint8());
    if (tc === TC_BLOCKDATALONG) return this.raw(this.int32());
    throw new Error(`expected block data at byte ${this.position - 1}, found 0x${tc.toString(16)}`);
  }
}

/** The entries of a Java-serialized `HashMap<byte[], byte[]>`; throws a message saying where the bytes differ. */
export function readJavaOffsetFile(data: Buffer): RawOffsetEntry[] {
  if (!isJavaSerialized(data)) throw new Error('not a Java serialization stream');
  const r = new Reader(data.subarray(4));
  r.expect(TC_OBJECT, 'an object');
  const cls = r.classDesc();
  if (cls !== HASH_MAP) throw new Error(`expected a ${HASH_MAP}, found a ${cls}`);
  r.newObject();
  r.raw(8); // loadFactor (float), threshold (int)
  const block = r.blockData();
  if (block.length < 8) throw new Error('HashMap data too short');
  const size = block.readInt32BE(4);
  const entries: RawOffsetEntry[] = [];
  for (let i = 0; i < size; i++) entries.push([r.byteArray(), r.byteArray()]);
  r.expect(TC_ENDBLOCKDATA, 'the end of the HashMap');
  if (r.remaining) throw new Error('unexpected bytes after the HashMap');
  return entries;
}

/**
 * The bytes Java's `ObjectOutputStream` writes for a `HashMap<byte[], byte[]>` filled by `put` (default capacity 16,
 * load factor 0.75, doubled as it grows), with the entries in the given order.
 */
export function writeJavaOffsetFile(entries: readonly RawOffsetEntry[]): Buffer {
  let capacity = 16;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const threshold = entries.length === 0 ? 0 : capacity * 0.75;
  const w = new BinaryWriter().uint16(MAGIC).uint16(VERSION);
  w.uint8(TC_OBJECT)
    .uint8(TC_CLASSDESC)
    .string(HASH_MAP)
    .int64(HASH_MAP_UID)
    .uint8(SC_WRITE_METHOD | SC_SERIALIZABLE)
    .uint16(2);
  w.uint8('F'.charCodeAt(0)).string('loadFactor').uint8('I'.charCodeAt(0)).string('threshold');
  w.uint8(TC_ENDBLOCKDATA).uint8(TC_NULL);
  w.float32(0.75).int32(threshold);
  w.uint8(TC_BLOCKDATA).uint8(8).int32(capacity).int32(entries.length);
  // Handles: 0 the HashMap's descriptor, 1 the map, 2 byte[]'s descriptor (at its first use), then each array.
  let byteArrayDesc = false;
  const array = (b: Buffer | null) => {
    if (b === null) {
      w.uint8(TC_NULL);
      return;
    }
    w.uint8(TC_ARRAY);
    if (byteArrayDesc) w.uint8(TC_REFERENCE).int32(BASE_HANDLE + 2);
    else {
      w.uint8(TC_CLASSDESC).string(BYTE_ARRAY).int64(BYTE_ARRAY_UID).uint8(SC_SERIALIZABLE).uint16(0).uint8(TC_ENDBLOCKDATA).uint8(TC_NULL);
      byteArrayDesc = true;
    }
    w.int32(b.length).raw(b);
  };
  for (const [k, v] of entries) {
    array(k);
    array(v);
  }
  w.uint8(TC_ENDBLOCKDATA);
  return w.done();
}
