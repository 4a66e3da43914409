import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { ConnectError, SchemaBuilder, Schemas, Struct } from '@kconnect/api';
import { javaString, valueToLine } from './format';
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
    expect(javaString(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
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
