import { isJavaSerialized, readJavaOffsetFile, writeJavaOffsetFile } from './java-offset-file';

// Written by Java 17's ObjectOutputStream for a HashMap<byte[], byte[]> as FileOffsetBackingStore fills it.
const JAVA_EMPTY =
  'aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f724900097468726573686f6c6478703f400000000000007708000000100000000078';
const JAVA_ONE =
  'aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f724900097468726573686f6c6478703f4000000000000c77080000001000000001757200025b42acf317f8060854e00200007870000000185b2263222c7b2266696c656e616d65223a222f6630227d5d7571007e00020000000e7b22706f736974696f6e223a307d78';
/** Two entries, the first with a null key and value (Java's HashMap puts it in bucket 0). */
const JAVA_NULL_AND_TWO =
  'aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f724900097468726573686f6c6478703f4000000000000c770800000010000000037070757200025b42acf317f8060854e00200007870000000185b2263222c7b2266696c656e616d65223a222f6630227d5d7571007e00020000000e7b22706f736974696f6e223a307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6631227d5d7571007e00020000000f7b22706f736974696f6e223a31307d78';
/** 13 entries: the map has grown to 32 buckets (threshold 24). */
const JAVA_THIRTEEN =
  'aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f724900097468726573686f6c6478703f400000000000187708000000200000000d757200025b42acf317f8060854e00200007870000000185b2263222c7b2266696c656e616d65223a222f6635227d5d7571007e00020000000f7b22706f736974696f6e223a35307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6636227d5d7571007e00020000000f7b22706f736974696f6e223a36307d7571007e0002000000195b2263222c7b2266696c656e616d65223a222f663132227d5d7571007e0002000000107b22706f736974696f6e223a3132307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6634227d5d7571007e00020000000f7b22706f736974696f6e223a34307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6630227d5d7571007e00020000000e7b22706f736974696f6e223a307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6637227d5d7571007e00020000000f7b22706f736974696f6e223a37307d7571007e0002000000195b2263222c7b2266696c656e616d65223a222f663131227d5d7571007e0002000000107b22706f736974696f6e223a3131307d7571007e0002000000195b2263222c7b2266696c656e616d65223a222f663130227d5d7571007e0002000000107b22706f736974696f6e223a3130307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6631227d5d7571007e00020000000f7b22706f736974696f6e223a31307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6638227d5d7571007e00020000000f7b22706f736974696f6e223a38307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6632227d5d7571007e00020000000f7b22706f736974696f6e223a32307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6639227d5d7571007e00020000000f7b22706f736974696f6e223a39307d7571007e0002000000185b2263222c7b2266696c656e616d65223a222f6633227d5d7571007e00020000000f7b22706f736974696f6e223a33307d78';

const hex = (h: string) => Buffer.from(h, 'hex');
const text = (e: [Buffer | null, Buffer | null]) => e.map((b) => b?.toString() ?? null);

describe('Java standalone offsets file', () => {
  it('reads what Java wrote', () => {
    expect(readJavaOffsetFile(hex(JAVA_EMPTY))).toEqual([]);
    expect(readJavaOffsetFile(hex(JAVA_ONE)).map(text)).toEqual([['["c",{"filename":"/f0"}]', '{"position":0}']]);
    expect(readJavaOffsetFile(hex(JAVA_NULL_AND_TWO)).map(text)).toEqual([
      [null, null],
      ['["c",{"filename":"/f0"}]', '{"position":0}'],
      ['["c",{"filename":"/f1"}]', '{"position":10}'],
    ]);
    const many = readJavaOffsetFile(hex(JAVA_THIRTEEN)).map(text);
    expect(many).toHaveLength(13);
    expect(new Set(many.map((e) => e[0]))).toEqual(new Set(Array.from({ length: 13 }, (_, i) => `["c",{"filename":"/f${i}"}]`)));
  });

  it('writes the bytes Java writes for the same map', () => {
    for (const vector of [JAVA_EMPTY, JAVA_ONE, JAVA_NULL_AND_TWO, JAVA_THIRTEEN]) {
      expect(writeJavaOffsetFile(readJavaOffsetFile(hex(vector))).toString('hex')).toBe(vector);
    }
  });

  it('tells Java serialization from anything else', () => {
    expect(isJavaSerialized(hex(JAVA_ONE))).toBe(true);
    expect(isJavaSerialized(Buffer.from('{"format":"kconnect.offsets"}'))).toBe(false);
    expect(isJavaSerialized(Buffer.alloc(0))).toBe(false);
  });

  it('refuses streams that are not a map of byte arrays, saying where', () => {
    expect(() => readJavaOffsetFile(hex(JAVA_ONE.slice(0, -40)))).toThrow(/truncated at byte/);
    expect(() => readJavaOffsetFile(hex(`${JAVA_ONE}00`))).toThrow(/unexpected bytes after the HashMap/);
    // A java.util.TreeMap in place of the HashMap.
    const tree = JAVA_EMPTY.replace('6a6176612e7574696c2e486173684d6170', '6a6176612e7574696c2e547265654d6170');
    expect(() => readJavaOffsetFile(hex(tree))).toThrow(/expected a java.util.HashMap, found a java.util.TreeMap/);
    expect(() => readJavaOffsetFile(Buffer.from('not java'))).toThrow(/not a Java serialization stream/);
  });
});
