import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { ConnectError, DateType, Decimal, javaString, SchemaBuilder, Schemas, Struct, TimeType, TimestampType, markDouble } from '@kconnect/api';
import { valueToLine } from './format';
import { FileStreamSinkTask } from './sink-task';
import { sinkContext, sinkRecord, tempDir } from './test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function startSink(props: Record<string, string>, stdout?: PassThrough): Promise<FileStreamSinkTask> {
  const task = new FileStreamSinkTask(stdout ? { stdout } : {});
  task.initialize(sinkContext(props));
  await task.start(props);
  return task;
}

describe('FileStreamSinkTask', () => {
  test('writes each value on its own line, appending to an existing file', async () => {
    const file = tmp.path('out.txt');
    writeFileSync(file, 'existing\n');
    const task = await startSink({ file });
    await task.put([sinkRecord('a', 0), sinkRecord('ü ✓', 1)]);
    await task.put([]);
    await task.put([sinkRecord(null, 2), sinkRecord(42, 3)]);
    await task.flush([{ topic: 't', partition: 0, offset: 4 }]);
    expect(readFileSync(file, 'utf8')).toBe('existing\na\nü ✓\nnull\n42\n');
    await task.stop();

    const again = await startSink({ file });
    await again.put([sinkRecord('after restart')]);
    await again.stop();
    expect(readFileSync(file, 'utf8')).toBe('existing\na\nü ✓\nnull\n42\nafter restart\n');
  });

  test('creates the file; flush and preCommit fsync and return the offsets', async () => {
    const file = tmp.path('new.txt');
    const task = await startSink({ file });
    await task.put([sinkRecord('x')]);
    const offsets = [{ topic: 't', partition: 0, offset: 1 }];
    await expect(task.preCommit(offsets)).resolves.toEqual(offsets);
    expect(readFileSync(file, 'utf8')).toBe('x\n');
    await task.stop();
  });

  test('fails to start when the file cannot be created', async () => {
    const task = new FileStreamSinkTask();
    task.initialize(sinkContext());
    const file = tmp.path('missing-dir/out.txt');
    await expect(task.start({ file })).rejects.toThrow(ConnectError);
    await expect(task.start({ file })).rejects.toThrow(/Couldn't find or create file/);
  });

  test('stdout mode when file is unset or empty; stdout is not closed by stop', async () => {
    for (const props of [{}, { file: '' }] as Record<string, string>[]) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const task = await startSink(props, out);
      await task.put([sinkRecord('one'), sinkRecord('two')]);
      await task.flush([]);
      await task.stop();
      expect(Buffer.concat(chunks).toString()).toBe('one\ntwo\n');
      expect(out.writableEnded).toBe(false);
    }
  });

  test('Structs, maps, arrays and bytes', async () => {
    const file = tmp.path('types.txt');
    const schema = SchemaBuilder.struct()
      .field('id', Schemas.INT32_SCHEMA)
      .field('name', Schemas.OPTIONAL_STRING_SCHEMA)
      .field('tags', SchemaBuilder.array(Schemas.STRING_SCHEMA).optional().build())
      .build();
    const struct = new Struct(schema).put('id', 7).put('tags', ['a', 'b']);
    const task = await startSink({ file });
    await task.put([
      sinkRecord(struct),
      sinkRecord({ k: 1, nested: { x: [1, 2] } }),
      sinkRecord(new Map<unknown, unknown>([['a', true]])),
      sinkRecord(Buffer.from('raw bytes ✓')),
      sinkRecord(new Uint8Array([0x68, 0x69])),
    ]);
    await task.stop();
    expect(readFileSync(file, 'utf8')).toBe('Struct{id=7,tags=[a, b]}\n{k=1, nested={x=[1, 2]}}\n{a=true}\nraw bytes ✓\nhi\n');
  });
});

describe('javaString / valueToLine', () => {
  test('Java-like string forms', () => {
    expect(javaString(null)).toBe('null');
    expect(javaString(undefined)).toBe('null');
    expect(javaString(true)).toBe('true');
    expect(javaString(12345678901234567890n)).toBe('12345678901234567890');
    expect(javaString(new Date(0))).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(javaString([Buffer.from('hi')])).toBe('[aGk=]');
    expect(javaString([])).toBe('[]');
    expect(javaString({})).toBe('{}');
    const inner = new Struct(SchemaBuilder.struct().field('v', Schemas.OPTIONAL_FLOAT64_SCHEMA).build()).put('v', 1.5);
    const outer = new Struct(SchemaBuilder.struct().field('in', inner.schema).field('n', Schemas.OPTIONAL_STRING_SCHEMA).build()).put('in', inner);
    expect(javaString(outer)).toBe('Struct{in=Struct{v=1.5}}');
  });

  test('top-level bytes are written raw', () => {
    const bytes = new Uint8Array([0, 1, 2, 0xff]);
    expect([...valueToLine(bytes)]).toEqual([0, 1, 2, 0xff]);
    expect([...valueToLine(bytes.subarray(1, 3))]).toEqual([1, 2]);
  });
});

