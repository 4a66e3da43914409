import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readConnectorFile } from './standalone';

describe('connector files on the command line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'connfiles-'));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('reads .properties, flat .json and {"name","config"} .json as Java does', () => {
    expect(readConnectorFile(file('a.properties', 'name=a\nconnector.class=FileStreamSource\ntopic=t\n'))).toEqual({
      name: 'a',
      config: { name: 'a', 'connector.class': 'FileStreamSource', topic: 't' },
    });
    expect(readConnectorFile(file('b.json', '{"name":"b","connector.class":"FileStreamSink","tasks.max":2}'))).toEqual({
      name: 'b',
      config: { name: 'b', 'connector.class': 'FileStreamSink', 'tasks.max': '2' },
    });
    expect(readConnectorFile(file('c.json', '{"name":"c","config":{"connector.class":"FileStreamSink","topics":"x"}}'))).toEqual({
      name: 'c',
      config: { name: 'c', 'connector.class': 'FileStreamSink', topics: 'x' },
    });
  });

  it('says what is wrong with a bad file', () => {
    expect(() => readConnectorFile(file('d.json', '{"config": {'))).toThrow(/d.json is not valid JSON/);
    expect(() => readConnectorFile(file('e.json', '[1]'))).toThrow(/must hold a JSON object/);
    expect(() => readConnectorFile(file('f.properties', 'topic=t'))).toThrow(/has no connector name/);
  });
});
