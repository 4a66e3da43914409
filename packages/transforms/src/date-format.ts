/**
 * `java.text.SimpleDateFormat` in UTC, as TimestampConverter and TimestampRouter use it: formatting and lenient
 * parsing of the pattern letters G y Y u M L d D E a H k K h m s S z Z X and quoted text. Letters Java knows but
 * this does not (w, W, F) are refused when the pattern is compiled, as unknown letters are by Java.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_PER_DAY = 86_400_000;

type Token = { kind: 'lit'; text: string } | { kind: 'field'; letter: string; count: number };

const SUPPORTED = 'GyYuMLdDEaHkKhmsSzZX';
const JAVA_LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
const NUMERIC = 'yYuMLdDHkKhmsS';

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const lit = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'lit') last.text += text;
    else tokens.push({ kind: 'lit', text });
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit("'");
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= pattern.length) throw new Error('Unterminated quote');
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      lit(text);
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!JAVA_LETTERS.includes(c)) throw new Error(`Illegal pattern character '${c}'`);
      if (!SUPPORTED.includes(c)) throw new Error(`Unsupported pattern character '${c}'`);
      let j = i;
      while (pattern[j] === c) j++;
      if (c === 'X' && j - i > 3) throw new Error('invalid ISO 8601 format: length=' + (j - i));
      tokens.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      lit(c);
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
};

/** A compiled pattern; all times in UTC. */
export class SimpleDateFormat {
  private readonly tokens: Token[];

  /** Throws when the pattern is not one Java accepts (or uses a letter this port lacks). */
  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  /**
   * The width in milliseconds of the time slot a formatted text identifies when the pattern has no time-of-day
   * letters (one day), else 1: callers may cache a text per slot.
   */
  get resolutionMs(): number {
    return this.tokens.some((t) => t.kind === 'field' && 'aHkKhmsSzZX'.includes(t.letter)) ? 1 : MS_PER_DAY;
  }

  toPattern(): string {
    return this.pattern;
  }