describe('javaString: Java toString vectors', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  test('Double.toString: shortest digits, plain in [1e-3, 1e7), else computerized scientific', () => {
    const d = (v: number) => javaString(v, Schemas.FLOAT64_SCHEMA);
    // JLS / Double.toString javadoc rules; values Java 19+ (and 17) print identically
    expect(d(3)).toBe('3.0');
    expect(d(1e21)).toBe('1.0E21');
    expect(d(2.5e-7)).toBe('2.5E-7');
    expect(d(0.001)).toBe('0.001');
    expect(d(0.0001)).toBe('1.0E-4');
    expect(d(9999999)).toBe('9999999.0');
    expect(d(1e7)).toBe('1.0E7');
    expect(d(12345678.9)).toBe('1.23456789E7');
    expect(d(-0)).toBe('-0.0');
    expect(d(Number.NaN)).toBe('NaN');
    expect(d(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(d(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(d(Number.MAX_VALUE)).toBe('1.7976931348623157E308');
    expect(d(Number.MIN_VALUE)).toBe('4.9E-324');
    expect(d(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  test('Float.toString of the float32: shortest digits that round-trip through a float', () => {
    const f = (v: number) => javaString(v, Schemas.FLOAT32_SCHEMA);
    expect(f(0.1)).toBe('0.1');
    expect(f(Math.fround(0.1))).toBe('0.1');
    expect(f(3)).toBe('3.0');
    expect(f(16777217)).toBe('1.6777216E7');
    expect(f(1e10)).toBe('1.0E10');
    expect(f(3.4028234663852886e38)).toBe('3.4028235E38'); // Float.MAX_VALUE
    expect(f(1.401298464324817e-45)).toBe('1.4E-45'); // Float.MIN_VALUE
    // Float.MIN_NORMAL: JDK 19+ prints the shortest digits (JDK 17's older algorithm printed 1.17549435E-38)
    expect(f(1.17549435e-38)).toBe('1.1754944E-38');
    expect(f(-0)).toBe('-0.0');
    expect(f(Number.NaN)).toBe('NaN');
  });

  test('schemaless numbers: Long when whole, Double otherwise or when marked as a double', () => {
    expect(javaString(5)).toBe('5');
    expect(javaString(-0)).toBe('0');
    expect(javaString(1.5)).toBe('1.5');
    expect(javaString(1e21)).toBe('1.0E21');
    const obj: Record<string, unknown> = { a: 0, b: 0, c: [1, 1] };
    markDouble(obj, 'a');
    markDouble(obj.c as object, 1);
    expect(javaString(obj)).toBe('{a=0.0, b=0, c=[1, 1.0]}');
    // integer schemas print integers
    expect(javaString(7, Schemas.INT8_SCHEMA)).toBe('7');
    expect(javaString(9223372036854775807n, Schemas.INT64_SCHEMA)).toBe('9223372036854775807');
  });

  test('Struct, List and Map (HashMap iteration order) as Java prints them', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).field('y', Schemas.OPTIONAL_STRING_SCHEMA).field('z', Schemas.FLOAT64_SCHEMA).build();
    const schema = SchemaBuilder.struct()
      .field('f32', Schemas.FLOAT32_SCHEMA)
      .field('f64', Schemas.FLOAT64_SCHEMA)
      .field('nested', inner)
      .field('arr', SchemaBuilder.array(Schemas.FLOAT32_SCHEMA).build())
      .field('map', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.FLOAT64_SCHEMA).build())
      .field('imap', SchemaBuilder.map(Schemas.INT64_SCHEMA, Schemas.STRING_SCHEMA).build())
      .field('none', Schemas.OPTIONAL_STRING_SCHEMA)
      .build();
    const s = new Struct(schema)
      .put('f32', 3)
      .put('f64', 1e21)
      .put('nested', new Struct(inner).put('x', 1).put('z', 4))
      .put('arr', [0.1, 1e7, -2.5])
      .put(
        'map',
        new Map([
          ['zeta', 1],
          ['alpha', 0.5],
          ['beta', 1e-3],
          ['k10', 1e7],
        ]),
      )
      .put(
        'imap',
        new Map<number, string>([
          [3, 'c'],
          [-1, 'm'],
          [4294967296, 'big'],
          [17, 'q'],
        ]),
      );
    // Java 17 + Kafka 4.1.2: String.valueOf of the same Struct read by JsonConverter (HashMap buckets by hashCode)
    expect(javaString(s)).toBe(
      'Struct{f32=3.0,f64=1.0E21,nested=Struct{x=1,z=4.0},arr=[0.1, 1.0E7, -2.5],map={zeta=1.0, alpha=0.5, k10=1.0E7, beta=0.001},imap={-1=m, 4294967296=big, 17=q, 3=c}}',
    );
    // schemaless object: a HashMap<String, Object>
    expect(javaString({ zeta: 1, alpha: 2, beta: 3, k10: 4, a: 5, b: 6, s: 'v1.0' })).toBe('{zeta=1, a=5, b=6, s=v1.0, alpha=2, k10=4, beta=3}');
    // more than 12 entries: the HashMap has grown to 32 buckets
    const many: Record<string, number> = {};
    for (let i = 0; i < 13; i++) many[`key${i}`] = i;
    expect(javaString(many)).toBe('{key1=1, key2=2, key0=0, key5=5, key6=6, key3=3, key4=4, key9=9, key7=7, key8=8, key11=11, key10=10, key12=12}');
  });

  test('Decimal as BigDecimal.toString at the schema scale', () => {
    expect(javaString('1.52', Decimal.schema(2))).toBe('1.52');
    expect(javaString('1.50', Decimal.schema(2))).toBe('1.50');
    expect(javaString('0.0000000001', Decimal.schema(10))).toBe('1E-10');
    expect(javaString('0.000001', Decimal.schema(6))).toBe('0.000001');
    expect(javaString('0.0000001', Decimal.schema(7))).toBe('1E-7');
    expect(javaString('-12000', Decimal.schema(-3))).toBe('-1.2E+4');
    expect(javaString('42', Decimal.schema(0))).toBe('42');
    // a top-level Decimal value (the whole record value) too, and a plain string as it is
    expect(valueToLine('0.0000000001', Decimal.schema(10)).toString()).toBe('1E-10');
    expect(valueToLine('0.0000000001', Schemas.STRING_SCHEMA).toString()).toBe('0.0000000001');
  });

  test('Date, Time and Timestamp as java.util.Date#toString in the default time zone', () => {
    delete process.env.TZ;
    expect(javaString(new Date(1700000000000), TimestampType.SCHEMA)).toBe('Tue Nov 14 22:13:20 UTC 2023');
    expect(javaString(new Date(19675 * 86400000), DateType.SCHEMA)).toBe('Tue Nov 14 00:00:00 UTC 2023');
    expect(javaString(new Date(45296789), TimeType.SCHEMA)).toBe('Thu Jan 01 12:34:56 UTC 1970');
    expect(javaString(new Date(-1))).toBe('Wed Dec 31 23:59:59 UTC 1969');
    expect(javaString(new Date(253402300800000))).toBe('Sat Jan 01 00:00:00 UTC 10000');
    // Julian calendar before the Gregorian cutover (1582-10-15)
    expect(javaString(new Date(-12219292800000))).toBe('Fri Oct 15 00:00:00 UTC 1582');
    expect(javaString(new Date(-12219292800001))).toBe('Thu Oct 04 23:59:59 UTC 1582');
    process.env.TZ = 'America/New_York';
    expect(javaString(new Date(1700000000000))).toBe('Tue Nov 14 17:13:20 EST 2023');
    expect(javaString(new Date(1690000000000))).toBe('Sat Jul 22 00:26:40 EDT 2023');
    process.env.TZ = 'GMT';
    expect(javaString(new Date(1700000000000))).toBe('Tue Nov 14 22:13:20 GMT 2023');
  });

  test('bytes: raw at top level, base64 inside containers (Java prints an identity hash)', () => {
    const schema = SchemaBuilder.struct().field('b', Schemas.BYTES_SCHEMA).build();
    expect(javaString(new Struct(schema).put('b', Buffer.from([1, 2, 3])))).toBe('Struct{b=AQID}');
    expect(valueToLine(Buffer.from('raw'), Schemas.BYTES_SCHEMA).toString()).toBe('raw');
  });
});
