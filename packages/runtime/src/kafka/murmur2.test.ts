import { murmur2, toPositive } from './murmur2';

// Expected values from Apache Kafka's UtilsTest.testMurmur2 (the Java implementation's own vectors).
const VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['', 275646681],
];

describe('murmur2', () => {
  test.each(VECTORS)('%s', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });
  test('toPositive clears the sign bit as Java does', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});