  format(date: Date): string {
    const ms = date.getTime();
    const d = new Date(ms);
    let out = '';
    for (const t of this.tokens) {
      if (t.kind === 'lit') {
        out += t.text;
        continue;
      }
      const n = t.count;
      const year = d.getUTCFullYear();
      const yearOfEra = year <= 0 ? 1 - year : year;
      switch (t.letter) {
        case 'G':
          out += year <= 0 ? 'BC' : 'AD';
          break;
        case 'y':
        case 'Y':
          out += n === 2 ? pad(yearOfEra % 100, 2) : pad(yearOfEra, n);
          break;
        case 'u':
          out += pad(d.getUTCDay() === 0 ? 7 : d.getUTCDay(), n);
          break;
        case 'M':
        case 'L': {
          const m = d.getUTCMonth();
          out += n >= 4 ? MONTHS[m] : n === 3 ? MONTHS[m]!.slice(0, 3) : pad(m + 1, n);
          break;
        }
        case 'd':
          out += pad(d.getUTCDate(), n);
          break;
        case 'D': {
          const start = Date.UTC(year, 0, 1);
          out += pad(Math.floor((ms - start) / MS_PER_DAY) + 1, n);
          break;
        }
        case 'E':
          out += n >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()]!.slice(0, 3);
          break;
        case 'a':
          out += d.getUTCHours() < 12 ? 'AM' : 'PM';
          break;
        case 'H':
          out += pad(d.getUTCHours(), n);
          break;
        case 'k':
          out += pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), n);
          break;
        case 'K':
          out += pad(d.getUTCHours() % 12, n);
          break;
        case 'h':
          out += pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, n);
          break;
        case 'm':
          out += pad(d.getUTCMinutes(), n);
          break;
        case 's':
          out += pad(d.getUTCSeconds(), n);
          break;
        case 'S':
          out += pad(d.getUTCMilliseconds(), n);
          break;
        case 'z':
          out += n >= 4 ? 'Coordinated Universal Time' : 'UTC';
          break;
        case 'Z':
          out += '+0000';
          break;
        case 'X':
          out += 'Z';
          break;
      }
    }
    return out;
  }

  /**
   * Java's lenient `DateFormat.parse(String)`: reads from the start (text after the pattern is ignored), numbers
   * as wide as they are (exactly the field's width when the next field is numeric too), out-of-range values roll
   * over. Undefined when the text does not match.
   */
  parse(text: string): Date | undefined {
    let pos = 0;
    let year = 1970;
    let twoDigitYear = false;
    let month = 0;
    let day = 1;
    let dayOfYear: number | undefined;
    let hour = 0;
    let hour12: number | undefined;
    let pm: boolean | undefined;
    let minute = 0;
    let second = 0;
    let milli = 0;
    let offsetMinutes = 0;
    let bc = false;
    const tokens = this.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'lit') {
        for (const ch of t.text) {
          if (ch === ' ' && text[pos] !== ' ') continue;
          if (text[pos] !== ch) return undefined;
          pos++;
        }
        continue;
      }
      const next = tokens[i + 1];
      const abutting = next?.kind === 'field' && NUMERIC.includes(next.letter) && !(next.letter === 'M' && next.count >= 3);
      const readNumber = (allowSign: boolean): number | undefined => {
        let start = pos;
        let neg = false;
        if (allowSign && (text[pos] === '-' || text[pos] === '+')) {
          neg = text[pos] === '-';
          start = ++pos;
        }
        const max = abutting ? t.count : Number.POSITIVE_INFINITY;
        while (pos < text.length && pos - start < max && text[pos]! >= '0' && text[pos]! <= '9') pos++;
        if (pos === start) return undefined;
        const v = Number(text.slice(start, pos));
        return neg ? -v : v;
      };
      const readName = (names: string[]): number | undefined => {
        const rest = text.slice(pos).toLowerCase();
        let best = -1;
        let bestLen = 0;
        names.forEach((name, idx) => {
          for (const cand of [name, name.slice(0, 3)]) {
            if (cand.length > bestLen && rest.startsWith(cand.toLowerCase())) {
              best = idx;
              bestLen = cand.length;
            }
          }
        });
        if (best < 0) return undefined;
        pos += bestLen;
        return best;
      };
      switch (t.letter) {
        case 'G': {
          const era = readName(['BC', 'AD']);
          if (era === undefined) return undefined;
          bc = era === 0;
          break;
        }
        case 'y':
        case 'Y': {
          const start = pos;
          const v = readNumber(true);
          if (v === undefined) return undefined;
          year = v;
          twoDigitYear = t.count <= 2 && pos - start === 2 && /^\d\d$/.test(text.slice(start, pos));
          break;
        }
        case 'M':
        case 'L': {
          if (t.count >= 3) {
            const m = readName(MONTHS);
            if (m === undefined) return undefined;
            month = m;
          } else {
            const v = readNumber(false);
            if (v === undefined) return undefined;
            month = v - 1;
          }
          break;
        }
        case 'E':
          if (readName(DAYS) === undefined) return undefined;
          break;
        case 'a': {
          const v = readName(['AM', 'PM']);
          if (v === undefined) return undefined;
          pm = v === 1;
          break;
        }
        case 'z':
        case 'Z':
        case 'X': {
          const off = parseZone(text, pos);
          if (!off) return undefined;
          offsetMinutes = off.minutes;
          pos = off.end;
          break;
        }
        default: {
          const v = readNumber(false);
          if (v === undefined) return undefined;
          switch (t.letter) {
            case 'u':
              break;
            case 'd':
              day = v;
              break;
            case 'D':
              dayOfYear = v;
              break;
            case 'H':
              hour = v;
              break;
            case 'k':
              hour = v === 24 ? 0 : v;
              break;
            case 'K':
              hour12 = v;
              break;
            case 'h':
              hour12 = v === 12 ? 0 : v;
              break;
            case 'm':
              minute = v;
              break;
            case 's':
              second = v;
              break;
            case 'S':
              milli = v;
              break;
          }
        }
      }
    }
    if (twoDigitYear) {
      // Java: the century that puts the date within 80 years before and 20 years after now
      const now = new Date().getUTCFullYear();
      const startYear = now - 80;
      year += Math.floor(startYear / 100) * 100;
      if (year < startYear) year += 100;
    }
    if (bc) year = 1 - year;
    if (hour12 !== undefined) hour = hour12 + (pm ? 12 : 0);
    else if (pm !== undefined && hour < 12 && pm) hour += 12;
    const dt = new Date(0);
    if (dayOfYear !== undefined) dt.setUTCFullYear(year, 0, dayOfYear);
    else dt.setUTCFullYear(year, month, day);
    dt.setUTCHours(hour, minute, second, milli);
    return new Date(dt.getTime() - offsetMinutes * 60_000);
  }
}

/** A zone at `pos`: `Z`, `UTC`/`GMT` (with an optional offset), or `±hh[:]mm` / `±hh`. */
function parseZone(text: string, pos: number): { minutes: number; end: number } | undefined {
  if (text[pos] === 'Z') return { minutes: 0, end: pos + 1 };
  let p = pos;
  const named = /^(UTC|GMT)/.exec(text.slice(p));
  if (named) {
    p += named[0].length;
    if (text[p] !== '+' && text[p] !== '-') return { minutes: 0, end: p };
  }
  const m = /^([+-])(\d\d):?(\d\d)?/.exec(text.slice(p));
  if (!m) return named ? { minutes: 0, end: p } : undefined;
  const minutes = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
  return { minutes, end: p + m[0].length };
}
