/**
 * Java regular expressions (`java.util.regex.Pattern`) on JavaScript's engine: the common syntax is the same; this
 * maps what differs and is used in topic patterns — leading inline flags `(?i)`, `\Q…\E` quoting, `\A`, `\z`, `\Z`,
 * possessive quantifiers and atomic groups (run as greedy ones) — and implements `Matcher.matches()` (the whole
 * input) and `replaceFirst` with Java's replacement syntax (`$1`, `${name}`, `\$`).
 */

/** A compiled Java pattern. */
export class JavaPattern {
  /** Anchored at both ends: `Matcher.matches()`. */
  private readonly whole: RegExp;
  /** Unanchored: `Matcher.find()`. */
  private readonly find: RegExp;

  /** Throws a `SyntaxError` (its message says why) when the pattern is not a valid regular expression. */
  constructor(readonly pattern: string) {
    const { source, flags } = translate(pattern);
    this.whole = new RegExp(`^(?:${source})$`, flags);
    this.find = new RegExp(source, flags);
  }

  /** `pattern.matcher(input).matches()`. */
  matches(input: string): boolean {
    return this.whole.test(input);
  }

  /** `pattern.matcher(input).replaceFirst(replacement)` with Java's replacement syntax. */
  replaceFirst(input: string, replacement: JavaReplacement): string {
    this.find.lastIndex = 0;
    const m = this.find.exec(input);
    if (!m) return input;
    return input.slice(0, m.index) + replacement.expand(m) + input.slice(m.index + m[0].length);
  }

  toString(): string {
    return this.pattern;
  }
}

type Part = string | number | { name: string };

/** A parsed Java replacement string (`Matcher.appendReplacement` syntax). */
export class JavaReplacement {
  private readonly parts: Part[] = [];

  constructor(readonly text: string) {
    let lit = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        i++;
        if (i >= text.length) throw new Error('character to be escaped is missing');
        lit += text[i];
      } else if (c === '$') {
        i++;
        if (i >= text.length) throw new Error('Illegal group reference: group index is missing');
        if (lit) this.parts.push(lit);
        lit = '';
        if (text[i] === '{') {
          const end = text.indexOf('}', i);
          if (end < 0) throw new Error("named capturing group is missing trailing '}'");
          const name = text.slice(i + 1, end);
          if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`named capturing group is missing`);
          this.parts.push({ name });
          i = end;
        } else {
          if (!/[0-9]/.test(text[i]!)) throw new Error('Illegal group reference');
          let j = i;
          while (j < text.length && /[0-9]/.test(text[j]!)) j++;
          // the digits are resolved against the group count at expansion time, as Java does
          this.parts.push(text.slice(i, j));
          this.parts.push(-1);
          i = j - 1;
        }
      } else lit += c;
    }
    if (lit) this.parts.push(lit);
  }

  expand(m: RegExpExecArray): string {
    let out = '';
    const groupCount = m.length - 1;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      if (typeof p === 'string') {
        if (this.parts[i + 1] === -1) {
          // Java takes the first digit, then more digits while the number stays a valid group
          let n = Number(p[0]);
          if (n > groupCount) throw new Error(`No group ${n}`);
          let k = 1;
          while (k < p.length && n * 10 + Number(p[k]) <= groupCount) n = n * 10 + Number(p[k++]);
          out += (m[n] ?? '') + p.slice(k);
          i++;
        } else out += p;
      } else if (typeof p === 'object') {
        if (!m.groups || !(p.name in m.groups)) throw new Error(`No group with name {${p.name}}`);
        out += m.groups[p.name] ?? '';
      }
    }
    return out;
  }
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Java pattern syntax to a JavaScript source and flags. */
function translate(pattern: string): { source: string; flags: string } {
  let flags = '';
  let p = pattern;
  const lead = /^\(\?([imsux]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]!) if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    p = p.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        out += escapeLiteral(lit);
        i = end < 0 ? p.length : end + 1;
        continue;
      }
      if (!inClass && n === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (!inClass && n === 'z') {
        out += '$(?![\\s\\S])';
        i++;
        continue;
      }
      if (!inClass && n === 'Z') {
        out += '(?=\\n?$(?![\\s\\S]))';
        i++;
        continue;
      }
      out += c + (n ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += '\\' + p[++i];
      continue;
    }
    if (c === '(' && p[i + 1] === '?' && p[i + 2] === '>') {
      out += '(?:';
      i += 2;
      continue;
    }
    if ((c === '+' && /[*+?}]/.test(p[i - 1] ?? '') && p[i - 2] !== '\\') || (c === '+' && out.endsWith('}'))) {
      continue; // possessive quantifier: run as greedy
    }
    out += c;
  }
  // Validate here so a bad pattern fails at configure time with the engine's message.
  new RegExp(out, flags);
  return { source: out, flags };
}
