/**
 * A JSON reader that keeps numbers exact, used where `JSON.parse` would lose what Java's Jackson keeps: integers
 * beyond 2^53 and the exact digits of decimals. It also accepts what Jackson (as configured by JsonConverter)
 * accepts and `JSON.parse` does not: leading zeros in numbers and content after the first value.
 */
import { markDouble } from '@kconnect/api';

/** A number token kept as text: a fraction/exponent number, or an integer that is not a safe JS integer. */
export class LosslessNumber {
  constructor(
    /** The token as written, e.g. `-1.50E-6` or `9223372036854775807`. */
    readonly text: string,
    /** Whether the token is an integer (no fraction, no exponent). */
    readonly integral: boolean,
  ) {}
}

/** What a JSON text of only whitespace reads as (Jackson's MissingNode). */
export const MISSING: unique symbol = Symbol('missing');

/** Thrown for text that is not JSON; the message says what and where. */
export class JsonSyntaxError extends Error {}

const NUMBER_RE = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const STRING_SPECIAL_RE = /["\\\u0000-\u001f]/g;
const MAX_DEPTH = 1000;

/**
 * Parses JSON text. Numbers: with `raw`, safe integers are numbers and every other number is a
 * {@link LosslessNumber}; without it they are Connect's schemaless values (integers as INT64, that is a number or,
 * beyond 2^53, a bigint; others as doubles). With `strict`, anything but whitespace after the value is an error;
 * without it the rest is ignored, as Jackson's `readTree` does. Returns {@link MISSING} for empty or blank text.
 * Without `raw` (schemaless values), a fraction/exponent number with a whole value (`0.0`, `1E7`) inside an
 * object or array is marked as a Java `Double` in its container (`markDouble`), and `-0.0` reads as `0` (Java's
 * JsonConverter reads it through BigDecimal, which has no negative zero).
 */
export function parseJson(text: string, raw: boolean, strict: boolean): unknown {
  const p = new Parser(text, raw);
  p.skipWs();
  if (p.pos >= text.length) {
    if (strict) p.fail('Unexpected end of input');
    return MISSING;
  }
  const value = p.value(0);
  if (strict) {
    p.skipWs();
    if (p.pos < text.length) p.fail('Unexpected content after the JSON value');
  }
  return value;
}

class Parser {
  pos = 0;
  /** Set by {@link number} when the number it read is a whole-valued double to mark (schemaless values only). */
  private wholeDouble = false;
  constructor(
    private readonly text: string,
    private readonly raw: boolean,
  ) {}

  fail(what: string): never {
    const at = this.pos < this.text.length ? ` ('${this.text[this.pos]}')` : '';
    throw new JsonSyntaxError(`${what} at position ${this.pos}${at}`);
  }

  skipWs(): void {
    const t = this.text;
    let i = this.pos;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.pos = i;
  }

  value(depth: number): unknown {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.object(depth + 1);
      case 91: // [
        return this.array(depth + 1);
      case 34: // "
        return this.string();
      case 116: // t
        return this.literal('true', true);
      case 102: // f
        return this.literal('false', false);
      case 110: // n
        return this.literal('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.fail(this.pos >= t.length ? 'Unexpected end of input' : 'Unexpected character');
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Unrecognized token');
    this.pos += word.length;
    return value;
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail('Nesting too deep');
    const out: Record<string, unknown> = {};
    const t = this.text;
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (t.charCodeAt(this.pos) !== 34) this.fail('Expected a double-quote to start a field name');
      const key = this.string();
      this.skipWs();
      if (t.charCodeAt(this.pos) !== 58) this.fail("Expected ':'");
      this.pos++;
      this.skipWs();
      const v = this.value(depth);
      if (this.wholeDouble) {
        this.wholeDouble = false;
        markDouble(out, key);
      }
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      this.pos++;
      if (c === 125) return out;
      if (c !== 44) {
        this.pos--;
        this.fail("Expected ',' or '}'");
      }
      this.skipWs();
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) this.fail('Nesting too deep');
    const out: unknown[] = [];
    const t = this.text;
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      if (this.wholeDouble) {
        this.wholeDouble = false;
        markDouble(out, out.length - 1);
      }
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      this.pos++;
      if (c === 93) return out;
      if (c !== 44) {
        this.pos--;
        this.fail("Expected ',' or ']'");
      }
      this.skipWs();
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos + 1;
    STRING_SPECIAL_RE.lastIndex = start;
    let m = STRING_SPECIAL_RE.exec(t);
    if (m && m[0] === '"') {
      this.pos = m.index + 1;
      return t.slice(start, m.index);
    }
    let out = '';
    let from = start;
    for (;;) {
      if (!m) {
        this.pos = t.length;
        this.fail('Unexpected end of input in a string');
      }
      const i = m.index;
      out += t.slice(from, i);
      const ch = m[0];
      if (ch === '"') {
        this.pos = i + 1;
        return out;
      }
      if (ch !== '\\') {
        this.pos = i;
        this.fail('Illegal unquoted control character in a string');
      }
      const e = t[i + 1];
      let next = i + 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.fail('Invalid \\u escape');
          }
          out += String.fromCharCode(Number.parseInt(hex, 16));
          next = i + 6;
          break;
        }
        default:
          this.pos = i;
          this.fail('Unrecognized character escape');
      }
      from = next;
      STRING_SPECIAL_RE.lastIndex = next;
      m = STRING_SPECIAL_RE.exec(t);
    }
  }

  private number(): unknown {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) return this.fail('Invalid number');
    const tok = m[0];
    this.pos += tok.length;
    const integral = m[1] === undefined && m[2] === undefined;
    if (integral) {
      if (tok.length <= 15) {
        const n = Number(tok);
        return n === 0 ? 0 : n; // -0 is Java's 0
      }
      const big = BigInt(tok);
      if (big >= -9007199254740991n && big <= 9007199254740991n) return Number(big);
      if (this.raw) return new LosslessNumber(tok, true);
      return int64(big);
    }
    if (this.raw) return new LosslessNumber(tok, false);
    const n = Number(tok);
    if (!this.raw && Number.isInteger(n)) {
      this.wholeDouble = true;
      return n === 0 ? 0 : n;
    }
    return n;
  }
}

/** Java's `long` of an integer (low 64 bits, as `BigInteger.longValue()`): a number when safe, else a bigint. */
export function int64(big: bigint): number | bigint {
  const v = BigInt.asIntN(64, big);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * The index just after the JSON object, array or `null` starting at `start`, or -1 when the text there is something
 * else or malformed. Only brackets and strings are looked at: the content is validated later by a real parse.
 */
export function skipCompositeValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === 110) return text.startsWith('null', start) ? start + 4 : -1;
  if (first !== 123 && first !== 91) return -1;
  let depth = 0;
  const n = text.length;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // skip a string
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}
