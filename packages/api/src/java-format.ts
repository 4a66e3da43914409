/**
 * How Java prints and parses numbers, reproduced exactly where the converters' bytes depend on it:
 * `Double.toString` / `Float.toString` (JDK 19+ shortest-digit algorithm, as Jackson writes doubles and floats),
 * `new BigDecimal(String)` and `BigDecimal.toString()`.
 */
import { SchemaType, type Schema, unscaledToDecimal } from './schema';

/** A decimal as Java's BigDecimal holds it: `unscaled × 10^-scale`. */
export interface JavaBigDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

const BIG_DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a string as `new BigDecimal(String)` does (sign, digits, optional fraction and exponent); undefined where
 * Java throws NumberFormatException.
 */
export function parseJavaBigDecimal(text: string): JavaBigDecimal | undefined {
  const m = BIG_DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const int = m[2]!;
  const frac = m[3] ?? '';
  if (int.length === 0 && frac.length === 0) return undefined;
  let scale = frac.length;
  if (m[4] !== undefined) {
    const exp = Number(m[4]);
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 2147483647) return undefined;
    scale -= exp;
    if (scale > 2147483647 || scale < -2147483648) return undefined;
  }
  const digits = int + frac;
  let unscaled = BigInt(digits);
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** `BigDecimal.toString()`: plain notation, or scientific when the scale is negative or the value is tiny. */
export function javaBigDecimalToString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const coeff = (neg ? -unscaled : unscaled).toString();
  const sign = neg ? '-' : '';
  if (scale === 0) return sign + coeff;
  const adjusted = coeff.length - 1 - scale;
  if (scale > 0 && adjusted >= -6) {
    const point = coeff.length - scale;
    if (point > 0) return `${sign}${coeff.slice(0, point)}.${coeff.slice(point)}`;
    return `${sign}0.${'0'.repeat(-point)}${coeff}`;
  }
  let out = sign + coeff[0];
  if (coeff.length > 1) out += '.' + coeff.slice(1);
  if (adjusted !== 0) out += (adjusted > 0 ? 'E+' : 'E') + adjusted;
  return out;
}

/** `new BigDecimal(text).toPlainString()`; undefined when the text is not a decimal number. */
export function plainDecimal(text: string): string | undefined {
  const d = parseJavaBigDecimal(text);
  return d && unscaledToDecimal(d.unscaled, d.scale);
}

/**
 * Java's `Double.toString(double)` (JDK 19+): the shortest decimal that rounds to the value, in plain notation for
 * 10^-3 ≤ |d| < 10^7 and computerized scientific notation (`1.0E20`) otherwise. Non-finite values give `NaN`,
 * `Infinity` and `-Infinity`.
 */
export function formatJavaDouble(d: number): string {
  const a = d < 0 ? -d : d;
  if (a >= 1e-3 && a < 1e7) {
    // JavaScript's shortest digits in plain notation equal Java's here; Java always shows a fraction digit.
    const s = String(d);
    return Number.isInteger(d) ? s + '.0' : s;
  }
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  if (Number.isNaN(d)) return 'NaN';
  if (a === Infinity) return d > 0 ? 'Infinity' : '-Infinity';
  let exp = d.toExponential();
  // Java picks from 2-digit decimals when the shortest has 1 digit (visible only for subnormals: 4.9E-324).
  if (exp.indexOf('.') < 0) {
    const two = d.toExponential(1);
    if (Number(two) === d) exp = two;
  }
  return javaScientific(exp);
}

/**
 * Java's `Float.toString(float)` (JDK 19+) of `Math.fround(f)`: the shortest decimal that rounds to the float, with
 * the same notation rules as {@link formatJavaDouble}.
 */
export function formatJavaFloat(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  let exp = '';
  for (let digits = 0; digits < 9; digits++) {
    exp = f.toExponential(digits);
    if (Math.fround(Number(exp)) !== f) continue;
    if (digits === 0) {
      // Java picks from 2-digit decimals when the shortest has 1 digit (visible for subnormals: 1.4E-45)
      const two = f.toExponential(1);
      if (Math.fround(Number(two)) === f) exp = two;
    } else {
      exp = evenOnTie(f, digits, exp);
    }
    break;
  }
  const a = f < 0 ? -f : f;
  if (a >= 1e-3 && a < 1e7) return javaPlain(exp);
  return javaScientific(exp);
}

/**
 * JavaScript rounds a tie away from zero; Java picks the candidate with the even last digit. `exp` is
 * `f.toExponential(digits)`; when `f` lies exactly halfway between it and the candidate one unit nearer zero, and
 * that one has the even digit and also reads back as `f`, that one is returned.
 */
function evenOnTie(f: number, digits: number, exp: string): string {
  const longer = f.toExponential(digits + 1);
  const e = longer.indexOf('e');
  if (longer.charCodeAt(e - 1) !== 53 /* 5 */ || Number(longer) !== f) return exp;
  const down = longer.slice(0, e - 1) + longer.slice(e); // the candidate one unit nearer zero: truncated
  const last = down.charCodeAt(down.indexOf('e') - 1);
  if ((last & 1) === 0 && Math.fround(Number(down)) === f) return down;
  return exp;
}

/** `-1.25e+2` → `-1.25E2`; `1e+20` → `1.0E20`. */
function javaScientific(exp: string): string {
  const e = exp.indexOf('e');
  let mantissa = exp.slice(0, e);
  if (mantissa.indexOf('.') < 0) mantissa += '.0';
  const power = exp.charCodeAt(e + 1) === 43 /* + */ ? exp.slice(e + 2) : exp.slice(e + 1);
  return `${mantissa}E${power}`;
}

/** `-1.25e+2` → `-125.0`; `1.5e-3` → `0.0015`. */
function javaPlain(exp: string): string {
  const e = exp.indexOf('e');
  const power = Number(exp.slice(e + 1));
  let mantissa = exp.slice(0, e);
  const neg = mantissa[0] === '-';
  if (neg) mantissa = mantissa.slice(1);
  let digits = mantissa.replace('.', '');
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  const point = power + 1; // digits before the decimal point
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length) + '.0';
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return neg ? '-' + out : out;
}

/** Standard base64 (with padding) of bytes, without copying them. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard, padded base64 (as Jackson reads binary); undefined when the text is not valid base64. */
export function fromBase64(text: string): Buffer | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** A short description of a value's type for error messages (`string`, `number 1.5`, `Map`, ...). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') {
    return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  }
  return typeof value;
}

/**
 * A number as Java prints the value Connect gives it: FLOAT32 as `Float.toString`, FLOAT64 as `Double.toString`,
 * integer types as Long; without a schema as Java's JsonConverter reads it (whole numbers as Long, others as Double).
 */
export function formatJavaNumber(n: number, schema: Schema | null | undefined): string {
  switch (schema?.type) {
    case SchemaType.FLOAT32:
      return formatJavaFloat(n);
    case SchemaType.FLOAT64:
      return formatJavaDouble(n);
    case undefined:
      return Number.isSafeInteger(n) ? String(n) : formatJavaDouble(n);
    default:
      return String(n);
  }
}
