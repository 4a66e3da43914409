/**
 * FileStreamSink prints each value as Java's FileStreamSinkTask does (`String.valueOf(record.value())`), on a real
 * broker: JsonConverter envelopes carrying every Connect type → the exact line Java 17 + Kafka 4.1.2 print for them
 * (generated once with Kafka's JsonConverter and `String.valueOf`; the worker runs with TZ unset, that is UTC).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { consoleProduce } from '@kconnect/testkit';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';

const ENVELOPE =
  '{"schema":{"type":"struct","fields":[{"field":"i8","type":"int8"},{"field":"i16","type":"int16"},{"field":"i32","type":"int32"},{"field":"i64","type":"int64"},{"field":"f32","type":"float"},{"field":"f64","type":"double"},{"field":"f32b","type":"float"},{"field":"f64b","type":"double"},{"field":"f64c","type":"double"},{"field":"f64d","type":"double"},{"field":"bool","type":"boolean"},{"field":"str","type":"string"},{"field":"bytes","type":"bytes","optional":true},{"field":"nested","type":"struct","fields":[{"field":"x","type":"int32"},{"field":"y","type":"string","optional":true},{"field":"z","type":"double"}]},{"field":"arr","type":"array","items":{"type":"float"}},{"field":"map","type":"map","keys":{"type":"string"},"values":{"type":"double"}},{"field":"imap","type":"map","keys":{"type":"int64"},"values":{"type":"string"}},{"field":"dec","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},{"field":"dec2","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"10"}},{"field":"date","type":"int32","name":"org.apache.kafka.connect.data.Date","version":1},{"field":"time","type":"int32","name":"org.apache.kafka.connect.data.Time","version":1},{"field":"ts","type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1},{"field":"old","type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1},{"field":"none","type":"string","optional":true}]},"payload":{"i8":-128,"i16":32767,"i32":-2147483648,"i64":9223372036854775807,"f32":3,"f64":1e21,"f32b":0.1,"f64b":2.5e-7,"f64c":-0.0,"f64d":12345678.9,"bool":true,"str":"héllo wörld","bytes":null,"nested":{"x":1,"y":null,"z":4},"arr":[0.1,1.0E7,-2.5,16777217],"map":{"zeta":1,"alpha":0.5,"beta":1e-3,"k10":1e7},"imap":[[3,"c"],[-1,"m"],[4294967296,"big"],[17,"q"]],"dec":"AJg=","dec2":"AQ==","date":19675,"time":45296789,"ts":1700000000000,"old":-12219292800001,"none":null}}';
const JAVA_LINE =
  'Struct{i8=-128,i16=32767,i32=-2147483648,i64=9223372036854775807,f32=3.0,f64=1.0E21,f32b=0.1,f64b=2.5E-7,f64c=0.0,f64d=1.23456789E7,bool=true,str=héllo wörld,nested=Struct{x=1,z=4.0},arr=[0.1, 1.0E7, -2.5, 1.6777216E7],map={zeta=1.0, alpha=0.5, k10=1.0E7, beta=0.001},imap={-1=m, 4294967296=big, 17=q, 3=c},dec=1.52,dec2=1E-10,date=Tue Nov 14 00:00:00 UTC 2023,time=Thu Jan 01 12:34:56 UTC 1970,ts=Tue Nov 14 22:13:20 UTC 2023,old=Thu Oct 04 23:59:59 UTC 1582}';
const SCHEMALESS = '{"v":0.0,"a":-4.0,"b":1E7,"c":1e-5,"d":-0.0,"e":5,"f":1.5e3,"g":[1.0,2,3.50,1e21,2.5e-7],"h":{"x":1.00}}';
const SCHEMALESS_JAVA_LINE = '{a=-4.0, b=1.0E7, c=1.0E-5, d=0.0, e=5, v=0.0, f=1500.0, g=[1.0, 2, 3.5, 1.0E21, 2.5E-7], h={x=1.0}}';

const readLines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

describe('FileStreamSink output format (Java toString)', () => {
  let admin: KafkaAdmin;
  let w: WorkerHandle;
  const topics: string[] = [];
  const files: string[] = [];

  beforeAll(async () => {
    delete process.env.TZ;
    admin = await kafkaAdmin();
    w = await startWorker();
  });
  afterAll(async () => {
    await w?.stop();
    await admin?.deleteTopics(topics).catch(() => undefined);
    await admin?.close();
    for (const f of files) rmSync(f, { force: true });
  });

  test.each([
    ['true', ENVELOPE, JAVA_LINE],
    ['false', SCHEMALESS, SCHEMALESS_JAVA_LINE],
  ])(
    'JsonConverter schemas.enable=%s → the line Java prints',
    async (schemas, input, expected) => {
      const topic = unique('file-format');
      topics.push(topic);
      await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
      await consoleProduce(topic, [input]);
      const output = path.join(w.dir, `${topic}.txt`);
      files.push(output);
      const res = await w.api('POST', '/connectors', {
        name: topic,
        config: {
          'connector.class': 'FileStreamSink',
          file: output,
          topics: topic,
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': schemas,
        },
      });
      expect(res.status).toBe(201);
      const lines = await eventually(
        () => {
          const l = readLines(output);
          return l.length >= 1 ? l : undefined;
        },
        60_000,
        'the sink wrote the record',
      );
      expect(lines).toEqual([expected]);
      await w.api('DELETE', `/connectors/${topic}`);
    },
    120_000,
  );
});
