/**
 * JSON Schema patterns are ECMAScript regular expressions; Shelf runs them on RE2, whose syntax
 * and a few meanings differ. This rewrites a pattern that is valid for `new RegExp(p, 'u')` into
 * RE2 syntax with the same meaning, or says why RE2 cannot run it (backreferences, lookaround).
 */
export type Re2Translation = { ok: true; source: string } | { ok: false; reason: string };

// ECMAScript's \s: what RE2's \s ([\t\n\f\r ]) lacks is \v and the Unicode spaces.
const whitespace = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, ...range(0x2000, 0x200a), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
const hex = (cp: number): string => `\\x{${cp.toString(16)}}`;
const spaceSet = whitespace.map(hex).join('');
const nonSpaceSet = complementRanges(whitespace).map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
// ECMAScript's `.` (without the s flag) stops at every line terminator, RE2's only at \n.
const dot = `[^\\n\\r${hex(0x2028)}${hex(0x2029)}]`;
const anything = `[\\x00-${hex(0x10ffff)}]`;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function complementRanges(points: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const p of [...points].sort((a, b) => a - b)) {
    if (p > next) out.push([next, p - 1]);
    next = p + 1;
  }
  out.push([next, 0x10ffff]);
  return out;
}

const lookaround: Record<string, string> = { '(?=': 'lookahead', '(?!': 'negative lookahead', '(?<=': 'lookbehind', '(?<!': 'negative lookbehind' };

/** Translates `pattern`, which must already be a valid ECMAScript pattern under the `u` flag. */
export function toRe2Syntax(pattern: string): Re2Translation {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const escape = translateEscape(pattern, i, inClass);
      if ('reason' in escape) return { ok: false, reason: escape.reason };
      out += escape.text;
      i = escape.end;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      // In ECMAScript `[` inside a class is a plain character; RE2 would read `[:` as a POSIX class.
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      // `[]` matches nothing and `[^]` anything in ECMAScript; RE2 would read the `]` as a member.
      if (pattern.startsWith('[]', i)) {
        out += `[^${anything.slice(1)}`;
        i += 2;
      } else if (pattern.startsWith('[^]', i)) {
        out += anything;
        i += 3;
      } else {
        inClass = true;
        out += pattern[i + 1] === '^' ? '[^' : '[';
        i += pattern[i + 1] === '^' ? 2 : 1;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const kind = Object.keys(lookaround).find((k) => pattern.startsWith(k, i));
      if (kind) return { ok: false, reason: `uses a ${lookaround[kind]} (${kind}…), which a linear-time engine cannot run` };
      if (pattern.startsWith('(?<', i)) {
        out += '(?P<';
        i += 3;
        continue;
      }
    }
    out += c === '.' ? dot : c;
    i++;
  }
  return { ok: true, source: out };
}

type Escape = { text: string; end: number } | { reason: string };

function translateEscape(p: string, at: number, inClass: boolean): Escape {
  const c = p[at + 1] ?? '';
  const end = at + 2;
  switch (c) {
    case 's':
      return { text: inClass ? spaceSet : `[${spaceSet}]`, end };
    case 'S':
      return { text: inClass ? nonSpaceSet : `[^${spaceSet}]`, end };
    case 'b':
      // Inside a class \b is a backspace in ECMAScript; RE2 has no such escape there.
      return { text: inClass ? hex(8) : '\\b', end };
    case '0':
      return { text: hex(0), end };
    case 'c':
      return { text: hex(p.charCodeAt(at + 2) % 32), end: at + 3 };
    case 'k':
      return { reason: 'uses a named backreference (\\k<…>), which a linear-time engine cannot run' };
    case 'u':
      return unicodeEscape(p, at);
    case 'p':
    case 'P':
      return propertyEscape(p, at, c);
    default:
      if (c >= '1' && c <= '9') return { reason: `uses a backreference (\\${c}), which a linear-time engine cannot run` };
      // \d \D \w \W \B \t \n \v \f \r \xHH mean the same in RE2; the rest are escaped punctuation.
      return { text: `\\${c}`, end };
  }
}

function unicodeEscape(p: string, at: number): Escape {
  if (p[at + 2] === '{') {
    const close = p.indexOf('}', at);
    return { text: hex(Number.parseInt(p.slice(at + 3, close), 16)), end: close + 1 };
  }
  const unit = Number.parseInt(p.slice(at + 2, at + 6), 16);
  // Under the u flag a surrogate pair written as two escapes is one code point.
  if (unit >= 0xd800 && unit <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(p.slice(at + 6, at + 12))) {
    const low = Number.parseInt(p.slice(at + 8, at + 12), 16);
    return { text: hex((unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000), end: at + 12 };
  }
  return { text: hex(unit), end: at + 6 };
}

function propertyEscape(p: string, at: number, c: string): Escape {
  const close = p.indexOf('}', at);
  const body = p.slice(at + 3, close);
  // RE2 names categories and scripts bare: \p{Lu}, \p{Greek}.
  const [key, value] = body.includes('=') ? body.split('=') : [undefined, body];
  if (key !== undefined && !['General_Category', 'gc', 'Script', 'sc'].includes(key)) {
    return { reason: `uses the Unicode property ${key}, which the linear-time engine does not know` };
  }
  return { text: `\\${c}{${value}}`, end: close + 1 };
}
