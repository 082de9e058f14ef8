import { describe, expect, it } from 'vitest';
import { toRe2Syntax } from './jsToRe2.js';
import { re2RegExp } from './regExpEngine.js';

// Characters where ECMAScript and RE2 disagree unless translated: line terminators, Unicode spaces,
// astral characters, brackets.
const samples = ['', 'a', 'abc', 'a b', 'a\u00a0b', 'a\vb', 'a\u2028b', 'a\r\nb', '\ufeff', '😀', 'é', 'Ωμέγα', '[', ']', ':', '\b', '\n', '\0', 'x-y', '12345', '12345-6789', '12345 6789'];

describe('toRe2Syntax', () => {
  it('keeps the ECMAScript meaning of every construct JSON Schema patterns use', () => {
    const patterns = [
      '^\\s+$', '\\S', '^[^\\s]+$', '^[\\S]+$', '^.$', '^.+$', '^[^]$', '[]', '^\\u00e9$', '^\\u{1F600}$', '^\\uD83D\\uDE00$',
      '^(?<word>\\w+)$', '^\\p{L}+$', '^\\p{Script=Greek}+$', '^\\p{gc=Lu}', '[\\b]', '\\cJ', '\\0', '^[[]$', '^[a\\]]$',
      '^\\d{5}(?:[-\\s]\\d{4})?$', '^(\\d{3})?$', '^[a-z]+$', '\\bb', 'a|b|', '^\\/$', '^[\\-x]+$', '^\\x41?$', '(?:a|b)*?c',
    ];
    for (const pattern of patterns) {
      const native = new RegExp(pattern, 'u');
      const re2 = re2RegExp(pattern, 'u');
      for (const text of samples) expect(re2.test(text), `${pattern} on ${JSON.stringify(text)}`).toBe(native.test(text));
    }
  });

  it('refuses backreferences and lookaround, saying which', () => {
    expect(toRe2Syntax('(a)\\1')).toEqual({ ok: false, reason: expect.stringContaining('backreference (\\1)') });
    expect(toRe2Syntax('(?<x>a)\\k<x>')).toEqual({ ok: false, reason: expect.stringContaining('named backreference') });
    expect(toRe2Syntax('a(?=b)')).toEqual({ ok: false, reason: expect.stringContaining('lookahead') });
    expect(toRe2Syntax('a(?!b)')).toEqual({ ok: false, reason: expect.stringContaining('negative lookahead') });
    expect(toRe2Syntax('(?<=a)b')).toEqual({ ok: false, reason: expect.stringContaining('lookbehind') });
    expect(toRe2Syntax('(?<!a)b')).toEqual({ ok: false, reason: expect.stringContaining('negative lookbehind') });
    // Escaped, they are plain characters.
    expect(toRe2Syntax('\\(\\?=')).toEqual({ ok: true, source: '\\(\\?=' });
  });
});
