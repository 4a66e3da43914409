import { Decimal, SchemaBuilder, Schemas, Struct, bigintToTwosComplement, decimalToUnscaled, twosComplementToBigint, unscaledToDecimal } from './schema';

describe('Struct', () => {
  const schema = SchemaBuilder.struct().name('r').field('id', Schemas.STRING_SCHEMA).field('t', Schemas.OPTIONAL_FLOAT64_SCHEMA).build();
  it('validates field values and required fields', () => {
    const s = new Struct(schema).put('id', 'a');
    expect(s.get('id')).toBe('a');
    expect(s.get('t')).toBeNull();
    expect(() => s.put('t', 'x')).toThrow(/FLOAT64.*"t"/);
    expect(() => s.put('nope', 1)).toThrow('nope is not a valid field name');
    expect(() => new Struct(schema).validate()).toThrow(/required field: "id"/);
  });
});

describe('Decimal', () => {
  it('round-trips decimals through two-complement bytes like Java BigInteger', () => {
    expect([...bigintToTwosComplement(0n)]).toEqual([0]);
    expect([...bigintToTwosComplement(127n)]).toEqual([127]);
    expect([...bigintToTwosComplement(128n)]).toEqual([0, 128]);
    expect([...bigintToTwosComplement(-1n)]).toEqual([255]);
    expect([...bigintToTwosComplement(-129n)]).toEqual([255, 127]);
    for (const n of [0n, 1n, -1n, 255n, -256n, 123456789012345678901234567890n, -98765432109876543210n]) {
      expect(twosComplementToBigint(bigintToTwosComplement(n))).toBe(n);
    }
    const s = Decimal.schema(2);
    expect(Decimal.toLogical(s, Decimal.fromLogical(s, '-12.3'))).toBe('-12.30');
    expect(unscaledToDecimal(5n, 3)).toBe('0.005');
    expect(decimalToUnscaled('1.5e2', 1)).toBe(1500n);
    expect(() => decimalToUnscaled('1.234', 2)).toThrow(/scale 2/);
  });
});
